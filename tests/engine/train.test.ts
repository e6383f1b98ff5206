import { describe, expect, it } from 'vitest';
import {
  EngineError,
  Trainer,
  createModel,
  exportStateDictJson,
  gradNorm,
  runCase,
} from '../../src/engine';
import type { ModelSpec, TrainBatch } from '../../src/engine';
import { expectClose } from './helpers';

const spec: ModelSpec = {
  cell: 'lstm',
  inputSize: 2,
  hiddenSize: 3,
  numLayers: 1,
  bidirectional: false,
  bias: true,
  readout: { outputSize: 1, mode: 'every' },
};
const T = 4;
const B = 2;
const batch: TrainBatch = {
  input: Array.from({ length: T * B * 2 }, (_, i) => Math.sin(i)),
  target: Array.from({ length: T * B }, (_, i) => Math.cos(i)),
  B,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('Trainer', () => {
  it('lowers the loss with Adam and reports the loss before each update', () => {
    const model = createModel(spec, { seed: 1 });
    const trainer = new Trainer(model, { loss: 'mse', optimizer: { name: 'adam', lr: 0.05 } });
    const losses: number[] = [];
    for (let k = 0; k < 30; k++) losses.push(trainer.step(batch).loss);
    expect(trainer.stepCount).toBe(30);
    expect(losses[29]).toBeLessThan(losses[0] * 0.8);
  });

  it('evaluates the loss without changing the parameters', () => {
    const model = createModel(spec, { seed: 8 });
    const t = new Trainer(model, { loss: 'mse', optimizer: { name: 'sgd', lr: 0.1 } });
    const before = model.params.slice();
    const e = t.evaluate(batch);
    expectClose(model.params, before, 0, 'params after evaluate');
    expect(t.stepCount).toBe(0);
    expect(t.step(batch).loss).toBe(e); // the loss before the first update
    expect(t.evaluate(batch)).toBeLessThan(e);
  });

  it('reuses its workspace across steps of the same shape', () => {
    const trainer = new Trainer(createModel(spec), { loss: 'mse', optimizer: { name: 'sgd' } });
    trainer.step(batch);
    const first = trainer.lastTrace;
    trainer.step(batch);
    expect(trainer.lastTrace).toBe(first);
  });

  it('reports the unclipped norm and clips to maxNorm before the step (clip_grad_norm_)', () => {
    const a = createModel(spec, { seed: 2 });
    const b = createModel(spec, { seed: 2 });
    const lr = 0.1;
    const maxNorm = 1e-3;
    const free = new Trainer(a, { loss: 'mse', optimizer: { name: 'sgd', lr } });
    const clipped = new Trainer(b, {
      loss: 'mse',
      optimizer: { name: 'sgd', lr },
      clipGradNorm: maxNorm,
    });
    const before = b.params.slice();
    const r1 = free.step(batch);
    const r2 = clipped.step(batch);
    expect(r2.gradNorm).toBeCloseTo(r1.gradNorm, 6);
    expect(r2.gradNorm).toBeGreaterThan(maxNorm);
    // Plain SGD moves the parameters by lr * clipped gradient: its norm is lr * maxNorm.
    const delta = b.params.map((p, i) => p - before[i]);
    expect(gradNorm(delta) / lr).toBeCloseTo(maxNorm, 6);
    expectClose([gradNorm(b.grads)], [maxNorm], 1e-6, 'clipped gradient norm');
  });

  it('clips by value', () => {
    const model = createModel(spec, { seed: 3 });
    const before = model.params.slice();
    const t = new Trainer(model, {
      loss: 'mse',
      optimizer: { name: 'sgd', lr: 1 },
      clipGradValue: 1e-4,
    });
    t.step(batch);
    for (let i = 0; i < before.length; i++) {
      expect(Math.abs(model.params[i] - before[i])).toBeLessThanOrEqual(1e-4 + 1e-7);
    }
  });

  it('trains a cross-entropy classifier with a many-to-one readout', () => {
    const model = createModel({ ...spec, readout: { outputSize: 3, mode: 'last' } }, { seed: 4 });
    const t = new Trainer(model, { loss: 'cross-entropy', optimizer: { name: 'rmsprop' } });
    const first = t.step({ input: batch.input, target: [2, 0], B }).loss;
    let last = first;
    for (let k = 0; k < 20; k++) last = t.step({ input: batch.input, target: [2, 0], B }).loss;
    expect(last).toBeLessThan(first);
    expect(codeOf(() => t.step({ input: batch.input, target: [3, 0], B }))).toBe('TARGET_INVALID');
  });

  it('truncated BPTT changes the gradient, not the loss', () => {
    const a = new Trainer(createModel(spec, { seed: 5 }), {
      loss: 'mse',
      optimizer: { name: 'sgd', lr: 0 },
    });
    const b = new Trainer(createModel(spec, { seed: 5 }), {
      loss: 'mse',
      optimizer: { name: 'sgd', lr: 0 },
      truncate: 1,
    });
    const ra = a.step(batch);
    const rb = b.step(batch);
    expect(rb.loss).toBe(ra.loss);
    expect(rb.gradNorm).not.toBeCloseTo(ra.gradNorm, 6);
  });

  it('refuses a divergent update and leaves the parameters as they were', () => {
    const model = createModel(spec, { seed: 6 });
    const t = new Trainer(model, { loss: 'mse', optimizer: { name: 'sgd', lr: 1e300 } });
    const before = model.params.slice();
    expect(() => t.step(batch)).toThrow(/Training diverged at step 1/);
    expectClose(model.params, before, 0, 'params after a refused update');
  });

  it('validates its config and needs a readout', () => {
    expect(
      codeOf(
        () =>
          new Trainer(createModel({ ...spec, readout: null }), {
            loss: 'mse',
            optimizer: { name: 'sgd' },
          }),
      ),
    ).toBe('NO_READOUT');
    const m = createModel(spec);
    expect(
      () => new Trainer(m, { loss: 'mse', optimizer: { name: 'sgd' }, clipGradNorm: -1 }),
    ).toThrow(
      'Training config field `clipGradNorm` must be a finite number > 0, or null for none, got -1.',
    );
    expect(() => new Trainer(m, { loss: 'hinge' as 'mse', optimizer: { name: 'sgd' } })).toThrow(
      /`loss` must be one of mse, cross-entropy/,
    );
    const t = new Trainer(m, { loss: 'mse', optimizer: { name: 'adam' } });
    expect(JSON.parse(JSON.stringify(t.config))).toEqual(t.config);
    t.reconfigure({ loss: 'mse', optimizer: { name: 'adam', lr: 0.5 } });
    expect(t.config.optimizer).toMatchObject({ name: 'adam', lr: 0.5 });
  });
});

describe('train and safetensors case kinds (runCase)', () => {
  const gruSpec: ModelSpec = {
    cell: 'gru',
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 2,
    bidirectional: true,
    bias: true,
    readout: { outputSize: 3, mode: 'last' },
  };
  const Tc = 5;
  const Bc = 2;
  const input = Array.from({ length: Tc * Bc * 3 }, (_, i) => Math.sin(0.7 * i));

  /** A train case the fixtures do not have: 2-layer bidirectional GRU, many-to-one, lengths. */
  function unseenCase(): Record<string, unknown> {
    const model = createModel(gruSpec, { seed: 21 });
    return {
      name: 'unseen',
      kind: 'train',
      spec: { ...gruSpec, readout: 'linear on the last valid step', outputSize: 3 },
      task: {
        loss: 'cross-entropy-mean-over-last-step',
        input: { shape: [Tc, Bc, 3], data: input },
        target: { shape: [Bc], data: [2, 0] },
        lengths: [5, 3],
      },
      optimizer: {
        name: 'adam',
        lr: 0.01,
        betas: [0.8, 0.99],
        weight_decay: 0.01,
        amsgrad: false,
        clipGradNorm: 0.5,
      },
      initialStateDict: exportStateDictJson(model, { prefix: 'model.gru.' }),
      steps: [{}, {}, {}],
    };
  }

  it('runs a train case it has never seen, with the keys it was given', () => {
    const c = unseenCase();
    const out = runCase(c) as {
      steps: { loss: number; gradNorm: number; stateDict: Record<string, { shape: number[] }> }[];
    };
    expect(out.steps).toHaveLength(3);
    expect(Object.keys(out.steps[2].stateDict)).toEqual(Object.keys(c.initialStateDict as object));
    // The same run through a Trainer directly.
    const model = createModel(gruSpec, { seed: 21 });
    const t = new Trainer(model, {
      loss: 'cross-entropy',
      optimizer: { name: 'adam', lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01 },
      clipGradNorm: 0.5,
    });
    for (let k = 0; k < 3; k++) {
      const r = t.step({ input, target: [2, 0], B: Bc, lengths: [5, 3] });
      expect(out.steps[k].loss).toBe(r.loss);
      expect(out.steps[k].gradNorm).toBe(r.gradNorm);
    }
  });

  it.each([
    [(c: Record<string, unknown>) => delete c.task, /Case key `task`: missing/],
    [
      (c: Record<string, unknown>) => ((c.task as Record<string, unknown>).loss = 'mse-sum'),
      /key `task\.loss`: expected "mse-mean-over-all-steps"/,
    ],
    [
      (c: Record<string, unknown>) => ((c.optimizer as Record<string, unknown>).lion = 1),
      /key `optimizer\.lion`: unknown optimizer field/,
    ],
    [
      (c: Record<string, unknown>) => ((c.optimizer as Record<string, unknown>).amsgrad = true),
      /key `optimizer\.amsgrad`: only false is supported/,
    ],
    [
      (c: Record<string, unknown>) => ((c.optimizer as Record<string, unknown>).name = 'adagrad'),
      /key `optimizer\.name`: expected "sgd", "adam" or "rmsprop", got "adagrad"/,
    ],
    [(c: Record<string, unknown>) => delete c.steps, /key `steps`: expected an array/],
    [
      (c: Record<string, unknown>) =>
        ((c.task as Record<string, unknown>).target = { shape: [Bc, 1], data: [1, 2] }),
      /Case key `task\.target` must be a tensor .* with shape \[2\], got shape \[2, 1\]/,
    ],
    [
      (c: Record<string, unknown>) =>
        delete (c.initialStateDict as Record<string, unknown>)['model.gru.bias_hh_l1_reverse'],
      /missing key `model\.gru\.bias_hh_l1_reverse`/,
    ],
  ])('a malformed train case names the key (%#)', (mutate, message) => {
    const c = unseenCase();
    mutate(c);
    expect(() => runCase(c)).toThrow(message);
  });

  it('a safetensors case needs a loadFile callback and a readable file', () => {
    const c = { kind: 'safetensors', file: 'w.safetensors', spec: {}, input: {} };
    expect(() => runCase(c)).toThrow(/key `file`: this runner was given no way to read files/);
    expect(() =>
      runCase(c, {
        loadFile: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toThrow(/key `file`: cannot read "w\.safetensors": ENOENT/);
    expect(() => runCase(c, { loadFile: () => new Uint8Array(3) })).toThrow(/file is 3 bytes long/);
  });
});
