/**
 * Backward through time, and gradient clipping.
 *
 * Given dL/d(output) `[T, B, D*H]`, dL/dhN, dL/dcN and/or dL/d(readout), for
 * each layer from the top and each direction, in reverse processing order:
 *   dh_t   = dL/d(output_t) (this direction's half) + dL/dh_t carried from step t+1
 *   (dL/dh_t is recorded as `dLdh[key][t]`)
 *   step   = CELLS[cell].backwardStep: gate gradients, dW_hh, db_hh, dhPrev, dcPrev
 * then, over all T*B rows at once, dW_ih += dGatesᵀ · x, db_ih += Σ dGates and
 * dx = dGates · W_ih, which is the layer below's dL/d(output) (through the
 * dropout mask in training).
 *
 * Truncated BPTT with window k: the sequence is cut into chunks of k steps in
 * each direction's processing order (counted from each sequence's own first
 * step), and no gradient crosses a chunk boundary through the recurrent state
 * (as running the chunks one after another with detached states). Gradients
 * between layers and from the loss are never cut.
 */
import { EngineError } from './errors';
import { CELLS } from './cells';
import { getKernels } from './kernels';
import { hasBackwardLayer } from './kernels/layer';
import { directions } from './model';
import type { Model } from './model';
import { checkArray, workspaceOf } from './unroll';
import type { Workspace } from './unroll';
import { gateCount } from './types';
import type { Trace } from './types';

export interface BackwardOptions {
  /** dL/d(output) `[T, B, D*H]` (the last layer's output). */
  dOutput?: ArrayLike<number> | null;
  /** dL/dhN and dL/dcN `[numLayers*D, B, H]`. */
  dhN?: ArrayLike<number> | null;
  dcN?: ArrayLike<number> | null;
  /** dL/d(readout logits), shaped as `trace.readout` (from a loss in loss.ts). */
  dReadout?: ArrayLike<number> | null;
  /** Truncated BPTT window k in steps; 0 or absent for full BPTT. */
  truncate?: number;
  /** Add into `model.grads` instead of overwriting them (default false). */
  accumulate?: boolean;
  /**
   * Compute dL/d(input) (default true). False skips the first layer's input-side product
   * dGates · W_ih (training needs only the parameter gradients) and leaves `dInput` at 0.
   */
  inputGrad?: boolean;
}

/** Gradients that are not parameters. Arrays are owned by the workspace (reused). */
export interface BackwardResult {
  /** dL/d(input) `[T, B, inputSize]` (0 when `inputGrad` is false). */
  dInput: Float32Array;
  /** dL/dh0 and dL/dc0 (LSTM) `[numLayers*D, B, H]`. */
  dh0: Float32Array;
  dc0: Float32Array | null;
  /** Total dL/dh_t per layer key (`l0`, `l0_reverse`, ...), each `[T, B, H]`, 0 at padded steps. */
  dLdh: Record<string, Float32Array>;
}

interface GradBuffers {
  dTop: Float32Array;
  dMid: Float32Array;
  dY: Float32Array;
  carryH: Float32Array;
  carryC: Float32Array;
  result: BackwardResult;
}

function gradBuffers(ws: Workspace): GradBuffers {
  if (ws.grad) return ws.grad as GradBuffers;
  const { spec, T, B } = ws;
  const H = spec.hiddenSize;
  const D = directions(spec);
  const L = spec.numLayers;
  const GH = gateCount(spec.cell) * H;
  const TBH = T * B * H;
  // Shared by every layer and direction: each finishes with them before the next starts.
  const dProj = new Float32Array(T * B * GH);
  const dGh = new Float32Array(T * B * GH);
  const hPrev = new Float32Array(TBH);
  const rhAll = new Float32Array(spec.cell === 'gru-textbook' ? TBH : 0);
  for (const run of ws.runs) {
    run.dProj = dProj;
    run.dGh = dGh;
    run.hPrev = hPrev;
    run.rhAll = rhAll;
    run.cPrev = new Float32Array(B * H);
    run.dh = new Float32Array(B * H);
    run.dc = new Float32Array(B * H);
    run.drh = new Float32Array(B * H);
    run.dhPrev = new Float32Array(B * H);
    run.dcPrev = new Float32Array(B * H);
  }
  const dLdh: Record<string, Float32Array> = {};
  for (const lt of ws.trace.layers) dLdh[lt.key] = new Float32Array(TBH);
  const g: GradBuffers = {
    dTop: new Float32Array(T * B * D * H),
    dMid: new Float32Array(L > 1 ? T * B * D * H : 0),
    dY: new Float32Array(ws.trace.readout ? ws.trace.readout.length : 0),
    carryH: new Float32Array(B * H),
    carryC: new Float32Array(B * H),
    result: {
      dInput: new Float32Array(T * B * spec.inputSize),
      dh0: new Float32Array(L * D * B * H),
      dc0: spec.cell === 'lstm' ? new Float32Array(L * D * B * H) : null,
      dLdh,
    },
  };
  ws.grad = g;
  return g;
}

