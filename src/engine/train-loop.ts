/**
 * The chunked training driver the worker runs: `runChunk(n)` makes at most n training steps
 * and returns, so the worker can post progress and hear `pause` between chunks.
 *
 * Each step: draw a batch from the task (curriculum level and sequence length applied),
 * `Trainer.step` (forward, loss, BPTT, clipping, optimizer update), score the batch from the
 * trace it already has. Around the steps:
 * - curriculum: an exponential average of the batch score (accuracy, or a loss for
 *   regression tasks) raises the task's difficulty (`curriculum.param`, e.g. the recall
 *   delay) by its step whenever it passes the threshold, up to `max`;
 * - snapshots: a copy of every parameter every `snapshotEvery` steps (and at step 0), for
 *   the training timeline; past `maxSnapshots`, the interval doubles and the snapshots off
 *   it are dropped, so the timeline always spans the whole run evenly;
 * - evaluation on the task's validation data every `evalEvery` steps;
 * - divergence: a non-finite loss or gradient, or an update that overflows, stops the run
 *   (status `diverged`) with the reason and advice, and the model keeps the last good weights.
 */
import { EngineError } from './errors';
import {
  defaultHyperparams,
  modelSpecFor,
  trainConfigFor,
  validateHyperparams,
} from './hyperparams';
import type { Hyperparams } from './hyperparams';
import { createModel } from './model';
import type { Model } from './model';
import { Rng } from './random';
import { Trainer } from './train';
import type { TrainBatch } from './train';
import type { Task, TaskBatch, TaskMetrics } from './tasks/types';

export interface CurriculumConfig {
  /** Level to start from (default the task's `curriculum.min`). */
  start?: number;
  /** Level to stop growing at (default the task's own level, e.g. its configured delay). */
  max?: number;
  /**
   * Score the smoothed batch score must reach to grow: accuracy >= threshold for tasks
   * where higher is better (default 0.9), loss <= threshold otherwise (default 0.01).
   */
  threshold?: number;
}

export interface TrainingRunOptions {
  task: Task;
  /** Hyperparameters (validated; missing keys take the task's defaults, see `hyperparamsForTask`). */
  hyper: Partial<Hyperparams>;
  /** Continue training these weights instead of a fresh model (spec must fit the task). */
  model?: Model;
  /** Parameter snapshot every N steps (0 = none; default 0). */
  snapshotEvery?: number;
  /** Most snapshots kept (default 200). */
  maxSnapshots?: number;
  /** Validation every N steps (0 = only when `evaluate()` is called; default 0). */
  evalEvery?: number;
  /** Curriculum (tasks with `info.curriculum` only); null or absent: off. */
  curriculum?: CurriculumConfig | null;
  /** Stop after this many steps in total (0 = no limit; default 0). */
  maxSteps?: number;
}

export interface StepRecord {
  step: number;
  loss: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  /** Whether norm clipping scaled this step's gradient (always false for value clipping/off). */
  clipped: boolean;
  /** The batch's headline score (accuracy, or the task's loss-like metric). */
  score: number;
  /** Curriculum level of this batch, or null without a curriculum. */
  level: number | null;
}

export interface EvalRecord {
  step: number;
  metrics: TaskMetrics;
}

export interface Snapshot {
  step: number;
  /** Copy of `model.params` (state_dict order). */
  params: Float32Array;
}

export type DivergenceReason = 'loss-not-finite' | 'gradient-not-finite' | 'update-overflow';

export interface Divergence {
  step: number;
  loss: number;
  gradNorm: number;
  reason: DivergenceReason;
  /** English explanation with the advice (the UI translates `reason` and `advice`). */
  message: string;
  advice: ('clip-gradients' | 'lower-learning-rate')[];
}

export type RunStatus = 'running' | 'finished' | 'diverged';

export interface ChunkResult {
  steps: StepRecord[];
  evals: EvalRecord[];
  /** Snapshots taken during this chunk. */
  snapshots: Snapshot[];
  status: RunStatus;
  divergence: Divergence | null;
  /** Curriculum level after the chunk (null without curriculum). */
  level: number | null;
  /** Total steps so far. */
  totalSteps: number;
}

