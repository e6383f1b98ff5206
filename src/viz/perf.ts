/** The User Timing measure every heatmap redraw is recorded under (read by the e2e scrub test). */
export const HEATMAP_REDRAW_MEASURE = 'gatescope:heatmaps-redraw';

const MAX_ENTRIES = 2000;
let count = 0;

/**
 * Run `fn` between two performance marks and record a measure named `name`.
 * Keeps the timeline bounded: after 2000 measures the old ones are cleared.
 */
export function measured<T>(name: string, fn: () => T): T {
  const perf = globalThis.performance;
  if (!perf?.mark || !perf.measure) return fn();
  const start = `${name}:start`;
  perf.mark(start);
  try {
    return fn();
  } finally {
    try {
      perf.measure(name, start);
      perf.clearMarks(start);
      if (++count > MAX_ENTRIES) {
        perf.clearMeasures(name);
        count = 0;
      }
    } catch {
      /* user timing unavailable: measuring is optional */
    }
  }
}
