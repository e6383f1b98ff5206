import { describe, expect, it } from 'vitest';
import { scalarKernels } from '../../src/engine';
import { uniform } from './build';

/** Naive C += op(A) op(B) for checking, with offsets and leading dimensions. */
function naive(
  kind: 'NT' | 'NN' | 'TN',
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  C: Float32Array,
  cOff: number,
  ldc: number,
): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = kind === 'TN' ? A[aOff + k * lda + m] : A[aOff + m * lda + k];
        const b = kind === 'NT' ? B[bOff + n * ldb + k] : B[bOff + k * ldb + n];
        s += a * b;
      }
      C[cOff + m * ldc + n] += s;
    }
  }
}

describe('scalar kernels', () => {
  for (const kind of ['NT', 'NN', 'TN'] as const) {
    it(`gemm${kind} accumulates op(A)·op(B) for odd sizes, offsets and leading dimensions`, () => {
      for (const [M, N, K] of [
        [1, 1, 1],
        [1, 7, 5],
        [3, 5, 7],
        [4, 8, 3],
        [5, 9, 1],
      ]) {
        const aOff = 2;
        const bOff = 3;
        const cOff = 1;
        const lda = (kind === 'TN' ? M : K) + 2;
        const ldb = (kind === 'NT' ? K : N) + 1;
        const ldc = N + 3;
        const A = uniform(aOff + (kind === 'TN' ? K : M) * lda, 1);
        const B = uniform(bOff + (kind === 'NT' ? N : K) * ldb, 2);
        const C0 = uniform(cOff + M * ldc, 3);
        const want = C0.slice();
        naive(kind, M, N, K, A, aOff, lda, B, bOff, ldb, want, cOff, ldc);
        const got = C0.slice();
        scalarKernels[`gemm${kind}`](M, N, K, A, aOff, lda, B, bOff, ldb, got, cOff, ldc);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
      }
    });
  }
});
