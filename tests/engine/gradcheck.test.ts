/**
 * Finite-difference checks of `backward` for every cell: one layer, two layers
 * bidirectional with variable lengths, no bias, readout losses (MSE every step,
 * cross-entropy at the last step) and dropout. Central differences in float32
 * with eps = 1e-2 (the engine sums in float64, so the loss is smooth enough),
 * compared with |fd - analytic| <= 2e-3 + 2e-2 * |analytic|: a wrong term in a
 * derivative is off by far more.
 */
import { describe, expect, it } from 'vitest';
import {
  backward,
  createWorkspace,
  crossEntropyLoss,
  externalLoss,
  forward,
  mseLoss,
} from '../../src/engine';
import type { BackwardResult, Model, ModelSpec, Trace } from '../../src/engine';
import { ALL_CELLS, model, spec, stateSize, uniform } from './build';

const EPS = 1e-2;
const ABS = 2e-3;
const REL = 2e-2;

interface Problem {
  m: Model;
  T: number;
  B: number;
  x: Float32Array;
  h0: Float32Array;
  c0: Float32Array | null;
  lengths: number[] | null;
  training?: boolean;
  /** Loss of the current parameters, and its backward. */
  loss(trace: Trace): number;
  grad(trace: Trace): BackwardResult;
}

function externalProblem(s: ModelSpec, T: number, B: number, lengths: number[] | null): Problem {
  const m = model(s, 7);
  const D = s.bidirectional ? 2 : 1;
  const dOutput = uniform(T * B * D * s.hiddenSize, 11);
  const dhN = uniform(stateSize(s, B), 12);
  const dcN = s.cell === 'lstm' ? uniform(stateSize(s, B), 13) : null;
  return {
    m,
    T,
    B,
    x: uniform(T * B * s.inputSize, 14, -1.5, 1.5),
    h0: uniform(stateSize(s, B), 15, -0.9, 0.9),
    c0: s.cell === 'lstm' ? uniform(stateSize(s, B), 16) : null,
    lengths,
    loss: (tr) => externalLoss(tr, { dOutput, dhN, dcN }),
    grad: (tr) => backward(m, tr, { dOutput, dhN, dcN }),
  };
}

function run(p: Problem): Trace {
  return forward(p.m, p.x, {
    B: p.B,
    h0: p.h0,
    c0: p.c0,
    lengths: p.lengths,
    training: p.training,
    seed: 5,
  });
}

/** Checks d loss / d arr[i] for every i against central differences. */
function checkArray(p: Problem, arr: Float32Array, analytic: Float32Array, label: string): number {
  let worst = 0;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    arr[i] = v + EPS;
    const up = arr[i];
    const lp = p.loss(run(p));
    arr[i] = v - EPS;
    const down = arr[i];
    const lm = p.loss(run(p));
    arr[i] = v;
    const fd = (lp - lm) / (up - down);
    const a = analytic[i];
    const err = Math.abs(fd - a);
    if (!(err <= ABS + REL * Math.abs(a))) {
      expect.fail(`${label}[${i}]: finite difference ${fd}, backward ${a}`);
    }
    worst = Math.max(worst, err / (ABS + REL * Math.abs(a)));
  }
  return worst;
}

/** Runs backward once, then checks every parameter, the input and the initial states. */
function checkAll(p: Problem): void {
  const g = p.grad(run(p));
  const grads = p.m.grads.slice();
  const dInput = g.dInput.slice();
  const dh0 = g.dh0.slice();
  const dc0 = g.dc0?.slice() ?? null;
  let nonzero = 0;
  for (const v of grads) if (v !== 0) nonzero++;
  expect(nonzero).toBeGreaterThan(grads.length / 2);
  for (const info of p.m.layout) {
    checkArray(
      p,
      p.m.views[info.name],
      grads.subarray(info.offset, info.offset + info.size),
      info.name,
    );
  }
  checkArray(p, p.x, dInput, 'input');
  checkArray(p, p.h0, dh0, 'h0');
  if (p.c0 && dc0) checkArray(p, p.c0, dc0, 'c0');
}

