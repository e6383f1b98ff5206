/** The app shell: renders cleanly, stays offline, speaks both languages, fits 1024x768. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

  for (const theme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violation (${theme} theme)`, () =>
      withApp({ colorScheme: theme }, async ({ page }) => {
        await setTheme(page, theme);
        assert.deepEqual(await seriousA11yViolations(page), []);
        await setLanguage(page, 'vi');
        assert.deepEqual(await seriousA11yViolations(page), [], 'in Vietnamese');
      }));
  }

  test('axe: the theme "system" follows a dark browser', () =>
    withApp({ colorScheme: 'dark' }, async ({ page }) => {
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.notEqual(bg, 'rgb(247, 248, 250)', 'still the light background');
      assert.deepEqual(await seriousA11yViolations(page), []);
    }));

  test('no horizontal scroll at 1024x768 (projector), in both languages and large type', () =>
    withApp({ viewport: { width: 1024, height: 768 } }, async ({ page }) => {
      const check = async (label: string) => {
        const { overflow, culprits } = await horizontalOverflow(page);
        assert.equal(overflow, 0, `${label}: ${overflow}px too wide: ${culprits.join(', ')}`);
      };
      await check('en');
      await setLanguage(page, 'vi');
      await check('vi');
      // The projector scale (toggled by a later feature) must fit too.
      await page.evaluate(() => (document.documentElement.dataset.projector = 'on'));
      await check('vi, projector');
    }));
});
