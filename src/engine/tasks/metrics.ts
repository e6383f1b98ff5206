/**
 * Task metrics, pure functions on plain arrays (no model, no trace), so a chart, a test and
 * the training driver compute the same numbers.
 *
 * Classification (C classes, N examples, predictions and truths as integer classes):
 *   accuracy            = #(pred = truth) / N
 *   confusion[t][p]     = #(truth = t and pred = p)          rows: truth, columns: prediction
 *   precision_k         = TP_k / (TP_k + FP_k)               0 when class k was never predicted
 *   recall_k            = TP_k / (TP_k + FN_k)               0 when class k never occurs
 *   F1_k                = 2 P_k R_k / (P_k + R_k)            0 when P_k + R_k = 0
 *   macro-F1            = mean over classes of F1_k          (scikit-learn, zero_division=0)
 * Language models:
 *   perplexity          = exp(mean negative log-likelihood in nats per predicted symbol)
 * Regression (N values):
 *   MAE  = Σ|ŷ - y| / N,   RMSE = sqrt(Σ(ŷ - y)² / N)
 *   MAPE = 100 · Σ|ŷ - y| / |y| / N', over the N' terms with |y| > zeroTolerance only: a term
 *          with y = 0 has no percentage error, so it is skipped and counted in `skipped`;
 *          when every y is zero the MAPE is `null` (undefined), never Infinity or NaN.
 */
import { EngineError } from '../errors';

function check(metric: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new EngineError('METRIC_INPUT', {
      metric,
      problem: `predictions (${a.length}) and truths (${b.length}) must have the same length`,
    });
  }
  if (a.length === 0) throw new EngineError('METRIC_INPUT', { metric, problem: 'no values' });
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) {
      throw new EngineError('METRIC_INPUT', {
        metric,
        problem: `value ${i} is not finite (prediction ${a[i]}, truth ${b[i]})`,
      });
    }
  }
}

/** Index of the largest of `values[offset .. offset+n)` relative to `offset` (first on ties). */
export function argmax(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = values[offset + k];
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/** Fraction of `pred[i] === truth[i]`, in [0, 1]. */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  check('accuracy', pred, truth);
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) hit++;
  return hit / pred.length;
}

/** `exp(meanNll)`: the perplexity of a mean cross-entropy in nats. */
export function perplexityFromLoss(meanNll: number): number {
  if (!Number.isFinite(meanNll) || meanNll < 0) {
    throw new EngineError('METRIC_INPUT', {
      metric: 'perplexity',
      problem: `the mean negative log-likelihood must be a finite number >= 0, got ${meanNll}`,
    });
  }
  return Math.exp(meanNll);
}

/** Perplexity from the probability the model gave to each true symbol: exp(-mean log p). */
export function perplexity(probOfTruth: ArrayLike<number>): number {
  if (probOfTruth.length === 0) {
    throw new EngineError('METRIC_INPUT', { metric: 'perplexity', problem: 'no values' });
  }
  let nll = 0;
  for (let i = 0; i < probOfTruth.length; i++) {
    const p = probOfTruth[i];
    if (!(p > 0 && p <= 1)) {
      throw new EngineError('METRIC_INPUT', {
        metric: 'perplexity',
        problem: `probability ${i} must be in (0, 1], got ${p}`,
      });
    }
    nll -= Math.log(p);
  }
  return Math.exp(nll / probOfTruth.length);
}

/** `C x C` counts, rows the true class, columns the predicted class. */
export function confusionMatrix(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
): number[][] {
  check('confusionMatrix', pred, truth);
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new EngineError('METRIC_INPUT', {
      metric: 'confusionMatrix',
      problem: `numClasses must be an integer >= 1, got ${numClasses}`,
    });
  }
  const m: number[][] = Array.from({ length: numClasses }, () =>
    new Array<number>(numClasses).fill(0),
  );
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const t = truth[i];
    if (
      !Number.isInteger(p) ||
      p < 0 ||
      p >= numClasses ||
      !Number.isInteger(t) ||
      t < 0 ||
      t >= numClasses
    ) {
      throw new EngineError('METRIC_INPUT', {
        metric: 'confusionMatrix',
        problem: `entry ${i} (prediction ${p}, truth ${t}) is not a class in [0, ${numClasses - 1}]`,
      });
    }
    m[t][p]++;
  }
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of examples whose true class is this one. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  perClass: ClassScores[];
  macro: { precision: number; recall: number; f1: number };
  confusion: number[][];
}

/** Precision, recall and F1 per class and their macro averages, from a confusion matrix. */
export function classificationReport(confusion: number[][]): ClassificationReport {
  const C = confusion.length;
  if (C === 0 || confusion.some((row) => row.length !== C)) {
    throw new EngineError('METRIC_INPUT', {
      metric: 'classificationReport',
      problem: 'the confusion matrix must be square and non-empty',
    });
  }
  let total = 0;
  let diag = 0;
  const perClass: ClassScores[] = [];
  for (let k = 0; k < C; k++) {
    const tp = confusion[k][k];
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < C; j++) {
      predicted += confusion[j][k];
      actual += confusion[k][j];
    }
    total += actual;
    diag += tp;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support: actual });
  }
  const mean = (f: (s: ClassScores) => number): number =>
    perClass.reduce((a, s) => a + f(s), 0) / C;
  return {
    accuracy: total > 0 ? diag / total : 0,
    perClass,
    macro: {
      precision: mean((s) => s.precision),
      recall: mean((s) => s.recall),
      f1: mean((s) => s.f1),
    },
    confusion: confusion.map((row) => row.slice()),
  };
}

/** Mean absolute error. */
export function mae(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  check('mae', pred, truth);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i] - truth[i]);
  return s / pred.length;
}

/** Root mean squared error. */
export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  check('rmse', pred, truth);
  let s = 0;
  for (let i = 0; i < pred.length; i++) {
    const e = pred[i] - truth[i];
    s += e * e;
  }
  return Math.sqrt(s / pred.length);
}

export interface MapeResult {
  /** Mean absolute percentage error in percent, or null when no term has a non-zero truth. */
  value: number | null;
  /** Terms averaged. */
  used: number;
  /** Terms skipped because |truth| <= zeroTolerance (no percentage error exists there). */
  skipped: number;
}

/** Mean absolute percentage error, skipping zero truths explicitly (see the file comment). */
export function mape(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  zeroTolerance = 0,
): MapeResult {
  check('mape', pred, truth);
  let s = 0;
  let used = 0;
  for (let i = 0; i < pred.length; i++) {
    const y = truth[i];
    if (Math.abs(y) <= zeroTolerance) continue;
    s += Math.abs((pred[i] - y) / y);
    used++;
  }
  return { value: used > 0 ? (100 * s) / used : null, used, skipped: pred.length - used };
}
