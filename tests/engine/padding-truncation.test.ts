/**
 * Variable-length batches behave as PyTorch packed sequences (padding never
 * changes a result), and truncated BPTT equals running the chunks one after
 * another with detached states.
 */
import { describe, expect, it } from 'vitest';
import { backward, directions, externalLoss, forward } from '../../src/engine';
import type { BackwardResult, Model, ModelSpec, Trace } from '../../src/engine';
import { expectClose } from './helpers';
import { model, spec, stateSize, uniform } from './build';

function slice3(a: Float32Array, T: number, B: number, n: number, b: number, t1 = T): Float32Array {
  const out = new Float32Array(t1 * n);
  for (let t = 0; t < t1; t++) out.set(a.subarray((t * B + b) * n, (t * B + b + 1) * n), t * n);
  return out;
}

/** [L*D, B, H] -> the rows of batch element b, [L*D, 1, H]. */
function sliceState(a: Float32Array, LD: number, B: number, H: number, b: number): Float32Array {
  const out = new Float32Array(LD * H);
  for (let i = 0; i < LD; i++) out.set(a.subarray((i * B + b) * H, (i * B + b + 1) * H), i * H);
  return out;
}

function copyGrads(m: Model, g: BackwardResult) {
  return {
    grads: m.grads.slice(),
    dInput: g.dInput.slice(),
    dh0: g.dh0.slice(),
    dc0: g.dc0?.slice() ?? null,
    dLdh: Object.fromEntries(Object.entries(g.dLdh).map(([k, v]) => [k, v.slice()])),
  };
}

function snapshot(tr: Trace) {
  return {
    output: tr.output.slice(),
    hN: tr.hN.slice(),
    cN: tr.cN?.slice() ?? null,
    layers: tr.layers.map((l) => ({
      key: l.key,
      act: Object.fromEntries(Object.entries(l.act).map(([q, v]) => [q, v.slice()])),
      pre: Object.fromEntries(Object.entries(l.pre).map(([q, v]) => [q, v.slice()])),
    })),
  };
}

