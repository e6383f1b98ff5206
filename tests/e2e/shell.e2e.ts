/** The app shell: renders cleanly, stays offline, speaks both languages, fits 1024x768. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  horizontalOverflow,
  seriousA11yViolations,
  setLanguage,
  setTheme,
  untranslatedTexts,
  visibleTexts,
  withApp,
} from './harness.ts';

const TAGLINE_EN = 'See how recurrent networks think';
const TAGLINE_VI = 'Xem mạng hồi quy suy nghĩ như thế nào';

describe('app shell', () => {
  test('renders the shell with no console error and no page error', () =>
    withApp({}, async ({ page, consoleErrors, pageErrors }) => {
      await page.getByRole('banner').waitFor();
      assert.equal(await page.title(), 'Gatescope');
      assert.equal(await page.getByRole('main').count(), 1);
      assert.equal(await page.getByText(TAGLINE_EN).isVisible(), true);
      // Errors can arrive a little after load (effects, lazy chunks): give them a moment.
      await page.waitForTimeout(300);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(consoleErrors, []);
    }));

  test('requests nothing from any host but the local server', () =>
    withApp({ waitForNetworkIdle: true }, async (app) => {
      assert.ok(app.requests.length > 0, 'the recorder saw no request at all');
      assert.deepEqual(app.foreignRequests(), []);
      // Belt and braces: no markup or CSS that would fetch from the web elsewhere.
      const remote = await app.page.evaluate(() => {
        const isRemote = (u: string) => {
          try {
            return new URL(u, location.href).origin !== location.origin && /^https?:/.test(u);
          } catch {
            return false;
          }
        };
        const found: string[] = [];
        for (const el of Array.from(document.querySelectorAll('link[href], script[src]'))) {
          const u = el.getAttribute('href') ?? el.getAttribute('src') ?? '';
          if (isRemote(u)) found.push(`<${el.tagName.toLowerCase()}> ${u}`);
        }
        for (const sheet of Array.from(document.styleSheets)) {
          let rules: CSSRuleList;
          try {
            rules = sheet.cssRules;
          } catch {
            found.push(`unreadable (cross-origin) stylesheet ${sheet.href ?? ''}`);
            continue;
          }
          for (const r of Array.from(rules)) {
            const urls = [...r.cssText.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]);
            if (r instanceof CSSImportRule) urls.push(r.href);
            for (const u of urls) if (isRemote(u)) found.push(`CSS ${u}`);
          }
        }
        return found;
      });
      assert.deepEqual(remote, []);
    }));

  test('switching the language changes the visible text', () =>
    withApp({}, async ({ page }) => {
      const tagline = page.locator('.tagline');
      assert.equal(await tagline.textContent(), TAGLINE_EN);
      const en = await visibleTexts(page);
      await page.getByLabel('Language').selectOption('vi');
      await page.getByText(TAGLINE_VI).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
      assert.equal(await page.getByLabel('Ngôn ngữ').count(), 1);
      const vi = await visibleTexts(page);
      assert.deepEqual(untranslatedTexts(en, vi), [], 'text left in English after switching');
      await setLanguage(page, 'en');
      assert.equal(await tagline.textContent(), TAGLINE_EN);
    }));

  test('?lang=vi in the URL opens in Vietnamese, even for an English browser', () =>
    withApp({ query: '?lang=vi', locale: 'en-US' }, async ({ page }) => {
      assert.equal(await page.locator('.tagline').textContent(), TAGLINE_VI);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    }));

  test('the browser language is the default, and ?lang=en overrides it', async () => {
    await withApp({ locale: 'vi-VN' }, async ({ page }) => {
      assert.equal(await page.locator('.tagline').textContent(), TAGLINE_VI);
    });
    await withApp({ locale: 'vi-VN', query: '?lang=en' }, async ({ page }) => {
      assert.equal(await page.locator('.tagline').textContent(), TAGLINE_EN);
    });
  });

  // axe is the slowest check (seconds per run on 2 cores): English in both themes, and
  // Vietnamese once (lang attributes, longer labels).
  test('axe finds no serious or critical violation (light theme, English and Vietnamese)', () =>
    withApp({}, async ({ page }) => {
      await setTheme(page, 'light');
      assert.deepEqual(await seriousA11yViolations(page), []);
      await setLanguage(page, 'vi');
      assert.deepEqual(await seriousA11yViolations(page), [], 'in Vietnamese');
    }));

  test('axe finds no serious or critical violation (dark theme)', () =>
    withApp({ colorScheme: 'dark' }, async ({ page }) => {
      await setTheme(page, 'dark');
      assert.deepEqual(await seriousA11yViolations(page), []);
    }));

  test('the theme "system" follows the browser, with the same colours as "dark"', () =>
    withApp({ colorScheme: 'dark' }, async ({ page }) => {
      const colours = () =>
        page.evaluate(() => {
          const cs = getComputedStyle(document.body);
          return `${cs.backgroundColor} / ${cs.color}`;
        });
      const system = await colours();
      await setTheme(page, 'dark');
      assert.equal(system, await colours());
      await setTheme(page, 'light');
      assert.notEqual(system, await colours(), 'light looks like dark');
    }));

  test('no horizontal scroll at 1024x768, in English and Vietnamese', () =>
    withApp({ viewport: { width: 1024, height: 768 } }, async ({ page }) => {
      await assertNoHorizontalScroll(page, 'en');
      await setLanguage(page, 'vi');
      await assertNoHorizontalScroll(page, 'vi');
    }));

  test('no horizontal scroll at 1024x768 with projector-size type (data-projector="on")', () =>
    withApp({ viewport: { width: 1024, height: 768 }, query: '?lang=vi' }, async ({ page }) => {
      // The projector scale (its toggle comes with a later feature) must fit a 1024x768 beamer.
      await page.evaluate(() => (document.documentElement.dataset.projector = 'on'));
      await assertNoHorizontalScroll(page, 'vi, projector');
      await setLanguage(page, 'en');
      await assertNoHorizontalScroll(page, 'en, projector');
    }));
});

async function assertNoHorizontalScroll(page: Page, label: string) {
  const { overflow, culprits } = await horizontalOverflow(page);
  assert.equal(overflow, 0, `${label}: ${overflow}px too wide: ${culprits.join(', ')}`);
}