/** Hyperparameters for `task`: its sequence length and loss, the defaults, then `overrides`. */
export function hyperparamsForTask(task: Task, overrides: Partial<Hyperparams> = {}): Hyperparams {
  return validateHyperparams({
    ...defaultHyperparams(),
    seqLen: task.info.seqLen,
    loss: task.info.loss,
    ...overrides,
  });
}

/** Sets the LSTM forget-gate biases: b_ih[f] = value, b_hh[f] = 0 (f = rows H..2H-1). */
export function setForgetBias(model: Model, value: number): void {
  if (model.spec.cell !== 'lstm') return;
  const H = model.spec.hiddenSize;
  for (const layer of model.layers) {
    layer.bih?.fill(value, H, 2 * H);
    layer.bhh?.fill(0, H, 2 * H);
  }
}

/** One training run of one model on one task. */
export class TrainingRun {
  readonly task: Task;
  readonly hyper: Hyperparams;
  readonly model: Model;
  readonly trainer: Trainer;
  readonly snapshots: Snapshot[] = [];
  readonly history: StepRecord[] = [];
  readonly evals: EvalRecord[] = [];
  private readonly rng: Rng;
  private readonly lastGood: Float32Array;
  private snapshotEvery: number;
  private readonly maxSnapshots: number;
  private readonly evalEvery: number;
  private readonly maxSteps: number;
  private readonly curriculum: {
    level: number;
    max: number;
    step: number;
    threshold: number;
  } | null;
  private smoothed: number | null = null;
  private statusValue: RunStatus = 'running';
  private divergenceValue: Divergence | null = null;
  private oneHot: Float32Array | null = null;

  /** @throws EngineError `HYPERPARAM` (with the valid range), `TASK_CONFIG`, `SPEC_FIELD`. */
  constructor(options: TrainingRunOptions) {
    const task = options.task;
    this.task = task;
    this.hyper = hyperparamsForTask(task, options.hyper);
    const spec = modelSpecFor(this.hyper, task.info);
    if (options.model) {
      const m = options.model.spec;
      if (
        m.inputSize !== spec.inputSize ||
        m.readout?.outputSize !== spec.readout?.outputSize ||
        m.readout?.mode !== spec.readout?.mode
      ) {
        throw new EngineError('TASK_CONFIG', {
          task: task.info.id,
          field: 'model',
          expected: `inputSize ${spec.inputSize} and a readout of ${spec.readout?.outputSize} (${spec.readout?.mode})`,
          actual: `inputSize ${m.inputSize} and a readout of ${m.readout?.outputSize ?? 'none'} (${m.readout?.mode ?? '-'})`,
        });
      }
      this.model = options.model;
    } else {
      this.model = createModel(spec, { seed: this.hyper.seed });
      if (this.hyper.forgetBias !== null) setForgetBias(this.model, this.hyper.forgetBias);
    }
    this.trainer = new Trainer(this.model, trainConfigFor(this.hyper));
    // Batches get their own stream, so the same seed gives the same data whatever the model.
    this.rng = new Rng((this.hyper.seed ^ 0x9e3779b9) >>> 0);
    this.lastGood = this.model.params.slice();
    this.snapshotEvery = nonNegativeInt('snapshotEvery', options.snapshotEvery ?? 0);
    this.maxSnapshots = Math.max(2, nonNegativeInt('maxSnapshots', options.maxSnapshots ?? 200));
    this.evalEvery = nonNegativeInt('evalEvery', options.evalEvery ?? 0);
    this.maxSteps = nonNegativeInt('maxSteps', options.maxSteps ?? 0);
    const cs = task.info.curriculum;
    const cc = options.curriculum;
    if (cc && cs) {
      const max = cc.max ?? cs.target;
      const level = cc.start ?? cs.min;
      for (const [field, v] of [
        ['curriculum.start', level],
        ['curriculum.max', max],
      ] as const) {
        if (!Number.isInteger(v) || v < cs.min || v > cs.max) {
          throw new EngineError('TASK_CONFIG', {
            task: task.info.id,
            field,
            expected: `an integer in [${cs.min}, ${cs.max}] (${cs.param})`,
            actual: String(v),
          });
        }
      }
      const threshold = cc.threshold ?? (task.info.higherIsBetter ? 0.9 : 0.01);
      this.curriculum = { level: Math.min(level, max), max, step: cs.step, threshold };
    } else this.curriculum = null;
    if (this.snapshotEvery > 0) this.snapshots.push({ step: 0, params: this.model.params.slice() });
  }

