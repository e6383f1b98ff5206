/**
 * Every hyperparameter a course lists, as plain serializable data with its valid range.
 *
 * `HYPERPARAM_SPECS` is the one table (type, range, default, unit) the UI builds its
 * controls from; `validateHyperparams` checks anything (URL, form, message) against it and
 * throws `EngineError` `HYPERPARAM` naming the key and its valid range; `hyperparamIssues`
 * lists every problem at once (for a form). `modelSpecFor` and `trainConfigFor` turn valid
 * hyperparameters into the engine's `ModelSpec` and `TrainConfig` for a task.
 */
import { EngineError, describeValue } from './errors';
import type { OptimizerConfig } from './optimizers';
import type { LossKind, TrainConfig } from './train';
import type { CellKind, ModelSpec } from './types';
import { CELL_KINDS } from './types';

export const CLIP_MODES = ['norm', 'value', 'off'] as const;
export type ClipMode = (typeof CLIP_MODES)[number];
export const HYPER_OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export type HyperOptimizer = (typeof HYPER_OPTIMIZERS)[number];
export const HYPER_LOSSES = ['cross-entropy', 'mse'] as const;

/** Every training hyperparameter. Plain data: it persists and travels in a URL. */
export interface Hyperparams {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** Dropout between stacked layers (training only), as nn.LSTM(dropout=p). */
  dropout: number;
  learningRate: number;
  batchSize: number;
  /** Steps per training sequence (tasks with a free length). */
  seqLen: number;
  /** Truncated BPTT window in steps; 0 = full backpropagation through time. */
  tbptt: number;
  clipMode: ClipMode;
  /** Max global norm (`norm`) or max absolute value (`value`) of the gradient. */
  clipThreshold: number;
  optimizer: HyperOptimizer;
  /** SGD and RMSprop momentum. */
  momentum: number;
  /** Adam β1, β2. */
  beta1: number;
  beta2: number;
  /** RMSprop smoothing constant α. */
  alpha: number;
  /** L2 penalty added to the gradient (torch `weight_decay`). */
  weightDecay: number;
  loss: LossKind;
  /**
   * LSTM only: initial value of the forget gate's bias (b_ih of the f rows; b_hh's set to 0),
   * so f = σ(b) starts near 1 and the cell state is kept from the first step (Gers et al.
   * 2000; Keras' `unit_forget_bias` uses 1). `null`: PyTorch's uniform initialisation.
   */
  forgetBias: number | null;
  /** Seed of the initial weights, the batches and the dropout masks. */
  seed: number;
}

interface NumberSpec {
  type: 'int' | 'number';
  min: number;
  max: number;
  /** Whether `min` itself is excluded. */
  minOpen?: boolean;
  /** Suggest a log scale for a slider. */
  log?: boolean;
}
interface EnumSpec {
  type: 'enum';
  values: readonly string[];
}
interface BoolSpec {
  type: 'bool';
}
interface NullableNumberSpec {
  type: 'number-or-null';
  min: number;
  max: number;
}
export type HyperparamSpec = (NumberSpec | EnumSpec | BoolSpec | NullableNumberSpec) & {
  default: number | string | boolean | null;
};

/**
 * The one table of ranges and defaults. Optimizer defaults follow `torch.optim` except the
 * learning rate (0.01 suits these small tasks); `forgetBias` defaults to 1 as Keras does.
 */
