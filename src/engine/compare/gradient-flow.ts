/**
 * Gradient flow: how the norm of dL/dh_t shrinks or grows with the distance k = T-1-t from
 * the step where the loss is read (the last step, for a many-to-one task).
 *
 *   n_k   = ||dL/dh_{T-1-k}||₂  over the batch and the units (Frobenius norm of a [B, H] slice)
 *   slope = least-squares slope of log10(n_k) against k, k in [kMin, kMax]
 *
 * A slope of -0.1 means the gradient loses a factor 10 every 10 steps. `classifyFlow` says
 * "vanishes" below `vanishBelow`, "explodes" above `explodeAbove`, "stable" between.
 */
import { backward, clipGradNorm, gradNorm } from '../bptt';
import { crossEntropyLoss } from '../loss';
import type { Model } from '../model';
import { forward } from '../unroll';
import { layerKey } from '../types';

export type FlowVerdict = 'vanishes' | 'stable' | 'explodes';

export interface FlowThresholds {
  /** Slopes below this vanish (log10 per step; default -0.04, i.e. /10 every 25 steps). */
  vanishBelow: number;
  /** Slopes above this explode (default 0.02, i.e. x10 every 50 steps). */
  explodeAbove: number;
}

export const DEFAULT_FLOW_THRESHOLDS: FlowThresholds = { vanishBelow: -0.04, explodeAbove: 0.02 };

/**
 * Norms by distance from the last step: `out[k] = ||dLdh[T-1-k, :, :]||₂` for k in [0, T),
 * from a time-major `[T, B, H]` array (the engine's `BackwardResult.dLdh[key]`).
 * @throws RangeError when `dLdh.length !== T*B*H`.
 */
export function normsByDistance(
  dLdh: ArrayLike<number>,
  T: number,
  B: number,
  H: number,
): number[] {
  if (dLdh.length !== T * B * H) {
    throw new RangeError(
      `normsByDistance: dLdh has ${dLdh.length} values, expected T*B*H = ${T}*${B}*${H} = ${T * B * H}`,
    );
  }
  const out: number[] = [];
  const BH = B * H;
  for (let k = 0; k < T; k++) {
    const o = (T - 1 - k) * BH;
    let s = 0;
    for (let i = 0; i < BH; i++) s += dLdh[o + i] * dLdh[o + i];
    out.push(Math.sqrt(s));
  }
  return out;
}

/**
 * Least-squares slope of log10(norms[k]) against k over `k in [kMin, kMax]` (clamped to the
 * array). Zero or non-finite norms are skipped (a norm that underflowed to 0 has no log);
 * returns NaN with fewer than two usable points.
 */
export function logSlope(norms: readonly number[], kMin = 1, kMax = norms.length - 1): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  const hi = Math.min(kMax, norms.length - 1);
  for (let k = Math.max(0, kMin); k <= hi; k++) {
    const v = norms[k];
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const y = Math.log10(v);
    n++;
    sx += k;
    sy += y;
    sxx += k * k;
    sxy += k * y;
  }
  const den = n * sxx - sx * sx;
  if (n < 2 || den === 0) return Number.NaN;
  return (n * sxy - sx * sy) / den;
}

/** Vanishes, stable or explodes by the slope (NaN counts as vanished: everything underflowed). */
export function classifyFlow(
  slope: number,
  thresholds: FlowThresholds = DEFAULT_FLOW_THRESHOLDS,
): FlowVerdict {
  if (Number.isNaN(slope) || slope < thresholds.vanishBelow) return 'vanishes';
  if (slope > thresholds.explodeAbove) return 'explodes';
  return 'stable';
}

export interface GradientFlow {
  /** `norms[k] = ||dL/dh_{T-1-k}||` of the last layer (forward direction). */
  norms: number[];
  slope: number;
  verdict: FlowVerdict;
  /** Global norm of the parameter gradient before clipping. */
  gradNorm: number;
  /** The same after clipping by `clip` (equal to `gradNorm` when `clip` is null). */
  clippedNorm: number;
}

/**
 * Measures the flow of `model` (with a readout, mode `last`) on one batch with integer class
 * targets `[B]`: forward, cross-entropy at the last step, backward through time, norms of
 * the top layer's dL/dh by distance. Leaves the gradient in `model.grads` (clipped when
 * `clip` is a number).
 */
export function measureGradientFlow(
  model: Model,
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  B: number,
  clip: number | null = null,
  thresholds: FlowThresholds = DEFAULT_FLOW_THRESHOLDS,
): GradientFlow {
  const trace = forward(model, input, { B });
  const loss = crossEntropyLoss(trace, target);
  const res = backward(model, trace, { dReadout: loss.dReadout });
  const key = layerKey(model.spec.numLayers - 1, 0);
  const norms = normsByDistance(res.dLdh[key], trace.T, B, model.spec.hiddenSize);
  const slope = logSlope(norms);
  const before = gradNorm(model.grads);
  let clippedNorm = before;
  if (clip !== null) {
    clipGradNorm(model.grads, clip);
    clippedNorm = gradNorm(model.grads);
  }
  return { norms, slope, verdict: classifyFlow(slope, thresholds), gradNorm: before, clippedNorm };
}
