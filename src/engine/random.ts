/**
 * The one seeded pseudo-random generator of the engine: xoshiro128** (Blackman
 * and Vigna), 32-bit integer arithmetic only, so a seed gives the same stream
 * bit for bit in every browser, worker and Node (no `Math.random`, no float
 * state). Seeds are expanded with splitmix32 so nearby seeds give unrelated
 * streams.
 */

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const TWO_POW_MINUS_24 = 1 / 16777216;

/** Seeded generator. Every method advances the same integer stream. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second normal of the last Box-Muller pair, or NaN when none is pending. */
  private spare = Number.NaN;

  /** `seed` is any finite number; it is reduced to 32 bits (`seed >>> 0`). */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** Restarts the stream from `seed`. */
  seed(seed: number): void {
    let x = Math.trunc(Number.isFinite(seed) ? seed : 0) >>> 0;
    this.s0 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s1 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s2 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = Number.NaN;
  }

  /** Next raw value, an unsigned 32-bit integer. */
  nextU32(): number {
    const s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = (n3 << 11) | (n3 >>> 21);
    this.s0 = n0;
    this.s1 = n1;
    this.s2 = n2;
    this.s3 = n3;
    return result;
  }

  /**
   * Uniform in [lo, hi). The unit draw has 24 random bits, so it is exactly a
   * float32 in [0, 1) and weights made from it are float32-representable.
   */
  uniform(lo = 0, hi = 1): number {
    const u = (this.nextU32() >>> 8) * TWO_POW_MINUS_24;
    return lo + (hi - lo) * u;
  }

  /** Normal(mean, std) by Box-Muller; draws come in pairs, the second is kept for the next call. */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return mean + std * z;
    }
    // 1 - u lies in (0, 1], so the log is finite.
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fills `out` with U(lo, hi) draws, in index order. */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** Fills `out` with Normal(mean, std) draws, in index order. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** The full generator state, plain data (to save and restore a run). */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restores a state from `getState()`. */
  setState(state: readonly [number, number, number, number]): void {
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    this.spare = Number.NaN;
  }
}

/** A generator seeded with `seed` (same seed, same stream, everywhere). */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