export const HYPERPARAM_SPECS = {
  cell: { type: 'enum', values: CELL_KINDS, default: 'lstm' },
  hiddenSize: { type: 'int', min: 1, max: 512, default: 32 },
  numLayers: { type: 'int', min: 1, max: 4, default: 1 },
  bidirectional: { type: 'bool', default: false },
  dropout: { type: 'number', min: 0, max: 0.9, default: 0 },
  learningRate: { type: 'number', min: 1e-6, max: 1, log: true, default: 0.01 },
  batchSize: { type: 'int', min: 1, max: 256, default: 32 },
  seqLen: { type: 'int', min: 2, max: 500, default: 32 },
  tbptt: { type: 'int', min: 0, max: 500, default: 0 },
  clipMode: { type: 'enum', values: CLIP_MODES, default: 'norm' },
  clipThreshold: { type: 'number', min: 0, minOpen: true, max: 1000, log: true, default: 1 },
  optimizer: { type: 'enum', values: HYPER_OPTIMIZERS, default: 'adam' },
  momentum: { type: 'number', min: 0, max: 0.999, default: 0.9 },
  beta1: { type: 'number', min: 0, max: 0.999, default: 0.9 },
  beta2: { type: 'number', min: 0, max: 0.9999, default: 0.999 },
  alpha: { type: 'number', min: 0, max: 0.9999, default: 0.99 },
  weightDecay: { type: 'number', min: 0, max: 0.1, default: 0 },
  loss: { type: 'enum', values: HYPER_LOSSES, default: 'cross-entropy' },
  forgetBias: { type: 'number-or-null', min: -5, max: 10, default: 1 },
  seed: { type: 'int', min: 0, max: 4294967295, default: 0 },
} as const satisfies Record<keyof Hyperparams, HyperparamSpec>;

export type HyperparamKey = keyof Hyperparams;
export const HYPERPARAM_KEYS = Object.keys(HYPERPARAM_SPECS) as HyperparamKey[];

/** The defaults of `HYPERPARAM_SPECS`. */
export function defaultHyperparams(): Hyperparams {
  const out: Record<string, unknown> = {};
  for (const k of HYPERPARAM_KEYS) out[k] = HYPERPARAM_SPECS[k].default;
  return out as unknown as Hyperparams;
}

/** What a key accepts, in words (the `expected` of the error). */
export function describeRange(key: HyperparamKey): string {
  const s: HyperparamSpec = HYPERPARAM_SPECS[key];
  switch (s.type) {
    case 'enum':
      return `one of ${s.values.join(', ')}`;
    case 'bool':
      return 'true or false';
    case 'int':
      return `an integer in [${s.min}, ${s.max}]`;
    case 'number':
      return `a number in ${s.minOpen ? '(' : '['}${s.min}, ${s.max}]`;
    case 'number-or-null':
      return `null or a number in [${s.min}, ${s.max}]`;
  }
}

function valid(key: HyperparamKey, v: unknown): boolean {
  const s: HyperparamSpec = HYPERPARAM_SPECS[key];
  switch (s.type) {
    case 'enum':
      return typeof v === 'string' && s.values.includes(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= s.max;
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (s.minOpen ? v > s.min : v >= s.min) &&
        v <= s.max
      );
    case 'number-or-null':
      return (
        v === null || (typeof v === 'number' && Number.isFinite(v) && v >= s.min && v <= s.max)
      );
  }
}

export interface HyperparamIssue {
  key: string;
  /** The valid range in words. */
  expected: string;
  actual: string;
  /** The full English message (what `validateHyperparams` would throw). */
  message: string;
}

/**
 * Every problem of `input` (missing keys take their defaults; unknown keys are problems, so
 * a typo is not silently ignored), plus the cross-field rules: `tbptt` at most `seqLen`,
 * `dropout` > 0 only with 2 or more layers (as PyTorch warns).
 */
