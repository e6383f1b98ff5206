/**
 * The comparison's figures are the engine's: parameter formulas against `paramCount` and the
 * reference cases' state_dict shapes, gradient-flow slopes from the engine's dL/dh (and from
 * PyTorch's, on the long reference case), the claim rule, settings validation and a small
 * seeded run of the whole job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CELL_KINDS,
  EngineError,
  createModel,
  createRecallTask,
  macsPerStep,
  paramCount,
  runForwardCase,
  Rng,
  forward,
  crossEntropyLoss,
  backward,
} from '../../src/engine';
import type { ModelSpec, TensorJson } from '../../src/engine';
import {
  DEFAULT_COMPARE_CONFIG,
  EXPLODING_PRESET,
  classifyFlow,
  compareJob,
  disagreements,
  hiddenForBudget,
  logSlope,
  measureGradientFlow,
  normsByDistance,
  paramFormula,
  planCells,
  validateCompareConfig,
} from '../../src/engine/compare';
import type { CompareConfig, CompareEvent } from '../../src/engine/compare';

const REF = new URL('../fixtures/reference/', import.meta.url);
const refCase = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(name, REF), 'utf8')) as Record<string, unknown>;

describe('parameter formula', () => {
  it('matches paramCount for every cell, layers, directions, bias and readout', () => {
    for (const cell of CELL_KINDS) {
      for (const numLayers of [1, 3]) {
        for (const bidirectional of [false, true]) {
          for (const bias of [false, true]) {
            for (const readout of [null, { outputSize: 5, mode: 'last' as const }]) {
              const spec: ModelSpec = {
                cell,
                inputSize: 7,
                hiddenSize: 6,
                numLayers,
                bidirectional,
                bias,
                readout,
              };
              expect(paramFormula(spec).total, JSON.stringify(spec)).toBe(paramCount(spec));
            }
          }
        }
      }
    }
  });

  it("matches the element count of every reference case's state_dict", () => {
    const files = readdirSync(REF).filter((f) => /^(rnn|lstm|gru)_.*\.json$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const c = refCase(f);
      const sd = c.stateDict as Record<string, TensorJson>;
      const n = Object.values(sd).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
      expect(paramFormula(c.spec as ModelSpec).total, f).toBe(n);
    }
  });

  it('writes the formula with symbols and with numbers', () => {
    const f = paramFormula({
      cell: 'lstm',
      inputSize: 6,
      hiddenSize: 16,
      numLayers: 1,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 4, mode: 'last' },
    });
    expect(f.symbolic).toBe('4*(H*I + H*H + 2*H) + O*(H + 1)');
    expect(f.numeric).toBe('4*(16*6 + 16*16 + 2*16) + 4*(16 + 1)');
    expect(f.total).toBe(4 * (16 * 6 + 256 + 32) + 4 * 17);
  });

  it('equal parameter budget picks the hidden size closest to the target', () => {
    const base: ModelSpec = {
      cell: 'lstm',
      inputSize: 6,
      hiddenSize: 16,
      numLayers: 1,
      bidirectional: false,
      bias: true,
    };
    const target = paramCount(base);
    for (const cell of ['rnn-tanh', 'gru'] as const) {
      const H = hiddenForBudget(base, cell, target);
      const d = (h: number) => Math.abs(paramCount({ ...base, cell, hiddenSize: h }) - target);
      expect(d(H)).toBeLessThanOrEqual(d(H - 1));
      expect(d(H)).toBeLessThanOrEqual(d(H + 1));
    }
    const plans = planCells({ ...DEFAULT_COMPARE_CONFIG, fairness: 'equal-params' });
    expect(plans.map((p) => p.hiddenSize)).toEqual([
      hiddenForBudget(plans[1].spec, 'rnn-tanh', plans[1].params),
      16,
      hiddenForBudget(plans[1].spec, 'gru', plans[1].params),
    ]);
    expect(plans[0].hiddenSize).toBeGreaterThan(16);
    for (const p of plans) expect(p.macs).toBe(macsPerStep(p.spec));
  });
});

describe('gradient flow', () => {
  it('recovers a known slope from a constructed dL/dh', () => {
    const T = 30;
    const B = 2;
    const H = 3;
    const d = new Float32Array(T * B * H);
    // ||dL/dh_{T-1-k}|| = 2 * 10^(-0.07 k): every entry scaled so the slice norm is exact.
    for (let k = 0; k < T; k++) {
      const norm = 2 * 10 ** (-0.07 * k);
      const t = T - 1 - k;
      for (let i = 0; i < B * H; i++) d[t * B * H + i] = norm / Math.sqrt(B * H);
    }
    const norms = normsByDistance(d, T, B, H);
    expect(norms[0]).toBeCloseTo(2, 5);
    expect(logSlope(norms)).toBeCloseTo(-0.07, 4);
    expect(classifyFlow(-0.07)).toBe('vanishes');
    expect(classifyFlow(-0.01)).toBe('stable');
    expect(classifyFlow(0.05)).toBe('explodes');
    expect(classifyFlow(Number.NaN)).toBe('vanishes');
    expect(() => normsByDistance(d, T, B, 4)).toThrow(/expected T\*B\*H = 30\*2\*4 = 240/);
  });

  it("gives PyTorch's slope on the long reference case (T = 120, H = 32)", () => {
    const c = refCase('lstm_long_h32.json');
    const ours = runForwardCase(c).dLdh as Record<string, TensorJson>;
    const theirs = (c.dLdh as Record<string, TensorJson>).l0;
    const [T, B, H] = theirs.shape;
    const a = normsByDistance(ours.l0.data, T, B, H);
    const b = normsByDistance(theirs.data, T, B, H);
    for (let k = 0; k < T; k++) expect(a[k]).toBeCloseTo(b[k], 4);
    expect(logSlope(a)).toBeCloseTo(logSlope(b), 6);
  });

  it("measures a real run from the engine's dL/dh (RNN vanishes faster than LSTM)", () => {
    const task = createRecallTask({ delay: 30, symbols: 4, distractors: true });
    const batch = task.sample(new Rng(5), 8);
    const slopes: Record<string, number> = {};
    for (const cell of ['rnn-tanh', 'lstm'] as const) {
      const model = createModel(
        {
          cell,
          inputSize: 6,
          hiddenSize: 12,
          numLayers: 1,
          bidirectional: false,
          bias: true,
          readout: { outputSize: 4, mode: 'last' },
        },
        { seed: 3 },
      );
      const flow = measureGradientFlow(model, batch.input, batch.target, 8);
      // The same by hand through the public API.
      const trace = forward(model, batch.input, { B: 8 });
      const res = backward(model, trace, {
        dReadout: crossEntropyLoss(trace, batch.target).dReadout,
      });
      const norms = normsByDistance(res.dLdh.l0, trace.T, 8, 12);
      expect(flow.norms).toEqual(norms);
      expect(flow.slope).toBe(logSlope(norms));
      slopes[cell] = flow.slope;
    }
    expect(slopes['rnn-tanh']).toBeLessThan(-0.1);
    expect(slopes['rnn-tanh']).toBeLessThan(slopes.lstm);
  });

  it('reports the norm after clipping', () => {
    const task = createRecallTask({ delay: 10, symbols: 4 });
    const batch = task.sample(new Rng(1), 4);
    const spec: ModelSpec = {
      cell: 'lstm',
      inputSize: 6,
      hiddenSize: 8,
      numLayers: 1,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 4, mode: 'last' },
    };
    const model = createModel(spec, { seed: 1 });
    for (const l of model.layers) for (let i = 0; i < l.whh.length; i++) l.whh[i] *= 8;
    const free = measureGradientFlow(model, batch.input, batch.target, 4, null);
    const clipped = measureGradientFlow(model, batch.input, batch.target, 4, 0.5);
    expect(free.clippedNorm).toBe(free.gradNorm);
    expect(clipped.gradNorm).toBeCloseTo(free.gradNorm, 6);
    expect(free.gradNorm).toBeGreaterThan(0.5);
    expect(clipped.clippedNorm).toBeCloseTo(0.5, 4);
  });
});

describe('claims', () => {
  const cells = ['rnn-tanh', 'lstm', 'gru'] as const;
  it('marks the cells whose measured order contradicts the claim', () => {
    // Parameters: claimed rnn < gru < lstm.
    expect(disagreements('params', cells, [452, 1604, 1220])).toEqual([false, false, false]);
    expect(disagreements('params', cells, [452, 1000, 1220])).toEqual([false, true, true]);
    // Memory: claimed rnn below both; lstm and gru "about the same" accept any order.
    expect(disagreements('memory', cells, [5, 60, 40])).toEqual([false, false, false]);
    expect(disagreements('memory', cells, [40, 40, 60])).toEqual([true, true, false]);
    expect(disagreements('memory', cells, [5, null, 40])).toEqual([false, false, false]);
  });
});

describe('settings', () => {
  it('names the bad key and its range', () => {
    expect(() => validateCompareConfig({ hiddenSize: 0 })).toThrow(EngineError);
    expect(() => validateCompareConfig({ hiddenSize: 0 })).toThrow(
      /`hiddenSize` must be an integer in \[2, 128\], got 0/,
    );
    expect(() => validateCompareConfig({ sweepDelays: [10, 5] })).toThrow(/sweepDelays/);
    expect(() => validateCompareConfig({ hiden: 3 })).toThrow(/`hiden`/);
    expect(validateCompareConfig({}).sweepDelays).toEqual(DEFAULT_COMPARE_CONFIG.sweepDelays);
  });
});

describe('compareJob', () => {
  it('yields plan, flows, results, states, sweep and done in order, progress up to the total', () => {
    let clock = 0;
    const events: CompareEvent[] = [];
    for (const e of compareJob(
      { hiddenSize: 6, trainSteps: 10, sweepDelays: [2, 3], sweepSteps: 10, flowDelay: 10 },
      () => (clock += 1),
    )) {
      events.push(e);
    }
    const kinds = events.filter((e) => e.kind !== 'progress').map((e) => e.kind);
    expect(kinds[0]).toBe('plan');
    expect(kinds[kinds.length - 1]).toBe('done');
    expect(kinds.filter((k) => k === 'result')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'flow')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'capacity')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'speed')).toHaveLength(3);
    const plan = events[0] as Extract<CompareEvent, { kind: 'plan' }>;
    expect(plan.cells.map((c) => c.cell)).toEqual(['rnn-tanh', 'lstm', 'gru']);
    const progress = events.filter((e) => e.kind === 'progress');
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
    }
    expect(progress[progress.length - 1].done).toBe(plan.totalUnits);
    for (const e of events) {
      if (e.kind === 'result') expect(e.metric).toBeGreaterThanOrEqual(0);
      if (e.kind === 'speed') expect(e.stepsPerSecond).toBeGreaterThan(0);
      if (e.kind === 'states') expect(e.h.length).toBe(e.T * e.H);
      if (e.kind === 'flow') expect(e.norms).toHaveLength(12);
    }
  });
});

describe('exploding-gradients preset', () => {
  /** The start-of-training flow of each cell (the generator is left after the last one). */
  function initFlows(config: Partial<CompareConfig>) {
    const out: Extract<CompareEvent, { kind: 'flow' }>[] = [];
    for (const e of compareJob(
      { ...config, trainSteps: 10, sweepDelays: [2], sweepSteps: 10 },
      () => 0,
    )) {
      if (e.kind === 'flow' && e.when === 'init') out.push(e);
      if (out.length === 3) break;
    }
    return out;
  }

  it('makes the LSTM gradient explode without clipping; clipping brings the norm to the threshold', () => {
    const normal = initFlows({});
    const wild = initFlows(EXPLODING_PRESET);
    const tamed = initFlows({ ...EXPLODING_PRESET, clip: true, clipThreshold: 1 });
    expect(normal[1].verdict).toBe('vanishes');
    expect(wild[1].verdict).toBe('explodes');
    for (let i = 0; i < 3; i++) {
      expect(wild[i].gradNorm).toBeGreaterThan(2 * normal[i].gradNorm);
      expect(wild[i].clippedNorm).toBe(wild[i].gradNorm);
      expect(tamed[i].gradNorm).toBeCloseTo(wild[i].gradNorm, 6);
      expect(tamed[i].clippedNorm).toBeLessThanOrEqual(1 + 1e-4);
    }
  });
});