describe('padding never changes a result', () => {
  for (const cell of ['lstm', 'gru', 'gru-textbook', 'rnn-relu'] as const) {
    it(`${cell}: two layers bidirectional, lengths [6, 3, 1] equal three separate runs`, () => {
      const s: ModelSpec = spec({ cell, numLayers: 2, bidirectional: true, hiddenSize: 4 });
      const m = model(s, 9);
      const T = 6;
      const B = 3;
      const lengths = [6, 3, 1];
      const H = s.hiddenSize;
      const D = directions(s);
      const LD = s.numLayers * D;
      const x = uniform(T * B * s.inputSize, 1);
      const h0 = uniform(stateSize(s, B), 2);
      const c0 = cell === 'lstm' ? uniform(stateSize(s, B), 3) : null;
      const dOutput = uniform(T * B * D * H, 4);
      const dhN = uniform(stateSize(s, B), 5);
      const dcN = cell === 'lstm' ? uniform(stateSize(s, B), 6) : null;

      const tr = forward(m, x, { B, h0, c0, lengths });
      const batch = snapshot(tr);
      const bg = copyGrads(m, backward(m, tr, { dOutput, dhN, dcN }));

      // Other garbage in the padding: bitwise the same results.
      const x2 = x.slice();
      for (let t = 0; t < T; t++)
        for (let b = 0; b < B; b++)
          if (t >= lengths[b])
            for (let i = 0; i < s.inputSize; i++) x2[(t * B + b) * s.inputSize + i] = 100 * (i + 1);
      const tr2 = forward(m, x2, { B, h0, c0, lengths });
      expect(tr2.output).toEqual(batch.output);
      expect(tr2.hN).toEqual(batch.hN);
      const g2 = backward(m, tr2, { dOutput, dhN, dcN });
      expect(m.grads).toEqual(bg.grads);
      expect(g2.dh0).toEqual(bg.dh0);

      const sumGrads = new Float32Array(m.grads.length);
      for (let b = 0; b < B; b++) {
        const L = lengths[b];
        const xb = slice3(x, T, B, s.inputSize, b, L);
        const h0b = sliceState(h0, LD, B, H, b);
        const c0b = c0 ? sliceState(c0, LD, B, H, b) : null;
        const tb = forward(m, xb, { B: 1, h0: h0b, c0: c0b });
        const outB = slice3(batch.output, T, B, D * H, b);
        expectClose(outB.subarray(0, L * D * H), tb.output, 1e-6, `output b=${b}`);
        expect(Array.from(outB.subarray(L * D * H)).every((v) => v === 0)).toBe(true);
        expectClose(sliceState(batch.hN, LD, B, H, b), tb.hN, 1e-6, `hN b=${b}`);
        if (batch.cN && tb.cN)
          expectClose(sliceState(batch.cN, LD, B, H, b), tb.cN, 1e-6, `cN b=${b}`);
        for (let li = 0; li < tb.layers.length; li++) {
          for (const kind of ['act', 'pre'] as const) {
            for (const [q, arr] of Object.entries(tb.layers[li][kind])) {
              const full = slice3(batch.layers[li][kind][q], T, B, H, b);
              expectClose(
                full.subarray(0, L * H),
                arr,
                1e-6,
                `${tb.layers[li].key}.${kind}.${q} b=${b}`,
              );
              expect(Array.from(full.subarray(L * H)).every((v) => v === 0)).toBe(true);
            }
          }
        }
        const gb = backward(m, tb, {
          dOutput: slice3(dOutput, T, B, D * H, b, L),
          dhN: sliceState(dhN, LD, B, H, b),
          dcN: dcN ? sliceState(dcN, LD, B, H, b) : null,
        });
        for (let i = 0; i < sumGrads.length; i++) sumGrads[i] += m.grads[i];
        const dIn = slice3(bg.dInput, T, B, s.inputSize, b);
        expectClose(dIn.subarray(0, L * s.inputSize), gb.dInput, 1e-5, `dInput b=${b}`);
        expect(Array.from(dIn.subarray(L * s.inputSize)).every((v) => v === 0)).toBe(true);
        expectClose(sliceState(bg.dh0, LD, B, H, b), gb.dh0, 1e-5, `dh0 b=${b}`);
        if (bg.dc0 && gb.dc0)
          expectClose(sliceState(bg.dc0, LD, B, H, b), gb.dc0, 1e-5, `dc0 b=${b}`);
        for (const [key, arr] of Object.entries(gb.dLdh)) {
          const full = slice3(bg.dLdh[key], T, B, H, b);
          expectClose(full.subarray(0, L * H), arr, 1e-5, `dLdh.${key} b=${b}`);
          expect(Array.from(full.subarray(L * H)).every((v) => v === 0)).toBe(true);
        }
      }
      expectClose(bg.grads, sumGrads, 1e-5, 'parameter gradients: batch vs sum of sequences');
    });
  }
});

