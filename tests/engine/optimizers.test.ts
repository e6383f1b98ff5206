import { describe, expect, it } from 'vitest';
import {
  createOptimizer,
  OPTIMIZER_DEFAULTS,
  resolveOptimizerConfig,
} from '../../src/engine/optimizers';
import type { OptimizerConfig } from '../../src/engine/optimizers';
import { expectClose } from './helpers';

// Two steps of every optimizer and option, each expected value written out from PyTorch's
// update equations (torch/optim/{sgd,adam,rmsprop}.py, single-tensor path), step by step.

const p0 = [0.5, -1.25, 2, 0];
const g1 = [0.1, -0.4, 0.25, -0.03];
const g2 = [-0.2, 0.3, 0.05, 0.01];
const TOL = 2e-7; // params are float32

function run(config: OptimizerConfig): Float32Array[] {
  const params = Float32Array.from(p0);
  const opt = createOptimizer(config, params.length);
  opt.step(params, Float32Array.from(g1));
  const after1 = params.slice();
  opt.step(params, Float32Array.from(g2));
  expect(opt.stepCount).toBe(2);
  return [after1, params.slice()];
}

/** Elementwise map over the four coordinates. */
const map = (f: (i: number) => number): number[] => p0.map((_, i) => f(i));

describe('optimizer defaults follow torch.optim', () => {
  it('fills the PyTorch defaults', () => {
    expect(resolveOptimizerConfig({ name: 'sgd' })).toEqual({
      name: 'sgd',
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
    });
    expect(resolveOptimizerConfig({ name: 'adam' })).toEqual({
      name: 'adam',
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
    });
    expect(resolveOptimizerConfig({ name: 'rmsprop' })).toEqual(OPTIMIZER_DEFAULTS.rmsprop);
    expect(OPTIMIZER_DEFAULTS.rmsprop).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8 });
  });

  it('configs are plain serializable data', () => {
    const c = resolveOptimizerConfig({ name: 'adam', lr: 0.01 });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('rejects invalid hyper-parameters, naming the field', () => {
    expect(() => resolveOptimizerConfig({ name: 'sgd', lr: -1 })).toThrow(/`lr` must be/);
    expect(() => resolveOptimizerConfig({ name: 'adam', betas: [0.9, 1] })).toThrow(/betas\[1\]/);
    expect(() => resolveOptimizerConfig({ name: 'sgd', lr: 0.1, nesterov: true })).toThrow(
      /nesterov/,
    );
    expect(() => resolveOptimizerConfig({ name: 'rmsprop', eps: Number.NaN })).toThrow(/`eps`/);
    expect(() =>
      resolveOptimizerConfig({ name: 'adam', momentum: 0.9 } as unknown as OptimizerConfig),
    ).toThrow(/`momentum` must be absent/);
    expect(() => resolveOptimizerConfig({ name: 'lion' } as unknown as OptimizerConfig)).toThrow(
      /`name` must be one of sgd, adam, rmsprop, got "lion"/,
    );
    const opt = createOptimizer({ name: 'sgd' }, 3);
    expect(() => opt.step(new Float32Array(3), new Float32Array(2))).toThrow(
      /length 3, got 3 and 2/,
    );
  });
});

