/**
 * Size a canvas's backing store for the device pixel ratio so lines stay crisp
 * on HiDPI screens and projectors: the bitmap is `css * dpr` pixels and the
 * context is scaled so drawing code works in CSS pixels.
 * Returns null when the environment has no 2D canvas (jsdom, some locked-down
 * browsers): callers then skip drawing instead of crashing.
 */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  cssWidth: number,
  cssHeight: number,
  dpr: number = globalThis.devicePixelRatio || 1,
): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = get2d(canvas);
  if (ctx) ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** `getContext('2d')` that never throws (jsdom has no canvas: it logs an error and returns null). */
export function get2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  try {
    return canvas.getContext('2d');
  } catch {
    return null;
  }
}

/** A scratch canvas holding one pixel per cell; the panel scales it onto the visible canvas. */
export function createScratchCanvas(width: number, height: number): HTMLCanvasElement | null {
  if (typeof document === 'undefined') return null;
  const c = document.createElement('canvas');
  c.width = Math.max(1, width);
  c.height = Math.max(1, height);
  return get2d(c) ? c : null;
}
