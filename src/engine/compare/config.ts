/**
 * The comparison's settings: plain serializable data (it travels to the worker and may sit
 * in a URL), with one table of ranges and a validator that names the bad key.
 */
import { EngineError, describeValue } from '../errors';
import type { CellKind } from '../types';

export type GruForm = 'gru' | 'gru-textbook';
export type Fairness = 'equal-hidden' | 'equal-params';

export interface CompareConfig {
  /** Which GRU takes the third column: PyTorch's (`gru`) or the textbook formula. */
  gru: GruForm;
  /** Hidden size of every cell (equal-hidden), or of the LSTM whose count the others match. */
  hiddenSize: number;
  fairness: Fairness;
  /** Seed of the weights and of the data: the three cells see the same batches. */
  seed: number;
  /** Recall delay of the result row and of the training whose speed is measured. */
  delay: number;
  /** Training steps of the result row (the fixed budget). */
  trainSteps: number;
  /** Delays the memory sweep tries, ascending; a cell stops at its first failure. */
  sweepDelays: number[];
  /** Step budget of each sweep run. */
  sweepSteps: number;
  /** Recall delay of the sequence the gradient flow is measured on (T = delay + 2). */
  flowDelay: number;
  /** Exploding-gradients preset: multiply every W_hh by `recurrentScale` before training. */
  explode: boolean;
  recurrentScale: number;
  /** Clip the gradient's global norm to `clipThreshold` (training and the flow's norm). */
  clip: boolean;
  clipThreshold: number;
  batchSize: number;
  learningRate: number;
}

export const DEFAULT_COMPARE_CONFIG: CompareConfig = {
  gru: 'gru',
  hiddenSize: 16,
  fairness: 'equal-hidden',
  seed: 1,
  delay: 20,
  trainSteps: 100,
  sweepDelays: [5, 10, 20, 40, 60],
  sweepSteps: 100,
  flowDelay: 48,
  explode: false,
  recurrentScale: 6,
  clip: true,
  clipThreshold: 1,
  batchSize: 32,
  learningRate: 0.02,
};

/** The preset that makes gradients explode: large recurrent weights, clipping off. */
export const EXPLODING_PRESET: Partial<CompareConfig> = {
  explode: true,
  recurrentScale: 6,
  clip: false,
};

const INT_RANGES = {
  hiddenSize: [2, 128],
  seed: [0, 4294967295],
  delay: [1, 100],
  trainSteps: [10, 2000],
  sweepSteps: [10, 2000],
  flowDelay: [2, 200],
  batchSize: [1, 128],
} as const;
const NUM_RANGES = {
  recurrentScale: [0.1, 50],
  clipThreshold: [1e-3, 1000],
  learningRate: [1e-5, 1],
} as const;

function bad(key: string, expected: string, actual: unknown): never {
  throw new EngineError('TASK_CONFIG', {
    task: 'compare',
    field: key,
    expected,
    actual: describeValue(actual),
  });
}

/**
 * Checks settings from anywhere and returns a clean copy, defaults for missing keys.
 * @throws EngineError `TASK_CONFIG` naming the key and its valid range.
 */
export function validateCompareConfig(input: unknown): CompareConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    bad('(all)', 'an object of comparison settings', input);
  }
  const o = { ...DEFAULT_COMPARE_CONFIG, ...(input as Partial<CompareConfig>) };
  for (const k of Object.keys(input)) {
    if (!(k in DEFAULT_COMPARE_CONFIG))
      bad(k, 'absent (unknown setting)', (input as Record<string, unknown>)[k]);
  }
  if (o.gru !== 'gru' && o.gru !== 'gru-textbook') bad('gru', '"gru" or "gru-textbook"', o.gru);
  if (o.fairness !== 'equal-hidden' && o.fairness !== 'equal-params') {
    bad('fairness', '"equal-hidden" or "equal-params"', o.fairness);
  }
  for (const [k, [lo, hi]] of Object.entries(INT_RANGES)) {
    const v = o[k as keyof typeof INT_RANGES];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      bad(k, `an integer in [${lo}, ${hi}]`, v);
    }
  }
  for (const [k, [lo, hi]] of Object.entries(NUM_RANGES)) {
    const v = o[k as keyof typeof NUM_RANGES];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
      bad(k, `a number in [${lo}, ${hi}]`, v);
    }
  }
  for (const k of ['explode', 'clip'] as const) {
    if (typeof o[k] !== 'boolean') bad(k, 'true or false', o[k]);
  }
  const d = o.sweepDelays;
  if (
    !Array.isArray(d) ||
    d.length < 1 ||
    d.length > 12 ||
    d.some((x, i) => !Number.isInteger(x) || x < 1 || x > 100 || (i > 0 && x <= d[i - 1]))
  ) {
    bad('sweepDelays', '1 to 12 ascending integers in [1, 100]', d);
  }
  return { ...o, sweepDelays: [...d] };
}

/** The three columns, in order: the plain tanh RNN, the LSTM, the chosen GRU. */
export function compareCells(config: CompareConfig): [CellKind, CellKind, CellKind] {
  return ['rnn-tanh', 'lstm', config.gru];
}
