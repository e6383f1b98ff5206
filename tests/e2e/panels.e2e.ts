/**
 * Panels in the real production page: every panel for every cell kind (screenshots kept in
 * docs/screenshots/panels-<cell>.png), linking through the store, layouts at 1024x768 and on a
 * phone, accessibility, and the heatmap redraw time while scrubbing a long trace.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SCREENSHOT_DIR, horizontalOverflow, seriousA11yViolations, withApp } from './harness.ts';

const CELLS = ['rnn-tanh', 'rnn-relu', 'lstm', 'gru', 'gru-textbook'] as const;
const REDRAW = 'gatescope:heatmaps-redraw';

/** Wait until the run of `steps` steps has fully arrived in the store and the strip shows its page. */
async function waitForTrace(page: Page, steps: number) {
  await page.waitForFunction(
    (n) =>
      (
        globalThis as unknown as { __gatescope: { getState(): { traceT: number } } }
      ).__gatescope.getState().traceT === n,
    steps,
    { timeout: 60_000 },
  );
  await page
    .getByRole('list', { name: 'Input tokens; the current step is marked' })
    .locator('button[aria-current="step"]')
    .waitFor({ timeout: 60_000 });
  // Let the panels' frame-throttled redraws land.
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  );
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), worst: s[s.length - 1] };
}

describe('panels', () => {
  for (const cell of CELLS) {
    test(`every panel draws a ${cell} run (docs/screenshots/panels-${cell}.png)`, () =>
      withApp(
        {
          viewport: { width: 1280, height: 2200 },
          query: `#cell=${cell}&hidden=6&input=${encodeURIComponent('hello world')}&t=5`,
        },
        async ({ page }) => {
          await waitForTrace(page, 11);
          for (const name of [
            'Equations',
            'Gate heatmaps',
            'Cell diagram',
            'Sequence',
            'Unit traces',
          ])
            assert.equal(await page.getByRole('region', { name }).count(), 1, name);
          const eq = page.getByRole('region', { name: 'Equations' });
          // Every number hole is filled (no placeholder left).
          const slots = await eq.locator('[data-slot]').allTextContents();
          assert.ok(slots.length > 0);
          assert.ok(
            slots.every((s) => /\d/.test(s)),
            `unfilled slots: ${slots.join(' | ')}`,
          );
          // The heatmap canvases really drew something (not a blank or single-colour bitmap).
          const distinct = await page.evaluate(() => {
            const c = document.querySelector<HTMLCanvasElement>(
              '.heatmap-canvas:not(.heatmap-overlay)',
            );
            const ctx = c?.getContext('2d');
            if (!c || !ctx) return 0;
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const seen = new Set<number>();
            for (let k = 0; k < d.length; k += 4 * 97)
              seen.add((d[k] << 16) | (d[k + 1] << 8) | d[k + 2]);
            return seen.size;
          });
          assert.ok(distinct > 3, `heatmap looks blank (${distinct} colours)`);
          mkdirSync(SCREENSHOT_DIR, { recursive: true });
          await page.locator('.panel-grid').screenshot({
            path: join(SCREENSHOT_DIR, `panels-${cell}.png`),
            animations: 'disabled',
          });
        },
      ));
  }

  test('step, hover and selection move together across panels', () =>
    withApp(
      { query: `#cell=lstm&hidden=4&input=${encodeURIComponent('abcdef')}` },
      async ({ page }) => {
        await waitForTrace(page, 6);
        const heat = page.getByRole('region', { name: 'Gate heatmaps' });
        const plot = heat.getByRole('application', { name: /^f \(forget gate\) heatmap/ });
        await plot.focus();
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowDown');
        const live = heat.locator('[aria-live="polite"]');
        await assert.doesNotReject(live.filter({ hasText: /step 3 “c”, unit 2: / }).waitFor());
        await page
          .getByRole('region', { name: 'Equations' })
          .getByText('Step 3 “c”, unit 2, layer 1, forward')
          .waitFor();
        await page
          .getByRole('region', { name: 'Cell diagram' })
          .getByText('Unit 2 at step 3, layer 1, forward')
          .waitFor();
        const strip = page.getByRole('list', { name: 'Input tokens; the current step is marked' });
        assert.equal(
          await strip.locator('button[aria-current="step"]').getAttribute('data-t'),
          '2',
        );
        // Clicking a token moves every panel to that step.
        await strip.locator('button[data-t="4"]').click();
        await page
          .getByRole('region', { name: 'Equations' })
          .getByText('Step 5 “e”, unit 2, layer 1, forward')
          .waitFor();
        // Hovering an equation term highlights its line; the store's hover reaches the diagram.
        await page
          .getByRole('region', { name: 'Equations' })
          .locator('[data-slot="o.act"]')
          .first()
          .hover();
        await page.locator('.diagram-svg [data-node="o"].node-hl').waitFor();
      },
    ));

  test('fits 1024x768 and stacks on a phone without sideways scrolling; no serious a11y issue', () =>
    withApp(
      {
        viewport: { width: 1024, height: 768 },
        query: `#cell=gru&hidden=8&input=${encodeURIComponent('hello world')}`,
      },
      async ({ page }) => {
        await waitForTrace(page, 11);
        const wide = await horizontalOverflow(page);
        assert.equal(wide.overflow, 0, `1024 px: ${wide.culprits.join(', ')}`);
        assert.deepEqual(await seriousA11yViolations(page, { include: '.panel-grid' }), []);
        await page.setViewportSize({ width: 390, height: 844 });
        await page.waitForTimeout(200);
        const phone = await horizontalOverflow(page);
        assert.equal(phone.overflow, 0, `390 px: ${phone.culprits.join(', ')}`);
        const boxes = await page
          .locator('section.panel')
          .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
        assert.ok(
          new Set(boxes.map(Math.round)).size === 1,
          `panels not stacked: ${boxes.join(', ')}`,
        );
      },
    ));

  test('scrubbing a long trace (T = 2000, H = 64, the URL maximum) redraws the heatmaps fast', () =>
    withApp(
      {
        viewport: { width: 1280, height: 1000 },
        query: `#cell=lstm&hidden=64&input=${encodeURIComponent('the quick brown fox jumps over the lazy dog. '.repeat(45).slice(0, 2000))}`,
      },
      async ({ page }) => {
        await waitForTrace(page, 2000);
        await page.evaluate((name) => performance.clearMeasures(name), REDRAW);
        // Scrub with the heatmap's keys: one step per frame, 300 frames.
        const plot = page.getByRole('application', { name: /^i \(input gate\) heatmap/ });
        await plot.focus();
        const ms = await page.evaluate(async (name) => {
          const el = document.activeElement as HTMLElement;
          for (let k = 0; k < 300; k++) {
            el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
            await new Promise((r) => requestAnimationFrame(r));
          }
          return performance.getEntriesByName(name).map((e) => e.duration);
        }, REDRAW);
        const s = stats(ms);
        console.log(
          `heatmap redraw while scrubbing (app, LSTM T=2000 H=64, 6 heatmaps): n=${s.n} median=${s.median.toFixed(2)} ms p95=${s.p95.toFixed(2)} ms worst=${s.worst.toFixed(2)} ms`,
        );
        assert.ok(s.n >= 250, `only ${s.n} redraws measured`);
        assert.ok(s.median < 8, `median redraw ${s.median} ms`);
      },
    ));
});
