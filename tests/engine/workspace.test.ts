/**
 * Buffers are allocated once per (spec, T, B) and reused; dropout is seeded.
 */
import { describe, expect, it } from 'vitest';
import {
  backward,
  createWorkspace,
  ensureWorkspace,
  forward,
  getKernels,
  scalarKernels,
  setKernels,
  workspaceOf,
} from '../../src/engine';
import type { Kernels } from '../../src/engine';
import { model, spec, stateSize, uniform } from './build';

function arraysOf(tr: ReturnType<typeof forward>): Float32Array[] {
  const out: Float32Array[] = [tr.output, tr.hN, tr.input, tr.h0];
  for (const l of tr.layers) out.push(...Object.values(l.act), ...Object.values(l.pre));
  return out;
}

describe('workspace', () => {
  it('a second forward on the same (spec, T, B) reuses every buffer', () => {
    const s = spec({
      cell: 'lstm',
      numLayers: 2,
      bidirectional: true,
      readout: { outputSize: 2, mode: 'every' },
    });
    const m = model(s);
    const T = 5;
    const B = 2;
    const ws = createWorkspace(m.spec, T, B);
    const t1 = forward(m, uniform(T * B * 3, 1), { B, workspace: ws });
    const a1 = arraysOf(t1);
    const out1 = t1.output.slice();
    const g1 = backward(m, t1, { dOutput: uniform(T * B * 8, 2) });
    const t2 = forward(m, uniform(T * B * 3, 3), { B, workspace: ws });
    expect(t2).toBe(t1);
    expect(t2).toBe(ws.trace);
    expect(workspaceOf(t2)).toBe(ws);
    const a2 = arraysOf(t2);
    expect(a2.length).toBe(a1.length);
    for (let i = 0; i < a1.length; i++) expect(a2[i]).toBe(a1[i]);
    expect(t2.output).not.toEqual(out1); // new values in the same arrays
    const g2 = backward(m, t2, { dOutput: uniform(T * B * 8, 4) });
    expect(g2.dInput).toBe(g1.dInput);
    expect(g2.dLdh.l1_reverse).toBe(g1.dLdh.l1_reverse);
    expect(ensureWorkspace(ws, m.spec, T, B)).toBe(ws);
    expect(ensureWorkspace(ws, m.spec, T + 1, B)).not.toBe(ws);
    // A workspace that does not fit is replaced, not misused.
    const t3 = forward(m, uniform((T + 1) * B * 3, 5), { B, workspace: ws });
    expect(t3).not.toBe(t1);
    expect(t3.T).toBe(T + 1);
  });

  it('rejects malformed inputs with the name and the expected size', () => {
    const m = model(spec({ cell: 'gru' }));
    expect(() => forward(m, uniform(7, 1), { B: 2 })).toThrow(
      /`input` expects a multiple of B \* inputSize = 6/,
    );
    expect(() => forward(m, [0, 0, Number.NaN], {})).toThrow(
      /`input` has a non-finite value \(NaN\) at index 2/,
    );
    expect(() => forward(m, uniform(6, 1), { B: 2, h0: [1, 2] })).toThrow(
      /`h0` expects 8 values \(shape \[1, 2, 4\]\), got 2/,
    );
    expect(() => forward(m, uniform(12, 1), { B: 2, lengths: [2, 3] })).toThrow(
      /`lengths\[1\]` must be an integer in \[1, T = 2\]/,
    );
    expect(() => forward(m, uniform(12, 1), { B: 2, lengths: [2] })).toThrow(/`lengths` expects 2/);
    expect(() => forward(m, uniform(12, 1), { B: 0 })).toThrow(
      /`B` must be an integer >= 1, got 0/,
    );
  });

  it('runs every matrix product through the injected kernels', () => {
    let calls = 0;
    const counting: Kernels = {
      name: 'counting',
      gemmNT: (...a) => {
        calls++;
        scalarKernels.gemmNT(...a);
      },
      gemmNN: (...a) => {
        calls++;
        scalarKernels.gemmNN(...a);
      },
      gemmTN: (...a) => {
        calls++;
        scalarKernels.gemmTN(...a);
      },
    };
    const m = model(spec({ cell: 'lstm' }));
    const x = uniform(12, 1);
    const before = getKernels();
    const ref = forward(m, x, { B: 1 }).output.slice();
    setKernels(counting);
    try {
      const tr = forward(m, x, { B: 1 });
      expect(calls).toBeGreaterThanOrEqual(5); // input projection + one per step
      expect(tr.output).toEqual(ref);
      const n = calls;
      backward(m, tr, { dOutput: uniform(16, 2) });
      expect(calls).toBeGreaterThan(n);
    } finally {
      setKernels(before);
    }
  });
});

