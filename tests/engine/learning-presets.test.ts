/**
 * Every shipped preset (public/presets/index.json, written by `npm run pretrain`) loads
 * through the engine's safetensors importer with PyTorch names and still reaches, on its
 * task's validation data, the metric the index claims (a stale or corrupted preset fails).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TASK_CATALOG, importSafetensors } from '../../src/engine';
import type { ModelSpec } from '../../src/engine';

interface Entry {
  task: string;
  cell: string;
  file: string;
  spec: ModelSpec;
  steps: number;
  seed: number;
  metric: string;
  higherIsBetter: boolean;
  value: number;
}

const publicDir = new URL('../../public/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('presets/index.json', publicDir), 'utf8')) as {
  presets: Entry[];
};

describe('pretrained presets', () => {
  it('cover every catalog task for lstm, gru and rnn-tanh', () => {
    for (const t of TASK_CATALOG) {
      for (const cell of ['lstm', 'gru', 'rnn-tanh']) {
        expect(index.presets.some((p) => p.task === t.id && p.cell === cell)).toBe(true);
      }
    }
  });

  for (const p of index.presets) {
    it(`${p.file} loads and reaches ${p.metric} ${p.value}`, () => {
      const bytes = new Uint8Array(readFileSync(new URL(`presets/${p.file}`, publicDir)));
      const imported = importSafetensors(bytes, { spec: p.spec });
      expect(imported.prefix).toBe('rnn.');
      expect(Object.keys(imported.metadata ?? {})).toContain('task');
      const entry = TASK_CATALOG.find((t) => t.id === p.task);
      expect(entry).toBeDefined();
      const data = entry!.dataset
        ? readFileSync(new URL(`datasets/${entry!.dataset}`, publicDir), 'utf8')
        : null;
      const task = entry!.build(data);
      const m = task.evaluate(imported.model);
      const got = m.primary;
      // Evaluation is deterministic for one engine; the tolerance covers a kernel whose
      // float summation order differs: 1% of a loss-like metric, or one example's flip
      // (at least 0.01) of an accuracy on a small validation set.
      const n = m.confusion ? m.confusion.flat().reduce((a, b) => a + b, 0) : 0;
      const tol = n > 0 ? Math.max(0.01, 1 / n + 1e-9) : 0.01;
      if (p.higherIsBetter) expect(got).toBeGreaterThanOrEqual(p.value - tol);
      else expect(got).toBeLessThanOrEqual(p.value * 1.01 + 1e-6);
    });
  }
});