/**
 * Backpropagates through the last forward of `trace` (which must come from
 * `forward`, on a workspace not reused since). Writes every parameter's
 * gradient into `model.grads` (added when `accumulate`), returns dL/d(input),
 * dL/dh0, dL/dc0 and dL/dh per step of every layer and direction.
 */
export function backward(
  model: Model,
  trace: Trace,
  options: BackwardOptions = {},
): BackwardResult {
  const ws = workspaceOf(trace);
  if (!ws || ws.trace !== trace) throw new EngineError('TRACE_UNKNOWN');
  const spec = model.spec;
  const { T, B } = ws;
  const H = spec.hiddenSize;
  const D = directions(spec);
  const L = spec.numLayers;
  const GH = gateCount(spec.cell) * H;
  const DH = D * H;
  const TB = T * B;
  const k = options.truncate ?? 0;
  if (!Number.isInteger(k) || k < 0) {
    throw new EngineError('OPTION_INVALID', {
      name: 'truncate',
      expected: 'an integer >= 0 (0 = full BPTT)',
      actual: String(k),
    });
  }
  const g = gradBuffers(ws);
  const kernels = getKernels();
  const cell = CELLS[spec.cell];
  const lengths = trace.lengths;
  if (!options.accumulate) model.grads.fill(0);

  // dL/d(top output), from the caller and through the readout.
  const dTop = g.dTop;
  if (options.dOutput) {
    checkArray('dOutput', options.dOutput, [T, B, DH]);
    dTop.set(options.dOutput);
  } else dTop.fill(0);
  if (options.dReadout) {
    const ro = model.readout;
    const y = trace.readout;
    if (!ro || !y) throw new EngineError('NO_READOUT', { what: 'dReadout' });
    const O = ro.outputSize;
    const steps = trace.readoutSteps;
    checkArray('dReadout', options.dReadout, steps === T ? [T, B, O] : [B, O]);
    const dY = g.dY;
    dY.set(options.dReadout);
    if (steps === T) {
      for (let t = 0; t < T; t++)
        for (let b = 0; b < B; b++)
          if (t >= lengths[b]) dY.fill(0, (t * B + b) * O, (t * B + b + 1) * O);
      for (let r = 0; r < TB; r++) for (let o = 0; o < O; o++) ro.gbias[o] += dY[r * O + o];
      kernels.gemmTN(O, DH, TB, dY, 0, O, trace.output, 0, DH, ro.gweight, 0, DH);
      kernels.gemmNN(TB, DH, O, dY, 0, O, ro.weight, 0, DH, dTop, 0, DH);
    } else {
      const last = ws.lastOut as Float32Array;
      for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) ro.gbias[o] += dY[b * O + o];
      kernels.gemmTN(O, DH, B, dY, 0, O, last, 0, DH, ro.gweight, 0, DH);
      for (let b = 0; b < B; b++) {
        const r = (lengths[b] - 1) * B + b;
        kernels.gemmNN(1, DH, O, dY, b * O, O, ro.weight, 0, DH, dTop, r * DH, DH);
      }
    }
  }
  if (options.dhN) checkArray('dhN', options.dhN, [L * D, B, H]);
  if (options.dcN) {
    if (!trace.cN) {
      throw new EngineError('OPTION_INVALID', {
        name: 'dcN',
        expected: 'absent for a cell without c',
        actual: 'an array',
      });
    }
    checkArray('dcN', options.dcN, [L * D, B, H]);
  }

  const { result, carryH, carryC } = g;
  let dOut = dTop;
  for (let l = L - 1; l >= 0; l--) {
    // Where this layer's input gradient goes: dInput for layer 0, else a buffer
    // that must differ from dOut (ping-pong between dTop and dMid).
    const dIn = l === 0 ? result.dInput : dOut === dTop ? g.dMid : dTop;
    dIn.fill(0);
    const X = trace.layerInputs[l];
    const wantIn = l > 0 || options.inputGrad !== false;
    for (let d = 0; d < D; d++) {
      const idx = l * D + d;
      const lp = model.layers[idx];
      const run = ws.runs[idx];
      run.kernels = kernels;
      run.whh = lp.whh;
      run.bhh = lp.bhh;
      run.gwhh = lp.gwhh;
      run.gbhh = lp.gbhh;
      const so = idx * B * H;
      if (options.dhN) for (let i = 0; i < B * H; i++) carryH[i] = options.dhN[so + i];
      else carryH.fill(0);
      if (options.dcN) for (let i = 0; i < B * H; i++) carryC[i] = options.dcN[so + i];
      else carryC.fill(0);
      const dLdh = result.dLdh[trace.layers[idx].key];
      // Kernels that run a whole layer's backward in one call (WebAssembly SIMD) take the
      // step loop, the weight gradients and the input side over (unless they decline).
      if (
        hasBackwardLayer(kernels) &&
        kernels.backwardLayer({
          cell: spec.cell,
          T,
          B,
          I: lp.inSize,
          H,
          reverse: d === 1,
          lengths,
          truncate: k,
          x: X,
          wih: lp.wih,
          whh: lp.whh,
          act: run.act,
          pre: run.pre,
          ghn: run.ghn,
          h0: trace.h0.subarray(so, so + B * H),
          c0: trace.c0 ? trace.c0.subarray(so, so + B * H) : null,
          dOut,
          dOutOffset: d * H,
          dOutStride: DH,
          carryH,
          carryC: trace.c0 ? carryC : null,
          dLdh,
          gwih: lp.gwih,
          gwhh: lp.gwhh,
          gbih: lp.gbih,
          gbhh: lp.gbhh,
          dIn: wantIn ? dIn : null,
        })
      ) {
        result.dh0.set(carryH, so);
        if (result.dc0) result.dc0.set(carryC, so);
        continue;
      }
      const hAct = run.act.h as Float32Array;
      const cAct = run.act.c ?? null;
      const h0 = trace.h0;
      const c0 = trace.c0;
      const { dh, dc, hPrev, cPrev, dhPrev, dcPrev } = run;
      for (let s = 0; s < T; s++) {
        const t = d === 0 ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          const o = b * H;
          const tr = (t * B + b) * H;
          if (t >= lengths[b]) {
            dh.fill(0, o, o + H);
            dc.fill(0, o, o + H);
            hPrev.fill(0, tr, tr + H);
            cPrev.fill(0, o, o + H);
            dLdh.fill(0, tr, tr + H);
            continue;
          }
          const first = d === 0 ? t === 0 : t === lengths[b] - 1;
          const src = first ? so + o : d === 0 ? tr - B * H : tr + B * H;
          const hSrc = first ? h0 : hAct;
          const dOff = (t * B + b) * DH + d * H;
          for (let j = 0; j < H; j++) {
            const v = dOut[dOff + j] + carryH[o + j];
            dh[o + j] = v;
            dLdh[tr + j] = v;
            dc[o + j] = carryC[o + j];
            hPrev[tr + j] = hSrc[src + j];
          }
          if (cAct && c0) {
            const cSrc = first ? c0 : cAct;
            for (let j = 0; j < H; j++) cPrev[o + j] = cSrc[src + j];
          }
        }
        cell.backwardStep(run, t);
        for (let b = 0; b < B; b++) {
          if (t >= lengths[b]) continue;
          const o = b * H;
          const pos = d === 0 ? t : lengths[b] - 1 - t;
          if (k > 0 && pos > 0 && pos % k === 0) {
            carryH.fill(0, o, o + H);
            carryC.fill(0, o, o + H);
          } else {
            for (let j = 0; j < H; j++) {
              carryH[o + j] = dhPrev[o + j];
              carryC[o + j] = dcPrev[o + j];
            }
          }
        }
      }
      cell.weightGrads(run);
      result.dh0.set(carryH, so);
      if (result.dc0) result.dc0.set(carryC, so);
      // Input side, all steps at once.
      const dProj = run.dProj;
      const inSize = lp.inSize;
      if (lp.gbih) {
        const gb = lp.gbih;
        for (let r = 0; r < TB; r++) {
          const o = r * GH;
          for (let j = 0; j < GH; j++) gb[j] += dProj[o + j];
        }
      }
      kernels.gemmTN(GH, inSize, TB, dProj, 0, GH, X, 0, inSize, lp.gwih, 0, inSize);
      if (wantIn) kernels.gemmNN(TB, inSize, GH, dProj, 0, GH, lp.wih, 0, inSize, dIn, 0, inSize);
    }
    if (l > 0 && ws.masks && trace.layerInputs[l] !== ws.outs[l - 1]) {
      const mask = ws.masks[l - 1];
      for (let i = 0; i < dIn.length; i++) dIn[i] *= mask[i];
    }
    dOut = dIn;
  }
  return result;
}

/**
 * Scales `grads` in place so their global L2 norm is at most `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: factor = min(1, maxNorm / (norm + 1e-6)).
 * Returns the norm before clipping (Infinity/NaN when a gradient is not finite).
 */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  const norm = gradNorm(grads);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i] *= coef;
  return norm;
}

/** Global L2 norm of a flat gradient array (summed in float64). */
export function gradNorm(grads: Float32Array): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** Clamps every gradient to [-clipValue, clipValue] in place (`clip_grad_value_`). */
export function clipGradValue(grads: Float32Array, clipValue: number): void {
  for (let i = 0; i < grads.length; i++) {
    const v = grads[i];
    if (v > clipValue) grads[i] = clipValue;
    else if (v < -clipValue) grads[i] = -clipValue;
  }
}
