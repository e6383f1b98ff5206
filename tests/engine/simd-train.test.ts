/**
 * The training path of the WebAssembly SIMD kernels against the scalar path, on shapes the
 * reference cases do not cover: the whole-layer backward (`SimdKernels.backwardLayer`) with
 * two layers, both directions, padded sequences, truncation, dL/dhN and dL/dcN, dropout, a
 * batch and a hidden size that are not multiples of 4; the SIMD optimizers (`createUpdater`)
 * step for step against the JS loops (same float64 operations: the same bits); and whole
 * training runs through `Trainer`. The reference cases (simd.test.ts) check the same paths
 * against PyTorch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Trainer,
  backward,
  createModel,
  createOptimizer,
  forward,
  scalarKernels,
  setKernels,
} from '../../src/engine';
import type { CellKind, Kernels, ModelSpec, OptimizerConfig } from '../../src/engine';
import { loadSimdKernelsNode } from '../../src/wasm/node';
import type { SimdKernels } from '../../src/wasm/simd';
import { expectClose } from './helpers';

let simd: SimdKernels;

beforeAll(async () => {
  const k = await loadSimdKernelsNode();
  if (!k) throw new Error('WebAssembly SIMD is not available in this Node');
  simd = k;
}, 60_000);

afterAll(() => setKernels(scalarKernels));

const CELLS: CellKind[] = ['lstm', 'gru', 'gru-textbook', 'rnn-tanh', 'rnn-relu'];

const wave = (n: number, seed: number, scale = 1) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731 + seed * 1.9) * scale);

interface Shape {
  label: string;
  T: number;
  B: number;
  I: number;
  H: number;
  numLayers: number;
  bidirectional: boolean;
  lengths: number[] | null;
  truncate: number;
  mode: 'every' | 'last';
  dropout: number;
  /** Also give dL/d(output), dL/dhN and dL/dcN. */
  extra: boolean;
}

const SHAPES: Shape[] = [
  {
    label: '2 layers, bidirectional, B=3, H=13, padded, truncate 4, dropout, dOutput + dhN/dcN',
    T: 11,
    B: 3,
    I: 5,
    H: 13,
    numLayers: 2,
    bidirectional: true,
    lengths: [11, 7, 1],
    truncate: 4,
    mode: 'every',
    dropout: 0.3,
    extra: true,
  },
  {
    label: '1 layer, B=5, H=6, padded, readout on the last step, full BPTT',
    T: 9,
    B: 5,
    I: 3,
    H: 6,
    numLayers: 1,
    bidirectional: false,
    lengths: [9, 2, 5, 9, 8],
    truncate: 0,
    mode: 'last',
    dropout: 0,
    extra: false,
  },
  {
    label: '2 layers, bidirectional, B=4, H=16, full length, truncate 3',
    T: 10,
    B: 4,
    I: 7,
    H: 16,
    numLayers: 2,
    bidirectional: true,
    lengths: null,
    truncate: 3,
    mode: 'every',
    dropout: 0,
    extra: true,
  },
];

/** Forward (training mode) + backward with kernels `k`; returns copies of every gradient. */
function gradients(k: Kernels, cell: CellKind, s: Shape) {
  const spec: ModelSpec = {
    cell,
    inputSize: s.I,
    hiddenSize: s.H,
    numLayers: s.numLayers,
    bidirectional: s.bidirectional,
    bias: true,
    dropout: s.dropout,
    readout: { outputSize: 4, mode: s.mode },
  };
  const model = createModel(spec, { seed: 11 });
  const D = s.bidirectional ? 2 : 1;
  const LD = s.numLayers * D;
  const { T, B, H } = s;
  setKernels(k);
  try {
    const trace = forward(model, wave(T * B * s.I, 1), {
      B,
      lengths: s.lengths,
      h0: wave(LD * B * H, 2, 0.5),
      c0: cell === 'lstm' ? wave(LD * B * H, 3, 0.5) : null,
      training: true,
      seed: 5,
    });
    const steps = s.mode === 'every' ? T : 1;
    const r = backward(model, trace, {
      dReadout: wave(steps * B * 4, 4, 0.3),
      dOutput: s.extra ? wave(T * B * D * H, 5, 0.2) : null,
      dhN: s.extra ? wave(LD * B * H, 6, 0.2) : null,
      dcN: s.extra && cell === 'lstm' ? wave(LD * B * H, 7, 0.2) : null,
      truncate: s.truncate,
    });
    return {
      grads: model.grads.slice(),
      dInput: r.dInput.slice(),
      dh0: r.dh0.slice(),
      dc0: r.dc0 ? r.dc0.slice() : null,
      dLdh: Object.fromEntries(Object.entries(r.dLdh).map(([key, v]) => [key, v.slice()])),
    };
  } finally {
    setKernels(scalarKernels);
  }
}

