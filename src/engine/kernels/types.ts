/**
 * The matrix kernels behind every cell, as one small interface so a faster
 * implementation (WebAssembly SIMD) can be swapped in with `setKernels()`.
 *
 * Conventions, the same for every function:
 * - matrices are row-major inside flat `Float32Array`s; a matrix is given by
 *   its array, the offset of its element [0, 0] and its leading dimension
 *   `ld` (the distance between the starts of two rows, >= its column count);
 * - every kernel ACCUMULATES into its output (`C += ...`): callers zero or
 *   preset (with a bias) the output first;
 * - outputs never alias inputs;
 * - sizes may be 1 (a mat-mat with M = 1 is a mat-vec): implementations
 *   should keep that case fast, it is the B = 1 trace workload.
 */
export interface Kernels {
  /** Name shown by benchmarks (`scalar`, `wasm-simd`, ...). */
  readonly name: string;

  /**
   * `C[M, N] += A[M, K] · Bᵀ` with `B` stored `[N, K]` (a weight matrix in
   * PyTorch layout). Forward: gates[B, G*H] += x[B, in] · W_ihᵀ, and
   * hPrev[B, H] · W_hhᵀ.
   */
  gemmNT(
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
  ): void;

  /**
   * `C[M, N] += A[M, K] · B[K, N]`. Backward: dx[B, in] += dGates[B, G*H] · W_ih
   * (and dhPrev through W_hh).
   */
  gemmNN(
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
  ): void;

  /**
   * `C[M, N] += Aᵀ · B[K, N]` with `A` stored `[K, M]`. Backward, weight
   * gradients: dW[G*H, in] += dGates[T*B, G*H]ᵀ · x[T*B, in].
   */
  gemmTN(
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
  ): void;
}
