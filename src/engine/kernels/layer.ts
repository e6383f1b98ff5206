/**
 * An optional whole-layer fast path for kernel sets that can run a layer's entire time loop
 * in one call (the WebAssembly SIMD kernels in src/wasm): at small hidden sizes the cost of
 * one call per step, not the arithmetic, is what dominates.
 *
 * `forward` (unroll.ts) uses it when the active kernels have `forwardLayer` and every
 * sequence in the batch is full length; otherwise it runs the cells step by step with the
 * matrix kernels. Both paths fill the same trace (the reference tests run on both).
 */
import type { CellKind, Quantity } from '../types';
import type { Kernels } from './types';

/** Everything one layer and direction needs to run forward (PyTorch layouts, time-major). */
export interface LayerForwardArgs {
  cell: CellKind;
  T: number;
  B: number;
  /** Input size of this layer. */
  I: number;
  H: number;
  /** Walk t = T-1 .. 0 (a `_reverse` direction). */
  reverse: boolean;
  /** `[T, B, I]` this layer's input. */
  x: Float32Array;
  /** `weight_ih` `[G*H, I]`, `weight_hh` `[G*H, H]`, biases `[G*H]` (null without bias). */
  wih: Float32Array;
  whh: Float32Array;
  bih: Float32Array | null;
  bhh: Float32Array | null;
  /** `[B, H]` initial states (`c0` LSTM only). */
  h0: Float32Array;
  c0: Float32Array | null;
  /** Written: trace arrays `[T, B, H]` per quantity, as `LayerTrace.act` / `.pre`. */
  act: Partial<Record<Quantity, Float32Array>>;
  pre: Partial<Record<Quantity, Float32Array>>;
  /** Written for the PyTorch GRU: `[T, B, H]` the term W_hn hPrev + b_hn (the backward needs it). */
  ghn: Float32Array | null;
  /** Written: final states `[B, H]` (`cN` LSTM only). */
  hN: Float32Array;
  cN: Float32Array | null;
}

/** A kernel set that also runs whole layers. */
export interface LayerKernels extends Kernels {
  /**
   * Runs one layer and direction over all T steps (every sequence full length), with the
   * equations of src/engine/cells, writing every array named in `LayerForwardArgs`.
   */
  forwardLayer(args: LayerForwardArgs): void;
}

/** Whether `k` offers the whole-layer fast path. */
export function hasForwardLayer(k: Kernels): k is LayerKernels {
  return typeof (k as Partial<LayerKernels>).forwardLayer === 'function';
}

/** What `runLayerFast` reads from the engine (structural, to keep this file free of cycles). */
interface FastLayerParams {
  inSize: number;
  wih: Float32Array;
  whh: Float32Array;
  bih: Float32Array | null;
  bhh: Float32Array | null;
}
interface FastRun {
  T: number;
  B: number;
  H: number;
  act: Partial<Record<Quantity, Float32Array>>;
  pre: Partial<Record<Quantity, Float32Array>>;
  ghn: Float32Array | null;
  hState: Float32Array;
  cState: Float32Array | null;
}
interface FastTrace {
  lengths: Int32Array;
  h0: Float32Array;
  c0: Float32Array | null;
  hN: Float32Array;
  cN: Float32Array | null;
}

/**
 * The hook `forward` calls for layer and direction `idx` (= layer * D + direction): when the
 * active kernels run whole layers and every sequence is full length, runs the layer through
 * `forwardLayer`, sets the run's final state and `hN`/`cN` as the step loop would, and
 * returns true; otherwise returns false and the caller runs the step loop.
 */
