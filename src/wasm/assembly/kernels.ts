// Gatescope WebAssembly SIMD kernels (AssemblyScript, compiled by `npm run build:wasm`).
//
// Every pointer is a byte offset into this module's exported memory, which the JS side
// (src/wasm/simd.ts) manages as a bump arena; nothing here allocates. Matrices are
// row-major float32, PyTorch layout for weights ([G*H, in]), time-major for sequences
// ([T, B, n]). f32x4 lanes everywhere, scalar tails when a size is not a multiple of 4.
//
// The design choice that matters: a whole layer's time loop runs inside WebAssembly
// (`lstmForward`, `gruForward`, ...), one call per layer and direction, because at small
// hidden sizes the cost of one JS <-> wasm call per step would dominate. The trace is
// written straight into this memory.

export * from './backward';

import { sigmoidS, sigmoidV, tanhS, tanhV } from './math';

// ---------------------------------------------------------------------------------------
// Matrix products.

// Sums of the lanes of four vectors, as one vector [sum(a), sum(b), sum(c), sum(d)].
@inline
function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 2, 6), v128.shuffle<f32>(a, b, 1, 5, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 2, 6), v128.shuffle<f32>(c, d, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

@inline
function hsum(a: v128): f32 {
  return (
    f32x4.extract_lane(a, 0) +
    f32x4.extract_lane(a, 1) +
    (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3))
  );
}

/**
 * C[m, n] = D[m, n] + sum_k A[m, k] * W[n, k]   (m < M, n < N, k < K)
 * D may be C itself (accumulate), a bias row broadcast over m (ldd = 0), or 0 (none).
 * Byte pointers; leading dimensions in floats. Blocks of 2 rows of A x 4 rows of W keep
 * 8 independent f32x4 accumulators (the adds' latency is hidden, no FMA in wasm SIMD).
 */