describe('dropout between layers', () => {
  const s = spec({ cell: 'lstm', numLayers: 3, hiddenSize: 8, dropout: 0.5 });
  const T = 6;
  const B = 2;
  const x = uniform(T * B * 3, 1);
  const h0 = uniform(stateSize(s, B), 2);

  it('is deterministic by seed, different across seeds, and off outside training', () => {
    const m = model(s);
    const a = forward(m, x, { B, h0, training: true, seed: 11 }).output.slice();
    const b = forward(m, x, { B, h0, training: true, seed: 11 }).output.slice();
    const c = forward(m, x, { B, h0, training: true, seed: 12 }).output.slice();
    const evalOut = forward(m, x, { B, h0 }).output.slice();
    const noDrop = forward(model({ ...s, dropout: 0 }), x, { B, h0, training: true, seed: 11 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(evalOut);
    expect(noDrop.output).toEqual(evalOut);
  });

  it('masks layer outputs (not the last layer) with 0 or 1/(1-p)', () => {
    const m = model(s);
    const tr = forward(m, x, { B, h0, training: true, seed: 3 });
    expect(tr.training).toBe(true);
    for (let l = 1; l < 3; l++) {
      const dropped = tr.layerInputs[l];
      const h = tr.layers[l - 1].act.h as Float32Array;
      expect(dropped).not.toBe(h);
      let zeros = 0;
      for (let i = 0; i < dropped.length; i++) {
        if (dropped[i] === 0) zeros++;
        else expect(dropped[i]).toBeCloseTo(2 * h[i], 6);
      }
      expect(zeros).toBeGreaterThan(dropped.length * 0.25);
      expect(zeros).toBeLessThan(dropped.length * 0.75);
    }
    // The last layer's output is never dropped.
    expect(tr.output).toEqual(tr.layers[2].act.h);
  });
});

describe('non-finite states', () => {
  it('reports where an exploding ReLU RNN overflows instead of staying silent', () => {
    const s = spec({ cell: 'rnn-relu', hiddenSize: 4, inputSize: 1 });
    const m = model(s);
    m.views.weight_hh_l0.fill(30);
    m.views.weight_ih_l0.fill(1);
    const T = 40;
    const tr = forward(m, new Float32Array(T).fill(1), {});
    expect(tr.nonFinite).not.toBeNull();
    expect(tr.nonFinite?.key).toBe('l0');
    expect(tr.nonFinite?.t).toBeGreaterThan(5);
    expect(tr.nonFinite?.t).toBeLessThan(T);
    const h = tr.layers[0].act.h as Float32Array;
    const t = tr.nonFinite?.t ?? 0;
    expect(Number.isFinite(h[(t - 1) * 4])).toBe(true);
    m.views.weight_hh_l0.fill(0.1);
    expect(forward(m, new Float32Array(T).fill(1), {}).nonFinite).toBeNull();
  });
  it('reports the first non-finite step of a gate cell (found from the final state)', () => {
    for (const cell of ['lstm', 'gru', 'rnn-tanh'] as const) {
      const s = spec({ cell, hiddenSize: 4, inputSize: 1 });
      const m = model(s);
      const T = 12;
      expect(forward(m, new Float32Array(T).fill(1), {}).nonFinite, cell).toBeNull();
      // A NaN in b_hh enters at step 0 and spreads to the final state, which is checked first.
      m.views[s.bias ? 'bias_hh_l0' : 'weight_hh_l0'][1] = NaN;
      const tr = forward(m, new Float32Array(T).fill(1), {});
      expect(tr.nonFinite, cell).toEqual({ key: 'l0', t: 0, b: 0 });
    }
  });
});
