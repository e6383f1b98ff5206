/**
 * Every forward reference case (kind `forward` / `forward-external`) from
 * tests/fixtures/reference and ../shared/reference (deduplicated by file name,
 * preferring ../shared, where new cases appear) runs through `runCase`, the
 * code path of `npm run replay`, and matches PyTorch: forward values within
 * 1e-5, gradients and dL/dh within 1e-4, absolute, scaled by
 * max(1, largest reference magnitude) of each tensor.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_RESULT_KEYS, flattenTensors, runCase } from '../../src/engine';
import { expectClose, scaledMaxDiff } from './helpers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = resolve(root, '..', 'shared', 'reference');
const FIXTURES = join(root, 'tests', 'fixtures', 'reference');
const FORWARD_KINDS = new Set(['forward', 'forward-external']);
const TOL: Record<string, number> = {
  output: 1e-5,
  hN: 1e-5,
  cN: 1e-5,
  trace: 1e-5,
  grads: 1e-4,
  dLdh: 1e-4,
};

interface CaseFile {
  name: string;
  path: string;
  json: Record<string, unknown>;
}

/** Forward-kind cases by the case's own `kind`, ../shared first. */
function forwardCases(): CaseFile[] {
  const seen = new Map<string, CaseFile>();
  for (const dir of [SHARED, FIXTURES]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.json') || seen.has(f)) continue;
      const path = join(dir, f);
      const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof json !== 'object' || json === null || Array.isArray(json)) continue;
      const c = json as Record<string, unknown>;
      if (typeof c.kind === 'string' && FORWARD_KINDS.has(c.kind)) {
        seen.set(f, { name: f, path, json: c });
      }
    }
  }
  return [...seen.values()];
}

const cases = forwardCases();
const worst: Record<string, { value: number; where: string }> = {};

describe('forward reference cases', () => {
  it('finds the reference cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const c of cases) {
    it(`${c.name} matches PyTorch`, () => {
      const out = runCase(c.json, {
        loadFile: (p) => new Uint8Array(readFileSync(join(dirname(c.path), p))),
      });
      let compared = 0;
      for (const key of CASE_RESULT_KEYS) {
        if (!(key in c.json)) continue;
        const tol = TOL[key];
        expect(tol, `no tolerance for result key ${key}`).toBeDefined();
        const expected = flattenTensors(c.json[key], key);
        const actual = new Map(flattenTensors(out[key], key).map((l) => [l.key, l]));
        for (const e of expected) {
          const a = actual.get(e.key);
          expect(a, `${c.name}: engine gave no ${e.key}`).toBeDefined();
          if (!a) continue;
          expect(a.shape, `${c.name}: shape of ${e.key}`).toEqual(e.shape);
          expectClose(a.data, e.data, tol, `${c.name} ${e.key}`);
          const d = scaledMaxDiff(a.data, e.data);
          if (d >= (worst[key]?.value ?? -1))
            worst[key] = { value: d, where: `${c.name} ${e.key}` };
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  afterAll(() => {
    const lines = Object.entries(worst).map(
      ([k, w]) => `${k}: ${w.value.toExponential(2)} (${w.where})`,
    );
    console.info(`worst scaled deviations from PyTorch:\n  ${lines.join('\n  ')}`);
  });
});