export function gemmNT(
  M: i32,
  N: i32,
  K: i32,
  A: usize,
  lda: i32,
  W: usize,
  ldw: i32,
  D: usize,
  ldd: i32,
  C: usize,
  ldc: i32,
): void {
  const K4 = K & ~3;
  const zero = f32x4.splat(0);
  let m = 0;
  for (; m + 2 <= M; m += 2) {
    const a0 = A + (<usize>(m * lda) << 2);
    const a1 = a0 + (<usize>lda << 2);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const w0 = W + (<usize>(n * ldw) << 2);
      const w1 = w0 + (<usize>ldw << 2);
      const w2 = w1 + (<usize>ldw << 2);
      const w3 = w2 + (<usize>ldw << 2);
      let s00 = zero, s01 = zero, s02 = zero, s03 = zero;
      let s10 = zero, s11 = zero, s12 = zero, s13 = zero;
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        const v0 = v128.load(w0 + o);
        const v1 = v128.load(w1 + o);
        const v2 = v128.load(w2 + o);
        const v3 = v128.load(w3 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, v0));
        s01 = f32x4.add(s01, f32x4.mul(x0, v1));
        s02 = f32x4.add(s02, f32x4.mul(x0, v2));
        s03 = f32x4.add(s03, f32x4.mul(x0, v3));
        s10 = f32x4.add(s10, f32x4.mul(x1, v0));
        s11 = f32x4.add(s11, f32x4.mul(x1, v1));
        s12 = f32x4.add(s12, f32x4.mul(x1, v2));
        s13 = f32x4.add(s13, f32x4.mul(x1, v3));
      }
      let r0 = hsum4(s00, s01, s02, s03);
      let r1 = hsum4(s10, s11, s12, s13);
      if (K4 < K) {
        let t00: f32 = 0, t01: f32 = 0, t02: f32 = 0, t03: f32 = 0;
        let t10: f32 = 0, t11: f32 = 0, t12: f32 = 0, t13: f32 = 0;
        for (let k = K4; k < K; k++) {
          const o = <usize>k << 2;
          const x0 = load<f32>(a0 + o);
          const x1 = load<f32>(a1 + o);
          const v0 = load<f32>(w0 + o);
          const v1 = load<f32>(w1 + o);
          const v2 = load<f32>(w2 + o);
          const v3 = load<f32>(w3 + o);
          t00 += x0 * v0; t01 += x0 * v1; t02 += x0 * v2; t03 += x0 * v3;
          t10 += x1 * v0; t11 += x1 * v1; t12 += x1 * v2; t13 += x1 * v3;
        }
        r0 = f32x4.add(r0, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t00), 1, t01), 2, t02), 3, t03));
        r1 = f32x4.add(r1, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t10), 1, t11), 2, t12), 3, t13));
      }
      const c0 = C + (<usize>(m * ldc + n) << 2);
      const c1 = c0 + (<usize>ldc << 2);
      if (D != 0) {
        const d0 = D + (<usize>(m * ldd + n) << 2);
        const d1 = d0 + (<usize>ldd << 2);
        r0 = f32x4.add(r0, v128.load(d0));
        r1 = f32x4.add(r1, v128.load(d1));
      }
      v128.store(c0, r0);
      v128.store(c1, r1);
    }
    for (; n < N; n++) gemmRow1(m, n, K, A, lda, W, ldw, D, ldd, C, ldc, 2);
  }
  if (m < M) {
    // One row of A left (the B = 1 mat-vec lands here): 4 rows of W, k unrolled by 2.
    const a0 = A + (<usize>(m * lda) << 2);
    const K8 = K & ~7;
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const w0 = W + (<usize>(n * ldw) << 2);
      const w1 = w0 + (<usize>ldw << 2);
      const w2 = w1 + (<usize>ldw << 2);
      const w3 = w2 + (<usize>ldw << 2);
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      let u0 = zero, u1 = zero, u2 = zero, u3 = zero;
      let k = 0;
      for (; k < K8; k += 8) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a0 + o, 16);
        s0 = f32x4.add(s0, f32x4.mul(x0, v128.load(w0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(x0, v128.load(w1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(x0, v128.load(w2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(x0, v128.load(w3 + o)));
        u0 = f32x4.add(u0, f32x4.mul(x1, v128.load(w0 + o, 16)));
        u1 = f32x4.add(u1, f32x4.mul(x1, v128.load(w1 + o, 16)));
        u2 = f32x4.add(u2, f32x4.mul(x1, v128.load(w2 + o, 16)));
        u3 = f32x4.add(u3, f32x4.mul(x1, v128.load(w3 + o, 16)));
      }
      for (; k < K4; k += 4) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o);
        s0 = f32x4.add(s0, f32x4.mul(x0, v128.load(w0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(x0, v128.load(w1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(x0, v128.load(w2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(x0, v128.load(w3 + o)));
      }
      let r = hsum4(f32x4.add(s0, u0), f32x4.add(s1, u1), f32x4.add(s2, u2), f32x4.add(s3, u3));
      if (K4 < K) {
        let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
        for (let kk = K4; kk < K; kk++) {
          const o = <usize>kk << 2;
          const x = load<f32>(a0 + o);
          t0 += x * load<f32>(w0 + o);
          t1 += x * load<f32>(w1 + o);
          t2 += x * load<f32>(w2 + o);
          t3 += x * load<f32>(w3 + o);
        }
        r = f32x4.add(r, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3));
      }
      if (D != 0) r = f32x4.add(r, v128.load(D + (<usize>(m * ldd + n) << 2)));
      v128.store(C + (<usize>(m * ldc + n) << 2), r);
    }
    for (; n < N; n++) gemmRow1(m, n, K, A, lda, W, ldw, D, ldd, C, ldc, 1);
  }
}

// C[m + i, n] for i < rows: one dot product each (the N % 4 tail of gemmNT).
function gemmRow1(
  m: i32,
  n: i32,
  K: i32,
  A: usize,
  lda: i32,
  W: usize,
  ldw: i32,
  D: usize,
  ldd: i32,
  C: usize,
  ldc: i32,
  rows: i32,
): void {
  const K4 = K & ~3;
  const w = W + (<usize>(n * ldw) << 2);
  for (let i = 0; i < rows; i++) {
    const a = A + (<usize>((m + i) * lda) << 2);
    let s = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const o = <usize>k << 2;
      s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(w + o)));
    }
    let t = hsum(s);
    for (let k = K4; k < K; k++) t += load<f32>(a + (<usize>k << 2)) * load<f32>(w + (<usize>k << 2));
    if (D != 0) t += load<f32>(D + (<usize>((m + i) * ldd + n) << 2));
    store<f32>(C + (<usize>((m + i) * ldc + n) << 2), t);
  }
}

/**
 * C[m, n] += sum_k A(m, k) * Bm[k, n], where A(m, k) sits at A + 4 * (m * sam + k * sak):
 * gemmNN is (sam, sak) = (lda, 1), gemmTN (A stored [K, M]) is (1, lda). Register blocks of
 * 2 rows of C x 16 columns (8 f32x4 accumulators) stay in registers over the whole k loop:
 * per k, two splats and four loads of Bm feed 8 multiply-adds.
 */
export function gemmXN(
  M: i32,
  N: i32,
  K: i32,
  A: usize,
  sam: i32,
  sak: i32,
  Bm: usize,
  ldb: i32,
  C: usize,
  ldc: i32,
): void {
  const N16 = N & ~15;
  const N4 = N & ~3;
  const bq = <usize>ldb << 2;
  const skb = <usize>sak << 2;
  let m = 0;
  for (; m + 2 <= M; m += 2) {
    const c0 = C + (<usize>(m * ldc) << 2);
    const c1 = c0 + (<usize>ldc << 2);
    const a0 = A + (<usize>(m * sam) << 2);
    const a1 = a0 + (<usize>sam << 2);
    let n = 0;
    for (; n < N16; n += 16) {
      const o = <usize>n << 2;
      let p00 = v128.load(c0 + o), p01 = v128.load(c0 + o, 16), p02 = v128.load(c0 + o, 32), p03 = v128.load(c0 + o, 48);
      let p10 = v128.load(c1 + o), p11 = v128.load(c1 + o, 16), p12 = v128.load(c1 + o, 32), p13 = v128.load(c1 + o, 48);
      let b = Bm + o;
      let k0 = a0;
      let k1 = a1;
      for (let k = 0; k < K; k++) {
        const x0 = v128.load32_splat(k0);
        const x1 = v128.load32_splat(k1);
        const v0 = v128.load(b);
        const v1 = v128.load(b, 16);
        const v2 = v128.load(b, 32);
        const v3 = v128.load(b, 48);
        p00 = f32x4.add(p00, f32x4.mul(x0, v0));
        p01 = f32x4.add(p01, f32x4.mul(x0, v1));
        p02 = f32x4.add(p02, f32x4.mul(x0, v2));
        p03 = f32x4.add(p03, f32x4.mul(x0, v3));
        p10 = f32x4.add(p10, f32x4.mul(x1, v0));
        p11 = f32x4.add(p11, f32x4.mul(x1, v1));
        p12 = f32x4.add(p12, f32x4.mul(x1, v2));
        p13 = f32x4.add(p13, f32x4.mul(x1, v3));
        b += bq;
        k0 += skb;
        k1 += skb;
      }
      v128.store(c0 + o, p00); v128.store(c0 + o, p01, 16); v128.store(c0 + o, p02, 32); v128.store(c0 + o, p03, 48);
      v128.store(c1 + o, p10); v128.store(c1 + o, p11, 16); v128.store(c1 + o, p12, 32); v128.store(c1 + o, p13, 48);
    }
    for (; n < N4; n += 4) {
      const o = <usize>n << 2;
      let p0 = v128.load(c0 + o);
      let p1 = v128.load(c1 + o);
      let b = Bm + o;
      let k0 = a0;
      let k1 = a1;
      for (let k = 0; k < K; k++) {
        const v = v128.load(b);
        p0 = f32x4.add(p0, f32x4.mul(v128.load32_splat(k0), v));
        p1 = f32x4.add(p1, f32x4.mul(v128.load32_splat(k1), v));
        b += bq;
        k0 += skb;
        k1 += skb;
      }
      v128.store(c0 + o, p0);
      v128.store(c1 + o, p1);
    }
    for (; n < N; n++) {
      const o = <usize>n << 2;
      let t0: f32 = 0, t1: f32 = 0;
      for (let k = 0; k < K; k++) {
        const v = load<f32>(Bm + <usize>k * bq + o);
        t0 += load<f32>(a0 + <usize>k * skb) * v;
        t1 += load<f32>(a1 + <usize>k * skb) * v;
      }
      store<f32>(c0 + o, load<f32>(c0 + o) + t0);
      store<f32>(c1 + o, load<f32>(c1 + o) + t1);
    }
  }
  if (m < M) {
    const c0 = C + (<usize>(m * ldc) << 2);
    const a0 = A + (<usize>(m * sam) << 2);
    let n = 0;
    for (; n < N16; n += 16) {
      const o = <usize>n << 2;
      let p0 = v128.load(c0 + o), p1 = v128.load(c0 + o, 16), p2 = v128.load(c0 + o, 32), p3 = v128.load(c0 + o, 48);
      let b = Bm + o;
      let k0 = a0;
      for (let k = 0; k < K; k++) {
        const x0 = v128.load32_splat(k0);
        p0 = f32x4.add(p0, f32x4.mul(x0, v128.load(b)));
        p1 = f32x4.add(p1, f32x4.mul(x0, v128.load(b, 16)));
        p2 = f32x4.add(p2, f32x4.mul(x0, v128.load(b, 32)));
        p3 = f32x4.add(p3, f32x4.mul(x0, v128.load(b, 48)));
        b += bq;
        k0 += skb;
      }
      v128.store(c0 + o, p0); v128.store(c0 + o, p1, 16); v128.store(c0 + o, p2, 32); v128.store(c0 + o, p3, 48);
    }
    for (; n < N4; n += 4) {
      const o = <usize>n << 2;
      let p0 = v128.load(c0 + o);
      let b = Bm + o;
      let k0 = a0;
      for (let k = 0; k < K; k++) {
        p0 = f32x4.add(p0, f32x4.mul(v128.load32_splat(k0), v128.load(b)));
        b += bq;
        k0 += skb;
      }
      v128.store(c0 + o, p0);
    }
    for (; n < N; n++) {
      const o = <usize>n << 2;
      let t0: f32 = 0;
      for (let k = 0; k < K; k++) t0 += load<f32>(a0 + <usize>k * skb) * load<f32>(Bm + <usize>k * bq + o);
      store<f32>(c0 + o, load<f32>(c0 + o) + t0);
    }
  }
}

/**
 * The bare SIMD ceiling the benchmark compares against: `steps` mat-vecs y[N] = W[N, K] v[K]
 * with the fastest mat-vec here (`colMatvec`, Wp packed by `packCols(N, K, W, 0)`; N % 4 == 0),
 * no nonlinearity, no trace, no dependency between steps. Returns a checksum so the work
 * cannot be optimised away.
 */
export function bareMatvecLoop(steps: i32, N: i32, K: i32, Wp: usize, v: usize, y: usize): f32 {
  let acc: f32 = 0;
  for (let t = 0; t < steps; t++) {
    colMatvec(N, K, v, 0, 0, Wp, 0, y);
    acc += load<f32>(y);
  }
  return acc;
}

// ---------------------------------------------------------------------------------------
// Whole-layer forward passes. Common arguments:
//   T, B, I, H    sizes; `reverse` != 0 walks t = T-1 .. 0 (the `_reverse` direction)
//   x             [T, B, I] this layer's input
//   wih [G*H, I], whh [G*H, H], bias [G*H]
//   whhp          B = 1 and H % 4 == 0 only, else 0 (gemmNT on wih, whh): the weights packed
//                 for the column-form `colMatvec`, so one call per step does x_t W_ihᵀ and
//                 hPrev W_hhᵀ together: packCols(G*H, I, wih, H, whh) (LSTM, RNN; bias =
//                 b_ih + b_hh as its initial term); GRU: packCols(3H, I, wih, 0) followed by
//                 packCols(3H, H, whh, 0), since r scales only the hidden part of n
//                 (textbook GRU ignores whhp) (LSTM/RNN: b_ih + b_hh summed by the caller;
//                 GRU: bih and bhh apart because b_hn sits inside r * (...))
//   h0 (c0)       [B, H] initial state
//   P             scratch [T, B, G*H] (input projections), S scratch [B, G*H] (one step)
//   trace         one [T, B, H] array per quantity (pointers below)

/** Fills P[t, b, :] = x[t, b, :] W_ihᵀ + bias for every step at once (one mat-mat). */
function inputProjection(T: i32, B: i32, I: i32, GH: i32, x: usize, wih: usize, bias: usize, P: usize): void {
  gemmNT(T * B, GH, I, x, I, wih, I, bias, 0, P, GH);
}

/**
 * LSTM layer: gates = P[t] + hPrev W_hhᵀ (PyTorch order i f g o);
 * i, f, o = σ(.), g = tanh(.), c = f * cPrev + i * g, h = o * tanh(c).
 * Trace: pre-activations preI..preO and activations aI..aO, c, h, each [T, B, H].
 */
export function lstmForward(
  T: i32, B: i32, I: i32, H: i32, reverse: i32,
  x: usize, wih: usize, whh: usize, whhp: usize, bias: usize, h0: usize, c0: usize,
  P: usize, S: usize,
  preI: usize, preF: usize, preG: usize, preO: usize,
  aI: usize, aF: usize, aG: usize, aO: usize, cT: usize, hT: usize,
): void {
  const GH = 4 * H;
  const packed = whhp != 0;
  if (!packed) inputProjection(T, B, I, GH, x, wih, bias, P);
  const H4 = H & ~3;
  const stepBytes = <usize>(B * H) << 2;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const first = s == 0;
    const tp = reverse ? t + 1 : t - 1;
    const hPrev = first ? h0 : hT + <usize>tp * stepBytes;
    const cPrev = first ? c0 : cT + <usize>tp * stepBytes;
    if (packed) colMatvec(GH, I, x + (<usize>(t * I) << 2), H, hPrev, whhp, bias, S);
    else gemmNT(B, GH, H, hPrev, H, whh, H, P + (<usize>(t * B * GH) << 2), GH, S, GH);
    const base = <usize>t * stepBytes;
    for (let b = 0; b < B; b++) {
      const g = S + (<usize>(b * GH) << 2);
      const row = base + (<usize>(b * H) << 2);
      const cp = cPrev + (<usize>(b * H) << 2);
      const hq = <usize>H << 2;
      // Two passes, so the out-of-order core overlaps many units: the four gates (independent
      // of each other) for every unit first, then c and tanh(c). In one pass each unit was a
      // chain of two exp-and-divide latencies: at H = 32 that doubled the step's time.
      for (let j = 0; j < H4; j += 4) {
        const o = <usize>j << 2;
        const zi = v128.load(g + o);
        const zf = v128.load(g + hq + o);
        const zg = v128.load(g + 2 * hq + o);
        const zo = v128.load(g + 3 * hq + o);
        const r = row + o;
        v128.store(preI + r, zi); v128.store(preF + r, zf);
        v128.store(preG + r, zg); v128.store(preO + r, zo);
        v128.store(aI + r, sigmoidV(zi)); v128.store(aF + r, sigmoidV(zf));
        v128.store(aG + r, tanhV(zg)); v128.store(aO + r, sigmoidV(zo));
      }
      let j = 0;
      for (; j < H4; j += 4) {
        const o = <usize>j << 2;
        const r = row + o;
        const c = f32x4.add(
          f32x4.mul(v128.load(aF + r), v128.load(cp + o)),
          f32x4.mul(v128.load(aI + r), v128.load(aG + r)),
        );
        v128.store(cT + r, c);
        v128.store(hT + r, f32x4.mul(v128.load(aO + r), tanhV(c)));
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const zi = load<f32>(g + o);
        const zf = load<f32>(g + hq + o);
        const zg = load<f32>(g + 2 * hq + o);
        const zo = load<f32>(g + 3 * hq + o);
        const vi = sigmoidS(zi);
        const vf = sigmoidS(zf);
        const vg = tanhS(zg);
        const vo = sigmoidS(zo);
        const c = vf * load<f32>(cp + o) + vi * vg;
        const h = vo * tanhS(c);
        const r = row + o;
        store<f32>(preI + r, zi); store<f32>(preF + r, zf);
        store<f32>(preG + r, zg); store<f32>(preO + r, zo);
        store<f32>(aI + r, vi); store<f32>(aF + r, vf);
        store<f32>(aG + r, vg); store<f32>(aO + r, vo);
        store<f32>(cT + r, c); store<f32>(hT + r, h);
      }
    }
  }
}

/**
 * GRU layer. PyTorch form (`textbook` = 0), gate order r z n:
 *   r = σ(P_r + W_hr h + b_hr), z = σ(P_z + W_hz h + b_hz),
 *   n = tanh(P_n + r * (W_hn h + b_hn)), h = (1 - z) * n + z * hPrev;
 * textbook form (`textbook` != 0):
 *   n = tanh(P_n + W_hn (r * hPrev) + b_hn), h = (1 - z) * hPrev + z * n.
 * P holds x W_ihᵀ + b_ih. S2 is scratch [B, H] (r * hPrev, textbook only).
 * Trace: preR, preZ, preN (the whole argument of tanh), aR, aZ, aN, h; PyTorch form also
 * ghn [T, B, H] = W_hn hPrev + b_hn (the term r scales, which the backward pass needs).
 */
export function gruForward(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, textbook: i32,
  x: usize, wih: usize, whh: usize, whhp: usize, bih: usize, bhh: usize, h0: usize,
  P: usize, S: usize, S2: usize,
  preR: usize, preZ: usize, preN: usize, aR: usize, aZ: usize, aN: usize, hT: usize,
  ghn: usize,
): void {
  const GH = 3 * H;
  // Packed (B = 1): whhp holds packCols(3H, I, W_ih) then packCols(3H, H, W_hh), and the input
  // part of each step is computed into P[0] just before it is used (no [T, 3H] buffer).
  const packed = whhp != 0 && !textbook;
  if (!packed) inputProjection(T, B, I, GH, x, wih, bih, P);
  const H4 = H & ~3;
  const hq = <usize>H << 2;
  const stepBytes = <usize>(B * H) << 2;
  const one = f32x4.splat(1.0);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tp = reverse ? t + 1 : t - 1;
    const hPrev = s == 0 ? h0 : hT + <usize>tp * stepBytes;
    const pt = packed ? P : P + (<usize>(t * B * GH) << 2);
    const base = <usize>t * stepBytes;
    if (packed) {
      colMatvec(GH, I, x + (<usize>(t * I) << 2), 0, 0, whhp, bih, P);
      colMatvec(GH, H, hPrev, 0, 0, whhp + (<usize>(GH * I) << 2), bhh, S);
    } else if (!textbook) {
      // S = hPrev W_hhᵀ + b_hh, all three blocks.
      gemmNT(B, GH, H, hPrev, H, whh, H, bhh, 0, S, GH);
    } else {
      // r and z blocks only; n needs r first.
      gemmNT(B, 2 * H, H, hPrev, H, whh, H, bhh, 0, S, GH);
    }
    for (let b = 0; b < B; b++) {
      const g = S + (<usize>(b * GH) << 2);
      const p = pt + (<usize>(b * GH) << 2);
      const row = base + (<usize>(b * H) << 2);
      const hp = hPrev + (<usize>(b * H) << 2);
      let j = 0;
      for (; j < H4; j += 4) {
        const o = <usize>j << 2;
        const zr = f32x4.add(v128.load(p + o), v128.load(g + o));
        const zz = f32x4.add(v128.load(p + hq + o), v128.load(g + hq + o));
        const vr = sigmoidV(zr);
        const vz = sigmoidV(zz);
        const r = row + o;
        v128.store(preR + r, zr); v128.store(preZ + r, zz);
        v128.store(aR + r, vr); v128.store(aZ + r, vz);
        if (textbook) v128.store(S2 + (<usize>(b * H) << 2) + o, f32x4.mul(vr, v128.load(hp + o)));
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const zr = load<f32>(p + o) + load<f32>(g + o);
        const zz = load<f32>(p + hq + o) + load<f32>(g + hq + o);
        const vr = sigmoidS(zr);
        const vz = sigmoidS(zz);
        const r = row + o;
        store<f32>(preR + r, zr); store<f32>(preZ + r, zz);
        store<f32>(aR + r, vr); store<f32>(aZ + r, vz);
        if (textbook) store<f32>(S2 + (<usize>(b * H) << 2) + o, vr * load<f32>(hp + o));
      }
    }
    if (textbook) {
      // S[:, 2H:3H] = (r * hPrev) W_hnᵀ + b_hn
      gemmNT(B, H, H, S2, H, whh + (<usize>(2 * H * H) << 2), H, bhh + (hq << 1), 0, S + (hq << 1), GH);
    }
    for (let b = 0; b < B; b++) {
      const g = S + (<usize>(b * GH) << 2) + (hq << 1);
      const p = pt + (<usize>(b * GH) << 2) + (hq << 1);
      const row = base + (<usize>(b * H) << 2);
      const hp = hPrev + (<usize>(b * H) << 2);
      let j = 0;
      for (; j < H4; j += 4) {
        const o = <usize>j << 2;
        const r = row + o;
        const vr = v128.load(aR + r);
        const vz = v128.load(aZ + r);
        const zn = textbook
          ? f32x4.add(v128.load(p + o), v128.load(g + o))
          : f32x4.add(v128.load(p + o), f32x4.mul(vr, v128.load(g + o)));
        const vn = tanhV(zn);
        const h0v = v128.load(hp + o);
        const h = textbook
          ? f32x4.add(f32x4.mul(f32x4.sub(one, vz), h0v), f32x4.mul(vz, vn))
          : f32x4.add(f32x4.mul(f32x4.sub(one, vz), vn), f32x4.mul(vz, h0v));
        v128.store(preN + r, zn); v128.store(aN + r, vn); v128.store(hT + r, h);
        if (!textbook) v128.store(ghn + r, v128.load(g + o));
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const r = row + o;
        const vr = load<f32>(aR + r);
        const vz = load<f32>(aZ + r);
        const zn = textbook ? load<f32>(p + o) + load<f32>(g + o) : load<f32>(p + o) + vr * load<f32>(g + o);
        const vn = tanhS(zn);
        const h0s = load<f32>(hp + o);
        const h: f32 = textbook ? (1.0 - vz) * h0s + vz * vn : (1.0 - vz) * vn + vz * h0s;
        store<f32>(preN + r, zn); store<f32>(aN + r, vn); store<f32>(hT + r, h);
        if (!textbook) store<f32>(ghn + r, load<f32>(g + o));
      }
    }
  }
}

