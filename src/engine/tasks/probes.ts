/**
 * Long-memory probes: small synthetic tasks where one gate's job is plain to see.
 *
 * - recall: a symbol shown once (with a "store" flag), `delay` blank steps (or, harder,
 *   distracting symbols), then a "recall" flag; the answer at the last step is the stored
 *   symbol. An LSTM keeps it in c with f ≈ 1 across the delay; a plain tanh RNN has to
 *   carry it through `delay` squashing steps, and its gradient over that distance
 *   vanishes, so it does not learn the link from the answer back to the symbol.
 * - copy: L symbols, `delay` blank steps ending in a "go" flag, then the L symbols again.
 * - adding: pairs (value in [0, 1), marker); the answer is the sum of the two marked
 *   values (one in each half), mean squared error; always answering 1 scores 1/6.
 * - brackets: a stream of "(", ")" and "·"; at every step the answer is the current depth
 *   (a counter the cell state can hold exactly).
 */
import type { Rng } from '../random';
import { Rng as RngClass } from '../random';
import type { Model } from '../model';
import type { Trace } from '../types';
import { mseLoss } from '../loss';
import { classAccuracy, collectClasses, evalForward, intOption, setOneHot } from './common';
import { classificationReport, confusionMatrix } from './metrics';
import type { SampleOptions, Task, TaskBatch, TaskInfo, TaskMetrics } from './types';

const VALIDATION_SEED = 0x5eed;

function classificationMetrics(model: Model, batches: TaskBatch[], classes: number): TaskMetrics {
  const pred: number[] = [];
  const truth: number[] = [];
  for (const b of batches) collectClasses(evalForward(model, b), b, pred, truth);
  const cm = confusionMatrix(pred, truth, classes);
  const report = classificationReport(cm);
  return {
    primary: report.accuracy,
    values: { accuracy: report.accuracy, macroF1: report.macro.f1 },
    confusion: report.confusion,
    perClass: report.perClass,
  };
}

function makeValidation(
  build: (rng: Rng, B: number) => TaskBatch,
  size: number,
  chunk = 128,
): () => TaskBatch[] {
  let cached: TaskBatch[] | null = null;
  return () => {
    if (!cached) {
      const rng = new RngClass(VALIDATION_SEED);
      cached = [];
      for (let left = size; left > 0; left -= chunk) cached.push(build(rng, Math.min(chunk, left)));
    }
    return cached;
  };
}

// ---------------------------------------------------------------------------------------

export interface RecallOptions {
  /** Distinct symbols to remember, K in [2, 16] (default 4). */
  symbols?: number;
  /** Steps between the symbol and the recall flag, in [1, 200] (default 20). */
  delay?: number;
  /**
   * Show random symbols during the delay (default false: blanks). Much harder: the input
   * gate must also learn to stay shut; train with the curriculum.
   */
  distractors?: boolean;
  /** Validation sequences (default 256). */
  validationSize?: number;
}

/**
 * Recall after a delay. Input `[T = delay + 2, B, K + 2]`: channels 0..K-1 the symbol
 * (one-hot), K the store flag (t = 0 only), K+1 the recall flag (t = T-1 only). Target `[B]`
 * the stored symbol; readout mode `last`, cross-entropy. Chance is 1/K.
 */
export function createRecallTask(options: RecallOptions = {}): Task {
  const id = 'recall';
  const K = intOption(id, 'symbols', options.symbols, 4, 2, 16);
  const delay0 = intOption(id, 'delay', options.delay, 20, 1, 200);
  const distractors = options.distractors ?? false;
  const validationSize = intOption(id, 'validationSize', options.validationSize, 256, 1, 10000);
  const I = K + 2;
  const info: TaskInfo = {
    id,
    kind: 'recall',
    inputSize: I,
    outputSize: K,
    readoutMode: 'last',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: false,
    metric: 'accuracy',
    higherIsBetter: true,
    seqLen: delay0 + 2,
    symbols: Array.from({ length: K }, (_, k) => String.fromCharCode(65 + k)),
    curriculum: { param: 'delay', min: 1, max: 200, step: 2, target: delay0 },
  };
  const build = (rng: Rng, B: number, delay: number): TaskBatch => {
    const T = delay + 2;
    const input = new Float32Array(T * B * I);
    const target = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const s = rng.int(K);
      target[b] = s;
      let o = b * I;
      input[o + s] = 1;
      input[o + K] = 1;
      for (let t = 1; t <= delay; t++) {
        if (distractors) setOneHot(input, (t * B + b) * I, I, rng.int(K));
      }
      o = ((T - 1) * B + b) * I;
      input[o + K + 1] = 1;
    }
    return { input, target, T, B, lengths: null, mask: new Uint8Array(B).fill(1) };
  };
  const level = (o?: SampleOptions): number =>
    intOption(
      id,
      'delay',
      o?.level ?? (o?.seqLen !== undefined ? o.seqLen - 2 : undefined),
      delay0,
      1,
      200,
    );
  const validation = makeValidation((rng, B) => build(rng, B, delay0), validationSize);
  return {
    info,
    sample: (rng, B, o) => build(rng, B, level(o)),
    validation,
    batchScore: (trace, batch) => classAccuracy(trace, batch),
    evaluate: (model) => classificationMetrics(model, validation(), K),
  };
}

