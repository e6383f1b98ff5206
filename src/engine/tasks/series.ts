/**
 * Time-series forecasting, one step ahead (many-to-many, MSE).
 *
 * The series y is standardised with the mean and standard deviation of its training part
 * (z = (y - μ) / σ), so one learning rate suits sunspots (0..190) and a synthetic series
 * alike. A training batch is B random windows of the training part:
 *   input [T, B, 1] = z[s .. s+T-1],   target [T, B, 1] = z[s+1 .. s+T]
 * Validation forecasts every point i of the held-out part (the last `validationFraction`)
 * from the T values before it (a window that may start in the training part), so each
 * forecast uses only the past. Metrics in the series' own units: MAE, RMSE, MAPE (zeros
 * skipped, see metrics.ts), and the same for the last-value baseline ŷ_i = y_{i-1}; a
 * forecaster is worth something only when it beats that baseline.
 */
import { EngineError } from '../errors';
import { mseLoss } from '../loss';
import type { Model } from '../model';
import { Rng } from '../random';
import { evalForward, intOption, numOption, taskError } from './common';
import { mae, mape, rmse } from './metrics';
import type { SampleOptions, Task, TaskBatch, TaskInfo, TaskMetrics } from './types';

export interface Series {
  /** Labels of the points (years, indices), same length as `y`. */
  x: number[];
  y: number[];
}

/**
 * Parses a CSV of `label,value` rows (or one `value` per row). A first line that is not
 * numeric is a header; blank lines and lines starting with `#` are skipped.
 * @throws EngineError `DATASET_LINE` naming the 1-based line and what is wrong with it.
 */
export function parseSeriesCsv(text: string, dataset = 'series CSV'): Series {
  const x: number[] = [];
  const y: number[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  let columns = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(/[,;\t]/).map((c) => c.trim());
    const nums = cells.map((c) => (c === '' ? Number.NaN : Number(c)));
    if (x.length === 0 && columns === 0 && nums.some((n) => Number.isNaN(n))) {
      columns = cells.length; // header
      continue;
    }
    if (cells.length > 2) {
      throw new EngineError('DATASET_LINE', {
        dataset,
        line: i + 1,
        problem: `expected "label,value" or "value", got ${cells.length} fields ("${raw}")`,
      });
    }
    const bad = nums.findIndex((n) => !Number.isFinite(n));
    if (bad >= 0) {
      throw new EngineError('DATASET_LINE', {
        dataset,
        line: i + 1,
        problem: `"${cells[bad]}" is not a finite number`,
      });
    }
    x.push(cells.length === 2 ? nums[0] : y.length);
    y.push(nums[cells.length - 1]);
  }
  if (y.length < 8) {
    throw new EngineError('DATASET_INVALID', {
      dataset,
      problem: `a series needs at least 8 values, found ${y.length}`,
    });
  }
  return { x, y };
}

export interface SyntheticSeriesOptions {
  /** Points (default 400). */
  length?: number;
  /** Linear trend per step (default 0.005). */
  trend?: number;
  /** Seasonal sine components (default periods 12 and 50, amplitudes 1 and 0.5). */
  seasons?: { period: number; amplitude: number }[];
  /** Standard deviation of the Gaussian noise (default 0.1). */
  noise?: number;
  /** Offset added to every value (default 3, so MAPE stays meaningful). */
  level?: number;
  seed?: number;
}

/** y_t = level + trend·t + Σ A_k sin(2π t / P_k) + N(0, noise²), seeded. */
export function syntheticSeries(options: SyntheticSeriesOptions = {}): Series {
  const id = 'synthetic series';
  const n = intOption(id, 'length', options.length, 400, 16, 100000);
  const trend = numOption(id, 'trend', options.trend, 0.005, -10, 10);
  const noise = numOption(id, 'noise', options.noise, 0.1, 0, 100);
  const level = numOption(id, 'level', options.level, 3, -1e6, 1e6);
  const seasons = options.seasons ?? [
    { period: 12, amplitude: 1 },
    { period: 50, amplitude: 0.5 },
  ];
  const rng = new Rng(options.seed ?? 0);
  const x: number[] = [];
  const y: number[] = [];
  for (let t = 0; t < n; t++) {
    let v = level + trend * t;
    for (const s of seasons) v += s.amplitude * Math.sin((2 * Math.PI * t) / s.period);
    if (noise > 0) v += rng.normal(0, noise);
    x.push(t);
    y.push(v);
  }
  return { x, y };
}

