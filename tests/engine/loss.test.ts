import { describe, expect, it } from 'vitest';
import {
  clipGradNorm,
  clipGradValue,
  crossEntropyLoss,
  forward,
  gradNorm,
  mseLoss,
  setParam,
} from '../../src/engine';
import { model, spec, uniform } from './build';

describe('losses', () => {
  const T = 3;
  const B = 2;

  it('MSE is the mean over valid steps and outputs; dReadout = 2 (y - target) / (N O)', () => {
    const m = model(spec({ cell: 'gru', readout: { outputSize: 2, mode: 'every' } }));
    const tr = forward(m, uniform(T * B * 3, 1), { B, lengths: [3, 1] });
    const y = tr.readout as Float32Array;
    const target = uniform(T * B * 2, 2);
    const r = mseLoss(tr, target);
    // Valid rows: (t, b) = (0,0) (1,0) (2,0) (0,1): rows 0, 1, 2, 4.
    const rows = [0, 2, 4, 1];
    expect(r.count).toBe(4);
    let want = 0;
    for (const row of rows)
      for (let k = 0; k < 2; k++) want += (y[row * 2 + k] - target[row * 2 + k]) ** 2;
    expect(r.loss).toBeCloseTo(want / 8, 6);
    for (const row of rows)
      for (let k = 0; k < 2; k++)
        expect(r.dReadout[row * 2 + k]).toBeCloseTo(
          (2 * (y[row * 2 + k] - target[row * 2 + k])) / 8,
          6,
        );
    // Padded rows: no output, no gradient.
    for (const row of [3, 5])
      for (let k = 0; k < 2; k++) {
        expect(y[row * 2 + k]).toBe(0);
        expect(r.dReadout[row * 2 + k]).toBe(0);
      }
    expect(() => mseLoss(tr, uniform(5, 1))).toThrow(/`target` expects 12 values/);
  });

  it('cross-entropy is stable for huge logits and its gradient is softmax - onehot', () => {
    const m = model(spec({ cell: 'lstm', readout: { outputSize: 3, mode: 'last' } }));
    setParam(
      m,
      'fc.weight',
      Array.from(m.views['fc.weight'], (v) => v * 1e5),
    );
    const tr = forward(m, uniform(T * B * 3, 3), { B, lengths: [2, 3] });
    const y = tr.readout as Float32Array;
    expect(Math.max(...Array.from(y, Math.abs))).toBeGreaterThan(1e3);
    const r = crossEntropyLoss(tr, [0, 2]);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.dReadout.every(Number.isFinite)).toBe(true);
    let want = 0;
    for (let b = 0; b < B; b++) {
      const row = Array.from(y.subarray(b * 3, b * 3 + 3));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
      want += lse - row[[0, 2][b]];
      const p = tr.probs as Float32Array;
      let sum = 0;
      for (let k = 0; k < 3; k++) {
        sum += r.dReadout[b * 3 + k];
        expect(r.dReadout[b * 3 + k]).toBeCloseTo(
          (p[b * 3 + k] - (k === [0, 2][b] ? 1 : 0)) / 2,
          6,
        );
      }
      expect(sum).toBeCloseTo(0, 6);
    }
    expect(r.loss / (want / 2)).toBeCloseTo(1, 5);
    expect(() => crossEntropyLoss(tr, [0, 3])).toThrow(
      /Target `targets` at index 1 must be an integer class in \[0, 2\], got 3/,
    );
    expect(() => crossEntropyLoss(tr, [0])).toThrow(/`targets` expects 2/);
  });

  it('probabilities are a softmax of the logits', () => {
    const m = model(spec({ cell: 'rnn-tanh', readout: { outputSize: 4, mode: 'every' } }));
    const tr = forward(m, uniform(T * B * 3, 4), { B });
    const p = tr.probs as Float32Array;
    for (let r = 0; r < T * B; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += p[r * 4 + k];
      expect(s).toBeCloseTo(1, 6);
    }
  });

  it('needs a readout', () => {
    const m = model(spec({ cell: 'gru' }));
    const tr = forward(m, uniform(6, 1), {});
    expect(() => mseLoss(tr, [0])).toThrow(/`mseLoss` needs a model with a readout/);
  });
});

describe('gradient clipping', () => {
  it('clips by global norm like clip_grad_norm_ and returns the norm before', () => {
    const g = new Float32Array([3, 4, 0]);
    expect(gradNorm(g)).toBe(5);
    expect(clipGradNorm(g, 10)).toBe(5);
    expect(Array.from(g)).toEqual([3, 4, 0]);
    expect(clipGradNorm(g, 1)).toBe(5);
    expect(g[0]).toBeCloseTo(0.6, 6);
    expect(g[1]).toBeCloseTo(0.8, 6);
    expect(gradNorm(g)).toBeCloseTo(1, 5);
  });

  it('clips by value', () => {
    const g = new Float32Array([-3, 0.5, 2]);
    clipGradValue(g, 1);
    expect(Array.from(g)).toEqual([-1, 0.5, 1]);
  });
});
