/**
 * stepTerms splits every pre-activation into its input, recurrent and bias
 * terms and every state update into its parts; the parts must add up to the
 * engine's own trace values, and the terms must be the named products.
 */
import { describe, expect, it } from 'vitest';
import { GATES, forward, sigmoid, stepTerms } from '../../src/engine';
import type { Direction } from '../../src/engine';
import { ALL_CELLS, model, spec, stateSize, uniform } from './build';

describe('stepTerms', () => {
  for (const cell of ALL_CELLS) {
    it(`${cell}: terms add up to the trace, two layers bidirectional with lengths`, () => {
      const s = spec({ cell, numLayers: 2, bidirectional: true, hiddenSize: 4 });
      const m = model(s, 3);
      const T = 4;
      const B = 2;
      const lengths = [4, 2];
      const tr = forward(m, uniform(T * B * 3, 1), {
        B,
        lengths,
        h0: uniform(stateSize(s, B), 2),
        c0: cell === 'lstm' ? uniform(stateSize(s, B), 3) : null,
      });
      // A structured clone (what crosses a worker boundary) works the same.
      const copy = structuredClone(tr);
      let checked = 0;
      for (let layer = 0; layer < 2; layer++) {
        for (const direction of [0, 1] as Direction[]) {
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) {
              for (let unit = 0; unit < 4; unit++) {
                const st = stepTerms(m, copy, { layer, direction, t, b, unit });
                expect(st.valid).toBe(t < lengths[b]);
                if (!st.valid) {
                  expect(st.update.h).toBe(0);
                  continue;
                }
                const names =
                  cell === 'lstm' || cell === 'gru' || cell === 'gru-textbook'
                    ? GATES[cell]
                    : ['h'];
                expect(st.gates.map((g) => g.gate)).toEqual(names);
                for (const g of st.gates) {
                  const sum =
                    g.reset !== null
                      ? g.wx + g.bih + g.reset * (g.wh + g.bhh)
                      : g.wx + g.bih + g.wh + g.bhh;
                  expect(sum).toBeCloseTo(g.pre, 5);
                  const act =
                    g.gate === 'g' || g.gate === 'n' || cell === 'rnn-tanh'
                      ? Math.tanh(g.pre)
                      : cell === 'rnn-relu'
                        ? Math.max(0, g.pre)
                        : sigmoid(g.pre);
                  expect(g.act).toBeCloseTo(act, 6);
                }
                const u = st.update;
                switch (u.cell) {
                  case 'lstm':
                    expect(u.fcPrev + u.ig).toBeCloseTo(u.c, 5);
                    expect(Math.tanh(u.c) * st.gates[3].act).toBeCloseTo(u.h, 6);
                    break;
                  case 'gru':
                    expect(u.oneMinusZN + u.zHPrev).toBeCloseTo(u.h, 6);
                    break;
                  case 'gru-textbook':
                    expect(u.oneMinusZHPrev + u.zN).toBeCloseTo(u.h, 6);
                    break;
                  default:
                    expect(u.h).toBe(st.gates[0].act);
                }
                checked++;
              }
            }
          }
        }
      }
      expect(checked).toBe(2 * 2 * (4 + 2) * 4);
    });
  }

  it('computes the named products (LSTM layer 0, forward direction)', () => {
    const s = spec({ cell: 'lstm', hiddenSize: 2, inputSize: 2 });
    const m = model(s, 8);
    const x = uniform(2 * 2, 4);
    const h0 = uniform(2, 5);
    const c0 = uniform(2, 6);
    const tr = forward(m, x, { h0, c0 });
    const st = stepTerms(m, tr, { layer: 0, direction: 0, t: 1, b: 0, unit: 1 });
    const W = m.views.weight_ih_l0;
    const U = m.views.weight_hh_l0;
    const h = tr.layers[0].act.h as Float32Array;
    const c = tr.layers[0].act.c as Float32Array;
    // Gate f is row block 1, unit 1: row 3.
    const f = st.gates[1];
    expect(f.gate).toBe('f');
    expect(f.wx).toBeCloseTo(W[6] * x[2] + W[7] * x[3], 6);
    expect(f.wh).toBeCloseTo(U[6] * h[0] + U[7] * h[1], 6);
    expect(f.bih).toBe(m.views.bias_ih_l0[3]);
    expect(f.bhh).toBe(m.views.bias_hh_l0[3]);
    expect(st.update.cell === 'lstm' && st.update.cPrev).toBe(c[1]);
    expect(() => stepTerms(m, tr, { layer: 0, direction: 1, t: 0, b: 0, unit: 0 })).toThrow(
      /`direction` must be in \[0, 0\], got 1/,
    );
    expect(() => stepTerms(m, tr, { layer: 0, direction: 0, t: 2, b: 0, unit: 0 })).toThrow(
      /`t` must be in \[0, 1\]/,
    );
  });
});
