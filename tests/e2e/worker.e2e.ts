/**
 * The first end-to-end slice in Chromium: the engine in a Web Worker, traces
 * streamed into the store, the player and the values inspector. Expected
 * numbers are computed here, in Node, by the same engine on the same weights
 * and input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  createModel,
  forward,
  importStateDict,
  parseStateDictJson,
  QUANTITIES,
  type Model,
  type Quantity,
} from '../../src/engine/index.ts';
import {
  horizontalOverflow,
  ROOT,
  saveScreenshot,
  seriousA11yViolations,
  withApp,
} from './harness.ts';

const WEIGHTS = join(ROOT, 'tests/fixtures/weights/lstm_basic.state_dict.json');
const BAD_WEIGHTS = join(ROOT, 'tests/fixtures/weights/lstm_bad_shape.state_dict.json');
const REF = JSON.parse(
  readFileSync(join(ROOT, 'tests/fixtures/reference/lstm_basic.json'), 'utf8'),
) as {
  input: { shape: number[]; data: number[] };
};

/** The reference case's input as the numeric text a user would type: one step per line. */
function numericText(data: number[], width: number): string {
  const lines: string[] = [];
  for (let k = 0; k < data.length; k += width) lines.push(data.slice(k, k + width).join(', '));
  return lines.join('\n');
}

/** This slice's sections (other features may reuse labels such as "Preset" or "Cell"). */
const inputRegion = (page: Page) => page.getByRole('region', { name: 'Input', exact: true });
const modelRegion = (page: Page) => page.getByRole('region', { name: 'Model', exact: true });

const status = (page: Page) => page.getByRole('status').filter({ hasText: /^Step \d+ of \d+$/ });

async function waitForStatus(page: Page, text: string) {
  await page
    .getByRole('status')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor();
}

/** The inspector's number for (quantity, unit), as a JS number (U+2212 minus read back). */
async function shown(page: Page, q: Quantity, unit: number): Promise<number> {
  const table = page.getByRole('table', { name: 'Values at this step' });
  const text = await table.locator(`td[data-quantity="${q}"][data-unit="${unit}"]`).innerText();
  return Number(text.replace('\u2212', '-'));
}

/** Every cell of the inspector against the Node engine's trace at step t (0-based). */
async function checkInspector(page: Page, model: Model, input: Float32Array, t: number) {
  const trace = forward(model, input);
  const H = model.spec.hiddenSize;
  const lt = trace.layers[0];
  for (const q of QUANTITIES[model.spec.cell] as readonly Quantity[]) {
    for (let unit = 0; unit < H; unit++) {
      const want = lt.act[q]![t * H + unit];
      const got = await shown(page, q, unit);
      // 4 decimals shown: within half a unit of the last digit (plus float noise across engines).
      assert.ok(
        Math.abs(got - want) <= 5.1e-5,
        `t=${t + 1} ${q}[${unit}]: inspector ${got}, engine in Node ${want.toFixed(6)}`,
      );
    }
  }
}

