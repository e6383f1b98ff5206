/** runCase on forward cases it has never seen, and its errors on malformed ones. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flattenTensors, runCase } from '../../src/engine';
import type { TensorJson } from '../../src/engine';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'reference', name), 'utf8')) as Record<
    string,
    unknown
  >;

describe('runCase (forward kinds)', () => {
  it('forward-external without a loss gives the forward results only', () => {
    const c = load('gru_pytorch_basic.json');
    const ext: Record<string, unknown> = { ...c, kind: 'forward-external' };
    delete ext.loss;
    const out = runCase(ext);
    expect(Object.keys(out).sort()).toEqual(['hN', 'output', 'trace']);
    expect(flattenTensors(out.trace).map((l) => l.key)).toEqual(['l0.r', 'l0.z', 'l0.n', 'l0.h']);
  });

  it('honours `lengths` in a case: padded steps are zero', () => {
    const c = load('rnn_tanh_bidirectional_batch3.json');
    const out = runCase({ ...c, lengths: [5, 2, 1] });
    const input = c.input as TensorJson;
    const [T, B] = input.shape;
    const o = out.output as TensorJson;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const row = o.data.slice((t * B + b) * 6, (t * B + b + 1) * 6);
        if (t >= [5, 2, 1][b]) expect(row.every((v) => v === 0)).toBe(true);
        else expect(row.some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('names the problem exactly', () => {
    const c = load('lstm_basic.json');
    const sd = c.stateDict as Record<string, TensorJson>;
    expect(() => runCase(42)).toThrow(/Case root: expected a JSON object, got 42/);
    expect(() => runCase({ ...c, kind: 'backward' })).toThrow(
      /Case kind `backward` is not known; expected one of: forward, forward-external/,
    );
    const missing = { ...sd };
    delete missing.bias_hh_l0;
    expect(() => runCase({ ...c, stateDict: missing })).toThrow(
      /missing parameter `bias_hh_l0` \(shape \[20\]\)/,
    );
    expect(() => runCase({ ...c, stateDict: { ...sd, weight_ih_l1: sd.weight_ih_l0 } })).toThrow(
      /unexpected parameter `weight_ih_l1`/,
    );
    expect(() =>
      runCase({
        ...c,
        stateDict: { ...sd, weight_hh_l0: { shape: [5, 20], data: sd.weight_hh_l0.data } },
      }),
    ).toThrow(
      /`stateDict.weight_hh_l0` must be a tensor .* with shape \[20, 5\], got shape \[5, 20\]/,
    );
    expect(() => runCase({ ...c, input: { shape: [7, 1, 3], data: [1, 2] } })).toThrow(
      /`input` .* with 21 values for shape \[7, 1, 3\], got 2 values/,
    );
    expect(() => runCase({ ...c, h0: { shape: [1, 1, 5], data: [0, 0, null, 0, 0] } })).toThrow(
      /`h0` .* finite numbers, got null at index 2/,
    );
    expect(() => runCase({ ...c, spec: { ...(c.spec as object), hiddenSize: -1 } })).toThrow(
      /`hiddenSize` must be an integer in \[1, 4096\], got -1/,
    );
    expect(() => runCase({ ...c, input: { shape: [7, 3], data: new Array(21).fill(0) } })).toThrow(
      /`input` .* shape \[T, B, 3\], got shape \[7, 3\]/,
    );
  });
});
