import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  createModel,
  gateCount,
  getParam,
  macsPerStep,
  paramCount,
  paramLayout,
  setParam,
  stateDictOf,
  validateSpec,
} from '../../src/engine';
import type { ModelSpec } from '../../src/engine';
import { ALL_CELLS, spec } from './build';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function expectEngineError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe(code);
    expect((e as EngineError).message).toMatch(pattern);
    return;
  }
  expect.fail(`expected EngineError ${code}`);
}

describe('validateSpec', () => {
  const good = spec({ cell: 'lstm', numLayers: 2, bidirectional: true });

  it('returns a clean copy of a valid spec', () => {
    expect(validateSpec({ ...good, extra: 1 })).toEqual(good);
    const r = validateSpec({ ...good, readout: { outputSize: 3, mode: 'last' }, dropout: 0.2 });
    expect(r.readout).toEqual({ outputSize: 3, mode: 'last' });
    expect(r.dropout).toBe(0.2);
  });

  it('names the field, the valid range and the actual value', () => {
    expectEngineError(() => validateSpec(null), 'SPEC_NOT_OBJECT', /got null/);
    expectEngineError(
      () => validateSpec({ ...good, cell: 'lstn' }),
      'SPEC_FIELD',
      /`cell` must be one of rnn-tanh, rnn-relu, lstm, gru, gru-textbook, got "lstn"/,
    );
    expectEngineError(
      () => validateSpec({ ...good, hiddenSize: 0 }),
      'SPEC_FIELD',
      /`hiddenSize` must be an integer in \[1, 4096\], got 0/,
    );
    expectEngineError(
      () => validateSpec({ ...good, inputSize: 2.5 }),
      'SPEC_FIELD',
      /`inputSize`.*got 2.5/,
    );
    expectEngineError(
      () => validateSpec({ ...good, numLayers: 9 }),
      'SPEC_FIELD',
      /`numLayers` must be an integer in \[1, 8\], got 9/,
    );
    expectEngineError(
      () => validateSpec({ ...good, bidirectional: 'yes' }),
      'SPEC_FIELD',
      /`bidirectional` must be true or false, got "yes"/,
    );
    expectEngineError(() => validateSpec({ ...good, bias: 1 }), 'SPEC_FIELD', /`bias`/);
    expectEngineError(
      () => validateSpec({ ...good, dropout: 1 }),
      'SPEC_FIELD',
      /`dropout` must be a number in \[0, 1\), got 1/,
    );
    expectEngineError(
      () => validateSpec({ ...good, readout: { outputSize: 0, mode: 'every' } }),
      'SPEC_FIELD',
      /`readout.outputSize`/,
    );
    expectEngineError(
      () => validateSpec({ ...good, readout: { outputSize: 2, mode: 'first' } }),
      'SPEC_FIELD',
      /`readout.mode` must be "every" or "last", got "first"/,
    );
  });
});

