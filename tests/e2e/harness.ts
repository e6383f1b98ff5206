/**
 * Gatescope browser-test harness: one `vite preview` server and one Chromium for the whole run.
 *
 * HOW TO ADD A BROWSER TEST
 *   1. Create `tests/e2e/<feature>.e2e.ts` (the runner, `tests/e2e/run.ts`, imports every
 *      `*.e2e.ts` in this folder in name order, in one process).
 *   2. Write it with Node's test runner and this harness:
 *
 *        import assert from 'node:assert/strict';
 *        import { describe, test } from 'node:test';
 *        import { withApp } from './harness.ts';
 *
 *        describe('heatmap panel', () => {
 *          test('draws one row per time step', () =>
 *            withApp({ query: '?lang=en' }, async ({ page }) => {
 *              await page.getByRole('button', { name: 'Run' }).click();
 *              assert.equal(await page.locator('.heatmap canvas').count(), 1);
 *            }));
 *        });
 *
 *   3. Run it: `npm run test:e2e` (builds when dist/ is stale, then runs every file) or only yours:
 *      `npm run test:e2e -- heatmap` (files whose name contains "heatmap").
 *
 * WHAT `withApp` GIVES YOU
 *   - A fresh browser context (no storage, locale en-US, 1280x800 unless you say otherwise) on
 *     the production build, with the shell loaded (heading "Gatescope" visible).
 *   - Guards checked after your callback, failing the test: no page error (uncaught exception),
 *     no console error, no request to any host but the preview server (such requests are also
 *     aborted). Opt out per test with `allowConsoleErrors` / `allowForeignRequests` only when the
 *     test provokes them on purpose.
 *   - On failure a screenshot lands in `test-results/e2e/` and the error says where.
 *
 * OTHER HELPERS: `seriousA11yViolations(page)` (axe-core, WCAG 2.1 A/AA, serious + critical),
 * `untranslatedTexts(enTexts, viTexts)` with `visibleTexts(page)` (text that stays English in
 * Vietnamese; mark language-neutral text such as symbols or sample data with the HTML attribute
 * `translate="no"`; bare names like "tanh" or "LSTM" are allowed, see MATH_NAMES),
 * `horizontalOverflow(page)`, `saveScreenshot(page, name)` (docs/screenshots/),
 * `setTheme(page, 'dark')`, `setLanguage(page, 'vi')`, and `getHarness()` for the raw `browser`
 * and `baseURL` when you need several pages or contexts.
 *
 * The build is NOT done here: the runner (run.ts) runs `npm run build` first when `dist/` is
 * older than a source file (`npm run test:e2e -- --build` forces it). The harness refuses to
 * start without `dist/index.html`. Chromium is Debian's (`apt-get install -y chromium`), path
 * overridable with CHROMIUM_PATH. Run everything sequentially: the CI machine has 2 cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = join(ROOT, 'docs/screenshots');
export const FAILURE_DIR = join(ROOT, 'test-results/e2e');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];
/** Default timeout of every Playwright action and wait, in ms. */
export const ACTION_TIMEOUT_MS = 15_000;
const SERVER_START_TIMEOUT_MS = 30_000;

export interface Harness {
  /** `http://127.0.0.1:<port>/`: the preview server of `dist/`. */
  baseURL: string;
  /** Origin of the preview server; every request must go there. */
  origin: string;
  browser: Browser;
}

let started: Promise<Harness> | undefined;
let server: ChildProcess | undefined;
let browser: Browser | undefined;

/** Start the preview server and Chromium once (later calls share them). */
export function getHarness(): Promise<Harness> {
  started ??= start();
  return started;
}

/** Stop Chromium and the preview server. The runner calls this after the last test. */
export async function closeHarness(): Promise<void> {
  const b = browser;
  browser = undefined;
  started = undefined;
  await b?.close().catch(() => undefined);
  await stopServer();
}

async function start(): Promise<Harness> {
  if (!existsSync(join(ROOT, 'dist/index.html'))) {
    throw new Error(
      'dist/index.html is missing: run `npm run build` first (npm run test:e2e does).',
    );
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` ` +
        '(or set CHROMIUM_PATH). npm browser downloads are not used here.',
    );
  }
  process.once('exit', () => server?.kill('SIGKILL'));
  const baseURL = await startServer();
  // `launch` gives each run a fresh temporary profile and deletes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return { baseURL, origin: new URL(baseURL).origin, browser };
}