// ---------------------------------------------------------------------------------------

export interface CopyOptions {
  /** Symbols K in [2, 16] (default 4). */
  symbols?: number;
  /** Sequence to copy, L in [1, 20] (default 4). */
  length?: number;
  /** Blank steps between the sequence and its copy, in [1, 200] (default 8). */
  delay?: number;
  validationSize?: number;
}

/**
 * Copy after a delay. Input `[T = 2L + delay, B, K + 1]` (channel K: the "go" flag at step
 * L + delay - 1); target `[T, B]`: class K ("blank") until the copy phase, then the L
 * symbols. Mode `every`, cross-entropy; the metrics score the copy phase only.
 */
export function createCopyTask(options: CopyOptions = {}): Task {
  const id = 'copy';
  const K = intOption(id, 'symbols', options.symbols, 4, 2, 16);
  const L = intOption(id, 'length', options.length, 4, 1, 20);
  const delay0 = intOption(id, 'delay', options.delay, 8, 1, 200);
  const validationSize = intOption(id, 'validationSize', options.validationSize, 256, 1, 10000);
  const I = K + 1;
  const info: TaskInfo = {
    id,
    kind: 'copy',
    inputSize: I,
    outputSize: K + 1,
    readoutMode: 'every',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: true,
    metric: 'accuracy',
    higherIsBetter: true,
    seqLen: 2 * L + delay0,
    symbols: [...Array.from({ length: K }, (_, k) => String.fromCharCode(65 + k)), '_'],
    curriculum: { param: 'delay', min: 1, max: 200, step: 2, target: delay0 },
  };
  const build = (rng: Rng, B: number, delay: number): TaskBatch => {
    const T = 2 * L + delay;
    const input = new Float32Array(T * B * I);
    const target = new Float32Array(T * B).fill(K);
    const mask = new Uint8Array(T * B);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const s = rng.int(K);
        input[(t * B + b) * I + s] = 1;
        const u = L + delay + t;
        target[u * B + b] = s;
        mask[u * B + b] = 1;
      }
      input[((L + delay - 1) * B + b) * I + K] = 1;
    }
    return { input, target, T, B, lengths: null, mask };
  };
  const level = (o?: SampleOptions): number =>
    intOption(
      id,
      'delay',
      o?.level ?? (o?.seqLen !== undefined ? o.seqLen - 2 * L : undefined),
      delay0,
      1,
      200,
    );
  const validation = makeValidation((rng, B) => build(rng, B, delay0), validationSize);
  return {
    info,
    sample: (rng, B, o) => build(rng, B, level(o)),
    validation,
    batchScore: (trace, batch) => classAccuracy(trace, batch),
    evaluate: (model) => classificationMetrics(model, validation(), K + 1),
  };
}

// ---------------------------------------------------------------------------------------

export interface AddingOptions {
  /** Sequence length T in [4, 500] (default 30). */
  length?: number;
  validationSize?: number;
  /** An answer within this of the sum counts as correct (default 0.04, as in the literature). */
  tolerance?: number;
}

/**
 * The adding problem (Hochreiter and Schmidhuber, 1997). Input `[T, B, 2]`: (value, marker);
 * exactly one marker in each half. Target `[B, 1]`: the sum of the two marked values. Mode
 * `last`, MSE. Metrics: `mse` (primary), `accuracy` (|error| < tolerance), `baselineMse`
 * (always answering 1, the mean sum).
 */
