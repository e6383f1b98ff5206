/**
 * The first screen: a first visit opens on a pretrained preset with a sample text in the UI
 * language; a link, a saved session and `?start=seeded` keep what they say. Prints the time
 * from navigation to the preset's trace in the store and drawn (shown, not asserted).
 */
import assert from 'node:assert/strict';
import { availableParallelism, loadavg } from 'node:os';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { ROOT, seriousA11yViolations, withApp } from './harness.ts';

interface Snapshot {
  preset: string | null;
  importedPreset: string | null;
  inputText: string;
  cell: string;
  hiddenSize: number;
  traceT: number;
  traceH: number | null;
  inputSize: number | null;
  runStatus: string;
}
type Win = Window & {
  __gatescope?: {
    getState(): {
      preset: string | null;
      imported: { preset?: string } | null;
      inputText: string;
      cell: string;
      hiddenSize: number;
      traceT: number;
      runStatus: string;
      trace: { meta: { spec: { hiddenSize: number; inputSize: number } } } | null;
    };
  };
};

const snapshot = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => {
    const s = (window as Win).__gatescope!.getState();
    return {
      preset: s.preset,
      importedPreset: s.imported?.preset ?? null,
      inputText: s.inputText,
      cell: s.cell,
      hiddenSize: s.hiddenSize,
      traceT: s.traceT,
      traceH: s.trace?.meta.spec.hiddenSize ?? null,
      inputSize: s.trace?.meta.spec.inputSize ?? null,
      runStatus: s.runStatus,
    };
  });

/** Until the preset's trace is in the store and the run is done. */
const presetShown = (page: Page, id: string) =>
  page.waitForFunction((want) => {
    const s = (window as Win).__gatescope?.getState();
    return s?.imported?.preset === want && s.runStatus === 'done' && s.traceT > 0;
  }, id);

/** Until a seeded run is done (no preset). */
const seededShown = (page: Page) =>
  page.waitForFunction(() => {
    const s = (window as Win).__gatescope?.getState();
    return (
      !!s && s.preset === null && s.imported === null && s.runStatus === 'done' && s.traceT > 0
    );
  });

const inputRegion = (page: Page) => page.getByRole('region', { name: 'Input', exact: true });
const modelRegion = (page: Page) => page.getByRole('region', { name: 'Model', exact: true });

/** The bridge's preset timeline (performance marks), ms from navigation. */
const presetMarks = (page: Page) =>
  page.evaluate(() => {
    const at = (n: string) =>
      performance.getEntriesByName(`gatescope:preset:${n}`)[0]?.startTime ?? NaN;
    return {
      start: at('fetch-start'),
      fetched: at('fetched'),
      configured: at('configured'),
      trace: at('trace'),
      drawn: at('drawn'),
    };
  });

const describeMarks = (m: Awaited<ReturnType<typeof presetMarks>>) =>
  `char-lm-en-lstm from navigation: the bridge asks for the preset at ${m.start.toFixed(0)} ms; ` +
  `files in ${(m.fetched - m.start).toFixed(0)} ms (prefetched at page start), weights in the worker ` +
  `${(m.configured - m.fetched).toFixed(0)} ms, trace in the store ${(m.trace - m.configured).toFixed(0)} ms ` +
  `later, drawn ${(m.drawn - m.trace).toFixed(0)} ms later; ask to drawn ${(m.drawn - m.start).toFixed(0)} ms, ` +
  `navigation to drawn ${m.drawn.toFixed(0)} ms (${loadNote()})`;

