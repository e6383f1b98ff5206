/**
 * Screenshots of the real production page for the README and docs (docs/screenshots/).
 * Features that change what the first screen shows may extend this file.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { saveScreenshot, setTheme, withApp } from './harness.ts';

describe('screenshots', () => {
  test('app.png: the README image, 1280x800, light, English', () =>
    withApp({ viewport: { width: 1280, height: 800 } }, async ({ page }) => {
      await setTheme(page, 'light');
      const file = await saveScreenshot(page, 'app');
      assert.ok(statSync(file).size > 1000);
    }));

  test('app-dark.png: dark theme', () =>
    withApp({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }, async ({ page }) => {
      await setTheme(page, 'dark');
      await saveScreenshot(page, 'app-dark');
    }));

  test('app-vi-1024.png: Vietnamese on a 1024x768 projector', () =>
    withApp({ viewport: { width: 1024, height: 768 }, query: '?lang=vi' }, async ({ page }) => {
      await saveScreenshot(page, 'app-vi-1024');
    }));
});
