/**
 * Training: one step = forward (with the readout) + loss + backward through time + optional
 * clipping + one optimizer update, in PyTorch's order:
 * ```
 * y = readout(rnn(x))                 forward, trace recorded
 * L = loss(y, target)                 MSE or softmax cross-entropy, mean over valid steps
 * g = dL/dθ                           backward (truncated with window k when asked)
 * n = ||g||₂                          reported, always before clipping
 * g *= min(1, maxNorm / (n + 1e-6))   torch.nn.utils.clip_grad_norm_ (when clipGradNorm)
 * g = clamp(g, -v, v)                 torch.nn.utils.clip_grad_value_ (when clipGradValue)
 * θ = optimizer.step(θ, g)
 * ```
 * A `Trainer` holds the workspace, the loss-gradient buffer and the optimizer state, all
 * allocated on the first step of a given (spec, T, B) and reused after it.
 */

import { backward, clipGradNorm, clipGradValue, gradNorm } from './bptt';
import { EngineError } from './errors';
import { crossEntropyLoss, mseLoss } from './loss';
import type { Model } from './model';
import { createOptimizer, resolveOptimizerConfig } from './optimizers';
import type { Optimizer, OptimizerConfig, ResolvedOptimizerConfig } from './optimizers';
import type { Trace } from './types';
import type { Workspace } from './unroll';
import { forward, workspaceOf } from './unroll';

/** `mse`: nn.MSELoss (mean over valid steps and outputs); `cross-entropy`: nn.CrossEntropyLoss. */
export type LossKind = 'mse' | 'cross-entropy';
export const LOSS_KINDS: readonly LossKind[] = ['mse', 'cross-entropy'];

/** How to train: plain serializable data. */
export interface TrainConfig {
  loss: LossKind;
  optimizer: OptimizerConfig;
  /** Max global L2 norm of the gradient (clip_grad_norm_); null/absent: no clipping. */
  clipGradNorm?: number | null;
  /** Max absolute value of each gradient (clip_grad_value_); null/absent: none. */
  clipGradValue?: number | null;
  /** Truncated BPTT window in steps; 0/absent: full BPTT. */
  truncate?: number;
  /** Base seed of the dropout masks; step k uses seed + k (only when spec.dropout > 0). */
  seed?: number;
}

/** One batch, time-major. */
export interface TrainBatch {
  /** `[T, B, inputSize]` */
  input: ArrayLike<number>;
  /**
   * MSE: `[T, B, O]` (readout mode `every`) or `[B, O]` (`last`);
   * cross-entropy: integer classes `[T, B]` or `[B]`.
   */
  target: ArrayLike<number>;
  /** Batch size (default 1). */
  B?: number;
  /** Valid steps per sequence `[B]` (default all T). */
  lengths?: ArrayLike<number> | null;
  /** Initial states `[numLayers*D, B, H]` (default zeros). */
  h0?: ArrayLike<number> | null;
  c0?: ArrayLike<number> | null;
}

export interface TrainStepResult {
  /** Loss before the update. */
  loss: number;
  /** Global L2 norm of the gradient before clipping (what clip_grad_norm_ returns). */
  gradNorm: number;
  /** Updates applied so far, this one included. */
  step: number;
}

function checkConfig(config: TrainConfig): {
  loss: LossKind;
  optimizer: ResolvedOptimizerConfig;
  clipGradNorm: number | null;
  clipGradValue: number | null;
  truncate: number;
  seed: number;
} {
  if (!LOSS_KINDS.includes(config.loss)) {
    throw new EngineError('TRAIN_CONFIG', {
      field: 'loss',
      expected: `one of ${LOSS_KINDS.join(', ')}`,
      actual: JSON.stringify(config.loss) ?? 'undefined',
    });
  }
  const positive = (field: string, v: number | null | undefined): number | null => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new EngineError('TRAIN_CONFIG', {
        field,
        expected: 'a finite number > 0, or null for none',
        actual: JSON.stringify(v),
      });
    }
    return v;
  };
  const truncate = config.truncate ?? 0;
  if (!Number.isInteger(truncate) || truncate < 0) {
    throw new EngineError('TRAIN_CONFIG', {
      field: 'truncate',
      expected: 'an integer >= 0 (0 = full BPTT)',
      actual: JSON.stringify(truncate),
    });
  }
  const seed = config.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new EngineError('TRAIN_CONFIG', {
      field: 'seed',
      expected: 'a finite number',
      actual: String(seed),
    });
  }
  return {
    loss: config.loss,
    optimizer: resolveOptimizerConfig(config.optimizer),
    clipGradNorm: positive('clipGradNorm', config.clipGradNorm),
    clipGradValue: positive('clipGradValue', config.clipGradValue),
    truncate,
    seed,
  };
}

/**
 * Trains one model: holds the optimizer state, the workspace of the last (T, B) and the
 * loss-gradient buffer, so that repeated `step`s on batches of one shape allocate nothing
 * after the first.
 */
export class Trainer {
  readonly model: Model;
  private cfg: ReturnType<typeof checkConfig>;
  private opt: Optimizer;
  private workspace: Workspace | null = null;
  private dReadout: Float32Array | undefined;
  private trace: Trace | null = null;
  /** Parameters before the current update, to undo an update that overflows. */
  private readonly backup: Float32Array;

