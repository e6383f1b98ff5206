/**
 * Forward over time, recording the full trace.
 *
 * For each layer l (bottom up) and direction d (forward in time, then reverse):
 *   proj[t, b]  = x_l[t, b] · W_ihᵀ + b_ih          one mat-mat over all T*B rows
 *   step t      = CELLS[cell].forwardStep            recurrent mat-vec + gates
 * The forward direction runs t = 0 .. lengths[b]-1; the reverse direction
 * starts at each sequence's own last valid step lengths[b]-1 and runs down to
 * 0 (as PyTorch packed sequences). Steps after a sequence's end leave the
 * state untouched and record zeros, so padding never changes a result.
 * Layer l's output `[T, B, D*H]` (forward half first) is layer l+1's input,
 * after dropout in training.
 *
 * All buffers live in a `Workspace` made once per (spec, T, B) and reused by
 * every later forward and backward on it: the step loop allocates nothing.
 */
import { CELLS } from './cells';
import type { CellRun } from './cells';
import { EngineError } from './errors';
import { getKernels } from './kernels';
import { runLayerFast } from './kernels/layer';
import { hasTraceArena } from './kernels/arena';
import { directions } from './model';
import type { Model } from './model';
import { Rng } from './random';
import { QUANTITIES, gateCount, layerKey } from './types';
import type { Direction, LayerTrace, ModelSpec, Quantity, Trace } from './types';

/** Preallocated buffers of one (spec, T, B). Treat as opaque outside the engine. */
export interface Workspace {
  readonly spec: ModelSpec;
  readonly T: number;
  readonly B: number;
  /** Identity of the shape-relevant spec fields (see `specKey`). */
  readonly key: string;
  /** The trace every forward on this workspace fills (same arrays each time). */
  readonly trace: Trace;
  /** Per layer and direction (index `layer * D + direction`). */
  readonly runs: CellRun[];
  /** Output of every layer `[T, B, D*H]`; the last is `trace.output`. */
  readonly outs: Float32Array[];
  /** Dropout masks (0 or 1/(1-p)) and dropped outputs for layers 0..L-2, made on first use. */
  masks: Float32Array[] | null;
  dropped: Float32Array[] | null;
  /** Readout input at each sequence's last valid step `[B, D*H]` (mode `last`). */
  readonly lastOut: Float32Array | null;
  /** Backward buffers, made by the first `backward` on this workspace. */
  grad: unknown;
  /** Incremented by every forward (lets `backward` refuse a stale trace). */
  version: number;
}

const owners = new WeakMap<Trace, Workspace>();

/** The workspace that owns `trace` (undefined for a copied trace). */
export function workspaceOf(trace: Trace): Workspace | undefined {
  return owners.get(trace);
}

/** A string naming everything that decides buffer shapes (cell, sizes, layers, D, readout). */
export function specKey(spec: ModelSpec, T: number, B: number): string {
  const r = spec.readout ? `${spec.readout.outputSize}${spec.readout.mode}` : '-';
  const D = directions(spec);
  return `${spec.cell}|${spec.inputSize}|${spec.hiddenSize}|${spec.numLayers}|${D}|${r}|${T}|${B}`;
}

/**
 * Allocates every forward buffer for (spec, T, B): trace arrays `[T, B, H]` per
 * quantity, layer outputs, input projection `[T, B, G*H]`, states and scratch.
 */
