/**
 * What every training task offers the training driver, the worker and the tests.
 *
 * A task turns a dataset (generated from the seeded `Rng`, or parsed from a shipped text)
 * into batches, time-major: `input` `[T, B, inputSize]`, `target` `[T, B]` classes (mode
 * `every`, cross-entropy), `[B]` (mode `last`), or `[T, B, O]` / `[B, O]` values (MSE), with
 * `lengths` `[B]` for padded variable-length data and `mask` `[T, B]` (1 where a loss term
 * counts). It scores a model on fixed, seeded validation data with its own metrics.
 */
import type { Model } from '../model';
import type { Rng } from '../random';
import type { LossKind } from '../train';
import type { Trace } from '../types';

export const TASK_KINDS = [
  'char-lm',
  'forecast',
  'recall',
  'copy',
  'adding',
  'brackets',
  'sentiment',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** One batch, time-major; a valid `TrainBatch` for `Trainer.step`. */
export interface TaskBatch {
  /** `[T, B, inputSize]` */
  input: Float32Array;
  /** Classes (as integers) or values, shaped as the task's loss and readout mode need. */
  target: Float32Array;
  T: number;
  B: number;
  /** Valid steps per sequence `[B]`, or null when every sequence has all T steps. */
  lengths: Int32Array | null;
  /**
   * `[T, B]` (mode `every`) or `[B]` (mode `last`): 1 where the metrics score the output, 0
   * elsewhere (padding after a sequence's end, or the steps of a probe that have no answer
   * to give, such as the copy task's input phase). The loss still covers every valid step.
   */
  mask: Uint8Array;
}

/** How a curriculum may grow a task's difficulty (e.g. the recall delay). */
export interface CurriculumSpec {
  /** The option it changes: `delay`, `length`, ... (for labels). */
  param: string;
  min: number;
  max: number;
  /** Increment when the batch score reaches the threshold. */
  step: number;
  /** The level the task is configured for (its delay or length): where a curriculum ends by default. */
  target: number;
}

/** Metrics of a model on the task's validation data. */
export interface TaskMetrics {
  /** The task's headline metric (`TaskInfo.metric`). */
  primary: number;
  /** Every metric by name (`accuracy`, `perplexity`, `mae`, `baselineMae`, `macroF1`, ...). */
  values: Record<string, number>;
  /** Confusion matrix (rows truth, columns prediction), for classification tasks. */
  confusion?: number[][];
  /** Per-class precision/recall/F1, for classification tasks. */
  perClass?: { precision: number; recall: number; f1: number; support: number }[];
  /** Forecast versus truth for the chart (original units), for forecasting tasks. */
  forecast?: { x: number[]; truth: number[]; prediction: number[]; baseline: number[] };
}

export type MetricName = 'accuracy' | 'perplexity' | 'mae' | 'mse' | 'rmse' | 'mape' | 'macroF1';

/** Plain data describing a task (serializable: it travels to the UI). */
export interface TaskInfo {
  /** Stable id: `char-lm-en`, `recall`, ... */
  id: string;
  kind: TaskKind;
  inputSize: number;
  outputSize: number;
  readoutMode: 'every' | 'last';
  /** The loss the task is meant for; `allowedLosses` lists what else it accepts. */
  loss: LossKind;
  allowedLosses: LossKind[];
  /** Classification (integer targets) or regression (values). */
  targetKind: 'class' | 'value';
  /**
   * True when the output at step t must not see inputs after t (next-step prediction): a
   * bidirectional model would read the answer, so it is refused.
   */
  causal: boolean;
  /** Headline metric and its direction. */
  metric: MetricName;
  higherIsBetter: boolean;
  /** Default sequence length of training batches. */
  seqLen: number;
  /** Labels of the output classes or input symbols, for the UI (may be empty). */
  symbols: string[];
  curriculum: CurriculumSpec | null;
}

export interface SampleOptions {
  /** Sequence length (tasks with a free length: char LM, forecast, brackets, adding). */
  seqLen?: number;
  /** Curriculum level (the value of `curriculum.param`), when the task has one. */
  level?: number;
}

export interface Task {
  readonly info: TaskInfo;
  /** A fresh training batch of B sequences drawn from `rng`. */
  sample(rng: Rng, B: number, options?: SampleOptions): TaskBatch;
  /** Fixed validation batches (the same on every call). */
  validation(): TaskBatch[];
  /**
   * The headline score of the last forward on a training batch, read from its trace
   * without another forward (for curriculum and live charts): accuracy for classification
   * tasks, the task's loss-like metric otherwise.
   */
  batchScore(trace: Trace, batch: TaskBatch): number;
  /** Every metric of `model` on `validation()`. */
  evaluate(model: Model): TaskMetrics;
}