  /** @throws EngineError `TRAIN_CONFIG` / `OPT_CONFIG` for an invalid config; `NO_READOUT` without a readout. */
  constructor(model: Model, config: TrainConfig) {
    if (!model.readout || !model.spec.readout) {
      throw new EngineError('NO_READOUT', { what: 'Trainer' });
    }
    this.model = model;
    this.cfg = checkConfig(config);
    this.opt = createOptimizer(this.cfg.optimizer, model.params.length);
    this.backup = new Float32Array(model.params.length);
  }

  /** The config in force, defaults filled in (serializable). */
  get config(): TrainConfig {
    const { loss, optimizer, clipGradNorm, clipGradValue, truncate, seed } = this.cfg;
    return { loss, optimizer, clipGradNorm, clipGradValue, truncate, seed };
  }

  /** Updates applied so far. */
  get stepCount(): number {
    return this.opt.stepCount;
  }

  get optimizer(): Optimizer {
    return this.opt;
  }

  /** The trace of the last step's forward (owned by the trainer's workspace), or null. */
  get lastTrace(): Trace | null {
    return this.trace;
  }

  /**
   * Changes the config. Hyper-parameters of the same optimizer (e.g. the learning rate) keep
   * its state, as editing a torch param_group; another optimizer starts fresh.
   */
  reconfigure(config: TrainConfig): void {
    const next = checkConfig(config);
    if (next.optimizer.name === this.opt.config.name) this.opt.reconfigure(next.optimizer);
    else this.opt = createOptimizer(next.optimizer, this.model.params.length);
    this.cfg = next;
  }

  /** Forgets the optimizer state (moments, momentum, step count). */
  reset(): void {
    this.opt.reset();
  }

  /**
   * The loss on `batch` without training: forward in evaluation mode (no dropout) and the
   * loss, no backward, no update (e.g. a held-out loss for a chart). Reuses the workspace, so
   * `lastTrace` becomes this forward's trace.
   */
  evaluate(batch: TrainBatch): number {
    const trace = forward(this.model, batch.input, {
      B: batch.B ?? 1,
      lengths: batch.lengths,
      h0: batch.h0,
      c0: batch.c0,
      workspace: this.workspace,
    });
    this.workspace = workspaceOf(trace) ?? null;
    this.trace = trace;
    const r =
      this.cfg.loss === 'mse'
        ? mseLoss(trace, batch.target, this.dReadout)
        : crossEntropyLoss(trace, batch.target, this.dReadout);
    this.dReadout = r.dReadout;
    return r.loss;
  }

  /**
   * One training step on `batch` (see the file comment for the order). The loss and the
   * gradient norm are those before the update.
   *
   * @throws EngineError for a malformed batch (`INPUT_SIZE`, `TARGET_INVALID`, ...), or
   *   `TRAIN_DIVERGED` when the loss or the gradient is not finite or the update overflows
   *   float32: the parameters are then left as they were before the step.
   */
  step(batch: TrainBatch): TrainStepResult {
    const model = this.model;
    const trace = forward(model, batch.input, {
      B: batch.B ?? 1,
      lengths: batch.lengths,
      h0: batch.h0,
      c0: batch.c0,
      training: true,
      seed: this.cfg.seed + this.opt.stepCount,
      workspace: this.workspace,
    });
    this.workspace = workspaceOf(trace) ?? null;
    this.trace = trace;
    const lossResult =
      this.cfg.loss === 'mse'
        ? mseLoss(trace, batch.target, this.dReadout)
        : crossEntropyLoss(trace, batch.target, this.dReadout);
    this.dReadout = lossResult.dReadout;
    // The update needs the parameter gradients only: dL/d(input) is skipped.
    backward(model, trace, {
      dReadout: lossResult.dReadout,
      truncate: this.cfg.truncate,
      inputGrad: false,
    });
    const norm =
      this.cfg.clipGradNorm !== null
        ? clipGradNorm(model.grads, this.cfg.clipGradNorm)
        : gradNorm(model.grads);
    if (!Number.isFinite(lossResult.loss) || !Number.isFinite(norm)) {
      throw new EngineError('TRAIN_DIVERGED', {
        step: this.opt.stepCount + 1,
        loss: String(lossResult.loss),
        gradNorm: String(norm),
      });
    }
    if (this.cfg.clipGradValue !== null) clipGradValue(model.grads, this.cfg.clipGradValue);
    const params = model.params;
    this.backup.set(params);
    this.opt.step(params, model.grads);
    for (let i = 0; i < params.length; i++) {
      if (!Number.isFinite(params[i])) {
        // An update that overflows float32 would poison every later step: undo it.
        params.set(this.backup);
        throw new EngineError('TRAIN_DIVERGED', {
          step: this.opt.stepCount,
          loss: String(lossResult.loss),
          gradNorm: `${norm} (the update overflowed float32 at parameter ${i})`,
        });
      }
    }
    return { loss: lossResult.loss, gradNorm: norm, step: this.opt.stepCount };
  }
}
