/**
 * Heatmap redraw time at the size the issue asks for (T = 2000, H = 256: over the app's URL
 * limit of H = 64, so a bench page mounts the real panel on a synthetic trace). A Vite dev
 * server serves `panels-bench.html`; the shared Chromium opens it.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createServer, type ViteDevServer } from 'vite';
import { ROOT, freePort, getHarness } from './harness.ts';

/** What `tests/e2e-pages/panels-bench.tsx` puts on `window`. */
interface BenchWindow {
  panelsBench?: {
    ready: () => boolean;
    scrub: (steps: number) => Promise<number[]>;
    rebuild: (times: number) => Promise<number[]>;
  };
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), worst: s[s.length - 1] };
}
const fmt = (s: ReturnType<typeof stats>) =>
  `n=${s.n} median=${s.median.toFixed(2)} ms p95=${s.p95.toFixed(2)} ms worst=${s.worst.toFixed(2)} ms`;

describe('heatmap bench', () => {
  let server: ViteDevServer | undefined;
  after(async () => {
    await server?.close();
  });

  test('scrubbing T = 2000, H = 256 redraws the six LSTM heatmaps in under 8 ms a frame', async () => {
    const port = await freePort();
    server = await createServer({
      root: ROOT,
      configFile: `${ROOT}/vite.config.ts`,
      logLevel: 'error',
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
    });
    await server.listen();
    const { browser } = await getHarness();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1400 },
      deviceScaleFactor: 1,
    });
    await context.addInitScript('globalThis.__name ??= (fn) => fn;');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`http://127.0.0.1:${port}/tests/e2e-pages/panels-bench.html`);
      await page.waitForFunction(
        () => (window as unknown as BenchWindow).panelsBench?.ready(),
        undefined,
        { timeout: 60_000 },
      );
      // Warm up (first frames compile and allocate), then measure.
      await page.evaluate(() => (window as unknown as BenchWindow).panelsBench!.scrub(30));
      const scrub = stats(
        await page.evaluate(() => (window as unknown as BenchWindow).panelsBench!.scrub(400)),
      );
      const rebuild = stats(
        await page.evaluate(() => (window as unknown as BenchWindow).panelsBench!.rebuild(20)),
      );
      console.log(
        `heatmap redraw while scrubbing (bench, LSTM T=2000 H=256, 6 heatmaps): ${fmt(scrub)}`,
      );
      console.log(`full data-layer rebuild of the 6 heatmaps (new trace): ${fmt(rebuild)}`);
      assert.deepEqual(errors, []);
      assert.ok(scrub.n >= 380, `only ${scrub.n} redraws measured`);
      assert.ok(scrub.median < 8, `median scrub redraw ${scrub.median} ms`);
    } finally {
      await context.close();
    }
  });
});