/**
 * Elman RNN layer: pre = P[t] + hPrev W_hhᵀ (bias = b_ih + b_hh folded into P),
 * h = tanh(pre) (`relu` = 0) or max(0, pre) (`relu` != 0). Trace: pre, h.
 */
export function rnnForward(
  T: i32, B: i32, I: i32, H: i32, reverse: i32, relu: i32,
  x: usize, wih: usize, whh: usize, whhp: usize, bias: usize, h0: usize,
  P: usize, preH: usize, hT: usize,
): void {
  const packed = whhp != 0;
  if (!packed) inputProjection(T, B, I, H, x, wih, bias, P);
  const H4 = H & ~3;
  const stepBytes = <usize>(B * H) << 2;
  const zero = f32x4.splat(0);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tp = reverse ? t + 1 : t - 1;
    const hPrev = s == 0 ? h0 : hT + <usize>tp * stepBytes;
    const base = <usize>t * stepBytes;
    // The pre-activation goes straight into the trace, then the activation reads it.
    if (packed) colMatvec(H, I, x + (<usize>(t * I) << 2), H, hPrev, whhp, bias, preH + base);
    else gemmNT(B, H, H, hPrev, H, whh, H, P + base, H, preH + base, H);
    const n = B * H;
    const n4 = n & ~3;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = base + (<usize>j << 2);
      const z = v128.load(preH + o);
      v128.store(hT + o, relu ? f32x4.pmax(z, zero) : tanhV(z));
    }
    for (; j < n; j++) {
      const o = base + (<usize>j << 2);
      const z = load<f32>(preH + o);
      store<f32>(hT + o, relu ? max<f32>(z, 0) : tanhS(z));
    }
  }
}

