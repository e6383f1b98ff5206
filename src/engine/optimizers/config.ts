/**
 * Optimizer configurations: plain serializable data (they travel in URLs, messages and
 * settings). Every field but `name` is optional and defaults to PyTorch's `torch.optim` value.
 */

import { EngineError } from '../errors';

/** `torch.optim.SGD`: lr 1e-3, momentum 0, dampening 0, weight decay 0, Nesterov off. */
export interface SgdConfig {
  name: 'sgd';
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** `torch.optim.Adam`: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (L2, not AdamW). */
export interface AdamConfig {
  name: 'adam';
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** `torch.optim.RMSprop`: lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered. */
export interface RmspropConfig {
  name: 'rmsprop';
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

export type OptimizerConfig = SgdConfig | AdamConfig | RmspropConfig;
export type OptimizerName = OptimizerConfig['name'];
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam', 'rmsprop'];

export type ResolvedSgdConfig = Required<SgdConfig>;
export type ResolvedAdamConfig = Required<AdamConfig>;
export type ResolvedRmspropConfig = Required<RmspropConfig>;
export type ResolvedOptimizerConfig =
  ResolvedSgdConfig | ResolvedAdamConfig | ResolvedRmspropConfig;

/** PyTorch 2.x defaults (`torch.optim`, as of 2.11). */
export const OPTIMIZER_DEFAULTS = {
  sgd: { name: 'sgd', lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  adam: { name: 'adam', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
  rmsprop: {
    name: 'rmsprop',
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  },
} as const satisfies {
  sgd: ResolvedSgdConfig;
  adam: ResolvedAdamConfig;
  rmsprop: ResolvedRmspropConfig;
};

function checkNumber(
  name: string,
  field: string,
  value: unknown,
  min: number,
  max = Infinity,
  maxOpen = false,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (maxOpen && value === max)
  ) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new EngineError('OPT_CONFIG', {
      optimizer: name,
      field,
      expected: `a finite number ${range}`,
      actual: JSON.stringify(value),
    });
  }
  return value;
}

function checkBoolean(name: string, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new EngineError('OPT_CONFIG', {
      optimizer: name,
      field,
      expected: 'true or false',
      actual: JSON.stringify(value),
    });
  }
  return value;
}

/**
 * Fills in PyTorch's defaults and validates every field (the same checks torch makes:
 * non-negative lr/eps/momentum/weight decay, betas in [0, 1), Nesterov needs momentum > 0
 * and zero dampening).
 *
 * @throws EngineError `OPT_CONFIG` naming the field and the value.
 */
export function resolveOptimizerConfig(config: OptimizerConfig): ResolvedOptimizerConfig {
  const raw = config as unknown;
  if (typeof raw !== 'object' || raw === null) {
    throw new EngineError('OPT_CONFIG', {
      optimizer: 'config',
      field: '(all)',
      expected: 'an object',
      actual: JSON.stringify(raw),
    });
  }
  const name = (raw as { name?: unknown }).name;
  if (name === 'sgd' || name === 'adam' || name === 'rmsprop') {
    const known = Object.keys(OPTIMIZER_DEFAULTS[name]);
    for (const field of Object.keys(raw)) {
      if (!known.includes(field)) {
        throw new EngineError('OPT_CONFIG', {
          optimizer: name,
          field,
          expected: `absent (${name} takes ${known.join(', ')})`,
          actual: JSON.stringify((raw as Record<string, unknown>)[field]) ?? 'undefined',
        });
      }
    }
  }
  switch (name) {
    case 'sgd': {
      const c = { ...OPTIMIZER_DEFAULTS.sgd, ...stripUndefined(config) } as ResolvedSgdConfig;
      checkNumber(name, 'lr', c.lr, 0);
      checkNumber(name, 'momentum', c.momentum, 0);
      checkNumber(name, 'dampening', c.dampening, 0);
      checkNumber(name, 'weightDecay', c.weightDecay, 0);
      checkBoolean(name, 'nesterov', c.nesterov);
      if (c.nesterov && (c.momentum <= 0 || c.dampening !== 0)) {
        throw new EngineError('OPT_CONFIG', {
          optimizer: name,
          field: 'nesterov',
          expected: 'false unless momentum > 0 and dampening = 0 (as torch requires)',
          actual: `true with momentum ${c.momentum} and dampening ${c.dampening}`,
        });
      }
      return c;
    }
    case 'adam': {
      const c = { ...OPTIMIZER_DEFAULTS.adam, ...stripUndefined(config) } as ResolvedAdamConfig;
      checkNumber(name, 'lr', c.lr, 0);
      checkNumber(name, 'eps', c.eps, 0);
      checkNumber(name, 'weightDecay', c.weightDecay, 0);
      if (!Array.isArray(c.betas) || c.betas.length !== 2) {
        throw new EngineError('OPT_CONFIG', {
          optimizer: name,
          field: 'betas',
          expected: 'two numbers [beta1, beta2]',
          actual: JSON.stringify(c.betas),
        });
      }
      checkNumber(name, 'betas[0]', c.betas[0], 0, 1, true);
      checkNumber(name, 'betas[1]', c.betas[1], 0, 1, true);
      return { ...c, betas: [c.betas[0], c.betas[1]] };
    }
    case 'rmsprop': {
      const c = {
        ...OPTIMIZER_DEFAULTS.rmsprop,
        ...stripUndefined(config),
      } as ResolvedRmspropConfig;
      checkNumber(name, 'lr', c.lr, 0);
      checkNumber(name, 'alpha', c.alpha, 0);
      checkNumber(name, 'eps', c.eps, 0);
      checkNumber(name, 'weightDecay', c.weightDecay, 0);
      checkNumber(name, 'momentum', c.momentum, 0);
      checkBoolean(name, 'centered', c.centered);
      return c;
    }
    default:
      throw new EngineError('OPT_CONFIG', {
        optimizer: 'config',
        field: 'name',
        expected: `one of ${OPTIMIZER_NAMES.join(', ')}`,
        actual: JSON.stringify(name) ?? 'undefined',
      });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
