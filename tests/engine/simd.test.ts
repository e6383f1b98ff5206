/**
 * The WebAssembly SIMD kernels give the engine's results: every reference case runs through
 * the same code path as `replay` (`runCase`) with the SIMD kernels installed, against the
 * stored PyTorch values, with the engine's tolerances (forward 1e-5, gradients and training
 * 1e-4, scaled by max(1, largest reference magnitude)). The scalar path runs the same cases
 * in the engine's own reference test.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  flattenTensors,
  forward,
  runCase,
  scalarKernels,
  setKernels,
} from '../../src/engine';
import type { Kernels } from '../../src/engine';
import { installBestKernels } from '../../src/wasm';
import { loadSimdKernelsNode } from '../../src/wasm/node';
import type { SimdKernels } from '../../src/wasm/simd';
import { expectClose } from './helpers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CASE_DIRS = [
  join(root, 'tests', 'fixtures', 'reference'),
  join(root, '..', 'shared', 'reference'),
];

/** Every case file, by name (the fixtures are copies of ../shared/reference: one run each). */
function caseFiles(): { name: string; path: string }[] {
  const seen = new Map<string, string>();
  for (const dir of CASE_DIRS) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.json') || f === 'VERSIONS.json' || seen.has(f)) continue;
      seen.set(f, join(dir, f));
    }
  }
  return [...seen].map(([name, path]) => ({ name, path }));
}

/** Forward quantities within 1e-5; gradients, dL/dh and training trajectories within 1e-4. */
function tolerance(key: string): number {
  return /^(grads|dLdh|steps)\b/.test(key) ? 1e-4 : 1e-5;
}

let simd: SimdKernels;

beforeAll(async () => {
  const k = await loadSimdKernelsNode();
  // Node 20 has WebAssembly SIMD: a missing module here is a build failure, not a skip.
  if (!k) throw new Error('WebAssembly SIMD is not available in this Node');
  simd = k;
}, 60_000);

afterAll(() => setKernels(scalarKernels));

describe('reference cases with the WebAssembly SIMD kernels', () => {
  const files = caseFiles();
  it('finds the reference cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const { name, path } of files) {
    it(name, () => {
      const c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      setKernels(simd);
      const before = simd.layerCalls;
      const backwardBefore = simd.backwardCalls;
      const updatesBefore = simd.updateCalls;
      let out: Record<string, unknown>;
      try {
        out = runCase(c, { loadFile: (p) => readFileSync(join(dirname(path), p)) });
      } finally {
        setKernels(scalarKernels);
      }
      // The whole-layer fast path must have run (no reference case has padded sequences).
      expect(simd.layerCalls).toBeGreaterThan(before);
      // Gradients come from the whole-layer backward, and training updates from the SIMD
      // optimizers (the JS loops would give the same numbers: this proves which path ran).
      if ('grads' in c || c.kind === 'train') {
        expect(simd.backwardCalls).toBeGreaterThan(backwardBefore);
      }
      if (c.kind === 'train') expect(simd.updateCalls).toBeGreaterThan(updatesBefore);
      const got = new Map(flattenTensors(out).map((l) => [l.key, l]));
      const want = flattenTensors(
        Object.fromEntries(Object.keys(out).map((k) => [k, c[k]])),
      ).filter((l) => got.has(l.key));
      expect(want.length).toBeGreaterThan(0);
      for (const w of want) {
        const g = got.get(w.key);
        if (!g) throw new Error(`${name}: no computed value for ${w.key}`);
        expect(g.shape, `${name} ${w.key} shape`).toEqual(w.shape);
        expectClose(g.data, w.data, tolerance(w.key), `${name} ${w.key}`);
      }
    });
  }
});

describe('SIMD matrix kernels against the scalar ones', () => {
  // Offsets, leading dimensions wider than the block, sizes not multiples of 4, and sizes
  // large enough to go through WebAssembly (small ones fall back to the scalar loops).
  const shapes: [number, number, number][] = [
    [1, 517, 161],
    [7, 33, 35],
    [32, 130, 64],
    [64, 36, 129],
    [3, 4, 5],
  ];
  const fill = (n: number, seed: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed) * 0.5);

  for (const op of ['gemmNT', 'gemmNN', 'gemmTN'] as const) {
    for (const [M, N, K] of shapes) {
      it(`${op} M=${M} N=${N} K=${K}`, () => {
        const pad = 3;
        // A is [M, K] (NT, NN) or [K, M] (TN); B is [N, K] (NT) or [K, N] (NN, TN).
        const [ar, ac] = op === 'gemmTN' ? [K, M] : [M, K];
        const [br, bc] = op === 'gemmNT' ? [N, K] : [K, N];
        const lda = ac + pad,
          ldb = bc + 1,
          ldc = N + 2;
        const A = fill(5 + ar * lda, 1);
        const B = fill(7 + br * ldb, 2);
        const C1 = fill(11 + M * ldc, 3);
        const C2 = C1.slice();
        const run = (k: Kernels, C: Float32Array) =>
          k[op](M, N, K, A, 5, lda, B, 7, ldb, C, 11, ldc);
        run(simd, C1);
        run(scalarKernels, C2);
        expectClose(C1, C2, 1e-5, op);
      });
    }
  }
});

describe('kernel selection', () => {
  it('keeps the scalar kernels when SIMD is unsupported', async () => {
    const k = await installBestKernels(() => Promise.reject(new Error('never loaded')), {
      supported: false,
    });
    expect(k).toBe(scalarKernels);
  });

  it('falls back to the scalar kernels when the module fails to load, and says why', async () => {
    const errors: unknown[] = [];
    const k = await installBestKernels(() => Promise.resolve(new Uint8Array([0, 1, 2])), {
      supported: true,
      onError: (e) => errors.push(e),
    });
    expect(k).toBe(scalarKernels);
    expect(errors).toHaveLength(1);
  });

  it('gives the same trace as the scalar path on a long batch (B = 3, bidirectional, 2 layers)', () => {
    for (const cell of ['lstm', 'gru', 'gru-textbook', 'rnn-tanh', 'rnn-relu'] as const) {
      const spec = {
        cell,
        inputSize: 6,
        hiddenSize: 13,
        numLayers: 2,
        bidirectional: true,
        bias: true,
      };
      const model = createModel(spec, { seed: 7 });
      const T = 40,
        B = 3;
      const x = Float32Array.from({ length: T * B * 6 }, (_, i) => Math.sin(i * 0.41));
      setKernels(scalarKernels);
      const ref = forward(model, x, { B });
      setKernels(simd);
      const calls = simd.layerCalls;
      try {
        const got = forward(model, x, { B });
        expect(simd.layerCalls - calls).toBe(4);
        got.layers.forEach((lt, i) => {
          const r = ref.layers[i];
          for (const part of ['act', 'pre'] as const) {
            for (const [q, arr] of Object.entries(lt[part])) {
              const want = r[part][q as keyof typeof r.act];
              if (!want) throw new Error(`${cell} ${lt.key}: scalar trace has no ${part}.${q}`);
              expectClose(arr, want, 1e-5, `${cell} ${lt.key} ${part}.${q}`);
            }
          }
        });
        expectClose(got.output, ref.output, 1e-5, `${cell} output`);
        expectClose(got.hN, ref.hN, 1e-5, `${cell} hN`);
      } finally {
        setKernels(scalarKernels);
      }
    }
  });
});
