import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCase } from '../../src/engine/case';
import { expectClose } from './helpers';

// Every `train` and `safetensors` case, from the fixtures and (when present) ../shared/reference,
// plus the extra PyTorch cases of tests/fixtures/torch-extra, through the same runner as
// `npm run replay`. Cases are selected by their `kind`, never by name.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIRS = [
  path.resolve(repoRoot, '..', 'shared', 'reference'), // preferred: the newest copy
  path.join(repoRoot, 'tests', 'fixtures', 'reference'),
  path.join(repoRoot, 'tests', 'fixtures', 'torch-extra'),
];
const TOL = 1e-4;

interface CaseFile {
  name: string;
  file: string;
  json: Record<string, unknown>;
}

function collectCases(kinds: readonly string[]): CaseFile[] {
  const byName = new Map<string, CaseFile>();
  for (const dir of DIRS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.json') || byName.has(name)) continue;
      const file = path.join(dir, name);
      const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) continue;
      const c = json as Record<string, unknown>;
      if (typeof c.kind === 'string' && kinds.includes(c.kind))
        byName.set(name, { name, file, json: c });
    }
  }
  return [...byName.values()];
}

interface TensorJson {
  shape: number[];
  data: number[];
}

function run(c: CaseFile): Record<string, unknown> {
  const dir = path.dirname(c.file);
  return runCase(c.json, {
    loadFile: (rel) => new Uint8Array(readFileSync(path.resolve(dir, rel))),
  });
}

const trainCases = collectCases(['train']);
const stCases = collectCases(['safetensors']);

describe('reference train cases', () => {
  it('finds the train cases', () => {
    expect(trainCases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(trainCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = run(c) as {
      steps: { loss: number; gradNorm: number; stateDict: Record<string, TensorJson> }[];
    };
    const expected = c.json.steps as {
      loss: number;
      gradNorm: number;
      stateDict: Record<string, TensorJson>;
    }[];
    expect(out.steps).toHaveLength(expected.length);
    expected.forEach((e, k) => {
      const a = out.steps[k];
      expectClose([a.loss], [e.loss], TOL, `${c.name} steps[${k}].loss`);
      expectClose([a.gradNorm], [e.gradNorm], TOL, `${c.name} steps[${k}].gradNorm`);
      expect(Object.keys(a.stateDict).sort()).toEqual(Object.keys(e.stateDict).sort());
      for (const [key, t] of Object.entries(e.stateDict)) {
        expect(a.stateDict[key].shape, `${c.name} steps[${k}].stateDict.${key} shape`).toEqual(
          t.shape,
        );
        expectClose(a.stateDict[key].data, t.data, TOL, `${c.name} steps[${k}].stateDict.${key}`);
      }
    });
  });
});

describe('reference safetensors cases', () => {
  it('finds the safetensors cases', () => {
    expect(stCases.length).toBeGreaterThanOrEqual(4);
  });

  it.each(stCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = run(c) as { readoutOutput: TensorJson };
    const e = c.json.readoutOutput as TensorJson;
    expect(out.readoutOutput.shape).toEqual(e.shape);
    // Forward values: the 1e-5 target.
    expectClose(out.readoutOutput.data, e.data, 1e-5, `${c.name} readoutOutput`);
  });
});
