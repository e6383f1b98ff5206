import assert from 'node:assert/strict';
import { availableParallelism, loadavg } from 'node:os';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot, setLanguage, withApp } from './harness.ts';

interface Handle {
  getState: () => {
    trainingStatus: string;
    trainStep: number;
    presetMs: number | null;
    presetFile: string | null;
    trace: { meta: { T: number; spec: { cell: string; hiddenSize: number } } } | null;
    history: { n: number; loss: Float32Array };
    msPerStep: number | null;
  };
}
type Win = Window & {
  __gatescope?: Handle;
  __gatescopeTraining?: { benchW2: (n: number) => Promise<number[]> };
  /** [duration, startTime] of each long task, ms. */
  __longTasks?: [number, number][];
};

/** Records every main-thread long task (ms) from the first script on. */
async function observeLongTasks(page: Page) {
  await page.evaluate(() => {
    const w = window as Win;
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks!.push([e.duration, e.startTime]);
    }).observe({ type: 'longtask', buffered: false });
  });
}

const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as Win).__gatescope!.getState();
    return {
      status: s.trainingStatus,
      step: s.trainStep,
      presetMs: s.presetMs,
      presetFile: s.presetFile,
      cell: s.trace?.meta.spec.cell ?? null,
      H: s.trace?.meta.spec.hiddenSize ?? null,
      loss: Array.from(s.history.loss.subarray(0, s.history.n)),
      msPerStep: s.msPerStep,
    };
  });

/**
 * The speed figures of issue 7 (long tasks while training, preset load time) are printed with
 * the machine's load, not asserted: speed is shown by measurements, and on a shared 2-core
 * machine a long task often measures the CPU queue rather than the app.
 */