describe('worker slice', () => {
  test('loads weights and a numeric input; the inspector shows what the engine computes in Node', () =>
    // The seeded start (not the pretrained preset of a first visit): the file replaces that model.
    withApp({ query: '?start=seeded' }, async ({ page }) => {
      await inputRegion(page).getByLabel('Read as').selectOption('numeric');
      await inputRegion(page).getByLabel('Input sequence').fill(numericText(REF.input.data, 3));
      await modelRegion(page).getByLabel('Load weights').setInputFiles(WEIGHTS);
      await page.getByText('Weights from “lstm_basic.state_dict.json”').waitFor();
      await waitForStatus(page, 'Step 1 of 7');
      assert.match(await page.getByText(/^Engine: Web Worker/).innerText(), /Web Worker/);

      const { model } = importStateDict(parseStateDictJson(readFileSync(WEIGHTS, 'utf8')));
      const input = Float32Array.from(REF.input.data);
      await checkInspector(page, model, input, 0);
      await page.getByRole('button', { name: 'Step forward' }).click();
      await page.getByRole('button', { name: 'Step forward' }).click();
      await waitForStatus(page, 'Step 3 of 7');
      await checkInspector(page, model, input, 2);
      await page.getByRole('button', { name: 'Last step' }).click();
      await waitForStatus(page, 'Step 7 of 7');
      await checkInspector(page, model, input, 6);
      // Back is instant: the trace is cached in the store.
      await page.getByRole('button', { name: 'Step back' }).click();
      await waitForStatus(page, 'Step 6 of 7');
      await checkInspector(page, model, input, 5);
      // Keyboard, with focus outside the text fields.
      await page.getByRole('heading', { name: 'Values at this step' }).click();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      await waitForStatus(page, 'Step 2 of 7');
      await checkInspector(page, model, input, 1);
      // The slider.
      await page.getByRole('slider', { name: 'Time step' }).fill('4');
      await waitForStatus(page, 'Step 4 of 7');
      await checkInspector(page, model, input, 3);
      await saveScreenshot(page, 'player');
      await page.getByRole('heading', { name: 'Values at this step' }).scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'player-inspector');
    }));

  test('a link reproduces the same values, and the hash follows the settings', () =>
    withApp(
      {
        query:
          '#cell=gru&hidden=3&layers=1&bidirectional=0&seed=5&tokens=char&input=abcab&t=4&lang=en',
      },
      async ({ page }) => {
        await waitForStatus(page, 'Step 4 of 5');
        assert.equal(
          await modelRegion(page).getByLabel('Cell', { exact: true }).inputValue(),
          'gru',
        );
        assert.equal(await inputRegion(page).getByLabel('Input sequence').inputValue(), 'abcab');
        const model = createModel(
          {
            cell: 'gru',
            inputSize: 3,
            hiddenSize: 3,
            numLayers: 1,
            bidirectional: false,
            bias: true,
          },
          { seed: 5 },
        );
        // One-hot over the vocabulary in order of first appearance: a b c a b.
        const onehot = new Float32Array(5 * 3);
        [0, 1, 2, 0, 1].forEach((k, t) => (onehot[t * 3 + k] = 1));
        await checkInspector(page, model, onehot, 3);

        await page.getByRole('button', { name: 'Step forward' }).click();
        await waitForStatus(page, 'Step 5 of 5');
        await page.waitForFunction(() => location.hash.includes('t=5'));
        const hash = await page.evaluate(() => location.hash);
        assert.match(hash, /cell=gru/);
        assert.match(hash, /seed=5/);
        assert.match(hash, /input=abcab/);
      },
    ));

  test('bad input gives specific messages and the app keeps working', () =>
    withApp({ query: '#hidden=abc&cell=lstm&input=hello' }, async ({ page }) => {
      await page.getByText("The link's “hidden” value “abc” is not valid").waitFor();
      await waitForStatus(page, 'Step 1 of 5');
      const box = inputRegion(page).getByLabel('Input sequence');

      await box.fill('');
      await page.getByText('The input sequence is empty.', { exact: false }).waitFor();
      await inputRegion(page).getByLabel('Read as').selectOption('numeric');
      await box.fill('1, 2\n3, x\n5, 6');
      await page.getByText('Line 2 (“3, x”) is not a list of numbers.', { exact: false }).waitFor();
      await box.fill('1, 2\n3\n5, 6');
      await page
        .getByText('Line 2 has 1 values but the first line has 2.', { exact: false })
        .waitFor();
      // The last good trace stays, and a fix brings a new run.
      await box.fill('1, 2\n3, 4\n5, 6');
      await waitForStatus(page, 'Step 1 of 3');

      await inputRegion(page).getByLabel('Read as').selectOption('char');
      await box.fill('x'.repeat(2001));
      await page
        .getByText('The sequence has 2001 steps, over the limit of 2000.', { exact: false })
        .waitFor();

      // Weights with a wrong shape: the importer's own message, and the old model stays.
      await box.fill('hello');
      await waitForStatus(page, 'Step 1 of 5');
      await modelRegion(page).getByLabel('Load weights').setInputFiles(BAD_WEIGHTS);
      const alert = page.getByText('Could not load “lstm_bad_shape.state_dict.json”');
      await alert.waitFor();
      assert.match(await alert.innerText(), /bias_hh_l0/);
      assert.match(await alert.innerText(), /\[7\]/);

      // Good weights (inputSize 3) and a sentence with more distinct tokens: the token is named.
      await modelRegion(page).getByLabel('Load weights').setInputFiles(WEIGHTS);
      await page.getByText('Weights from “lstm_basic.state_dict.json”').waitFor();
      await page.getByText('The token “o” (step 5) is token number 4', { exact: false }).waitFor();
      await box.fill('heh');
      await waitForStatus(page, 'Step 1 of 3');
      assert.equal(await box.inputValue(), 'heh');
    }));

  test('a crashed worker is restarted with the last good settings and input', () =>
    withApp(
      { allowConsoleErrors: true, query: '#cell=lstm&input=abcd&hidden=2' },
      async ({ page }) => {
        await waitForStatus(page, 'Step 1 of 4');
        await page.getByRole('button', { name: 'Last step' }).click();
        const before = await shown(page, 'h', 1);
        await page.evaluate(() =>
          (
            globalThis as unknown as { __gatescope: { crashWorker(): void } }
          ).__gatescope.crashWorker(),
        );
        await page.getByText('The engine stopped unexpectedly', { exact: false }).first().waitFor();
        await page
          .getByText('was restarted with your last working settings', { exact: false })
          .waitFor();
        assert.equal(await inputRegion(page).getByLabel('Input sequence').inputValue(), 'abcd');
        await page.getByRole('button', { name: 'Step back' }).click();
        await waitForStatus(page, 'Step 3 of 4');
        await page.getByRole('button', { name: 'Step forward' }).click();
        assert.equal(await shown(page, 'h', 1), before);
        // The new worker takes new settings.
        await inputRegion(page).getByLabel('Input sequence').fill('abcde');
        await waitForStatus(page, 'Step 4 of 5');
      },
    ));

  for (const panels of ['shown', 'hidden'] as const) {
    test(`T = 2000 runs, plays and scrubs; reports the main thread's long tasks (panels ${panels})`, () =>
      // The seeded start on "hello world" (11 steps), as before first visits opened on a preset.
      withApp({ query: '?start=seeded' }, async ({ page }) => {
        await waitForStatus(page, 'Step 1 of 11');
        if (panels === 'hidden') {
          // This slice alone (player, inspector, store, worker), to tell its cost from the panels'.
          for (const name of [
            'Equations',
            'Gate heatmaps',
            'Cell diagram',
            'Sequence',
            'Unit traces',
          ]) {
            await page.getByRole('checkbox', { name }).uncheck();
          }
        }
        const startObserver = () =>
          page.evaluate(() => {
            const w = globalThis as unknown as {
              __longtasks: number[];
              __lto?: PerformanceObserver;
            };
            w.__lto?.disconnect();
            w.__longtasks = [];
            w.__lto = new PerformanceObserver((list) => {
              for (const e of list.getEntries()) w.__longtasks.push(e.duration);
            });
            w.__lto.observe({ type: 'longtask' });
          });
        const report = async (what: string) => {
          const tasks = await page.evaluate(
            () => (globalThis as unknown as { __longtasks: number[] }).__longtasks,
          );
          const worst = tasks.length ? Math.max(...tasks) : 0;
          console.log(
            `long tasks ${what}: ${tasks.length}, worst ${worst.toFixed(0)} ms [${tasks.map((d) => d.toFixed(0)).join(', ')}]`,
          );
          return worst;
        };
        const runDone = (runAfter: number) =>
          page.waitForFunction((after) => {
            const s = (
              globalThis as unknown as {
                __gatescope: {
                  getState(): {
                    traceT: number;
                    runStatus: string;
                    trace: { runId: number } | null;
                  };
                };
              }
            ).__gatescope.getState();
            return s.traceT === 2000 && s.runStatus === 'done' && (s.trace?.runId ?? 0) > after;
          }, runAfter);
        const runId = () =>
          page.evaluate(
            () =>
              (
                globalThis as unknown as {
                  __gatescope: { getState(): { trace: { runId: number } | null } };
                }
              ).__gatescope.getState().trace?.runId ?? 0,
          );

        // Loading the 2000-line text into the text area (layout of the text, not the engine): reported only.
        await startObserver();
        await inputRegion(page).getByLabel('Preset').selectOption('long-sine');
        await runDone(0);
        await page.waitForTimeout(300);
        await report(`loading a 2000-line input (text area layout included; panels ${panels})`);

        // Running T = 2000 (a new model: configure, forward in the worker, 2000 steps streamed),
        // then playing and scrubbing through it.
        await startObserver();
        const before = await runId();
        await modelRegion(page).getByLabel('Seed').fill('43');
        await runDone(before);
        await status(page).filter({ hasText: 'of 2000' }).waitFor();
        await page.getByRole('region', { name: 'Player' }).getByLabel('Speed').selectOption('32');
        await page.getByRole('button', { name: 'Play' }).click();
        await page.waitForTimeout(1500);
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('button', { name: 'Last step' }).click();
        await waitForStatus(page, 'Step 2000 of 2000');
        await page.getByRole('button', { name: 'First step' }).click();
        await waitForStatus(page, 'Step 1 of 2000');
        const worst = await report(`running T = 2000, playing and scrubbing (panels ${panels})`);
        // Speed is reported, not asserted (house rule: timed assertions make CI flaky on a loaded
        // 2-core machine). The figure goes into the README and the issue notes.
        assert.ok(Number.isFinite(worst));
      }));
  }

  test('player at 1024x768', () =>
    withApp(
      { viewport: { width: 1024, height: 768 }, query: '?start=seeded' },
      async ({ page }) => {
        await waitForStatus(page, 'Step 1 of 11');
        await page.getByRole('button', { name: 'Step forward' }).click();
        await saveScreenshot(page, 'player-1024');
        // Accessibility of this slice's controls (the panels have their own checks).
        for (const include of ['.ws-controls', '.player', '.inspector']) {
          assert.deepEqual(await seriousA11yViolations(page, { include }), [], include);
        }
        const { overflow, culprits } = await horizontalOverflow(page);
        assert.equal(overflow, 0, culprits.join(', '));
      },
    ));
});
