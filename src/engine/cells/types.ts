import type { Kernels } from '../kernels/types';
import type { Quantity } from '../types';

/**
 * Everything one layer and direction needs to run its cell step by step: the
 * recurrent weights, the precomputed input projection, the state, the trace
 * arrays and the scratch buffers. Built once per workspace (never in the step
 * loop). Shapes: B batch, H hidden, G gate blocks, GH = G*H; time-major.
 */
export interface CellRun {
  kernels: Kernels;
  T: number;
  B: number;
  H: number;
  G: number;
  /** `weight_hh` `[G*H, H]` and `bias_hh` `[G*H]` (null without bias). */
  whh: Float32Array;
  bhh: Float32Array | null;
  /** Their gradients (accumulated by `backwardStep`). */
  gwhh: Float32Array;
  gbhh: Float32Array | null;
  /** Input projection `[T, B, G*H]` = x_t · W_ihᵀ + b_ih, filled before the steps. */
  proj: Float32Array;
  /** Scratch `[B, G*H]`: the recurrent term hPrev · W_hhᵀ + b_hh of the current step. */
  gh: Float32Array;
  /** Running state `[B, H]`: hPrev before a step, h after it (only valid rows change). */
  hState: Float32Array;
  /** LSTM cell state `[B, H]`, else null. */
  cState: Float32Array | null;
  /** `valid[b]` = 1 when step t is inside sequence b (set before each step). */
  valid: Uint8Array;
  /** Trace arrays `[T, B, H]` (see `LayerTrace`). */
  act: Partial<Record<Quantity, Float32Array>>;
  pre: Partial<Record<Quantity, Float32Array>>;
  /** PyTorch GRU only: `[T, B, H]` the term W_hn hPrev + b_hn the reset gate scales. */
  ghn: Float32Array | null;
  /** Scratch `[B, H]`: textbook GRU's r * hPrev (forward). */
  rh: Float32Array;

  // Backward (set by bptt before each backwardStep).
  /** `[T, B, H]` hPrev of every step, row t gathered before step t (rows of invalid steps are 0). */
  hPrev: Float32Array;
  /** `[B, H]` cPrev of the current step t (rows of invalid steps are 0). */
  cPrev: Float32Array;
  /** `[T, B, H]` textbook GRU: r * hPrev of every step (written by its backwardStep). */
  rhAll: Float32Array;
  /** `[B, H]` total dL/dh_t and dL/dc_t (rows of invalid steps are 0). */
  dh: Float32Array;
  dc: Float32Array;
  /** `[T, B, G*H]` written at step t: dL/d(input-side pre-activation), i.e. w.r.t. proj. */
  dProj: Float32Array;
  /** `[T, B, G*H]` written at step t: dL/d(recurrent term), for the deferred dW_hh. */
  dGh: Float32Array;
  /** Scratch `[B, H]` (textbook GRU: dL/d(r * hPrev)). */
  drh: Float32Array;
  /** Outputs of backwardStep `[B, H]`: dL/dhPrev and dL/dcPrev through this step. */
  dhPrev: Float32Array;
  dcPrev: Float32Array;
}

/** One recurrent cell: a step forward and its exact step backward. */
export interface CellImpl {
  /**
   * Step t: reads `hState`/`cState` (= hPrev/cPrev) and `proj[t]`, writes the
   * trace at [t, b] (zeros for rows with `valid[b] = 0`) and updates the state
   * of valid rows only.
   */
  forwardStep(run: CellRun, t: number): void;
  /**
   * Backward of step t given `dh`, `dc`, `hPrev[t]`, `cPrev`: writes `dProj[t]`,
   * `dGh[t]`, `dhPrev`, `dcPrev`.
   */
  backwardStep(run: CellRun, t: number): void;
  /** After every backwardStep: accumulates `gwhh` and `gbhh` over all steps at once. */
  weightGrads(run: CellRun): void;
}
