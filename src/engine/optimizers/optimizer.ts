/**
 * Optimizers with PyTorch's `torch.optim` semantics, updating one flat float32 parameter vector
 * in place from its flat gradient. State buffers (float64, for accuracy over long runs) are
 * allocated once, at creation; `step` allocates nothing.
 *
 * When the active kernels offer `createUpdater` (the WebAssembly SIMD kernels), the first step
 * made with them moves the state into the updater's memory and the update runs there (same
 * float64 operations in the same order: the same bits); steps made with other kernels run the
 * JS loops below on the same state arrays, so switching kernels mid-training is seamless.
 */

import { EngineError } from '../errors';
import { getKernels } from '../kernels';
import type { ParamUpdater, UpdateRule } from '../kernels';
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
  /** The state arrays (float64 [size] each): plain arrays, or views into `updater`'s memory. */
  protected state: Float64Array[];
  private updater: ParamUpdater | null = null;
  /** False once making an updater failed (do not retry every step). */
  private canUpdate = true;
  constructor(
    public config: C,
    readonly size: number,
    slots: number,
  ) {
    this.state = Array.from({ length: slots }, () => new Float64Array(size));
  }
  abstract step(params: Float32Array, grads: Float32Array): void;

  /**
   * The updater of the active kernels when they have one (made on first use, the state
   * moved into it), else null: the caller then runs its JS loop.
   */
  protected kernelUpdater(): ParamUpdater | null {
    const kernels = getKernels();
    if (!kernels.createUpdater || this.size === 0) return null;
    if (!this.updater && this.canUpdate) {
      const u = kernels.createUpdater(this.size, this.state.length);
      if (u && u.state.length === this.state.length) {
        u.state.forEach((arr, i) => arr.set(this.state[i]));
        this.state = u.state;
        this.updater = u;
      } else this.canUpdate = false;
    }
    return this.updater;
  }

  reset(): void {
    for (const arr of this.state) arr.fill(0);
    this.stepCount = 0;
  }
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
  private readonly rule: UpdateRule & { name: 'sgd' } = {
    name: 'sgd',
    lr: 0,
    momentum: 0,
    dampening: 0,
    nesterov: false,
    weightDecay: 0,
    first: true,
  };
  constructor(config: ResolvedSgdConfig, size: number) {
    super(config, size, 1);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, momentum, dampening, nesterov, weightDecay } = this.config;
    const first = this.stepCount === 0;
    const u = this.kernelUpdater();
    if (u) {
      const r = this.rule;
      r.lr = lr;
      r.momentum = momentum;
      r.dampening = dampening;
      r.nesterov = nesterov;
      r.weightDecay = weightDecay;
      r.first = first;
      u.update(this.rule, params, grads);
      this.stepCount++;
      return;
    }
    const buf = this.state[0];
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
}

/**
 * Adam (`torch.optim.Adam`, L2 weight decay added to the gradient, not AdamW). At step t,
 * with `g = grad + weightDecay * p`:
 * `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
 * `p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 */
class Adam extends BaseOptimizer<ResolvedAdamConfig> {
  private readonly rule: UpdateRule & { name: 'adam' } = {
    name: 'adam',
    b1: 0,
    b2: 0,
    eps: 0,
    weightDecay: 0,
    stepSize: 0,
    bc2Sqrt: 0,
  };
  constructor(config: ResolvedAdamConfig, size: number) {
    super(config, size, 2);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, betas, eps, weightDecay } = this.config;
    const [b1, b2] = betas;
    const t = this.stepCount + 1;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const u = this.kernelUpdater();
    if (u) {
      const r = this.rule;
      r.b1 = b1;
      r.b2 = b2;
      r.eps = eps;
      r.weightDecay = weightDecay;
      r.stepSize = stepSize;
      r.bc2Sqrt = bc2Sqrt;
      u.update(this.rule, params, grads);
      this.stepCount = t;
      return;
    }
    const [m, v] = this.state;
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
}

/**
 * RMSprop (`torch.optim.RMSprop`). With `g = grad + weightDecay * p`:
 * `s = alpha s + (1 - alpha) g^2`; centered: `a = a + (1 - alpha)(g - a)`, `d = sqrt(s - a^2) + eps`,
 * else `d = sqrt(s) + eps`; momentum > 0: `buf = momentum buf + g / d`, `p -= lr buf`;
 * otherwise `p -= lr g / d`.
 */
class Rmsprop extends BaseOptimizer<ResolvedRmspropConfig> {
  private readonly rule: UpdateRule & { name: 'rmsprop' } = {
    name: 'rmsprop',
    lr: 0,
    alpha: 0,
    eps: 0,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  };
  constructor(config: ResolvedRmspropConfig, size: number) {
    super(config, size, 3);
  }
  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.size, params, grads);
    const { lr, alpha, eps, weightDecay, momentum, centered } = this.config;
    const u = this.kernelUpdater();
    if (u) {
      const r = this.rule;
      r.lr = lr;
      r.alpha = alpha;
      r.eps = eps;
      r.weightDecay = weightDecay;
      r.momentum = momentum;
      r.centered = centered;
      u.update(this.rule, params, grads);
      this.stepCount++;
      return;
    }
    const [square, gradAvg, buf] = this.state;
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