// ---------------------------------------------------------------------------------------
// One sequence (B = 1): the recurrent mat-vec in column form over packed weights.
//
// y = D + W v in "column form" walks k once and adds v[k] * W[n .. n+R, k] to a tile of R
// outputs held in registers: one splat feeds up to 6 multiply-adds and no horizontal sums
// are needed. Tiles of 24 rows keep 6 independent f32x4 accumulators, enough to hide the
// latency of wasm's separate mul and add (no FMA); 8 spill registers in V8 and run slower.
// Measured here on a 384 x 128 mat-vec: 2.2 ms per 1000 steps against 6.1 ms for the
// row-form dot products of gemmNT. The weights are packed once per layer call so each
// tile's columns are contiguous: [tile][k][R], tiles of 24 rows, then 16, 8 and 4 for the
// rest (N must be a multiple of 4).

/**
 * Packs [W1 | W2] (W1 [N, K1], W2 [N, K2], row-major) for `colMatvec`: per tile, K1 columns
 * of W1 then K2 columns of W2, R values each. dst holds N * (K1 + K2) floats. K2 may be 0.
 */
export function packCols(N: i32, K1: i32, W1: usize, K2: i32, W2: usize, dst: usize): void {
  let d = dst;
  let n = 0;
  while (n < N) {
    const left = N - n;
    const R = left >= 24 ? 24 : left >= 16 ? 16 : left >= 8 ? 8 : 4;
    for (let part = 0; part < 2; part++) {
      const K = part == 0 ? K1 : K2;
      const W = part == 0 ? W1 : W2;
      for (let k = 0; k < K; k++) {
        const src = W + (<usize>(n * K + k) << 2);
        for (let r = 0; r < R; r++) {
          store<f32>(d, load<f32>(src + (<usize>(r * K) << 2)));
          d += 4;
        }
      }
    }
    n += R;
  }
}

