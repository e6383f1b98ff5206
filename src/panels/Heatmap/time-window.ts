import type { TimeWindow } from './heatmap-controller';

/** Fewest steps a zoomed-in view shows. */
export const MIN_SPAN = 4;

/** Keep a window inside `[0, total)` with a span in `[min(MIN_SPAN, total), total]`. */
export function clampWindow(w: TimeWindow, total: number): TimeWindow {
  const n = Math.max(1, total);
  const span = Math.round(Math.min(n, Math.max(Math.min(MIN_SPAN, n), w.span)));
  const t0 = Math.round(Math.min(Math.max(0, w.t0), n - span));
  return { t0, span };
}

/**
 * Zoom by `factor` (< 1 zooms in) keeping step `anchor` at the same place on
 * screen, as map zooms do around the pointer.
 */
export function zoomWindow(
  w: TimeWindow,
  factor: number,
  anchor: number,
  total: number,
): TimeWindow {
  const span = w.span * factor;
  const frac = w.span > 0 ? (anchor - w.t0) / w.span : 0.5;
  return clampWindow({ t0: anchor - frac * span, span }, total);
}

/** Move the window by `delta` steps. */
export function panWindow(w: TimeWindow, delta: number, total: number): TimeWindow {
  return clampWindow({ t0: w.t0 + delta, span: w.span }, total);
}

/** The smallest move that brings step `t` into view (the cursor follows playback). */
export function followStep(w: TimeWindow, t: number, total: number): TimeWindow {
  if (t < w.t0) return clampWindow({ t0: t, span: w.span }, total);
  if (t >= w.t0 + w.span) return clampWindow({ t0: t - w.span + 1, span: w.span }, total);
  return w;
}
