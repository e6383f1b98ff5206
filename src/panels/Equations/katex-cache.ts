import katex from 'katex';

/** KaTeX options: `\htmlData` is the only trusted command; any other strictness issue is an error. */
export const KATEX_OPTIONS: katex.KatexOptions = {
  output: 'html',
  throwOnError: true,
  trust: (ctx) => ctx.command === '\\htmlData',
  strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : 'error'),
};

/**
 * Enough for every formula of every cell kind, direction and bias setting
 * (about 150), so switching back and forth never renders twice.
 */
const MAX_ENTRIES = 400;
const cache = new Map<string, string>();
let misses = 0;

/**
 * KaTeX HTML of `tex`, rendered once per session: the equations' TeX depends
 * only on the template (cell kind, bias, direction), never on the numbers
 * (filled into `\htmlData` slots afterwards), the language (words stay outside
 * the math) or projector mode (KaTeX sizes in em), so the TeX string itself is
 * the key. A new model shape, a new run or a remount of the panel costs a map
 * lookup instead of ~5-30 ms of `renderToString` per cell kind. Throws KaTeX's
 * error for bad TeX (not cached).
 */
export function renderTex(tex: string): string {
  const hit = cache.get(tex);
  if (hit !== undefined) {
    // Most recently used last, so the oldest entry is the one dropped.
    cache.delete(tex);
    cache.set(tex, hit);
    return hit;
  }
  const html = katex.renderToString(tex, KATEX_OPTIONS);
  misses++;
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(tex, html);
  return html;
}

/** Whether `tex` is already rendered (a render of it would be a lookup). */
export function isTexCached(tex: string): boolean {
  return cache.has(tex);
}

/** Cache size and total renders so far (tests, profiling). */
export function texCacheStats(): { size: number; renders: number } {
  return { size: cache.size, renders: misses };
}

/** Longest run of warm-up work in one idle callback, in ms. */
const IDLE_SLICE_MS = 8;

/**
 * Render `texs` into the cache in the browser's idle time (a few formulas per
 * idle period, each well under a millisecond), so the first trace of a cell
 * kind finds its formulas ready instead of rendering them inside React's
 * commit. Returns a cancel function. Does nothing without
 * `requestIdleCallback` (the formulas then render on first use).
 */
export function warmTex(texs: readonly string[]): () => void {
  const ric = globalThis.requestIdleCallback?.bind(globalThis);
  const cic = globalThis.cancelIdleCallback?.bind(globalThis);
  if (!ric || !cic) return () => {};
  let k = 0;
  let id = 0;
  const work = (deadline: IdleDeadline) => {
    // An idle period may last 50 ms; a slice of at most ~8 ms keeps input that arrives meanwhile prompt.
    const until = performance.now() + IDLE_SLICE_MS;
    while (k < texs.length && deadline.timeRemaining() > 2 && performance.now() < until) {
      const tex = texs[k++];
      try {
        renderTex(tex);
      } catch {
        // Reported where the formula is shown; warming only saves time.
      }
    }
    if (k < texs.length) id = ric(work);
  };
  id = ric(work);
  return () => cic(id);
}