// One tile of R = 4 * A rows (A accumulators, 1 to 6): s_a += v[k] * w[k][a] over both
// sources. Written out per A below (AssemblyScript has no register arrays).
@inline
function mac(s: v128, x: v128, w: usize, off: usize): v128 {
  return f32x4.add(s, f32x4.mul(x, v128.load(w + off)));
}

/**
 * y[n] = D[n] + sum_k Wp(n, k) [v1; v2][k] for n < N (N % 4 == 0), Wp packed by
 * `packCols(N, K1, ., K2, .)`: the product of [W1 | W2] with the two vectors v1 [K1] and
 * v2 [K2] stacked, without copying them together. D may be 0. y must not overlap v1, v2.
 */
export function colMatvec(
  N: i32, K1: i32, v1: usize, K2: i32, v2: usize, Wp: usize, D: usize, y: usize,
): void {
  const zero = f32x4.splat(0);
  const e1 = v1 + (<usize>K1 << 2);
  const e2 = v2 + (<usize>K2 << 2);
  let w = Wp;
  let n = 0;
  for (; n + 24 <= N; n += 24) {
    const o = <usize>n << 2;
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero;
    if (D != 0) {
      s0 = v128.load(D + o); s1 = v128.load(D + o, 16); s2 = v128.load(D + o, 32);
      s3 = v128.load(D + o, 48); s4 = v128.load(D + o, 64); s5 = v128.load(D + o, 80);
    }
    for (let p = v1; p < e1; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16); s2 = mac(s2, x, w, 32);
      s3 = mac(s3, x, w, 48); s4 = mac(s4, x, w, 64); s5 = mac(s5, x, w, 80);
      w += 96;
    }
    for (let p = v2; p < e2; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16); s2 = mac(s2, x, w, 32);
      s3 = mac(s3, x, w, 48); s4 = mac(s4, x, w, 64); s5 = mac(s5, x, w, 80);
      w += 96;
    }
    v128.store(y + o, s0); v128.store(y + o, s1, 16); v128.store(y + o, s2, 32);
    v128.store(y + o, s3, 48); v128.store(y + o, s4, 64); v128.store(y + o, s5, 80);
  }
  if (n + 16 <= N) {
    const o = <usize>n << 2;
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    if (D != 0) {
      s0 = v128.load(D + o); s1 = v128.load(D + o, 16);
      s2 = v128.load(D + o, 32); s3 = v128.load(D + o, 48);
    }
    for (let p = v1; p < e1; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16); s2 = mac(s2, x, w, 32); s3 = mac(s3, x, w, 48);
      w += 64;
    }
    for (let p = v2; p < e2; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16); s2 = mac(s2, x, w, 32); s3 = mac(s3, x, w, 48);
      w += 64;
    }
    v128.store(y + o, s0); v128.store(y + o, s1, 16);
    v128.store(y + o, s2, 32); v128.store(y + o, s3, 48);
    n += 16;
  }
  if (n + 8 <= N) {
    const o = <usize>n << 2;
    let s0 = zero, s1 = zero;
    if (D != 0) {
      s0 = v128.load(D + o); s1 = v128.load(D + o, 16);
    }
    for (let p = v1; p < e1; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16);
      w += 32;
    }
    for (let p = v2; p < e2; p += 4) {
      const x = v128.load32_splat(p);
      s0 = mac(s0, x, w, 0); s1 = mac(s1, x, w, 16);
      w += 32;
    }
    v128.store(y + o, s0); v128.store(y + o, s1, 16);
    n += 8;
  }
  if (n + 4 <= N) {
    const o = <usize>n << 2;
    let s0 = D != 0 ? v128.load(D + o) : zero;
    for (let p = v1; p < e1; p += 4) {
      s0 = mac(s0, v128.load32_splat(p), w, 0);
      w += 16;
    }
    for (let p = v2; p < e2; p += 4) {
      s0 = mac(s0, v128.load32_splat(p), w, 0);
      w += 16;
    }
    v128.store(y + o, s0);
  }
}
