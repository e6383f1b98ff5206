/**
 * Screenshots of the real production page for the README and docs (docs/screenshots/).
 * Features that change what the first screen shows may extend this file.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot, setTheme, withApp } from './harness.ts';

/** A first visit opens on a pretrained preset: wait until its trace is in the panels. */
async function firstScreen(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = (
      window as unknown as {
        __gatescope?: {
          getState(): { imported: { preset?: string } | null; runStatus: string; traceT: number };
        };
      }
    ).__gatescope?.getState();
    return !!s?.imported?.preset && s.runStatus === 'done' && s.traceT > 0;
  });
}

describe('screenshots', () => {
  test('app.png: the README image, 1280x800, light, English', () =>
    withApp({ viewport: { width: 1280, height: 800 } }, async ({ page }) => {
      await firstScreen(page);
      await setTheme(page, 'light');
      const file = await saveScreenshot(page, 'app');
      assert.ok(statSync(file).size > 1000);
    }));

  test('app-dark.png: dark theme', () =>
    withApp({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }, async ({ page }) => {
      await firstScreen(page);
      await setTheme(page, 'dark');
      await saveScreenshot(page, 'app-dark');
    }));

  test('app-vi-1024.png: Vietnamese on a 1024x768 projector', () =>
    withApp({ viewport: { width: 1024, height: 768 }, query: '?lang=vi' }, async ({ page }) => {
      await firstScreen(page);
      await saveScreenshot(page, 'app-vi-1024');
    }));
});