/** A free loopback port (the OS picks it; released just before vite binds it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port ? ok(port) : fail(new Error('could not get a free port'))));
    });
  });
}

async function startServer(): Promise<string> {
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  let lastError: unknown;
  // Another process may grab the port between freePort() and vite's bind: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [vite, 'preview', '--host', '127.0.0.1', '--strictPort', '--port', String(port)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    server = child;
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const baseURL = `http://127.0.0.1:${port}/`;
    try {
      await waitForServer(baseURL, child, () => output);
      return baseURL;
    } catch (e) {
      lastError = e;
      await stopServer();
    }
  }
  throw lastError;
}

async function waitForServer(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`vite preview exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `vite preview did not answer on ${url} within ${SERVER_START_TIMEOUT_MS} ms:\n${output()}`,
  );
}

async function stopServer() {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface OpenOptions {
  /** Appended to the base URL, e.g. `?lang=vi` or `#lang=vi&cell=lstm`. */
  query?: string;
  viewport?: { width: number; height: number };
  /** `prefers-color-scheme` the page sees (the app's theme "system" follows it). */
  colorScheme?: 'light' | 'dark';
  /** Browser language (drives the default UI language). Default `en-US`. */
  locale?: string;
  /** Wait for the heading "Gatescope" before handing over. Default true. */
  waitForShell?: boolean;
  /** Wait until the network is idle after load (catches late requests). Default false. */
  waitForNetworkIdle?: boolean;
  allowConsoleErrors?: boolean;
  allowForeignRequests?: boolean;
}

/** One open page of the app with everything it did recorded. */
export interface AppPage {
  page: Page;
  context: BrowserContext;
  baseURL: string;
  /** Text of every `console.error` (and failed resource load) in any page of the context. */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  /** Every request URL the context made (pages, workers, service workers), in order. */
  requests: string[];
  /** Requests to anything but the preview server's origin (data:/blob: are local). */
  foreignRequests: () => string[];
  close: () => Promise<void>;
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/** Open the app in a fresh context. Prefer `withApp`, which also checks and closes it. */
export async function openApp(opts: OpenOptions = {}): Promise<AppPage> {
  const { baseURL, origin, browser: b } = await getHarness();
  const isLocal = (url: string) => {
    try {
      const u = new URL(url);
      return LOCAL_SCHEMES.has(u.protocol) || u.origin === origin;
    } catch {
      return false;
    }
  };
  const context = await b.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: opts.colorScheme ?? 'light',
    locale: opts.locale ?? 'en-US',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  // tsx compiles tests with esbuild's keepNames, which wraps named functions inside
  // `page.evaluate(() => ...)` callbacks in `__name(...)`; give the page a no-op for it.
  await context.addInitScript('globalThis.__name ??= (fn) => fn;');
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('console', (m) => {
    if (m.type() === 'error') {
      const loc = m.location();
      consoleErrors.push(`${m.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  context.on('weberror', (e) => pageErrors.push(String(e.error().stack ?? e.error())));
  // Nothing leaves the machine even if the app tries; the attempt is still recorded above.
  await context.route('**/*', (route) =>
    isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    const s = String(e.stack ?? e);
    if (!pageErrors.includes(s)) pageErrors.push(s);
  });
  await page.goto(new URL(opts.query ?? '', baseURL).href, {
    waitUntil: opts.waitForNetworkIdle ? 'networkidle' : 'load',
  });
  if (opts.waitForShell ?? true) {
    await page.getByRole('heading', { level: 1, name: 'Gatescope' }).waitFor();
  }
  return {
    page,
    context,
    baseURL,
    consoleErrors,
    pageErrors,
    requests,
    foreignRequests: () => requests.filter((u) => !isLocal(u)),
    close: () => context.close(),
  };
}

let failureCount = 0;

/**
 * Open the app, run `fn`, then fail on page errors, console errors or foreign requests
 * (unless allowed in `opts`), and always close the context. A failure saves a screenshot.
 */
export async function withApp<T>(opts: OpenOptions, fn: (app: AppPage) => Promise<T>): Promise<T> {
  const app = await openApp(opts);
  try {
    const result = await fn(app);
    assertClean(app, opts);
    return result;
  } catch (e) {
    const file = join(FAILURE_DIR, `failure-${++failureCount}.png`);
    try {
      mkdirSync(FAILURE_DIR, { recursive: true });
      await app.page.screenshot({ path: file });
      if (e instanceof Error) e.message += `\n(screenshot: ${file})`;
    } catch {
      /* the page may be gone; the original error matters more */
    }
    throw e;
  } finally {
    await app.close();
  }
}

/** Throw if the page logged errors, threw, or reached for another host. */
export function assertClean(
  app: AppPage,
  allow: Pick<OpenOptions, 'allowConsoleErrors' | 'allowForeignRequests'> = {},
) {
  const problems: string[] = [];
  if (app.pageErrors.length) problems.push(`page errors:\n  ${app.pageErrors.join('\n  ')}`);
  if (!allow.allowConsoleErrors && app.consoleErrors.length) {
    problems.push(`console errors:\n  ${app.consoleErrors.join('\n  ')}`);
  }
  const foreign = app.foreignRequests();
  if (!allow.allowForeignRequests && foreign.length) {
    problems.push(`requests to other hosts than ${app.baseURL}:\n  ${foreign.join('\n  ')}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Pick a theme with the header's theme select (in any UI language) and wait for it. */
export async function setTheme(page: Page, theme: 'light' | 'dark' | 'system') {
  await page.locator('header select:has(option[value="dark"])').selectOption(theme);
  if (theme !== 'system') {
    await page.waitForFunction((th) => document.documentElement.dataset.theme === th, theme);
  }
}

/** Pick the UI language with the header's language select and wait for `<html lang>`. */
export async function setLanguage(page: Page, lang: 'en' | 'vi') {
  await page.locator('header select:has(option[value="vi"])').selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** Save `docs/screenshots/<name>.png` (viewport only, so sizes stay predictable). */
export async function saveScreenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Caret blink and pending frames would make the PNG differ from run to run.
  await page.evaluate(() => document.fonts.ready);
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, caret: 'hide', animations: 'disabled' });
  return path;
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];

/**
 * axe-core on the current page (WCAG 2.0/2.1 A and AA); returns one readable line per
 * serious or critical violation, empty when there is none.
 */
export async function seriousA11yViolations(
  page: Page,
  opts: { include?: string; exclude?: string } = {},
): Promise<string[]> {
  let axe = new AxeBuilder({ page }).withTags(AXE_TAGS);
  if (opts.include) axe = axe.include(opts.include);
  if (opts.exclude) axe = axe.exclude(opts.exclude);
  const { violations } = await axe.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ` +
        v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
          .join('\n    '),
    );
}

/**
 * The page's horizontal overflow in CSS px (0 when nothing scrolls sideways), with the
 * widest offending elements to say where it comes from.
 */
export async function horizontalOverflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const overflow = Math.max(doc.scrollWidth, document.body.scrollWidth) - width;
    const culprits: string[] = [];
    if (overflow > 0) {
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && r.width > 0) {
          const cls = typeof el.className === 'string' && el.className ? `.${el.className}` : '';
          culprits.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)}`);
        }
        if (culprits.length >= 8) break;
      }
    }
    return { overflow, width, culprits };
  });
}