export function createWorkspace(spec: ModelSpec, T: number, B: number): Workspace {
  checkDim('T', T);
  checkDim('B', B);
  const H = spec.hiddenSize;
  const G = gateCount(spec.cell);
  const GH = G * H;
  const D = directions(spec);
  const L = spec.numLayers;
  const I = spec.inputSize;
  const TBH = T * B * H;
  const kernels = getKernels();
  const proj = new Float32Array(T * B * GH);
  const dProj = new Float32Array(0); // replaced by backward on first use
  const isLstm = spec.cell === 'lstm';
  const quantities = QUANTITIES[spec.cell] as readonly Quantity[];
  const gates: readonly Quantity[] =
    spec.cell === 'rnn-tanh' || spec.cell === 'rnn-relu'
      ? ['h']
      : quantities.filter((q) => q !== 'c' && q !== 'h');
  const layers: LayerTrace[] = [];
  const runs: CellRun[] = [];
  const empty = new Float32Array(0);
  // The trace arrays, carved from one block the kernels may hold in their own memory
  // (whole-layer kernels then write them in place: see kernels/arena.ts).
  const perLayer = quantities.length + gates.length + (spec.cell === 'gru' ? 1 : 0);
  const traceFloats = L * D * perLayer * TBH;
  const arena = hasTraceArena(kernels) ? kernels.traceArena(spec, T, B, traceFloats) : null;
  let carved = 0;
  const traceArray = (): Float32Array => {
    if (!arena) return new Float32Array(TBH);
    carved += TBH;
    return arena.subarray(carved - TBH, carved);
  };
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const act: LayerTrace['act'] = {};
      const pre: LayerTrace['pre'] = {};
      for (const q of quantities) act[q] = traceArray();
      for (const q of gates) pre[q] = traceArray();
      const dir = d as Direction;
      layers.push({ key: layerKey(l, dir), layer: l, direction: dir, act, pre });
      runs.push({
        kernels,
        T,
        B,
        H,
        G,
        whh: empty,
        bhh: null,
        gwhh: empty,
        gbhh: null,
        proj,
        gh: new Float32Array(B * GH),
        hState: new Float32Array(B * H),
        cState: isLstm ? new Float32Array(B * H) : null,
        valid: new Uint8Array(B),
        act,
        pre,
        ghn: spec.cell === 'gru' ? traceArray() : null,
        rh: new Float32Array(B * H),
        hPrev: empty,
        cPrev: empty,
        rhAll: empty,
        dh: empty,
        dc: empty,
        dProj,
        dGh: empty,
        drh: empty,
        dhPrev: empty,
        dcPrev: empty,
      });
    }
  }
  const outs: Float32Array[] = [];
  for (let l = 0; l < L; l++) outs.push(new Float32Array(T * B * D * H));
  const input = new Float32Array(T * B * I);
  const layerInputs: Float32Array[] = [input];
  for (let l = 1; l < L; l++) layerInputs.push(outs[l - 1]);
  const O = spec.readout?.outputSize ?? 0;
  const readoutSteps = spec.readout ? (spec.readout.mode === 'every' ? T : 1) : 0;
  const trace: Trace = {
    spec,
    T,
    B,
    lengths: new Int32Array(B).fill(T),
    training: false,
    input,
    h0: new Float32Array(L * D * B * H),
    c0: isLstm ? new Float32Array(L * D * B * H) : null,
    layerInputs,
    layers,
    output: outs[L - 1],
    hN: new Float32Array(L * D * B * H),
    cN: isLstm ? new Float32Array(L * D * B * H) : null,
    readout: spec.readout ? new Float32Array(readoutSteps * B * O) : null,
    probs: spec.readout ? new Float32Array(readoutSteps * B * O) : null,
    readoutSteps,
    nonFinite: null,
  };
  const ws: Workspace = {
    spec,
    T,
    B,
    key: specKey(spec, T, B),
    trace,
    runs,
    outs,
    masks: null,
    dropped: null,
    lastOut: spec.readout?.mode === 'last' ? new Float32Array(B * D * H) : null,
    grad: null,
    version: 0,
  };
  owners.set(trace, ws);
  return ws;
}

/** `ws` when it fits (spec, T, B), else a new workspace. */
export function ensureWorkspace(
  ws: Workspace | null | undefined,
  spec: ModelSpec,
  T: number,
  B: number,
): Workspace {
  if (ws && ws.key === specKey(spec, T, B)) return ws;
  return createWorkspace(spec, T, B);
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new EngineError('DIM_INVALID', { name, expected: 'an integer >= 1', actual: String(v) });
  }
}

/** Checks a flat input's length and finiteness (`name` appears in the error). */
export function checkArray(name: string, data: ArrayLike<number>, shape: readonly number[]): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new EngineError('INPUT_SIZE', {
      name,
      expected,
      shape: shape.join(', '),
      actual: data.length,
    });
  }
  if (data instanceof Float32Array && allFinite(data)) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new EngineError('INPUT_NOT_FINITE', { name, value: String(v), index: i });
    }
  }
}

/** Whether every value is finite: one branch-free pass (v - v is NaN for ±Infinity and NaN). */
function allFinite(a: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] - a[i];
  return s === 0;
}

export interface ForwardOptions {
  /** Batch size B (default 1); T is `input.length / (B * inputSize)`. */
  B?: number;
  /** Initial hidden states `[numLayers*D, B, H]` (default zeros). */
  h0?: ArrayLike<number> | null;
  /** Initial cell states (LSTM) `[numLayers*D, B, H]` (default zeros). */
  c0?: ArrayLike<number> | null;
  /** Valid steps per sequence `[B]`, each in [1, T] (default all T). */
  lengths?: ArrayLike<number> | null;
  /** Training mode: applies `spec.dropout` between layers (default false). */
  training?: boolean;
  /** Seed of the dropout masks (default 0). Same seed, same masks. */
  seed?: number;
  /** Workspace to reuse; made (or replaced, when it does not fit) otherwise. */
  workspace?: Workspace | null;
}