describe('truncated BPTT', () => {
  it('window k equals running chunks of k steps with detached states (two-layer LSTM)', () => {
    const s = spec({ cell: 'lstm', numLayers: 2, hiddenSize: 4 });
    const m = model(s, 5);
    const T = 7;
    const B = 2;
    const k = 3;
    const H = s.hiddenSize;
    const x = uniform(T * B * s.inputSize, 1);
    const h0 = uniform(stateSize(s, B), 2);
    const c0 = uniform(stateSize(s, B), 3);
    const dOutput = uniform(T * B * H, 4);
    const dhN = uniform(stateSize(s, B), 5);
    const dcN = uniform(stateSize(s, B), 6);
    const tr = forward(m, x, { B, h0, c0 });
    const full = snapshot(tr);
    const tg = copyGrads(m, backward(m, tr, { dOutput, dhN, dcN, truncate: k }));

    const sum = new Float32Array(m.grads.length);
    for (let t0 = 0; t0 < T; t0 += k) {
      const n = Math.min(k, T - t0);
      const isLast = t0 + n === T;
      const xs = x.slice(t0 * B * s.inputSize, (t0 + n) * B * s.inputSize);
      // Chunk's initial state: the full run's state at step t0 - 1.
      const hs = new Float32Array(stateSize(s, B));
      const cs = new Float32Array(stateSize(s, B));
      for (let l = 0; l < s.numLayers; l++) {
        if (t0 === 0) {
          hs.set(h0.subarray(l * B * H, (l + 1) * B * H), l * B * H);
          cs.set(c0.subarray(l * B * H, (l + 1) * B * H), l * B * H);
        } else {
          const a = full.layers[l].act;
          hs.set(a.h.subarray((t0 - 1) * B * H, t0 * B * H), l * B * H);
          cs.set(a.c.subarray((t0 - 1) * B * H, t0 * B * H), l * B * H);
        }
      }
      const tc = forward(m, xs, { B, h0: hs, c0: cs });
      const gc = backward(m, tc, {
        dOutput: dOutput.subarray(t0 * B * H, (t0 + n) * B * H),
        dhN: isLast ? dhN : null,
        dcN: isLast ? dcN : null,
      });
      for (let i = 0; i < sum.length; i++) sum[i] += m.grads[i];
      expectClose(
        tg.dInput.subarray(t0 * B * s.inputSize, (t0 + n) * B * s.inputSize),
        gc.dInput,
        1e-5,
        `dInput chunk ${t0}`,
      );
      for (const key of ['l0', 'l1']) {
        expectClose(
          tg.dLdh[key].subarray(t0 * B * H, (t0 + n) * B * H),
          gc.dLdh[key],
          1e-5,
          `dLdh.${key} chunk ${t0}`,
        );
      }
      if (t0 === 0) {
        expectClose(tg.dh0, gc.dh0, 1e-5, 'dh0');
        expectClose(tg.dc0 as Float32Array, gc.dc0 as Float32Array, 1e-5, 'dc0');
      }
    }
    expectClose(tg.grads, sum, 1e-5, 'parameter gradients: truncated vs chunks');

    // And it is a real truncation: full BPTT differs; k >= T is full BPTT.
    backward(m, tr, { dOutput, dhN, dcN });
    const fullGrads = m.grads.slice();
    expect(fullGrads).not.toEqual(tg.grads);
    backward(m, tr, { dOutput, dhN, dcN, truncate: T });
    expect(m.grads).toEqual(fullGrads);
  });

  it('window 1 keeps only the direct gradient at every step, in both directions', () => {
    const s = spec({ cell: 'rnn-tanh', bidirectional: true, hiddenSize: 3 });
    const m = model(s, 2);
    const T = 5;
    const B = 2;
    const lengths = [5, 3];
    const H = 3;
    const dOutput = uniform(T * B * 2 * H, 7);
    const dhN = uniform(stateSize(s, B), 8);
    const tr = forward(m, uniform(T * B * s.inputSize, 6), { B, lengths });
    const g = backward(m, tr, { dOutput, dhN, truncate: 1 });
    for (let d = 0; d < 2; d++) {
      const dLdh = g.dLdh[d === 0 ? 'l0' : 'l0_reverse'];
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          // The step where dhN enters: the last processed step of this direction.
          const lastProcessed = d === 0 ? lengths[b] - 1 : 0;
          for (let j = 0; j < H; j++) {
            const got = dLdh[(t * B + b) * H + j];
            let want = t < lengths[b] ? dOutput[(t * B + b) * 2 * H + d * H + j] : 0;
            if (t === lastProcessed) want += dhN[(d * B + b) * H + j];
            expect(got).toBeCloseTo(want, 6);
          }
        }
      }
    }
    expect(() => backward(m, tr, { dOutput, truncate: -1 })).toThrow(/truncate/);
  });

  it('externalLoss is the dot product of the cotangents with output, hN, cN', () => {
    const s = spec({ cell: 'lstm' });
    const m = model(s, 1);
    const tr = forward(m, uniform(6, 1), { B: 2 });
    const dOutput = uniform(tr.output.length, 2);
    const dhN = uniform(tr.hN.length, 3);
    const dcN = uniform(tr.hN.length, 4);
    let want = 0;
    for (let i = 0; i < dOutput.length; i++) want += tr.output[i] * dOutput[i];
    for (let i = 0; i < dhN.length; i++)
      want += tr.hN[i] * dhN[i] + (tr.cN as Float32Array)[i] * dcN[i];
    expect(externalLoss(tr, { dOutput, dhN, dcN })).toBeCloseTo(want, 10);
  });
});