export interface ForecastOptions {
  id?: string;
  series: Series;
  /** Window length T (default 24). */
  seqLen?: number;
  /** Held-out fraction at the end, in [0.05, 0.5] (default 0.2). */
  validationFraction?: number;
}

export interface ForecastTask extends Task {
  readonly series: Series;
  /** Training-part mean and standard deviation used to standardise. */
  readonly mean: number;
  readonly std: number;
  /** Index of the first held-out point. */
  readonly split: number;
}

export function createForecastTask(options: ForecastOptions): ForecastTask {
  const id = options.id ?? 'forecast';
  const { x, y } = options.series;
  if (x.length !== y.length)
    taskError(id, 'series', 'x and y of the same length', `${x.length} and ${y.length}`);
  const T0 = intOption(id, 'seqLen', options.seqLen, 24, 2, 500);
  const frac = numOption(id, 'validationFraction', options.validationFraction, 0.2, 0.05, 0.5);
  const n = y.length;
  const split = Math.floor(n * (1 - frac));
  if (split < T0 + 2 || n - split < 2) {
    taskError(
      id,
      'series',
      `at least ${Math.ceil((T0 + 4) / (1 - frac))} values for seqLen ${T0}`,
      `${n} values`,
    );
  }
  let mean = 0;
  for (let i = 0; i < split; i++) mean += y[i];
  mean /= split;
  let v = 0;
  for (let i = 0; i < split; i++) v += (y[i] - mean) ** 2;
  const std = Math.sqrt(v / split) || 1;
  const z = Float32Array.from(y, (u) => (u - mean) / std);
  const info: TaskInfo = {
    id,
    kind: 'forecast',
    inputSize: 1,
    outputSize: 1,
    readoutMode: 'every',
    loss: 'mse',
    allowedLosses: ['mse'],
    targetKind: 'value',
    causal: true,
    metric: 'mae',
    higherIsBetter: false,
    seqLen: T0,
    symbols: [],
    curriculum: null,
  };
  const windows = (starts: number[], T: number, scoreLastOnly: boolean): TaskBatch => {
    const B = starts.length;
    const input = new Float32Array(T * B);
    const target = new Float32Array(T * B);
    const mask = new Uint8Array(T * B);
    for (let b = 0; b < B; b++) {
      const s = starts[b];
      for (let t = 0; t < T; t++) {
        input[t * B + b] = z[s + t];
        target[t * B + b] = z[s + t + 1];
        mask[t * B + b] = scoreLastOnly && t < T - 1 ? 0 : 1;
      }
    }
    return { input, target, T, B, lengths: null, mask };
  };
  const sample = (rng: Rng, B: number, o?: SampleOptions): TaskBatch => {
    const T = Math.min(intOption(id, 'seqLen', o?.seqLen, T0, 2, 500), split - 2);
    const starts: number[] = [];
    // Windows end inside the training part: the last target is z[split - 1].
    for (let b = 0; b < B; b++) starts.push(rng.int(split - T));
    return windows(starts, T, false);
  };
  let cached: TaskBatch[] | null = null;
  const validation = (): TaskBatch[] => {
    if (!cached) {
      const starts: number[] = [];
      // Point i is forecast at the last step of the window [i - T, i - 1].
      for (let i = Math.max(split, T0); i < n; i++) starts.push(i - T0);
      cached = [windows(starts, T0, true)];
    }
    return cached;
  };
  const evaluate = (model: Model): TaskMetrics => {
    const b = validation()[0];
    const out = evalForward(model, b).readout as Float32Array;
    const truth: number[] = [];
    const pred: number[] = [];
    const base: number[] = [];
    const xs: number[] = [];
    for (let k = 0; k < b.B; k++) {
      const i = k + Math.max(split, T0);
      truth.push(y[i]);
      pred.push(out[(b.T - 1) * b.B + k] * std + mean);
      base.push(y[i - 1]);
      xs.push(x[i]);
    }
    const m = mape(pred, truth);
    const bm = mape(base, truth);
    const values: Record<string, number> = {
      mae: mae(pred, truth),
      rmse: rmse(pred, truth),
      baselineMae: mae(base, truth),
      baselineRmse: rmse(base, truth),
      mapeSkipped: m.skipped,
    };
    if (m.value !== null) values.mape = m.value;
    if (bm.value !== null) values.baselineMape = bm.value;
    return {
      primary: values.mae,
      values,
      forecast: { x: xs, truth, prediction: pred, baseline: base },
    };
  };
  return {
    info,
    series: options.series,
    mean,
    std,
    split,
    sample,
    validation,
    batchScore: (trace, batch) => mseLoss(trace, batch.target).loss,
    evaluate,
  };
}
