/**
 * Losses on the readout, averaged over valid steps (padding never counts), and
 * the "external" loss of the forward reference cases.
 *
 * Mode `every`: one term per valid (t, b), t < lengths[b]; mode `last`: one term
 * per sequence, at its last valid step. N is the number of terms.
 *   MSE:            L = Σ (y - target)² / (N * O)        (nn.MSELoss, mean)
 *   cross-entropy:  L = Σ (logsumexp(y) - y[target]) / N  (nn.CrossEntropyLoss, mean)
 * `dReadout` (shaped as `trace.readout`) is dL/dy, 0 at padded steps; pass it
 * to `backward` as `dReadout`.
 */
import { EngineError } from './errors';
import { checkArray } from './unroll';
import type { Trace } from './types';

export interface LossResult {
  loss: number;
  /** dL/d(readout logits), shaped as `trace.readout`. Fresh array unless `out` was given. */
  dReadout: Float32Array;
  /** Number of averaged terms N. */
  count: number;
}

function readoutOf(trace: Trace, what: string): { y: Float32Array; O: number; rows: number } {
  const y = trace.readout;
  const r = trace.spec.readout;
  if (!y || !r) throw new EngineError('NO_READOUT', { what });
  return { y, O: r.outputSize, rows: trace.readoutSteps * trace.B };
}

/** Whether readout row r (t * B + b for mode `every`, b for `last`) is a valid term. */
function rowValid(trace: Trace, r: number): boolean {
  if (trace.readoutSteps === 1) return true;
  const t = Math.floor(r / trace.B);
  return t < trace.lengths[r - t * trace.B];
}

function outBuffer(n: number, out?: Float32Array): Float32Array {
  if (out && out.length === n) return out;
  return new Float32Array(n);
}

/**
 * Mean squared error of the readout against `target` (`[T, B, O]` for mode
 * `every`, `[B, O]` for `last`). `out` is reused for dReadout when its size fits.
 */
export function mseLoss(trace: Trace, target: ArrayLike<number>, out?: Float32Array): LossResult {
  const { y, O, rows } = readoutOf(trace, 'mseLoss');
  checkArray('target', target, trace.readoutSteps === 1 ? [trace.B, O] : [trace.T, trace.B, O]);
  const d = outBuffer(y.length, out);
  let count = 0;
  for (let r = 0; r < rows; r++) if (rowValid(trace, r)) count++;
  const scale = 1 / (count * O);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * O;
    if (!rowValid(trace, r)) {
      d.fill(0, o, o + O);
      continue;
    }
    for (let k = 0; k < O; k++) {
      const e = y[o + k] - target[o + k];
      sum += e * e;
      d[o + k] = 2 * e * scale;
    }
  }
  return { loss: sum * scale, dReadout: d, count };
}

/**
 * Softmax cross-entropy with integer class targets (`[T, B]` for mode `every`,
 * `[B]` for `last`), numerically stable: logsumexp subtracts the row max.
 * dL/dy = (softmax(y) - onehot(target)) / N.
 */
export function crossEntropyLoss(
  trace: Trace,
  targets: ArrayLike<number>,
  out?: Float32Array,
): LossResult {
  const { y, O, rows } = readoutOf(trace, 'crossEntropyLoss');
  if (targets.length !== rows) {
    throw new EngineError('INPUT_SIZE', {
      name: 'targets',
      expected: rows,
      shape: trace.readoutSteps === 1 ? `${trace.B}` : `${trace.T}, ${trace.B}`,
      actual: targets.length,
    });
  }
  const d = outBuffer(y.length, out);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    if (!rowValid(trace, r)) continue;
    count++;
    const c = targets[r];
    if (!Number.isInteger(c) || c < 0 || c >= O) {
      throw new EngineError('TARGET_INVALID', {
        name: 'targets',
        index: r,
        expected: `an integer class in [0, ${O - 1}]`,
        actual: String(c),
      });
    }
  }
  const inv = 1 / count;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * O;
    if (!rowValid(trace, r)) {
      d.fill(0, o, o + O);
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < O; k++) if (y[o + k] > m) m = y[o + k];
    let s = 0;
    for (let k = 0; k < O; k++) s += Math.exp(y[o + k] - m);
    const lse = m + Math.log(s);
    const c = targets[r];
    sum += lse - y[o + c];
    for (let k = 0; k < O; k++) d[o + k] = (Math.exp(y[o + k] - lse) - (k === c ? 1 : 0)) * inv;
  }
  return { loss: sum * inv, dReadout: d, count };
}

/** The cotangents of the forward reference cases' loss. */
export interface ExternalLossWeights {
  dOutput?: ArrayLike<number> | null;
  dhN?: ArrayLike<number> | null;
  dcN?: ArrayLike<number> | null;
}

/**
 * L = Σ output * dOutput + Σ hN * dhN (+ Σ cN * dcN): a linear loss whose
 * gradient w.r.t. output, hN, cN is exactly the given weights, so `backward`
 * with them gives the reference cases' `grads` and `dLdh`.
 */
export function externalLoss(trace: Trace, w: ExternalLossWeights): number {
  let s = 0;
  const dot = (a: Float32Array, b: ArrayLike<number>, name: string): void => {
    if (b.length !== a.length) {
      throw new EngineError('INPUT_SIZE', {
        name,
        expected: a.length,
        shape: name === 'dOutput' ? 'T, B, D*H' : 'numLayers*D, B, H',
        actual: b.length,
      });
    }
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  };
  if (w.dOutput) dot(trace.output, w.dOutput, 'dOutput');
  if (w.dhN) dot(trace.hN, w.dhN, 'dhN');
  if (w.dcN && trace.cN) dot(trace.cN, w.dcN, 'dcN');
  return s;
}
