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
    const K4 = K - (K & 3);
    for (let m = 0; m < M; m++) {
      const a0 = aOff + m * lda;
      const c0 = cOff + m * ldc;
      for (let n = 0; n < N; n++) {
        const b0 = bOff + n * ldb;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let k = 0;
        for (; k < K4; k += 4) {
          s0 += A[a0 + k] * B[b0 + k];
          s1 += A[a0 + k + 1] * B[b0 + k + 1];
          s2 += A[a0 + k + 2] * B[b0 + k + 2];
          s3 += A[a0 + k + 3] * B[b0 + k + 3];
        }
        for (; k < K; k++) s0 += A[a0 + k] * B[b0 + k];
        C[c0 + n] += s0 + s1 + (s2 + s3);
      }
    }
  },

  gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc) {
    // Row of C as a sum of scaled rows of B: contiguous inner loop, and zero
    // factors (padded steps, ReLU's dead units) are skipped.
    for (let m = 0; m < M; m++) {
      const a0 = aOff + m * lda;
      const c0 = cOff + m * ldc;
      for (let k = 0; k < K; k++) {
        const a = A[a0 + k];
        if (a === 0) continue;
        const b0 = bOff + k * ldb;
        for (let n = 0; n < N; n++) C[c0 + n] += a * B[b0 + n];
      }
    }
  },

  gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc) {
    // Sum over K of rank-1 updates A[k, :]ᵀ ⊗ B[k, :]; C stays hot in cache.
    for (let k = 0; k < K; k++) {
      const a0 = aOff + k * lda;
      const b0 = bOff + k * ldb;
      for (let m = 0; m < M; m++) {
        const a = A[a0 + m];
        if (a === 0) continue;
        const c0 = cOff + m * ldc;
        for (let n = 0; n < N; n++) C[c0 + n] += a * B[b0 + n];
      }
    }
  },
};