/**
 * Every piece of text a person can read or hear on the page: visible text nodes plus
 * aria-label, title, placeholder, alt and the document title, whitespace-collapsed. Text
 * inside `[translate="no"]`, KaTeX output, `<code>`, `<kbd>` and `<textarea>` is skipped: it is
 * language-neutral or the user's own data.
 */
export async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // Form fields hold the user's own data (a typed sequence), not UI text.
    const SKIP = '[translate="no"], .katex, code, kbd, textarea, script, style, noscript, template';
    const out = new Set<string>();
    const add = (s: string | null | undefined) => {
      const t = (s ?? '').replace(/\s+/g, ' ').trim();
      if (t) out.add(t);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest(SKIP)) continue;
      // <option> text shows in the open list even though the element has no box.
      if (el.tagName !== 'OPTION' && !el.checkVisibility({ visibilityProperty: true })) continue;
      add(n.textContent);
    }
    for (const el of Array.from(
      document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]'),
    )) {
      if (el.closest(SKIP)) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) add(el.getAttribute(a));
    }
    add(document.title);
    return [...out];
  });
}

function flattenStrings(obj: unknown, out: string[] = []): string[] {
  if (typeof obj === 'string') out.push(obj);
  else if (obj && typeof obj === 'object')
    for (const v of Object.values(obj)) flattenStrings(v, out);
  return out;
}

/** A phrase in English words: two or more all-lowercase ASCII words of 3+ letters. */
function looksLikeEnglishPhrase(s: string): boolean {
  return s.split(/[\s.,;:!?()]+/).filter((w) => /^[a-z]{3,}$/.test(w)).length >= 2;
}

/**
 * Strings identical in the English and Vietnamese catalogs that are meant to be (product name,
 * language names, "LSTM", "GRU (PyTorch)"). A sentence left in English in the Vietnamese
 * catalog does not count: it is exactly what `untranslatedTexts` must catch.
 */
export function languageNeutralCatalogStrings(): Set<string> {
  const dir = join(ROOT, 'src/i18n/locales');
  const read = (lang: string) =>
    readdirSync(join(dir, lang))
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => flattenStrings(JSON.parse(readFileSync(join(dir, lang, f), 'utf8'))));
  const vi = new Set(read('vi'));
  return new Set(read('en').filter((s) => vi.has(s) && !looksLikeEnglishPhrase(s)));
}

/**
 * Texts shown identically in English and in Vietnamese that contain a word (3+ Latin
 * letters), except language-neutral catalog strings. A non-empty result means something
 * bypassed the catalogs (a hard-coded string) or was left untranslated.
 */
export function untranslatedTexts(enTexts: string[], viTexts: string[]): string[] {
  const neutral = languageNeutralCatalogStrings();
  const vi = new Set(viTexts);
  return enTexts.filter(
    (s) => vi.has(s) && !neutral.has(s) && !MATH_NAMES.has(s) && /[A-Za-z]{3,}/.test(s),
  );
}

/** Function and model names written the same in both languages (as whole texts only). */
export const MATH_NAMES = new Set([
  'tanh',
  'sigmoid',
  'relu',
  'ReLU',
  'softmax',
  'exp',
  'log',
  'max',
  'min',
  'RNN',
  'LSTM',
  'GRU',
]);
