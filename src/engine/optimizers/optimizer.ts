/**
 * Optimizers with PyTorch's `torch.optim` semantics, updating one flat float32 parameter vector
 * in place from its flat gradient. State buffers (float64, for accuracy over long runs) are
 * allocated once, at creation; `step` allocates nothing.
 */

import { EngineError } from '../errors';
import type {
  OptimizerConfig,
  ResolvedAdamConfig,
  ResolvedOptimizerConfig,
  ResolvedRmspropConfig,
  ResolvedSgdConfig,
} from './config';
import { resolveOptimizerConfig } from './config';

/** A stateful optimizer bound to a parameter vector of fixed length. */
export interface Optimizer {
  /** The configuration in force, with every default filled in. */
  readonly config: ResolvedOptimizerConfig;
  /** Length of the parameter vector it was created for. */
  readonly size: number;
  /** Number of `step` calls since creation or the last `reset`. */
  readonly stepCount: number;
  /** One update: `params <- params - lr * direction(grads, state)`, in place. `grads` is not modified. */
  step(params: Float32Array, grads: Float32Array): void;
  /** Forgets the state (momentum, moments, step count), as a freshly built torch optimizer. */
  reset(): void;
  /**
   * Changes hyper-parameters and keeps the state, as editing a torch `param_group` does
   * (e.g. a new learning rate mid-training). The optimizer name must stay the same.
   */
  reconfigure(config: OptimizerConfig): void;
}

function checkSizes(size: number, params: Float32Array, grads: Float32Array): void {
  if (params.length !== size || grads.length !== size) {
    throw new EngineError('OPT_SIZE', {
      expected: size,
      actual: `${params.length} and ${grads.length}`,
    });
  }
}

abstract class BaseOptimizer<C extends ResolvedOptimizerConfig> implements Optimizer {
  stepCount = 0;
  constructor(
    public config: C,
    readonly size: number,
  ) {}
  abstract step(params: Float32Array, grads: Float32Array): void;
  abstract reset(): void;
  reconfigure(config: OptimizerConfig): void {
    const resolved = resolveOptimizerConfig(config);
    if (resolved.name !== this.config.name) {
      throw new EngineError('OPT_CONFIG', {
        optimizer: this.config.name,
        field: 'name',
        expected: `${this.config.name} (create a new optimizer to switch)`,
        actual: resolved.name,
      });
    }
    this.config = resolved as C;
  }
}

/**
 * SGD (`torch.optim.SGD`). With `g = grad + weightDecay * p`:
 * momentum 0: `p -= lr * g`; otherwise `buf = g` on the first step, then
 * `buf = momentum * buf + (1 - dampening) * g`, and `p -= lr * (nesterov ? g + momentum * buf : buf)`.
 */
class Sgd extends BaseOptimizer<ResolvedSgdConfig> {
  private readonly buf: Float64Array;
  constructor(config: ResolvedSgdConfig, size: number) {
    super(config, size);
    this.buf = new Float64Array(size);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, momentum, dampening, nesterov, weightDecay } = this.config;
    const buf = this.buf;
    const first = this.stepCount === 0;
    for (let i = 0; i < this.size; i++) {
      let g = grads[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      if (momentum !== 0) {
        const b = first ? g : momentum * buf[i] + (1 - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
      }
      params[i] -= lr * g;
    }
    this.stepCount++;
  }
  reset(): void {
    this.buf.fill(0);
    this.stepCount = 0;
  }
}

/**
 * Adam (`torch.optim.Adam`, L2 weight decay added to the gradient, not AdamW). At step t,
 * with `g = grad + weightDecay * p`:
 * `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
 * `p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 */
class Adam extends BaseOptimizer<ResolvedAdamConfig> {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(config: ResolvedAdamConfig, size: number) {
    super(config, size);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, betas, eps, weightDecay } = this.config;
    const [b1, b2] = betas;
    const t = this.stepCount + 1;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const { m, v } = this;
    for (let i = 0; i < this.size; i++) {
      let g = grads[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      // torch: exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
      const mi = m[i] + (1 - b1) * (g - m[i]);
      const vi = v[i] * b2 + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
    this.stepCount = t;
  }
  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.stepCount = 0;
  }
}

/**
 * RMSprop (`torch.optim.RMSprop`). With `g = grad + weightDecay * p`:
 * `s = alpha s + (1 - alpha) g^2`; centered: `a = a + (1 - alpha)(g - a)`, `d = sqrt(s - a^2) + eps`,
 * else `d = sqrt(s) + eps`; momentum > 0: `buf = momentum buf + g / d`, `p -= lr buf`;
 * otherwise `p -= lr g / d`.
 */
class Rmsprop extends BaseOptimizer<ResolvedRmspropConfig> {
  private readonly square: Float64Array;
  private readonly gradAvg: Float64Array;
  private readonly buf: Float64Array;
  constructor(config: ResolvedRmspropConfig, size: number) {
    super(config, size);
    this.square = new Float64Array(size);
    this.gradAvg = new Float64Array(size);
    this.buf = new Float64Array(size);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, alpha, eps, weightDecay, momentum, centered } = this.config;
    const { square, gradAvg, buf } = this;
    for (let i = 0; i < this.size; i++) {
      let g = grads[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      const s = square[i] * alpha + (1 - alpha) * g * g;
      square[i] = s;
      let d: number;
      if (centered) {
        const a = gradAvg[i] + (1 - alpha) * (g - gradAvg[i]);
        gradAvg[i] = a;
        d = Math.sqrt(s - a * a) + eps;
      } else {
        d = Math.sqrt(s) + eps;
      }
      if (momentum > 0) {
        const b = momentum * buf[i] + g / d;
        buf[i] = b;
        params[i] -= lr * b;
      } else {
        params[i] -= (lr * g) / d;
      }
    }
    this.stepCount++;
  }
  reset(): void {
    this.square.fill(0);
    this.gradAvg.fill(0);
    this.buf.fill(0);
    this.stepCount = 0;
  }
}

/**
 * Builds an optimizer for a parameter vector of `size` values (the model's flat `params`).
 * Missing config fields take PyTorch's defaults.
 *
 * @throws EngineError `OPT_CONFIG` for an invalid configuration.
 */
export function createOptimizer(config: OptimizerConfig, size: number): Optimizer {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new EngineError('OPT_SIZE', { expected: 'a non-negative integer', actual: size });
  }
  const c = resolveOptimizerConfig(config);
  switch (c.name) {
    case 'sgd':
      return new Sgd(c, size);
    case 'adam':
      return new Adam(c, size);
    case 'rmsprop':
      return new Rmsprop(c, size);
  }
}
