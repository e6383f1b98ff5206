import type { Kernels } from './types';

/**
 * Plain scalar loops over `Float32Array`s. Products are summed in float64 (JS
 * numbers) and rounded once when stored, which is why the engine lands within
 * about 1e-7 of float64 references. Inner loops are unrolled by four with
 * independent accumulators so the CPU can overlap the additions.
 */
export const scalarKernels: Kernels = {
  name: 'scalar',

  gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc) {
    // Blocks of 2 rows of A x 4 rows of B: each loaded value feeds 2 or 4
    // products (8 independent accumulators), which is what bounds a scalar
    // dot product in JS. Tails fall back to narrower blocks.
    const N4 = N - (N & 3);
    let m = 0;
    for (; m + 1 < M; m += 2) {
      const a0 = aOff + m * lda;
      const a1 = a0 + lda;
      const c0 = cOff + m * ldc;
      const c1 = c0 + ldc;
      let n = 0;
      for (; n < N4; n += 4) {
        const b0 = bOff + n * ldb;
        const b1 = b0 + ldb;
        const b2 = b1 + ldb;
        const b3 = b2 + ldb;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        for (let k = 0; k < K; k++) {
          const x0 = A[a0 + k];
          const x1 = A[a1 + k];
          const w0 = B[b0 + k];
          const w1 = B[b1 + k];
          const w2 = B[b2 + k];
          const w3 = B[b3 + k];
          s00 += x0 * w0;
          s01 += x0 * w1;
          s02 += x0 * w2;
          s03 += x0 * w3;
          s10 += x1 * w0;
          s11 += x1 * w1;
          s12 += x1 * w2;
          s13 += x1 * w3;
        }
        C[c0 + n] += s00;
        C[c0 + n + 1] += s01;
        C[c0 + n + 2] += s02;
        C[c0 + n + 3] += s03;
        C[c1 + n] += s10;
        C[c1 + n + 1] += s11;
        C[c1 + n + 2] += s12;
        C[c1 + n + 3] += s13;
      }
      for (; n < N; n++) {
        const b0 = bOff + n * ldb;
        let s0 = 0,
          s1 = 0;
        for (let k = 0; k < K; k++) {
          const w = B[b0 + k];
          s0 += A[a0 + k] * w;
          s1 += A[a1 + k] * w;
        }
        C[c0 + n] += s0;
        C[c1 + n] += s1;
      }
    }
    // A single row (M = 1: the B = 1 trace workload) shares each load of A
    // across 8 rows of B; there is no second row of A to share B's loads with.
    const N8 = N - (N & 7);
    for (; m < M; m++) {
      const a0 = aOff + m * lda;
      const c0 = cOff + m * ldc;
      let n = 0;
      for (; n < N8; n += 8) {
        const b0 = bOff + n * ldb;
        const b1 = b0 + ldb;
        const b2 = b1 + ldb;
        const b3 = b2 + ldb;
        const b4 = b3 + ldb;
        const b5 = b4 + ldb;
        const b6 = b5 + ldb;
        const b7 = b6 + ldb;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          s4 = 0,
          s5 = 0,
          s6 = 0,
          s7 = 0;
        for (let k = 0; k < K; k++) {
          const x = A[a0 + k];
          s0 += x * B[b0 + k];
          s1 += x * B[b1 + k];
          s2 += x * B[b2 + k];
          s3 += x * B[b3 + k];
          s4 += x * B[b4 + k];
          s5 += x * B[b5 + k];
          s6 += x * B[b6 + k];
          s7 += x * B[b7 + k];
        }
        C[c0 + n] += s0;
        C[c0 + n + 1] += s1;
        C[c0 + n + 2] += s2;
        C[c0 + n + 3] += s3;
        C[c0 + n + 4] += s4;
        C[c0 + n + 5] += s5;
        C[c0 + n + 6] += s6;
        C[c0 + n + 7] += s7;
      }
      for (; n < N; n++) {
        const b0 = bOff + n * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[a0 + k] * B[b0 + k];
        C[c0 + n] += s;
      }
    }
  },

  gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc) {
    // Same 2x4 register blocking as gemmNT; A is read along its rows, B down its columns.
    const N4 = N - (N & 3);
    let m = 0;
    for (; m + 1 < M; m += 2) {
      const c0 = cOff + m * ldc;
      const c1 = c0 + ldc;
      let n = 0;
      for (; n < N4; n += 4) {
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        for (let k = 0; k < K; k++) {
          const x0 = A[aOff + m * lda + k];
          const x1 = A[aOff + (m + 1) * lda + k];
          const bk = bOff + k * ldb + n;
          const w0 = B[bk];
          const w1 = B[bk + 1];
          const w2 = B[bk + 2];
          const w3 = B[bk + 3];
          s00 += x0 * w0;
          s01 += x0 * w1;
          s02 += x0 * w2;
          s03 += x0 * w3;
          s10 += x1 * w0;
          s11 += x1 * w1;
          s12 += x1 * w2;
          s13 += x1 * w3;
        }
        C[c0 + n] += s00;
        C[c0 + n + 1] += s01;
        C[c0 + n + 2] += s02;
        C[c0 + n + 3] += s03;
        C[c1 + n] += s10;
        C[c1 + n + 1] += s11;
        C[c1 + n + 2] += s12;
        C[c1 + n + 3] += s13;
      }
      for (; n < N; n++) {
        let s0 = 0,
          s1 = 0;
        for (let k = 0; k < K; k++) {
          const w = B[bOff + k * ldb + n];
          s0 += A[aOff + m * lda + k] * w;
          s1 += A[aOff + (m + 1) * lda + k] * w;
        }
        C[c0 + n] += s0;
        C[c1 + n] += s1;
      }
    }
    // Single row (B = 1): 8 columns per pass, each A[m, k] feeding 8 products.
    const N8 = N - (N & 7);
    for (; m < M; m++) {
      const a0 = aOff + m * lda;
      const c0 = cOff + m * ldc;
      let n = 0;
      for (; n < N8; n += 8) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          s4 = 0,
          s5 = 0,
          s6 = 0,
          s7 = 0;
        for (let k = 0; k < K; k++) {
          const x = A[a0 + k];
          const bk = bOff + k * ldb + n;
          s0 += x * B[bk];
          s1 += x * B[bk + 1];
          s2 += x * B[bk + 2];
          s3 += x * B[bk + 3];
          s4 += x * B[bk + 4];
          s5 += x * B[bk + 5];
          s6 += x * B[bk + 6];
          s7 += x * B[bk + 7];
        }
        C[c0 + n] += s0;
        C[c0 + n + 1] += s1;
        C[c0 + n + 2] += s2;
        C[c0 + n + 3] += s3;
        C[c0 + n + 4] += s4;
        C[c0 + n + 5] += s5;
        C[c0 + n + 6] += s6;
        C[c0 + n + 7] += s7;
      }
      for (; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[a0 + k] * B[bOff + k * ldb + n];
        C[c0 + n] += s;
      }
    }
  },

  gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc) {
    // Same 2x4 register blocking; A is stored transposed ([K, M]), so A[k, m] and A[k, m+1] are neighbours.
    const N4 = N - (N & 3);
    let m = 0;
    for (; m + 1 < M; m += 2) {
      const c0 = cOff + m * ldc;
      const c1 = c0 + ldc;
      let n = 0;
      for (; n < N4; n += 4) {
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        for (let k = 0; k < K; k++) {
          const x0 = A[aOff + k * lda + m];
          const x1 = A[aOff + k * lda + m + 1];
          const bk = bOff + k * ldb + n;
          const w0 = B[bk];
          const w1 = B[bk + 1];
          const w2 = B[bk + 2];
          const w3 = B[bk + 3];
          s00 += x0 * w0;
          s01 += x0 * w1;
          s02 += x0 * w2;
          s03 += x0 * w3;
          s10 += x1 * w0;
          s11 += x1 * w1;
          s12 += x1 * w2;
          s13 += x1 * w3;
        }
        C[c0 + n] += s00;
        C[c0 + n + 1] += s01;
        C[c0 + n + 2] += s02;
        C[c0 + n + 3] += s03;
        C[c1 + n] += s10;
        C[c1 + n + 1] += s11;
        C[c1 + n + 2] += s12;
        C[c1 + n + 3] += s13;
      }
      for (; n < N; n++) {
        let s0 = 0,
          s1 = 0;
        for (let k = 0; k < K; k++) {
          const w = B[bOff + k * ldb + n];
          s0 += A[aOff + k * lda + m] * w;
          s1 += A[aOff + k * lda + m + 1] * w;
        }
        C[c0 + n] += s0;
        C[c1 + n] += s1;
      }
    }
    for (; m < M; m++) {
      const c0 = cOff + m * ldc;
      let n = 0;
      for (; n < N4; n += 4) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let k = 0; k < K; k++) {
          const x = A[aOff + k * lda + m];
          const bk = bOff + k * ldb + n;
          s0 += x * B[bk];
          s1 += x * B[bk + 1];
          s2 += x * B[bk + 2];
          s3 += x * B[bk + 3];
        }
        C[c0 + n] += s0;
        C[c0 + n + 1] += s1;
        C[c0 + n + 2] += s2;
        C[c0 + n + 3] += s3;
      }
      for (; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * lda + m] * B[bOff + k * ldb + n];
        C[c0 + n] += s;
      }
    }
  },
};
