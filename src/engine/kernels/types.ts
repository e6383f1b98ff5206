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

  /**
   * Optional: a parameter updater with its optimizer state in the kernel set's own memory
   * (the WebAssembly SIMD optimizers), for `size` parameters and `slots` state arrays;
   * null when it cannot make one. The optimizers (src/engine/optimizers) use it when the
   * active kernels have it, and run their JS loops otherwise, on the same state arrays.
   */
  createUpdater?(size: number, slots: number): ParamUpdater | null;
}

/** One optimizer step's rule and hyper-parameters, as src/engine/optimizers applies them. */
export type UpdateRule =
  | {
      name: 'sgd';
      lr: number;
      momentum: number;
      dampening: number;
      nesterov: boolean;
      weightDecay: number;
      /** The first step since creation or reset (the momentum buffer starts as the gradient). */
      first: boolean;
    }
  | {
      name: 'adam';
      b1: number;
      b2: number;
      eps: number;
      weightDecay: number;
      /** lr / (1 - b1^t) and sqrt(1 - b2^t) at step t. */
      stepSize: number;
      bc2Sqrt: number;
    }
  | {
      name: 'rmsprop';
      lr: number;
      alpha: number;
      eps: number;
      weightDecay: number;
      momentum: number;
      centered: boolean;
    };

/** Optimizer state living in a kernel set's memory, and the update that runs there. */
export interface ParamUpdater {
  /**
   * The optimizer state: `slots` float64 arrays of `size` values, zero at creation (Adam:
   * m, v; SGD: momentum buffer; RMSprop: square average, gradient average, momentum buffer).
   * Plain typed arrays (views), valid for the updater's whole life.
   */
  readonly state: Float64Array[];
  /** One update of `params` in place from `grads` and the state, as the JS loops do it. */
  update(rule: UpdateRule, params: Float32Array, grads: Float32Array): void;
}
