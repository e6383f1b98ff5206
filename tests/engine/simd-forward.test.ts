/**
 * The SIMD whole-layer forward against the scalar engine on shapes the reference cases leave
 * out: one sequence (B = 1, the column-form kernels over packed weights) with every tile size
 * of `colMatvec` (G*H = 24k, +16, +8, +4), H not a multiple of 4 (the gemm path), reverse
 * directions and stacked layers; and the trace arena: the workspace's trace arrays live in the
 * kernels' memory, are written in place, survive the main arena growing, and are reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, forward, scalarKernels, setKernels, workspaceOf } from '../../src/engine';
import type { CellKind, ModelSpec, Trace } from '../../src/engine';
import { loadSimdKernelsNode } from '../../src/wasm/node';
import type { SimdKernels } from '../../src/wasm/simd';

let simd: SimdKernels;

beforeAll(async () => {
  const k = await loadSimdKernelsNode();
  if (!k) throw new Error('WebAssembly SIMD is not available in this Node');
  simd = k;
}, 60_000);

afterAll(() => setKernels(scalarKernels));

function seeded(n: number, seed: number): Float32Array {
  let s = (seed * 2654435761 + 12345) >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

function spec(cell: CellKind, I: number, H: number, L: number, bi: boolean): ModelSpec {
  return {
    cell,
    inputSize: I,
    hiddenSize: H,
    numLayers: L,
    bidirectional: bi,
    bias: true,
    readout: null,
  };
}

/** Largest |a - b| over every trace array of two traces of the same spec. */
function traceDiff(a: Trace, b: Trace): number {
  let worst = 0;
  a.layers.forEach((la, i) => {
    const lb = b.layers[i];
    for (const part of ['act', 'pre'] as const) {
      for (const [q, x] of Object.entries(la[part])) {
        const y = lb[part][q as keyof typeof lb.act];
        expect(y, `${la.key} ${part} ${q}`).toBeDefined();
        for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y![k]));
      }
    }
  });
  return worst;
}

const CELLS: CellKind[] = ['lstm', 'gru', 'gru-textbook', 'rnn-tanh', 'rnn-relu'];

describe('SIMD forward against the scalar engine', () => {
  // H = 6 (G*H = 24, 18, 6), 10 (not a multiple of 4), 12, 20 (24k + 16 / 8 / 4 tiles), 36.
  for (const cell of CELLS) {
    for (const H of [6, 10, 12, 20, 36]) {
      for (const [B, L, bi] of [
        [1, 1, false],
        [1, 2, true],
        [3, 1, true],
      ] as const) {
        it(`${cell} H=${H} B=${B} layers=${L}${bi ? ' bidirectional' : ''}`, () => {
          const T = 9;
          const I = 5;
          const model = createModel(spec(cell, I, H, L, bi), { seed: H + B });
          const x = seeded(T * B * I, 3);
          setKernels(scalarKernels);
          const ref = forward(model, x, { B });
          setKernels(simd);
          const calls = simd.layerCalls;
          const got = forward(model, x, { B });
          expect(simd.layerCalls - calls).toBe(L * (bi ? 2 : 1));
          expect(traceDiff(got, ref)).toBeLessThan(1e-5);
          for (let k = 0; k < ref.hN.length; k++)
            expect(Math.abs(got.hN[k] - ref.hN[k])).toBeLessThan(1e-5);
        });
      }
    }
  }
});

describe('trace arena', () => {
  it('keeps the trace arrays in the kernels memory, written in place and reused', () => {
    setKernels(simd);
    const model = createModel(spec('lstm', 4, 16, 1, false), { seed: 7 });
    const T = 30;
    const x1 = seeded(T * 4, 1);
    const x2 = seeded(T * 4, 2);
    const t1 = forward(model, x1, { B: 1 });
    const h = t1.layers[0].act.h!;
    const f = t1.layers[0].act.f!;
    // One block shared by every trace array, bigger than any of them: not a private buffer.
    expect(h.buffer).toBe(f.buffer);
    expect(h.buffer.byteLength).toBeGreaterThan(10 * h.byteLength);

    // A bigger call on the main instance grows its memory; the arena's views stay attached.
    const big = createModel(spec('gru', 64, 128, 1, false), { seed: 2 });
    forward(big, seeded(200 * 64, 5), { B: 1 });
    expect(h.length).toBe(T * 16);

    const t2 = forward(model, x2, { B: 1, workspace: workspaceOf(t1) });
    expect(t2.layers[0].act.h).toBe(h);
    setKernels(scalarKernels);
    const ref = forward(model, x2, { B: 1 });
    expect(traceDiff(t2, ref)).toBeLessThan(1e-5);
  });
});

describe('non-finite values on the SIMD path', () => {
  it('a NaN weight gives NaN states (not clamped away) and is reported at its first step', () => {
    for (const cell of ['lstm', 'gru', 'rnn-tanh', 'rnn-relu'] as const) {
      const model = createModel(spec(cell, 3, 8, 1, false), { seed: 4 });
      model.views.bias_hh_l0[2] = NaN;
      setKernels(simd);
      const tr = forward(model, seeded(6 * 3, 8), { B: 1 });
      expect(tr.nonFinite, cell).toEqual({ key: 'l0', t: 0, b: 0 });
      expect(Number.isNaN(tr.hN[0]), cell).toBe(true);
    }
  });
});