describe('SGD, two steps by hand', () => {
  it('plain: p -= lr g', () => {
    const lr = 0.1;
    const [a, b] = run({ name: 'sgd', lr });
    const e1 = map((i) => p0[i] - lr * g1[i]);
    const e2 = map((i) => e1[i] - lr * g2[i]);
    expectClose(a, e1, TOL, 'sgd step 1');
    expectClose(b, e2, TOL, 'sgd step 2');
    // A literal check of one coordinate: 0.5 - 0.1 * 0.1 = 0.49, then 0.49 + 0.02 = 0.51.
    expect(a[0]).toBeCloseTo(0.49, 7);
    expect(b[0]).toBeCloseTo(0.51, 7);
  });

  it('momentum: buf = g first, then m buf + (1 - dampening) g', () => {
    const lr = 0.1;
    const m = 0.9;
    const d = 0.25;
    const [a, b] = run({ name: 'sgd', lr, momentum: m, dampening: d });
    const buf1 = g1; // first step: no dampening, buf = g
    const e1 = map((i) => p0[i] - lr * buf1[i]);
    const buf2 = map((i) => m * buf1[i] + (1 - d) * g2[i]);
    const e2 = map((i) => e1[i] - lr * buf2[i]);
    expectClose(a, e1, TOL, 'sgd momentum step 1');
    expectClose(b, e2, TOL, 'sgd momentum step 2');
  });

  it('Nesterov: p -= lr (g + m buf)', () => {
    const lr = 0.05;
    const m = 0.8;
    const [a, b] = run({ name: 'sgd', lr, momentum: m, nesterov: true });
    const buf1 = g1;
    const e1 = map((i) => p0[i] - lr * (g1[i] + m * buf1[i]));
    const buf2 = map((i) => m * buf1[i] + g2[i]);
    const e2 = map((i) => e1[i] - lr * (g2[i] + m * buf2[i]));
    expectClose(a, e1, TOL, 'nesterov step 1');
    expectClose(b, e2, TOL, 'nesterov step 2');
  });

  it('weight decay adds wd p to the gradient (with momentum)', () => {
    const lr = 0.1;
    const wd = 0.01;
    const m = 0.5;
    const [a, b] = run({ name: 'sgd', lr, momentum: m, weightDecay: wd });
    const d1 = map((i) => g1[i] + wd * p0[i]);
    const e1 = map((i) => p0[i] - lr * d1[i]);
    const d2 = map((i) => g2[i] + wd * e1[i]);
    const buf2 = map((i) => m * d1[i] + d2[i]);
    const e2 = map((i) => e1[i] - lr * buf2[i]);
    expectClose(a, e1, TOL, 'sgd wd step 1');
    expectClose(b, e2, TOL, 'sgd wd step 2');
  });
});

describe('Adam, two steps by hand', () => {
  function adamByHand(lr: number, b1: number, b2: number, eps: number, wd: number): number[][] {
    const d1 = map((i) => g1[i] + wd * p0[i]);
    const m1 = map((i) => (1 - b1) * d1[i]);
    const v1 = map((i) => (1 - b2) * d1[i] * d1[i]);
    const e1 = map(
      (i) => p0[i] - (lr / (1 - b1)) * (m1[i] / (Math.sqrt(v1[i]) / Math.sqrt(1 - b2) + eps)),
    );
    const d2 = map((i) => g2[i] + wd * e1[i]);
    const m2 = map((i) => b1 * m1[i] + (1 - b1) * d2[i]);
    const v2 = map((i) => b2 * v1[i] + (1 - b2) * d2[i] * d2[i]);
    const e2 = map(
      (i) =>
        e1[i] - (lr / (1 - b1 ** 2)) * (m2[i] / (Math.sqrt(v2[i]) / Math.sqrt(1 - b2 ** 2) + eps)),
    );
    return [e1, e2];
  }

  it('defaults: the first step moves each weight by about lr against its gradient', () => {
    const [a, b] = run({ name: 'adam', lr: 0.01 });
    const [e1, e2] = adamByHand(0.01, 0.9, 0.999, 1e-8, 0);
    expectClose(a, e1, TOL, 'adam step 1');
    expectClose(b, e2, TOL, 'adam step 2');
    // Bias correction makes step 1 exactly lr * g / (|g| + eps).
    expect(a[0]).toBeCloseTo(0.5 - 0.01, 6);
    expect(a[1]).toBeCloseTo(-1.25 + 0.01, 6);
  });

  it('custom betas, eps and L2 weight decay (not AdamW)', () => {
    const cfg = { lr: 0.05, b1: 0.8, b2: 0.9, eps: 1e-3, wd: 0.1 };
    const [a, b] = run({
      name: 'adam',
      lr: cfg.lr,
      betas: [cfg.b1, cfg.b2],
      eps: cfg.eps,
      weightDecay: cfg.wd,
    });
    const [e1, e2] = adamByHand(cfg.lr, cfg.b1, cfg.b2, cfg.eps, cfg.wd);
    expectClose(a, e1, TOL, 'adam custom step 1');
    expectClose(b, e2, TOL, 'adam custom step 2');
  });

  it('reset forgets the moments', () => {
    const params = Float32Array.from(p0);
    const opt = createOptimizer({ name: 'adam', lr: 0.01 }, 4);
    opt.step(params, Float32Array.from(g1));
    opt.reset();
    expect(opt.stepCount).toBe(0);
    const fresh = Float32Array.from(params);
    const opt2 = createOptimizer({ name: 'adam', lr: 0.01 }, 4);
    opt.step(params, Float32Array.from(g2));
    opt2.step(fresh, Float32Array.from(g2));
    expectClose(params, fresh, 0, 'reset equals a new optimizer');
  });
});