export function createAddingTask(options: AddingOptions = {}): Task {
  const id = 'adding';
  const T0 = intOption(id, 'length', options.length, 30, 4, 500);
  const validationSize = intOption(id, 'validationSize', options.validationSize, 256, 1, 10000);
  const tolerance = options.tolerance ?? 0.04;
  const info: TaskInfo = {
    id,
    kind: 'adding',
    inputSize: 2,
    outputSize: 1,
    readoutMode: 'last',
    loss: 'mse',
    allowedLosses: ['mse'],
    targetKind: 'value',
    causal: false,
    metric: 'mse',
    higherIsBetter: false,
    seqLen: T0,
    symbols: [],
    curriculum: { param: 'length', min: 4, max: 500, step: 5, target: T0 },
  };
  const build = (rng: Rng, B: number, T: number): TaskBatch => {
    const input = new Float32Array(T * B * 2);
    const target = new Float32Array(B);
    const half = Math.floor(T / 2);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) input[(t * B + b) * 2] = rng.uniform();
      const m1 = rng.int(half);
      const m2 = half + rng.int(T - half);
      input[(m1 * B + b) * 2 + 1] = 1;
      input[(m2 * B + b) * 2 + 1] = 1;
      target[b] = input[(m1 * B + b) * 2] + input[(m2 * B + b) * 2];
    }
    return { input, target, T, B, lengths: null, mask: new Uint8Array(B).fill(1) };
  };
  const level = (o?: SampleOptions): number =>
    intOption(id, 'length', o?.level ?? o?.seqLen, T0, 4, 500);
  const validation = makeValidation((rng, B) => build(rng, B, T0), validationSize);
  return {
    info,
    sample: (rng, B, o) => build(rng, B, level(o)),
    validation,
    batchScore: (trace: Trace, batch) => mseLoss(trace, batch.target).loss,
    evaluate: (model) => {
      let se = 0;
      let base = 0;
      let hit = 0;
      let n = 0;
      for (const b of validation()) {
        const y = evalForward(model, b).readout as Float32Array;
        for (let i = 0; i < b.B; i++) {
          const e = y[i] - b.target[i];
          se += e * e;
          base += (1 - b.target[i]) ** 2;
          if (Math.abs(e) < tolerance) hit++;
          n++;
        }
      }
      const mse = se / n;
      return { primary: mse, values: { mse, accuracy: hit / n, baselineMse: base / n } };
    },
  };
}

// ---------------------------------------------------------------------------------------

export interface BracketOptions {
  /** Sequence length T in [2, 500] (default 30). */
  length?: number;
  /** Deepest nesting D in [1, 12] (default 4); classes are depths 0..D. */
  maxDepth?: number;
  validationSize?: number;
}

/**
 * Bracket-depth counting. Input `[T, B, 3]`: one-hot "(", ")", "·"; a ")" never closes below
 * depth 0 and a "(" never opens beyond `maxDepth`. Target `[T, B]`: the depth after each
 * step. Mode `every`, cross-entropy.
 */
export function createBracketTask(options: BracketOptions = {}): Task {
  const id = 'brackets';
  const T0 = intOption(id, 'length', options.length, 30, 2, 500);
  const D = intOption(id, 'maxDepth', options.maxDepth, 4, 1, 12);
  const validationSize = intOption(id, 'validationSize', options.validationSize, 128, 1, 10000);
  const info: TaskInfo = {
    id,
    kind: 'brackets',
    inputSize: 3,
    outputSize: D + 1,
    readoutMode: 'every',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: true,
    metric: 'accuracy',
    higherIsBetter: true,
    seqLen: T0,
    symbols: Array.from({ length: D + 1 }, (_, k) => String(k)),
    curriculum: { param: 'length', min: 2, max: 500, step: 5, target: T0 },
  };
  const build = (rng: Rng, B: number, T: number): TaskBatch => {
    const input = new Float32Array(T * B * 3);
    const target = new Float32Array(T * B);
    for (let b = 0; b < B; b++) {
      let depth = 0;
      for (let t = 0; t < T; t++) {
        const u = rng.uniform();
        // "(" and ")" each 0.4, "·" 0.2; an impossible bracket becomes "·".
        let c = u < 0.4 ? 0 : u < 0.8 ? 1 : 2;
        if (c === 0 && depth === D) c = 2;
        if (c === 1 && depth === 0) c = 2;
        if (c === 0) depth++;
        else if (c === 1) depth--;
        input[(t * B + b) * 3 + c] = 1;
        target[t * B + b] = depth;
      }
    }
    return { input, target, T, B, lengths: null, mask: new Uint8Array(T * B).fill(1) };
  };
  const level = (o?: SampleOptions): number =>
    intOption(id, 'length', o?.level ?? o?.seqLen, T0, 2, 500);
  const validation = makeValidation((rng, B) => build(rng, B, T0), validationSize);
  return {
    info,
    sample: (rng, B, o) => build(rng, B, level(o)),
    validation,
    batchScore: (trace, batch) => classAccuracy(trace, batch),
    evaluate: (model) => classificationMetrics(model, validation(), D + 1),
  };
}
