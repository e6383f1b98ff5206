/** Timing helpers of the benchmark (wall clock, one thread). */

/** One implementation of one workload: `run` does the whole measured unit of work. */
export interface Runner {
  /** Row label, e.g. `gatescope simd`, `tfjs wasm`. */
  impl: string;
  /** Kind of row: ours, a peer, or the bare SIMD ceiling. */
  kind: 'ours' | 'peer' | 'ceiling';
  /** Measured runs after the warm-up (fewer for slow peers). */
  reps: number;
  /** Unmeasured runs first (JIT, wasm tier-up, allocations). */
  warmup: number;
  run: () => void | Promise<void>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times one run in milliseconds (awaits async runners, so a peer's result is really ready). */
export async function timeOnce(run: () => void | Promise<void>): Promise<number> {
  const t0 = performance.now();
  const r = run();
  if (r instanceof Promise) await r;
  return performance.now() - t0;
}

/** Seeded values in [-a, a] (a tiny LCG: the benchmark must not depend on Math.random). */
export function seeded(n: number, seed: number, a = 1): Float32Array {
  let s = (seed * 2654435761 + 12345) >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * a;
  }
  return out;
}

/** `[T, B, n]` (time-major) -> `[B, T, n]` (batch-major, what tf.layers expects). */
export function toBatchMajor(x: Float32Array, T: number, B: number, n: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < B; b++)
      out.set(x.subarray((t * B + b) * n, (t * B + b + 1) * n), (b * T + t) * n);
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
