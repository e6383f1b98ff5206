/** A callback coalesced to at most one run per animation frame. */
export interface RafThrottle {
  /** Ask for a run on the next frame (repeated calls in one frame run it once). */
  schedule(): void;
  /** Run now if a run is pending (tests, unmount flush). */
  flush(): void;
  /** Drop any pending run; later `schedule()` calls still work. */
  cancel(): void;
}

/**
 * Coalesce many store changes (scrubbing, streaming steps) into one redraw per
 * frame. Falls back to a 16 ms timer where `requestAnimationFrame` is missing.
 */
export function rafThrottle(fn: () => void): RafThrottle {
  const raf =
    typeof globalThis.requestAnimationFrame === 'function'
      ? (cb: () => void) => globalThis.requestAnimationFrame(cb)
      : (cb: () => void) => setTimeout(cb, 16) as unknown as number;
  const caf =
    typeof globalThis.cancelAnimationFrame === 'function'
      ? (id: number) => globalThis.cancelAnimationFrame(id)
      : (id: number) => clearTimeout(id);
  let id: number | null = null;
  const run = () => {
    id = null;
    fn();
  };
  return {
    schedule() {
      if (id === null) id = raf(run);
    },
    flush() {
      if (id !== null) {
        caf(id);
        run();
      }
    },
    cancel() {
      if (id !== null) caf(id);
      id = null;
    },
  };
}