describe('whole-layer backward (SIMD) against the scalar step loop', () => {
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      it(`${cell}: ${s.label}`, () => {
        const want = gradients(scalarKernels, cell, s);
        const calls = simd.backwardCalls;
        const got = gradients(simd, cell, s);
        const D = s.bidirectional ? 2 : 1;
        expect(simd.backwardCalls - calls).toBe(s.numLayers * D);
        expectClose(got.grads, want.grads, 1e-5, `${cell} grads`);
        expectClose(got.dInput, want.dInput, 1e-5, `${cell} dInput`);
        expectClose(got.dh0, want.dh0, 1e-5, `${cell} dh0`);
        if (want.dc0 && got.dc0) expectClose(got.dc0, want.dc0, 1e-5, `${cell} dc0`);
        expect(Object.keys(got.dLdh)).toEqual(Object.keys(want.dLdh));
        for (const [key, v] of Object.entries(want.dLdh)) {
          expectClose(got.dLdh[key], v, 1e-5, `${cell} dLdh ${key}`);
        }
        // Padded steps carry exactly zero gradient on both paths.
        if (s.lengths) {
          const H = s.H;
          for (const v of Object.values(got.dLdh)) {
            for (let t = 0; t < s.T; t++) {
              for (let b = 0; b < s.B; b++) {
                if (t < s.lengths[b]) continue;
                const row = v.subarray((t * s.B + b) * H, (t * s.B + b + 1) * H);
                expect(row.every((x) => x === 0)).toBe(true);
              }
            }
          }
        }
      });
    }
  }

  it('inputGrad false skips dL/d(input) only: same parameter gradients, dInput 0, both paths', () => {
    for (const k of [scalarKernels, simd] as Kernels[]) {
      for (const cell of ['lstm', 'gru-textbook'] as CellKind[]) {
        const spec: ModelSpec = {
          cell,
          inputSize: 3,
          hiddenSize: 6,
          numLayers: 2,
          bidirectional: true,
          bias: true,
          readout: { outputSize: 2, mode: 'every' },
        };
        const model = createModel(spec, { seed: 8 });
        setKernels(k);
        try {
          const trace = forward(model, wave(5 * 2 * 3, 1), { B: 2, lengths: [5, 3] });
          const dReadout = wave(5 * 2 * 2, 2);
          const full = backward(model, trace, { dReadout });
          expect(Array.from(full.dInput).some((v) => v !== 0)).toBe(true);
          const grads = model.grads.slice();
          const skipped = backward(model, trace, { dReadout, inputGrad: false });
          expect(Array.from(model.grads)).toEqual(Array.from(grads));
          expect(Array.from(skipped.dInput).every((v) => v === 0)).toBe(true);
        } finally {
          setKernels(scalarKernels);
        }
      }
    }
  });

  it('a kernel set that declines the whole-layer backward gets the step loop (same gradients)', () => {
    const s = SHAPES[0];
    const want = gradients(scalarKernels, 'lstm', s);
    let asked = 0;
    const declining = {
      ...scalarKernels,
      name: 'declining',
      backwardLayer: () => {
        asked++;
        return false;
      },
    };
    const got = gradients(declining, 'lstm', s);
    expect(asked).toBe(4);
    expect(Array.from(got.grads)).toEqual(Array.from(want.grads));
    expect(Array.from(got.dInput)).toEqual(Array.from(want.dInput));
  });

  it('accumulate adds into the gradients (a second identical backward doubles them)', () => {
    const spec: ModelSpec = {
      cell: 'gru',
      inputSize: 3,
      hiddenSize: 7,
      numLayers: 2,
      bidirectional: true,
      bias: true,
      readout: { outputSize: 2, mode: 'every' },
    };
    const model = createModel(spec, { seed: 4 });
    setKernels(simd);
    try {
      const trace = forward(model, wave(6 * 3 * 3, 1), { B: 3 });
      const dReadout = wave(6 * 3 * 2, 2);
      backward(model, trace, { dReadout });
      const once = model.grads.slice();
      backward(model, trace, { dReadout, accumulate: true });
      expectClose(
        model.grads,
        once.map((v) => 2 * v),
        1e-6,
        'accumulated grads',
      );
    } finally {
      setKernels(scalarKernels);
    }
  });

  it('truncation cuts the recurrent gradient: dh0 is 0 when every sequence is longer than k', () => {
    const spec: ModelSpec = {
      cell: 'lstm',
      inputSize: 3,
      hiddenSize: 5,
      numLayers: 1,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 2, mode: 'last' },
    };
    const model = createModel(spec, { seed: 3 });
    setKernels(simd);
    try {
      const trace = forward(model, wave(8 * 2 * 3, 1), { B: 2 });
      // Loss on the last step only: with k = 4 the gradient reaches steps 4..7, never step 0.
      const r = backward(model, trace, { dReadout: wave(2 * 2, 2), truncate: 4 });
      expect(Array.from(r.dh0).every((x) => x === 0)).toBe(true);
      expect(Array.from(r.dc0 ?? []).every((x) => x === 0)).toBe(true);
      const full = backward(model, trace, { dReadout: wave(2 * 2, 2) });
      expect(Array.from(full.dh0).some((x) => x !== 0)).toBe(true);
    } finally {
      setKernels(scalarKernels);
    }
  });
});