  get status(): RunStatus {
    return this.statusValue;
  }

  get divergence(): Divergence | null {
    return this.divergenceValue;
  }

  /** Steps made so far. */
  get totalSteps(): number {
    return this.trainer.stepCount;
  }

  /** Steps between snapshots now (doubles whenever `maxSnapshots` is exceeded). */
  get snapshotInterval(): number {
    return this.snapshotEvery;
  }

  /** Current curriculum level, or null. */
  get level(): number | null {
    return this.curriculum ? this.curriculum.level : null;
  }

  /** The next training batch as the current settings draw it (advances the run's data stream). */
  sampleBatch(): TaskBatch {
    const c = this.curriculum;
    return this.task.sample(
      this.rng,
      this.hyper.batchSize,
      c ? { level: c.level } : { seqLen: this.hyper.seqLen },
    );
  }

  /**
   * Makes at most `maxSteps` steps (fewer when the run finishes, diverges, or `deadline`
   * (a `now()` value) passes) and returns what happened in them.
   */
  runChunk(maxSteps: number, deadline?: { at: number; now: () => number }): ChunkResult {
    const steps: StepRecord[] = [];
    const evals: EvalRecord[] = [];
    const snaps: Snapshot[] = [];
    for (let n = 0; n < maxSteps && this.statusValue === 'running'; n++) {
      if (deadline && n > 0 && deadline.now() >= deadline.at) break;
      const rec = this.oneStep();
      if (!rec) break;
      steps.push(rec);
      const s = rec.step;
      if (this.snapshotEvery > 0 && s % this.snapshotEvery === 0) {
        const snap = { step: s, params: this.model.params.slice() };
        this.pushSnapshot(snap);
        snaps.push(snap);
      }
      if (this.evalEvery > 0 && s % this.evalEvery === 0) {
        const e = { step: s, metrics: this.task.evaluate(this.model) };
        this.evals.push(e);
        evals.push(e);
      }
      if (this.maxSteps > 0 && s >= this.maxSteps) this.statusValue = 'finished';
    }
    return {
      steps,
      evals,
      snapshots: snaps,
      status: this.statusValue,
      divergence: this.divergenceValue,
      level: this.level,
      totalSteps: this.totalSteps,
    };
  }

  /** Metrics of the current weights on the task's validation data. */
  evaluate(): TaskMetrics {
    return this.task.evaluate(this.model);
  }

  /** Copies a snapshot's parameters into the model (to show the gates at that step). */
  restoreSnapshot(step: number): void {
    const snap = this.snapshots.find((s) => s.step === step);
    if (!snap) {
      throw new EngineError('TASK_CONFIG', {
        task: this.task.info.id,
        field: 'snapshot step',
        expected: `one of ${this.snapshots.map((s) => s.step).join(', ') || '(no snapshots)'}`,
        actual: String(step),
      });
    }
    this.model.params.set(snap.params);
  }

  /**
   * A separate model holding a snapshot's parameters (the training model is untouched), to
   * run the timeline's sample input through the weights of that step.
   */
  modelAt(step: number): Model {
    const snap = this.snapshots.find((s) => s.step === step);
    if (!snap) {
      throw new EngineError('TASK_CONFIG', {
        task: this.task.info.id,
        field: 'snapshot step',
        expected: `one of ${this.snapshots.map((s) => s.step).join(', ') || '(no snapshots)'}`,
        actual: String(step),
      });
    }
    const m = createModel(this.model.spec, { zero: true });
    m.params.set(snap.params);
    return m;
  }