const loadNote = () => `load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;

describe('first screen', () => {
  test('a first visit opens on the English character LSTM with a line of Alice; reload keeps it', () =>
    withApp({ query: '?lang=en' }, async ({ page }) => {
      await presetShown(page, 'char-lm-en-lstm');
      await page.getByText('Step 1 of 75', { exact: true }).waitFor();
      const s = await snapshot(page);
      assert.equal(s.cell, 'lstm');
      assert.equal(s.hiddenSize, s.traceH);
      assert.equal(s.inputSize, 62, 'one-hot over the 62 characters of the training text');
      assert.match(s.inputText, /^Alice was beginning/);
      await page.getByText('Pretrained preset “char-lm-en-lstm”', { exact: false }).waitFor();
      // The controls stay free (a change leaves the preset).
      assert.equal(await page.getByRole('spinbutton', { name: 'Hidden size' }).isEnabled(), true);
      const marks = await presetMarks(page);
      console.log(`e2e presets: first visit, ${describeMarks(marks)}`);
      assert.ok(marks.drawn > marks.trace && marks.trace > marks.configured);
      assert.deepEqual(await seriousA11yViolations(page, { include: '.ws-controls' }), []);

      // The hash says so; a reload (hash and session) shows the same.
      await page.waitForFunction(() => location.hash.includes('preset=char-lm-en-lstm'));
      await page.reload();
      await presetShown(page, 'char-lm-en-lstm');
      assert.equal((await snapshot(page)).inputText, s.inputText);
      await page.waitForFunction(
        () => performance.getEntriesByName('gatescope:preset:drawn').length,
      );
      console.log(`e2e presets: after a reload, ${describeMarks(await presetMarks(page))}`);
    }));

  test('Vietnamese opens on the Vietnamese character LSTM with Truyện Kiều', () =>
    withApp({ query: '?lang=vi' }, async ({ page }) => {
      await presetShown(page, 'char-lm-vi-lstm');
      const s = await snapshot(page);
      assert.match(s.inputText, /^Trăm năm trong cõi người ta,/);
      await page.getByText('Mô hình huấn luyện sẵn “char-lm-vi-lstm”', { exact: false }).waitFor();
    }));

  test('changing the hidden size leaves the preset for seeded weights of that size', () =>
    withApp({ query: '?lang=en' }, async ({ page }) => {
      await presetShown(page, 'char-lm-en-lstm');
      await page.getByRole('spinbutton', { name: 'Hidden size' }).fill('5');
      await page.getByRole('spinbutton', { name: 'Hidden size' }).press('Enter');
      await seededShown(page);
      const s = await snapshot(page);
      assert.equal(s.traceH, 5);
      assert.match(s.inputText, /^Alice/, 'the text stays');
      await page.waitForFunction(() => !location.hash.includes('preset='));
    }));

  test('a link without a preset shows exactly its seeded settings', () =>
    withApp({ query: '#cell=gru&hidden=3&seed=5&input=abcab&lang=en' }, async ({ page }) => {
      await seededShown(page);
      const s = await snapshot(page);
      assert.deepEqual([s.cell, s.traceH, s.inputText, s.preset], ['gru', 3, 'abcab', null]);
    }));

  test('a link with a preset opens on it', () =>
    withApp({ query: '#preset=char-lm-en-gru&input=the+cat&lang=en' }, async ({ page }) => {
      await presetShown(page, 'char-lm-en-gru');
      const s = await snapshot(page);
      assert.deepEqual([s.cell, s.traceT, s.inputText], ['gru', 7, 'the cat']);
    }));

  test('a saved session wins over the preset; ?start=seeded opens on seeded weights', () =>
    withApp({ query: '?lang=en&start=seeded' }, async ({ page, context, baseURL }) => {
      await seededShown(page);
      const s = await snapshot(page);
      assert.deepEqual([s.inputText, s.traceH, s.preset], ['hello world', 4, null]);
      await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
      await page.getByRole('spinbutton', { name: 'Seed' }).press('Enter');
      await page.waitForFunction(() => location.hash.includes('seed=7'));
      // Flush the saved session, then open the bare URL (no hash, no flag) in the same profile.
      await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
      const second = await context.newPage();
      await second.goto(new URL('?lang=en', baseURL).href);
      await seededShown(second);
      const t = await snapshot(second);
      assert.deepEqual([t.inputText, t.traceH, t.preset], ['hello world', 4, null]);
      assert.ok(
        await second.evaluate(() => location.hash.includes('seed=7')),
        'the session restored the seed',
      );
    }));

  test('a weights file the user loaded is back after a reload (IndexedDB), with its values', () =>
    withApp({ query: '?lang=en&start=seeded' }, async ({ page }) => {
      await seededShown(page);
      await inputRegion(page).getByLabel('Read as').selectOption('numeric');
      await inputRegion(page).getByLabel('Input sequence').fill('1, 2, 3\n4, 5, 6');
      await modelRegion(page)
        .getByLabel('Load weights')
        .setInputFiles(join(ROOT, 'tests/fixtures/weights/lstm_basic.state_dict.json'));
      await page.getByText('Weights from “lstm_basic.state_dict.json”').waitFor();
      await page.waitForFunction(() => location.hash.includes('weights=lstm_basic'));
      const h = () =>
        page.evaluate(() => {
          const s = (window as Win).__gatescope!.getState() as unknown as {
            traceT: number;
            trace: { layers: Record<string, Record<string, Float32Array>> } | null;
          };
          return s.traceT === 2 ? Array.from(s.trace!.layers.l0.h) : null;
        });
      await page.waitForFunction(() => (window as Win).__gatescope!.getState().traceT === 2);
      const before = await h();
      await page.reload();
      await page.getByText('Weights from “lstm_basic.state_dict.json”').waitFor();
      await page.waitForFunction(() => {
        const s = (window as Win).__gatescope!.getState();
        return s.runStatus === 'done' && s.traceT === 2;
      });
      assert.deepEqual(await h(), before);
      assert.equal((await snapshot(page)).traceH, 5);
    }));
});