describe('RMSprop, two steps by hand', () => {
  function rmsByHand(
    lr: number,
    alpha: number,
    eps: number,
    wd: number,
    momentum: number,
    centered: boolean,
  ): number[][] {
    const out: number[][] = [];
    let p = p0.slice();
    let s = map(() => 0);
    let a = map(() => 0);
    let buf = map(() => 0);
    for (const g of [g1, g2]) {
      const d = map((i) => g[i] + wd * p[i]);
      s = map((i) => alpha * s[i] + (1 - alpha) * d[i] * d[i]);
      if (centered) a = map((i) => alpha * a[i] + (1 - alpha) * d[i]);
      const den = map((i) => Math.sqrt(s[i] - (centered ? a[i] * a[i] : 0)) + eps);
      if (momentum > 0) {
        buf = map((i) => momentum * buf[i] + d[i] / den[i]);
        p = map((i) => p[i] - lr * buf[i]);
      } else {
        p = map((i) => p[i] - (lr * d[i]) / den[i]);
      }
      out.push(p);
    }
    return out;
  }

  it('defaults: step 1 is lr g / (sqrt(0.01 g^2) + eps) = about 10 lr sign(g)', () => {
    const [a, b] = run({ name: 'rmsprop' });
    const [e1, e2] = rmsByHand(0.01, 0.99, 1e-8, 0, 0, false);
    expectClose(a, e1, TOL, 'rmsprop step 1');
    expectClose(b, e2, TOL, 'rmsprop step 2');
    expect(a[0]).toBeCloseTo(0.5 - 0.1, 5);
  });

  it('momentum and weight decay', () => {
    const [a, b] = run({ name: 'rmsprop', lr: 0.02, alpha: 0.9, momentum: 0.7, weightDecay: 0.05 });
    const [e1, e2] = rmsByHand(0.02, 0.9, 1e-8, 0.05, 0.7, false);
    expectClose(a, e1, TOL, 'rmsprop momentum step 1');
    expectClose(b, e2, TOL, 'rmsprop momentum step 2');
  });

  it('centered', () => {
    const [a, b] = run({ name: 'rmsprop', lr: 0.01, alpha: 0.9, eps: 1e-4, centered: true });
    const [e1, e2] = rmsByHand(0.01, 0.9, 1e-4, 0, 0, true);
    expectClose(a, e1, TOL, 'rmsprop centered step 1');
    expectClose(b, e2, TOL, 'rmsprop centered step 2');
  });

  it('reconfigure keeps the state and changes lr', () => {
    const params = Float32Array.from(p0);
    const opt = createOptimizer({ name: 'rmsprop', lr: 0.01 }, 4);
    opt.step(params, Float32Array.from(g1));
    opt.reconfigure({ name: 'rmsprop', lr: 0 });
    const before = params.slice();
    opt.step(params, Float32Array.from(g2));
    expectClose(params, before, 0, 'lr 0 leaves params');
    expect(opt.stepCount).toBe(2);
    expect(() => opt.reconfigure({ name: 'adam' })).toThrow(/create a new optimizer/);
  });
});

describe('steps on a large vector', () => {
  it('leave grads untouched and stay finite', () => {
    const n = 10000;
    const params = new Float32Array(n).fill(1);
    const grads = new Float32Array(n).fill(0.5);
    for (const name of ['sgd', 'adam', 'rmsprop'] as const) {
      const opt = createOptimizer(name === 'adam' ? { name } : { name, momentum: 0.9 }, n);
      for (let k = 0; k < 3; k++) opt.step(params, grads);
      expect(grads.every((g) => g === 0.5)).toBe(true);
      expect(params.every(Number.isFinite)).toBe(true);
    }
  });
});