export function hyperparamIssues(input: unknown): HyperparamIssue[] {
  const issues: HyperparamIssue[] = [];
  const push = (key: string, expected: string, actual: string): void => {
    const e = new EngineError('HYPERPARAM', { key, expected, actual });
    issues.push({ key, expected, actual, message: e.message });
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    push('(all)', 'an object of hyperparameters', describeValue(input));
    return issues;
  }
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(k in HYPERPARAM_SPECS))
      push(k, `absent (known: ${HYPERPARAM_KEYS.join(', ')})`, describeValue(o[k]));
  }
  for (const k of HYPERPARAM_KEYS) {
    if (o[k] === undefined) continue;
    if (!valid(k, o[k])) push(k, describeRange(k), describeValue(o[k]));
  }
  if (issues.length > 0) return issues;
  const h = { ...defaultHyperparams(), ...(o as Partial<Hyperparams>) };
  if (h.tbptt > h.seqLen) {
    push('tbptt', `0 (full) or an integer in [1, seqLen = ${h.seqLen}]`, String(h.tbptt));
  }
  if (h.dropout > 0 && h.numLayers < 2) {
    push('dropout', '0 with one layer (dropout acts between stacked layers)', String(h.dropout));
  }
  return issues;
}

/**
 * Checks `input` and returns a clean, complete copy (defaults filled in).
 * @throws EngineError `HYPERPARAM` for the first problem, naming the key and its valid range.
 */
export function validateHyperparams(input: unknown): Hyperparams {
  const issues = hyperparamIssues(input);
  if (issues.length > 0) {
    const first = issues[0];
    throw new EngineError('HYPERPARAM', {
      key: first.key,
      expected: first.expected,
      actual: first.actual,
    });
  }
  const out = { ...defaultHyperparams(), ...(input as Partial<Hyperparams>) };
  return out;
}

/** What a task needs to know to build a model from hyperparameters (see `TaskInfo`). */
export interface ModelTarget {
  id: string;
  inputSize: number;
  outputSize: number;
  readoutMode: 'every' | 'last';
  causal: boolean;
  allowedLosses: readonly LossKind[];
}

/**
 * The model spec for `task`. Refuses (EngineError `HYPERPARAM`) a bidirectional model on a
 * causal task (the reverse direction would read the answer) and a loss the task does not
 * allow.
 */
export function modelSpecFor(h: Hyperparams, task: ModelTarget): ModelSpec {
  if (h.bidirectional && task.causal) {
    throw new EngineError('HYPERPARAM', {
      key: 'bidirectional',
      expected: `false for the task ${task.id} (its output at step t must not see later inputs)`,
      actual: 'true',
    });
  }
  if (!task.allowedLosses.includes(h.loss)) {
    throw new EngineError('HYPERPARAM', {
      key: 'loss',
      expected: `one of ${task.allowedLosses.join(', ')} for the task ${task.id}`,
      actual: JSON.stringify(h.loss),
    });
  }
  const spec: ModelSpec = {
    cell: h.cell,
    inputSize: task.inputSize,
    hiddenSize: h.hiddenSize,
    numLayers: h.numLayers,
    bidirectional: h.bidirectional,
    bias: true,
    readout: { outputSize: task.outputSize, mode: task.readoutMode },
  };
  if (h.dropout > 0) spec.dropout = h.dropout;
  return spec;
}

/** The optimizer config: PyTorch semantics (`torch.optim`) with the chosen options. */
export function optimizerConfigFor(h: Hyperparams): OptimizerConfig {
  switch (h.optimizer) {
    case 'adam':
      return {
        name: 'adam',
        lr: h.learningRate,
        betas: [h.beta1, h.beta2],
        weightDecay: h.weightDecay,
      };
    case 'rmsprop':
      return {
        name: 'rmsprop',
        lr: h.learningRate,
        alpha: h.alpha,
        momentum: h.momentum,
        weightDecay: h.weightDecay,
      };
    case 'sgd':
      return { name: 'sgd', lr: h.learningRate, momentum: h.momentum, weightDecay: h.weightDecay };
  }
}

/** The `Trainer` config: loss, optimizer, clipping and truncation. */
export function trainConfigFor(h: Hyperparams): TrainConfig {
  return {
    loss: h.loss,
    optimizer: optimizerConfigFor(h),
    clipGradNorm: h.clipMode === 'norm' ? h.clipThreshold : null,
    clipGradValue: h.clipMode === 'value' ? h.clipThreshold : null,
    truncate: h.tbptt,
    seed: h.seed,
  };
}