describe('parameter layout, counts and multiply-adds', () => {
  it('paramCount and macsPerStep follow their formulas', () => {
    for (const cell of ALL_CELLS) {
      for (const bidirectional of [false, true]) {
        for (const bias of [false, true]) {
          const s: ModelSpec = {
            cell,
            inputSize: 5,
            hiddenSize: 7,
            numLayers: 3,
            bidirectional,
            bias,
            readout: { outputSize: 2, mode: 'every' },
          };
          const G = gateCount(cell);
          const D = bidirectional ? 2 : 1;
          const H = 7;
          let n = 0;
          let macs = 0;
          for (let l = 0; l < 3; l++) {
            const inSize = l === 0 ? 5 : D * H;
            n += D * (G * H * inSize + G * H * H + (bias ? 2 * G * H : 0));
            macs += D * G * H * (inSize + H);
          }
          expect(paramCount(s)).toBe(n + 2 * D * H + 2);
          expect(macsPerStep(s)).toBe(macs + 2 * D * H);
          expect(macsPerStep({ ...s, readout: { outputSize: 2, mode: 'last' } })).toBe(macs);
          const m = createModel(s);
          expect(m.params.length).toBe(paramCount(s));
          expect(m.grads.length).toBe(paramCount(s));
        }
      }
    }
    // The W1 workload: LSTM I=32, H=128: 4*128*(32+128) = 81920 MACs per step.
    expect(
      macsPerStep({
        cell: 'lstm',
        inputSize: 32,
        hiddenSize: 128,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      }),
    ).toBe(81920);
  });

  it('matches the names and shapes of every reference state_dict', () => {
    let checked = 0;
    for (const dir of [
      resolve(root, '..', 'shared', 'reference'),
      join(root, 'tests', 'fixtures', 'reference'),
    ]) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (!f.endsWith('.json')) continue;
        const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
        if (c.kind !== 'forward' || typeof c.stateDict !== 'object') continue;
        const sd = c.stateDict as Record<string, { shape: number[] }>;
        const s = validateSpec(c.spec);
        const layout = paramLayout(s);
        expect(layout.map((p) => p.name)).toEqual(Object.keys(sd));
        for (const p of layout) expect(p.shape, `${f} ${p.name}`).toEqual(sd[p.name].shape);
        expect(paramCount(s)).toBe(
          Object.values(sd).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('lays every parameter out contiguously, views sharing the one array', () => {
    const s = spec({
      cell: 'gru',
      numLayers: 2,
      bidirectional: true,
      readout: { outputSize: 3, mode: 'every' },
    });
    const m = createModel(s);
    let offset = 0;
    for (const p of m.layout) {
      expect(p.offset).toBe(offset);
      offset += p.size;
      expect(m.views[p.name].buffer).toBe(m.params.buffer);
      expect(m.views[p.name].byteOffset).toBe(p.offset * 4);
      expect(m.gradViews[p.name].buffer).toBe(m.grads.buffer);
    }
    expect(offset).toBe(m.params.length);
    expect(m.layout.slice(-2).map((p) => [p.name, p.shape])).toEqual([
      ['fc.weight', [3, 8]],
      ['fc.bias', [3]],
    ]);
    expect(m.layers.map((l) => l.key)).toEqual(['l0', 'l0_reverse', 'l1', 'l1_reverse']);
    expect(m.layers[3].wih).toBe(m.views.weight_ih_l1_reverse);
  });
});

describe('initialisation', () => {
  it('is U(-1/sqrt(H), 1/sqrt(H)) for the cell and U(-1/sqrt(D*H), ..) for the readout, seeded', () => {
    const s = spec({
      cell: 'lstm',
      hiddenSize: 16,
      bidirectional: true,
      readout: { outputSize: 4, mode: 'every' },
    });
    const a = createModel(s, { seed: 42 });
    const b = createModel(s, { seed: 42 });
    const c = createModel(s, { seed: 43 });
    expect(a.params).toEqual(b.params);
    expect(a.params).not.toEqual(c.params);
    for (const p of a.layout) {
      const k = p.name.startsWith('fc.') ? 1 / Math.sqrt(32) : 1 / 4;
      const v = a.views[p.name];
      let lo = Infinity;
      let hi = -Infinity;
      let mean = 0;
      for (const x of v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
        mean += x / v.length;
      }
      expect(lo).toBeGreaterThanOrEqual(-k);
      expect(hi).toBeLessThan(k);
      if (v.length >= 64) {
        expect(hi - lo).toBeGreaterThan(1.6 * k);
        expect(Math.abs(mean)).toBeLessThan(0.25 * k);
      }
    }
    expect(createModel(s, { zero: true }).params.every((x) => x === 0)).toBe(true);
  });
});

describe('getParam / setParam', () => {
  it('reads and writes by PyTorch name, with specific errors', () => {
    const m = createModel(spec({ cell: 'rnn-tanh', hiddenSize: 2, inputSize: 1 }));
    setParam(m, 'weight_ih_l0', [0.5, -0.25]);
    expect(Array.from(getParam(m, 'weight_ih_l0'))).toEqual([0.5, -0.25]);
    expect(stateDictOf(m).weight_ih_l0).toEqual({
      shape: [2, 1],
      data: new Float32Array([0.5, -0.25]),
    });
    expectEngineError(
      () => setParam(m, 'weight_ih_l1', [1, 2]),
      'PARAM_UNKNOWN',
      /`weight_ih_l1`; this model has: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0/,
    );
    expectEngineError(
      () => setParam(m, 'weight_hh_l0', [1, 2, 3]),
      'PARAM_SIZE',
      /expects 4 values \(shape \[2, 2\]\), got 3/,
    );
    expectEngineError(
      () => setParam(m, 'bias_ih_l0', [1, Number.NaN]),
      'PARAM_NOT_FINITE',
      /non-finite value \(NaN\) at index 1/,
    );
    expect(Array.from(getParam(m, 'bias_ih_l0'))).not.toContain(Number.NaN);
  });
});