/**
 * Runs the model over `input` `[T, B, inputSize]` (time-major, row-major) and
 * returns the trace, owned by the workspace (`options.workspace` when given
 * and fitting (spec, T, B), else a new one: reach it with `workspaceOf`).
 * Throws `INPUT_SIZE`, `INPUT_NOT_FINITE`, `DIM_INVALID`, `LENGTHS_INVALID`.
 */
export function forward(
  model: Model,
  input: ArrayLike<number>,
  options: ForwardOptions = {},
): Trace {
  const spec = model.spec;
  const B = options.B ?? 1;
  checkDim('B', B);
  const I = spec.inputSize;
  const T = input.length / (B * I);
  if (!Number.isInteger(T) || T < 1) {
    throw new EngineError('INPUT_SIZE', {
      name: 'input',
      expected: `a multiple of B * inputSize = ${B * I}`,
      shape: `T, ${B}, ${I}`,
      actual: input.length,
    });
  }
  const ws = ensureWorkspace(options.workspace, spec, T, B);
  const H = spec.hiddenSize;
  const D = directions(spec);
  const L = spec.numLayers;
  const trace = ws.trace;
  trace.spec = spec;
  checkArray('input', input, [T, B, I]);
  trace.input.set(input);
  if (options.h0) {
    checkArray('h0', options.h0, [L * D, B, H]);
    trace.h0.set(options.h0);
  } else trace.h0.fill(0);
  if (trace.c0) {
    if (options.c0) {
      checkArray('c0', options.c0, [L * D, B, H]);
      trace.c0.set(options.c0);
    } else trace.c0.fill(0);
  }
  const lengths = trace.lengths;
  if (options.lengths) {
    if (options.lengths.length !== B) {
      throw new EngineError('INPUT_SIZE', {
        name: 'lengths',
        expected: B,
        shape: String(B),
        actual: options.lengths.length,
      });
    }
    for (let b = 0; b < B; b++) {
      const n = options.lengths[b];
      if (!Number.isInteger(n) || n < 1 || n > T) {
        throw new EngineError('LENGTHS_INVALID', { index: b, T, actual: String(n) });
      }
      lengths[b] = n;
    }
  } else lengths.fill(T);

  const p = spec.dropout ?? 0;
  const dropping = options.training === true && p > 0 && L > 1;
  trace.training = options.training === true;
  const rng = dropping ? new Rng(options.seed ?? 0) : null;
  trace.nonFinite = null;
  const kernels = getKernels();
  const cell = CELLS[spec.cell];
  const G = gateCount(spec.cell);
  const GH = G * H;
  const DH = D * H;
  const TB = T * B;

  for (let l = 0; l < L; l++) {
    const X = trace.layerInputs[l];
    const out = ws.outs[l];
    for (let d = 0; d < D; d++) {
      const idx = l * D + d;
      const lp = model.layers[idx];
      const run = ws.runs[idx];
      run.kernels = kernels;
      run.whh = lp.whh;
      run.bhh = lp.bhh;
      run.gwhh = lp.gwhh;
      run.gbhh = lp.gbhh;
      const inSize = lp.inSize;
      // Kernels that run a whole layer in one call (WebAssembly SIMD) take this part over.
      if (!runLayerFast(kernels, spec.cell, lp, run, X, trace, idx, d === 1)) {
        const proj = run.proj;
        // proj = X · W_ihᵀ + b_ih for all T*B rows at once.
        if (lp.bih) {
          const bih = lp.bih;
          for (let r = 0; r < TB; r++) proj.set(bih, r * GH);
        } else proj.fill(0);
        kernels.gemmNT(TB, GH, inSize, X, 0, inSize, lp.wih, 0, inSize, proj, 0, GH);
        const so = idx * B * H;
        run.hState.set(trace.h0.subarray(so, so + B * H));
        if (run.cState && trace.c0) run.cState.set(trace.c0.subarray(so, so + B * H));
        const valid = run.valid;
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          for (let b = 0; b < B; b++) valid[b] = t < lengths[b] ? 1 : 0;
          cell.forwardStep(run, t);
        }
        trace.hN.set(run.hState, so);
        if (trace.cN && run.cState) trace.cN.set(run.cState, so);
      }
      // tanh and gate cells keep h in [-1, 1] or NaN, and a NaN anywhere in h_t reaches every
      // unit of h_{t+1} through W_hh (NaN * 0 is NaN), so a finite final state means a finite
      // trace. ReLU can turn an overflow back into 0 (relu(-Inf)), so it is always scanned.
      const sN = idx * B * H;
      if (
        !trace.nonFinite &&
        (spec.cell === 'rnn-relu' || !allFinite(trace.hN.subarray(sN, sN + B * H)))
      )
        trace.nonFinite = firstNonFinite(run.act.h as Float32Array, B, H, idx, trace);
      // Output half d of this layer (zeros at padded steps, as the trace).
      const h = run.act.h as Float32Array;
      if (D === 1) out.set(h);
      else for (let r = 0; r < TB; r++) out.set(h.subarray(r * H, r * H + H), r * DH + d * H);
    }
    if (l < L - 1) {
      if (rng) {
        const { masks, dropped } = dropoutBuffers(ws);
        const mask = masks[l];
        const dst = dropped[l];
        const keep = 1 - p;
        const scale = 1 / keep;
        for (let i = 0; i < mask.length; i++) {
          const m = rng.uniform() < keep ? scale : 0;
          mask[i] = m;
          dst[i] = out[i] * m;
        }
        trace.layerInputs[l + 1] = dst;
      } else trace.layerInputs[l + 1] = out;
    }
  }
  if (spec.readout && model.readout) readoutForward(model, ws);
  ws.version++;
  return trace;
}