describe('SIMD optimizers against the JS loops', () => {
  const CONFIGS: OptimizerConfig[] = [
    { name: 'adam', lr: 1e-2 },
    { name: 'adam', lr: 3e-3, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.01 },
    { name: 'sgd', lr: 0.1 },
    { name: 'sgd', lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 },
    { name: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true },
    { name: 'rmsprop', lr: 1e-2 },
    { name: 'rmsprop', lr: 1e-3, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 1e-2 },
  ];
  // Odd size: the f64x2 loop and its scalar tail both run.
  const size = 1001;

  for (const config of CONFIGS) {
    it(`${JSON.stringify(config)}: same bits, also when the kernels change between steps`, () => {
      const run = (kernelsPerStep: Kernels[]) => {
        const opt = createOptimizer(config, size);
        const p = wave(size, 1);
        kernelsPerStep.forEach((k, step) => {
          setKernels(k);
          try {
            opt.step(p, wave(size, step + 2, 0.1 * (step + 1)));
          } finally {
            setKernels(scalarKernels);
          }
        });
        return p;
      };
      const steps = 6;
      const want = run(Array.from({ length: steps }, () => scalarKernels));
      const calls = simd.updateCalls;
      const got = run(Array.from({ length: steps }, () => simd));
      expect(simd.updateCalls - calls).toBe(steps);
      expect(Array.from(got)).toEqual(Array.from(want));
      // Scalar first, SIMD in the middle (state moved into wasm), scalar again (state read there).
      const mixed = run([scalarKernels, scalarKernels, simd, simd, scalarKernels, simd]);
      expect(Array.from(mixed)).toEqual(Array.from(want));
    });
  }

  it('reset forgets the state kept in WebAssembly memory', () => {
    const config: OptimizerConfig = { name: 'adam', lr: 1e-2 };
    setKernels(simd);
    try {
      const opt = createOptimizer(config, 9);
      const p = wave(9, 1);
      opt.step(p, wave(9, 2));
      opt.step(p, wave(9, 3));
      opt.reset();
      const q = wave(9, 1);
      opt.step(q, wave(9, 2));
      const fresh = wave(9, 1);
      createOptimizer(config, 9).step(fresh, wave(9, 2));
      expect(Array.from(q)).toEqual(Array.from(fresh));
      expect(opt.stepCount).toBe(1);
    } finally {
      setKernels(scalarKernels);
    }
  });
});

describe('training runs (Trainer) on both kernel paths', () => {
  for (const cell of CELLS) {
    it(`${cell}: 2 layers, bidirectional, padded, truncate 3, clipping, Adam: same trajectory`, () => {
      const spec: ModelSpec = {
        cell,
        inputSize: 4,
        hiddenSize: 10,
        numLayers: 2,
        bidirectional: true,
        bias: true,
        dropout: 0.2,
        readout: { outputSize: 3, mode: 'every' },
      };
      const T = 12,
        B = 3;
      const run = (k: Kernels) => {
        const trainer = new Trainer(createModel(spec, { seed: 2 }), {
          loss: 'mse',
          optimizer: { name: 'adam', lr: 1e-2 },
          clipGradNorm: 1,
          truncate: 3,
        });
        const losses: number[] = [];
        setKernels(k);
        try {
          for (let i = 0; i < 5; i++) {
            const r = trainer.step({
              input: wave(T * B * 4, i),
              target: wave(T * B * 3, i + 10, 0.5),
              B,
              lengths: [12, 5, 9],
            });
            losses.push(r.loss);
          }
        } finally {
          setKernels(scalarKernels);
        }
        return { losses, params: trainer.model.params.slice() };
      };
      const want = run(scalarKernels);
      const got = run(simd);
      expectClose(got.losses, want.losses, 1e-5, `${cell} losses`);
      expectClose(got.params, want.params, 1e-4, `${cell} params`);
    });
  }
});