const loadNote = () => `load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;

/** Seeded weights at start (not a first visit's preset), so no bridge run races the preset. */
const SEEDED = '?lang=en&start=seeded';

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

async function loadPreset(page: Page, task: string, cell: string) {
  await page.getByLabel('Task', { exact: true }).selectOption(task);
  await page.getByLabel('Preset cell').selectOption(cell);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Load pretrained preset' }).click();
  await page.waitForFunction(
    (file) =>
      (window as Win).__gatescope!.getState().presetFile === file &&
      (window as Win).__gatescope!.getState().trainingStatus === 'ready',
    `${task}-${cell}.safetensors`,
  );
  return Date.now() - t0;
}

const now = (page: Page) => page.evaluate(() => performance.now());

/** Trains until `steps`, then pauses; the page's clock at the Train and Pause clicks. */
async function trainUntil(page: Page, steps: number) {
  const trainAt = await now(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction((n) => (window as Win).__gatescope!.getState().trainStep >= n, steps, {
    timeout: 120_000,
  });
  const pauseAt = await now(page);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(
    () => (window as Win).__gatescope!.getState().trainingStatus === 'paused',
  );
  return { trainAt, pauseAt };
}

/**
 * The long tasks since `observeLongTasks`, each with its time after the Train click (and
 * whether it came after Pause, when every panel renders the new trace): a figure to read.
 */
async function longTaskReport(page: Page, at: { trainAt: number; pauseAt: number }) {
  const tasks = await page.evaluate(() => (window as Win).__longTasks ?? []);
  const worst = tasks.length ? Math.max(...tasks.map((x) => x[0])) : 0;
  const list = tasks
    .map(
      ([d, t]) =>
        `${d.toFixed(0)} ms at +${(t - at.trainAt).toFixed(0)}${t >= at.pauseAt ? ' (after Pause)' : ''}`,
    )
    .join(', ');
  return `${tasks.length}, worst ${worst.toFixed(0)} ms${list ? `: ${list}` : ''}`;
}

describe('training', () => {
  test('a preset loads and shows its trace quickly, then trains on with loss falling', () =>
    withApp({ query: SEEDED, viewport: { width: 1280, height: 900 } }, async ({ page }) => {
      const wall = await loadPreset(page, 'recall', 'lstm');
      let s = await state(page);
      assert.equal(s.cell, 'lstm');
      assert.equal(s.H, 16);
      console.log(
        `e2e training: preset recall-lstm load-to-trace ${s.presetMs?.toFixed(1)} ms in the app, ${wall} ms click-to-state from the test (${loadNote()})`,
      );
      assert.ok(s.presetMs !== null && s.presetMs < 1000, `preset took ${s.presetMs} ms`);
      // A second preset (cached index, fresh file): the figure the first screen would see again.
      const wall2 = await loadPreset(page, 'char-lm-en', 'lstm');
      s = await state(page);
      console.log(
        `e2e training: preset char-lm-en-lstm load-to-trace ${s.presetMs?.toFixed(1)} ms (${wall2} ms from the test)`,
      );

      await observeLongTasks(page);
      const at = await trainUntil(page, 150);
      s = await state(page);
      const first = mean(s.loss.slice(0, 20));
      const last = mean(s.loss.slice(-20));
      console.log(
        `e2e training: char-lm-en preset, ${s.loss.length} more steps: loss ${first.toFixed(3)} (first 20) -> ${last.toFixed(3)} (last 20), ${s.msPerStep?.toFixed(2)} ms/step`,
      );
      assert.ok(last < first, `loss did not fall: ${first} -> ${last}`);
      console.log(
        `e2e training: main-thread long tasks while training: ${await longTaskReport(page, at)} (${loadNote()})`,
      );
      await page.locator('.tr-area').scrollIntoViewIfNeeded();
      await page.locator('.tr-panel').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'training');
    }));

  test('a fresh model learns the copy task; the timeline swaps the weights shown', () =>
    withApp({ query: SEEDED, viewport: { width: 1280, height: 900 } }, async ({ page }) => {
      await page.getByLabel('Task', { exact: true }).selectOption('copy');
      await page.getByRole('button', { name: 'New model' }).click();
      await page.waitForFunction(
        () => (window as Win).__gatescope!.getState().trainingStatus === 'ready',
      );
      await observeLongTasks(page);
      const at = await trainUntil(page, 200);
      const s = await state(page);
      const first = mean(s.loss.slice(0, 20));
      const last = mean(s.loss.slice(-20));
      console.log(
        `e2e training: copy task from scratch, ${s.loss.length} steps: loss ${first.toFixed(3)} -> ${last.toFixed(3)}, ${s.msPerStep?.toFixed(2)} ms/step`,
      );
      assert.ok(last < first * 0.8, `loss did not fall: ${first} -> ${last}`);
      console.log(
        `e2e training: long tasks while training from scratch: ${await longTaskReport(page, at)} (${loadNote()})`,
      );

      // The timeline: step 0's gates differ from the trained ones.
      const slider = page.getByRole('slider', { name: 'Training timeline' });
      await slider.focus();
      await page.keyboard.press('Home');
      await page.waitForFunction(() => (window as Win).__gatescope!.getState().trainStep > 0);
      await page.getByText('weights at step 0', { exact: true }).first().waitFor();
      await page.locator('.tr-panel').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'training-timeline');
    }));

  test('refused settings name the valid range; Vietnamese labels', () =>
    withApp({ query: '?lang=en', viewport: { width: 1024, height: 768 } }, async ({ page }) => {
      await page.getByText('Hyperparameters', { exact: true }).click();
      const lr = page.getByLabel('Learning rate');
      await lr.fill('7');
      await page.getByText('Out of range. Valid: Number from 0.000001 to 1').waitFor();
      await setLanguage(page, 'vi');
      await page.getByText('Ngoài khoảng cho phép. Hợp lệ: Số từ 0.000001 đến 1').waitFor();
      await page.locator('.tr-controls').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'training-vi-1024');
    }));

  test('?preset= opens on a pretrained preset', () =>
    withApp({ query: '?lang=en&preset=recall-gru' }, async ({ page }) => {
      await page.waitForFunction(
        () => (window as Win).__gatescope!.getState().presetFile === 'recall-gru.safetensors',
      );
      const s = await state(page);
      assert.equal(s.cell, 'gru');
      console.log(
        `e2e training: ?preset=recall-gru shown ${s.presetMs?.toFixed(1)} ms after its request`,
      );
    }));

  test('W2 training step through the worker', () =>
    withApp({ query: '?lang=en' }, async ({ page }) => {
      await page.waitForFunction(() => (window as Win).__gatescopeTraining !== undefined);
      const times = await page.evaluate(() => (window as Win).__gatescopeTraining!.benchW2(6));
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        `e2e training: W2 (B 32, T 50, I 32, H 128, LSTM, Adam) through the worker: ms/step ${times.map((x) => x.toFixed(0)).join(', ')}; median ${median.toFixed(0)}, min ${sorted[0].toFixed(0)}`,
      );
      assert.ok(times.length >= 3);
    }));
});
