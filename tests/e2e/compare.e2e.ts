/**
 * The comparison fills its table in Chromium (default configuration, in the comparison
 * worker), the page stays responsive meanwhile, and docs/screenshots/comparison.png shows
 * the result.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SCREENSHOT_DIR, seriousA11yViolations, withApp } from './harness.ts';

describe('comparison', () => {
  test('fills the table for the default configuration in under 60 s, page responsive', () =>
    withApp({ viewport: { width: 1280, height: 800 }, query: '?lang=en' }, async ({ page }) => {
      await page.getByRole('button', { name: 'Compare cells' }).click();
      const region = page.getByRole('region', { name: 'Comparison' });
      const table = region.getByRole('table', { name: 'RNN, LSTM and GRU compared' });
      await table.waitFor();
      // Largest gap between timer ticks on the main thread while the worker measures.
      await page.evaluate(() => {
        const w = window as unknown as { __gap: number; __gaps: string[]; __stop: () => void };
        w.__gap = 0;
        w.__gaps = [];
        let last = performance.now();
        const id = setInterval(() => {
          const now = performance.now();
          w.__gap = Math.max(w.__gap, now - last);
          if (now - last > 150) {
            const bar = document.querySelector('[role=progressbar]');
            w.__gaps.push(
              `${Math.round(now - last)} ms at ${bar?.getAttribute('aria-valuetext') ?? '-'}`,
            );
          }
          last = now;
        }, 20);
        w.__stop = () => clearInterval(id);
      });
      const t0 = Date.now();
      await region.getByRole('button', { name: 'Measure' }).click();
      await region.getByRole('progressbar', { name: 'Comparison progress' }).waitFor();
      await region
        .getByRole('status')
        .filter({ hasText: /Measured in/ })
        .waitFor({ timeout: 90_000 });
      const seconds = (Date.now() - t0) / 1000;
      const [gap, gaps] = await page.evaluate(() => {
        const w = window as unknown as { __gap: number; __gaps: string[]; __stop: () => void };
        w.__stop();
        return [w.__gap, w.__gaps] as const;
      });
      if (gaps.length) console.log(`gaps over 150 ms: ${gaps.join('; ')}`);
      const rows = await table.locator('tbody tr').allInnerTexts();
      console.log(
        `comparison: ${seconds.toFixed(1)} s, longest main-thread gap ${gap.toFixed(0)} ms`,
      );
      for (const r of rows) console.log(`  ${r.replace(/\s+/g, ' ')}`);
      assert.ok(seconds < 60, `table took ${seconds} s`);
      // The longest main-thread gap is reported above, not asserted: it is wall time on a shared
      // 2-core machine (speed is shown by measurements, not by timed assertions).
      assert.equal(rows.length, 6);
      for (const r of rows) assert.doesNotMatch(r, /not measured yet/);
      assert.match(rows[0], /1,604 = 4\*\(16\*6 \+ 16\*16 \+ 2\*16\) \+ 4\*\(16 \+ 1\)/);
      await region.getByRole('button', { name: 'Download CSV' }).waitFor();
      const download = page.waitForEvent('download');
      await region.getByRole('button', { name: 'Download Markdown' }).click();
      assert.equal((await download).suggestedFilename(), 'gatescope-comparison.md');
      assert.deepEqual(await seriousA11yViolations(page), []);
      await page.evaluate(() => document.fonts.ready);
      await region.screenshot({
        path: join(SCREENSHOT_DIR, 'comparison.png'),
        animations: 'disabled',
      });
    }));

  test('Vietnamese: the region, its table and controls are translated', () =>
    withApp({ viewport: { width: 1024, height: 768 }, query: '?lang=vi' }, async ({ page }) => {
      await page.getByRole('button', { name: 'So sánh các ô' }).click();
      const region = page.getByRole('region', { name: 'So sánh' });
      await region.getByRole('table', { name: 'So sánh RNN, LSTM và GRU' }).waitFor();
      await region.getByRole('radio', { name: 'Cùng ngân sách tham số' }).check();
      await region.getByRole('button', { name: 'Đo' }).waitFor();
      assert.deepEqual(await seriousA11yViolations(page), []);
    }));
});
