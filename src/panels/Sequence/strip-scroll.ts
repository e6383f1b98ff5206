/**
 * Where the token strip should scroll so the current step stays visible,
 * computed from a measurement of the strip taken once per page (and again
 * only when its size changes or the user scrolls it): moving the current step
 * reads no layout, so it never forces a synchronous layout of the page.
 */
import { rafThrottle } from '../../viz/raf';

/** The token buttons' boxes along the strip's scrolled content, in CSS px. */
export interface StripGeometry {
  /** First step of the page (the step of `lefts[0]`). */
  first: number;
  /** Left edge of each token, measured from the start of the scrolled content. */
  lefts: Float64Array;
  /** Width of each token. */
  widths: Float64Array;
  /** The strip's visible width (`clientWidth`). */
  viewWidth: number;
  /** The strip's content width (`scrollWidth`). */
  scrollWidth: number;
}

/**
 * The `scrollLeft` that brings `step` into view, centred (as the previous
 * `getBoundingClientRect` version did), clamped to the scroll range; null
 * when the step is already fully visible, not on the measured page, or the
 * strip is not laid out (hidden panel: zero width).
 */
export function stripScrollTarget(
  geometry: StripGeometry,
  step: number,
  scrollLeft: number,
): number | null {
  const k = step - geometry.first;
  if (k < 0 || k >= geometry.lefts.length || geometry.viewWidth <= 0) return null;
  const left = geometry.lefts[k];
  const right = left + geometry.widths[k];
  // Half a pixel of slack: measured boxes are fractional, scrollLeft may be rounded.
  if (left >= scrollLeft - 0.5 && right <= scrollLeft + geometry.viewWidth + 0.5) return null;
  const centred = left + geometry.widths[k] / 2 - geometry.viewWidth / 2;
  const max = Math.max(0, geometry.scrollWidth - geometry.viewWidth);
  return Math.round(Math.min(max, Math.max(0, centred)));
}

/**
 * Measure the strip's tokens in one batch of reads (no writes in between, so
 * at most one layout, none when the layout is already clean).
 */
export function measureStrip(list: HTMLElement, first: number): StripGeometry {
  const buttons = list.querySelectorAll<HTMLElement>('button[data-t]');
  const n = buttons.length;
  const lefts = new Float64Array(n);
  const widths = new Float64Array(n);
  const box = list.getBoundingClientRect();
  const origin = box.left + list.clientLeft - list.scrollLeft;
  for (let k = 0; k < n; k++) {
    const r = buttons[k].getBoundingClientRect();
    lefts[k] = r.left - origin;
    widths[k] = r.width;
  }
  return { first, lefts, widths, viewWidth: list.clientWidth, scrollWidth: list.scrollWidth };
}

/** A callback run once after the next frame is drawn (coalesced), when the layout is usually clean. */
export interface AfterFrame {
  schedule(): void;
  cancel(): void;
}

/**
 * Run `fn` in a task queued from the next animation frame: that task starts
 * after the frame's own style, layout and paint, so reading layout there costs
 * nothing unless something wrote to the DOM in between (then one layout, as
 * the frame would have done anyway). Falls back to a 16 ms timer without
 * `requestAnimationFrame`.
 */
export function afterFrame(fn: () => void): AfterFrame {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const frame = rafThrottle(() => {
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, 0);
  });
  return {
    schedule() {
      if (timer === null) frame.schedule();
    },
    cancel() {
      frame.cancel();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