/** The first non-finite value of a `[T, B, H]` array, as a trace location, or null. */
function firstNonFinite(
  h: Float32Array,
  B: number,
  H: number,
  idx: number,
  trace: Trace,
): Trace['nonFinite'] {
  for (let i = 0; i < h.length; i++) {
    // v - v is 0 for finite v and NaN for ±Infinity and NaN: one test for both.
    const v = h[i];
    if (v - v !== 0) {
      return { key: trace.layers[idx].key, t: Math.floor(i / (B * H)), b: Math.floor(i / H) % B };
    }
  }
  return null;
}

function dropoutBuffers(ws: Workspace): { masks: Float32Array[]; dropped: Float32Array[] } {
  if (!ws.masks || !ws.dropped) {
    const n = ws.outs[0].length;
    ws.masks = [];
    ws.dropped = [];
    for (let l = 0; l < ws.spec.numLayers - 1; l++) {
      ws.masks.push(new Float32Array(n));
      ws.dropped.push(new Float32Array(n));
    }
  }
  return { masks: ws.masks, dropped: ws.dropped };
}

/**
 * y = out · fc.weightᵀ + fc.bias on every valid step (mode `every`, padded rows
 * 0) or on each sequence's last valid step (mode `last`), then softmax(y).
 */
function readoutForward(model: Model, ws: Workspace): void {
  const trace = ws.trace;
  const ro = model.readout;
  const y = trace.readout;
  const probs = trace.probs;
  if (!ro || !y || !probs) return;
  const kernels = getKernels();
  const { T, B } = ws;
  const O = ro.outputSize;
  const DH = ro.inSize;
  const out = trace.output;
  const lengths = trace.lengths;
  const rows = trace.readoutSteps * B;
  for (let r = 0; r < rows; r++) y.set(ro.bias, r * O);
  if (trace.readoutSteps === T) {
    kernels.gemmNT(T * B, O, DH, out, 0, DH, ro.weight, 0, DH, y, 0, O);
  } else {
    const last = ws.lastOut as Float32Array;
    for (let b = 0; b < B; b++) {
      const r = (lengths[b] - 1) * B + b;
      for (let j = 0; j < DH; j++) last[b * DH + j] = out[r * DH + j];
    }
    kernels.gemmNT(B, O, DH, last, 0, DH, ro.weight, 0, DH, y, 0, O);
  }
  softmaxRows(y, probs, rows, O);
  if (trace.readoutSteps === T) {
    // Padded steps have no output: logits and probabilities 0.
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        if (t >= lengths[b]) {
          y.fill(0, (t * B + b) * O, (t * B + b + 1) * O);
          probs.fill(0, (t * B + b) * O, (t * B + b + 1) * O);
        }
      }
    }
  }
}

/** probs[r, :] = softmax(y[r, :]), subtracting the row max so exp never overflows. */
export function softmaxRows(y: Float32Array, probs: Float32Array, rows: number, O: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * O;
    let m = -Infinity;
    for (let k = 0; k < O; k++) if (y[o + k] > m) m = y[o + k];
    let s = 0;
    for (let k = 0; k < O; k++) s += Math.exp(y[o + k] - m);
    for (let k = 0; k < O; k++) probs[o + k] = Math.exp(y[o + k] - m) / s;
  }
}

/** Index of layer `layer`, direction `direction` in `trace.layers`, `model.layers`, h0/hN. */
export function layerIndex(spec: ModelSpec, layer: number, direction: Direction): number {
  return layer * directions(spec) + direction;
}
