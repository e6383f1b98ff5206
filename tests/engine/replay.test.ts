import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers';

// Spawns the real CLI (`npx tsx scripts/replay.ts`, here through the local tsx binary so it
// also runs from another working directory). Slow (~1 s each), so only three runs.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'reference');

function replay(
  file: string,
  cwd = repoRoot,
): { status: number | null; stdout: string; stderr: string } {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [path.join(repoRoot, 'scripts', 'replay.ts'), file], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface TensorJson {
  shape: number[];
  data: number[];
}

describe('npm run replay', { timeout: 60_000 }, () => {
  it('prints only one JSON object with the train results', () => {
    const file = path.join(fixtures, 'train_lstm_mse_adam_clip.json');
    const ref = JSON.parse(readFileSync(file, 'utf8')) as {
      steps: { loss: number; gradNorm: number; stateDict: Record<string, TensorJson> }[];
    };
    const r = replay(file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as typeof ref;
    expect(Object.keys(out)).toEqual(['steps']);
    expect(out.steps).toHaveLength(ref.steps.length);
    const last = ref.steps.length - 1;
    expectClose(
      out.steps.map((s) => s.loss),
      ref.steps.map((s) => s.loss),
      1e-4,
      'loss',
    );
    expectClose([out.steps[last].gradNorm], [ref.steps[last].gradNorm], 1e-4, 'gradNorm');
    expectClose(
      out.steps[last].stateDict['rnn.weight_hh_l0'].data,
      ref.steps[last].stateDict['rnn.weight_hh_l0'].data,
      1e-4,
      'weight_hh_l0 after the last step',
    );
  });

  it('reads a .safetensors file relative to the case file, from another working directory', () => {
    const file = path.join(fixtures, 'st_lstm_f32.json');
    const ref = JSON.parse(readFileSync(file, 'utf8')) as { readoutOutput: TensorJson };
    const r = replay(path.relative(tmpdir(), file), tmpdir());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { readoutOutput: TensorJson };
    expect(out.readoutOutput.shape).toEqual(ref.readoutOutput.shape);
    expectClose(out.readoutOutput.data, ref.readoutOutput.data, 1e-5, 'readoutOutput');
  });

  it('exits non-zero with one message naming the key on a malformed case', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
    const c = JSON.parse(
      readFileSync(path.join(fixtures, 'train_gru_ce_sgd_momentum.json'), 'utf8'),
    ) as {
      task: { input: TensorJson };
    };
    c.task.input.shape = [6, 2, 5]; // wrong inputSize
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(c));
    const r = replay(bad);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/task\.input/);
  });
});