  private pushSnapshot(snap: Snapshot): void {
    this.snapshots.push(snap);
    if (this.snapshots.length > this.maxSnapshots) {
      // Double the interval and keep the snapshots on it (step 0 included): the timeline
      // keeps spanning the whole run at an even spacing.
      this.snapshotEvery *= 2;
      const kept = this.snapshots.filter((x) => x.step % this.snapshotEvery === 0);
      this.snapshots.splice(0, this.snapshots.length, ...kept);
    }
  }

  private trainBatch(batch: TaskBatch): TrainBatch {
    const info = this.task.info;
    let target: Float32Array = batch.target;
    if (info.targetKind === 'class' && this.hyper.loss === 'mse') {
      // MSE on a classifier regresses the logits onto the one-hot of the class.
      const O = info.outputSize;
      const rows = batch.target.length;
      if (!this.oneHot || this.oneHot.length !== rows * O) this.oneHot = new Float32Array(rows * O);
      this.oneHot.fill(0);
      for (let r = 0; r < rows; r++) this.oneHot[r * O + batch.target[r]] = 1;
      target = this.oneHot;
    }
    return { input: batch.input, target, B: batch.B, lengths: batch.lengths };
  }

  private oneStep(): StepRecord | null {
    const batch = this.sampleBatch();
    const level = this.level;
    // The weights entering this step are the last good ones (also after restoreSnapshot).
    this.lastGood.set(this.model.params);
    let result;
    try {
      result = this.trainer.step(this.trainBatch(batch));
    } catch (e) {
      if (e instanceof EngineError && e.code === 'TRAIN_DIVERGED') {
        this.diverge(e);
        return null;
      }
      throw e;
    }
    const trace = this.trainer.lastTrace;
    const score = trace ? this.task.batchScore(trace, batch) : Number.NaN;
    const c = this.curriculum;
    if (c) {
      this.smoothed = this.smoothed === null ? score : 0.7 * this.smoothed + 0.3 * score;
      const passed = this.task.info.higherIsBetter
        ? this.smoothed >= c.threshold
        : this.smoothed <= c.threshold;
      if (passed && c.level < c.max) {
        c.level = Math.min(c.max, c.level + c.step);
        this.smoothed = null;
      }
    }
    const clip = this.hyper.clipMode === 'norm' ? this.hyper.clipThreshold : Infinity;
    const rec: StepRecord = {
      step: result.step,
      loss: result.loss,
      gradNorm: result.gradNorm,
      clipped: result.gradNorm > clip,
      score,
      level,
    };
    this.history.push(rec);
    return rec;
  }

  private diverge(e: EngineError): void {
    const loss = Number(e.details.loss);
    const gradNorm = Number(String(e.details.gradNorm).split(' ')[0]);
    const reason: DivergenceReason = !Number.isFinite(loss)
      ? 'loss-not-finite'
      : !Number.isFinite(gradNorm)
        ? 'gradient-not-finite'
        : 'update-overflow';
    this.model.params.set(this.lastGood);
    const clipping = this.hyper.clipMode === 'off';
    const advice: Divergence['advice'] = clipping
      ? ['clip-gradients', 'lower-learning-rate']
      : ['lower-learning-rate', 'clip-gradients'];
    const what =
      reason === 'loss-not-finite'
        ? `the loss became ${e.details.loss}`
        : reason === 'gradient-not-finite'
          ? `the gradient norm became ${e.details.gradNorm}`
          : 'an update overflowed float32';
    this.divergenceValue = {
      step: Number(e.details.step),
      loss,
      gradNorm,
      reason,
      message:
        `Training stopped at step ${e.details.step}: ${what}. The gradients exploded; ` +
        (clipping
          ? `turn on gradient clipping (e.g. by norm, threshold 1) or lower the learning rate (now ${this.hyper.learningRate}).`
          : `lower the learning rate (now ${this.hyper.learningRate}) or the clipping threshold (now ${this.hyper.clipThreshold}).`) +
        ' The weights of the last good step were kept.',
      advice,
    };
    this.statusValue = 'diverged';
  }
}

function nonNegativeInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) {
    throw new EngineError('TASK_CONFIG', {
      task: 'training run',
      field,
      expected: 'an integer >= 0',
      actual: String(v),
    });
  }
  return v;
}