export function runLayerFast(
  kernels: Kernels,
  cell: CellKind,
  lp: FastLayerParams,
  run: FastRun,
  x: Float32Array,
  trace: FastTrace,
  idx: number,
  reverse: boolean,
): boolean {
  if (!hasForwardLayer(kernels)) return false;
  const { T, B, H } = run;
  for (let b = 0; b < B; b++) if (trace.lengths[b] !== T) return false;
  const so = idx * B * H;
  const hN = trace.hN.subarray(so, so + B * H);
  const cN = trace.cN ? trace.cN.subarray(so, so + B * H) : null;
  kernels.forwardLayer({
    cell,
    T,
    B,
    I: lp.inSize,
    H,
    reverse,
    x,
    wih: lp.wih,
    whh: lp.whh,
    bih: lp.bih,
    bhh: lp.bhh,
    h0: trace.h0.subarray(so, so + B * H),
    c0: trace.c0 ? trace.c0.subarray(so, so + B * H) : null,
    act: run.act,
    pre: run.pre,
    ghn: run.ghn,
    hN,
    cN,
  });
  run.hState.set(hN);
  if (run.cState && cN) run.cState.set(cN);
  return true;
}

/**
 * Everything one layer and direction needs to run backward through time (PyTorch layouts,
 * time-major); the arguments of `LayerKernels.backwardLayer`. The equations, padding and
 * truncation are those of src/engine/bptt.ts and src/engine/cells.
 */
export interface LayerBackwardArgs {
  cell: CellKind;
  T: number;
  B: number;
  /** Input size of this layer. */
  I: number;
  H: number;
  /** The `_reverse` direction (processing order t = 0 .. T-1 in the backward). */
  reverse: boolean;
  /** Valid steps per sequence `[B]`; steps t >= lengths[b] are padding. */
  lengths: Int32Array;
  /** Truncated-BPTT window k (0: full BPTT). */
  truncate: number;
  /** `[T, B, I]` this layer's input (as the forward saw it, after dropout). */
  x: Float32Array;
  wih: Float32Array;
  whh: Float32Array;
  /** The forward's trace of this layer and direction (`LayerTrace.act` / `.pre`) and `ghn` (PyTorch GRU). */
  act: Partial<Record<Quantity, Float32Array>>;
  pre: Partial<Record<Quantity, Float32Array>>;
  ghn: Float32Array | null;
  /** `[B, H]` initial states the forward used (`c0` LSTM only). */
  h0: Float32Array;
  c0: Float32Array | null;
  /**
   * dL/d(this layer's output): row r = t*B + b of this direction's half is
   * `dOut[dOutOffset + r * dOutStride + j]`, j < H.
   */
  dOut: Float32Array;
  dOutOffset: number;
  dOutStride: number;
  /** `[B, H]` in: dL/dh_N (dL/dc_N); out: dL/dh0 (dL/dc0). `carryC` LSTM only. */
  carryH: Float32Array;
  carryC: Float32Array | null;
  /** Written: `[T, B, H]` total dL/dh_t (0 at padded steps). */
  dLdh: Float32Array;
  /**
   * Accumulated (+=): parameter gradients (bias ones null without bias) and dL/dx `[T, B, I]`
   * (null: not wanted, the product is skipped).
   */
  gwih: Float32Array;
  gwhh: Float32Array;
  gbih: Float32Array | null;
  gbhh: Float32Array | null;
  dIn: Float32Array | null;
}

/** A kernel set that also runs a whole layer's backward through time. */
export interface BackwardLayerKernels extends Kernels {
  /**
   * Backward of one layer and direction over all T steps: from `dOut` and the carries,
   * writes `dLdh` and the carries (dL/dh0, dL/dc0) and adds into the weight gradients and
   * `dIn`, exactly as bptt's step loop with the cells' `backwardStep` and `weightGrads`.
   * Returns false, having changed nothing, when it cannot run this layer (e.g. its memory
   * cannot grow that far): bptt then runs the step loop.
   */
  backwardLayer(args: LayerBackwardArgs): boolean;
}

/** Whether `k` offers the whole-layer backward. */
export function hasBackwardLayer(k: Kernels): k is BackwardLayerKernels {
  return typeof (k as Partial<BackwardLayerKernels>).backwardLayer === 'function';
}