describe('finite-difference gradient checks', () => {
  for (const cell of ALL_CELLS) {
    it(`${cell}: one layer, batch 2`, () => {
      checkAll(externalProblem(spec({ cell }), 4, 2, null));
    });

    it(`${cell}: two layers, bidirectional, lengths [4, 2, 3]`, () => {
      const s = spec({ cell, numLayers: 2, bidirectional: true, hiddenSize: 3 });
      checkAll(externalProblem(s, 4, 3, [4, 2, 3]));
    });
  }

  for (const cell of ['lstm', 'gru', 'gru-textbook'] as const) {
    it(`${cell}: no bias`, () => {
      checkAll(externalProblem(spec({ cell, bias: false }), 3, 1, null));
    });
  }

  it('lstm: four layers bidirectional, lengths [3, 1]', () => {
    const s = spec({
      cell: 'lstm',
      numLayers: 4,
      bidirectional: true,
      hiddenSize: 2,
      inputSize: 2,
    });
    checkAll(externalProblem(s, 3, 2, [3, 1]));
  });

  it('lstm + readout on every step, MSE, two layers bidirectional with lengths', () => {
    const s = spec({
      cell: 'lstm',
      numLayers: 2,
      bidirectional: true,
      hiddenSize: 3,
      readout: { outputSize: 2, mode: 'every' },
    });
    const T = 4;
    const B = 2;
    const m = model(s, 3);
    const target = uniform(T * B * 2, 21);
    const p: Problem = {
      m,
      T,
      B,
      x: uniform(T * B * s.inputSize, 22),
      h0: uniform(stateSize(s, B), 23),
      c0: uniform(stateSize(s, B), 24),
      lengths: [4, 3],
      loss: (tr) => mseLoss(tr, target).loss,
      grad: (tr) => backward(m, tr, { dReadout: mseLoss(tr, target).dReadout }),
    };
    checkAll(p);
  });

  it('gru + readout at the last step, cross-entropy, lengths [3, 1, 4]', () => {
    const s = spec({ cell: 'gru', bidirectional: true, readout: { outputSize: 3, mode: 'last' } });
    const T = 4;
    const B = 3;
    const m = model(s, 4);
    const targets = [2, 0, 1];
    const p: Problem = {
      m,
      T,
      B,
      x: uniform(T * B * s.inputSize, 31),
      h0: uniform(stateSize(s, B), 32),
      c0: null,
      lengths: [3, 1, 4],
      loss: (tr) => crossEntropyLoss(tr, targets).loss,
      grad: (tr) => backward(m, tr, { dReadout: crossEntropyLoss(tr, targets).dReadout }),
    };
    checkAll(p);
  });

  it('rnn-tanh, three layers with dropout 0.4 in training (masks fixed by the seed)', () => {
    const s = spec({ cell: 'rnn-tanh', numLayers: 3, dropout: 0.4 });
    const p = externalProblem(s, 4, 2, null);
    p.training = true;
    checkAll(p);
  });

  it('accumulate adds to the gradients instead of overwriting them', () => {
    const p = externalProblem(spec({ cell: 'lstm' }), 3, 1, null);
    p.grad(run(p));
    const once = p.m.grads.slice();
    const tr = run(p);
    backward(p.m, tr, {
      dOutput: uniform(3 * 4, 11),
      dhN: uniform(4, 12),
      dcN: uniform(4, 13),
      accumulate: true,
    });
    for (let i = 0; i < once.length; i++) expect(p.m.grads[i]).toBeCloseTo(2 * once[i], 5);
  });

  it('backward refuses a trace that is not from forward', () => {
    const p = externalProblem(spec({ cell: 'gru' }), 3, 1, null);
    const tr = run(p);
    const copy = { ...tr };
    expect(() => backward(p.m, copy, {})).toThrow(/not produced by `forward`/);
    const ws = createWorkspace(p.m.spec, 3, 1);
    expect(ws.trace).not.toBe(tr);
  });
});
