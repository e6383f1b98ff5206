/**
 * `npm run pretrain`: trains a small checkpoint of every task in the catalog for each cell
 * kind with the project's own engine, and writes
 *   public/presets/<task>-<cell>.safetensors   F32, PyTorch state_dict names (`rnn.`, `fc.`)
 *   public/presets/index.json                  task, cell, spec, steps, metric reached, seed
 * so the app's first screen can show trained gates at once. Seeded: the same engine gives
 * the same files. A test (tests/engine/learning-presets.test.ts) reloads every preset and
 * checks it still reaches the metric claimed here.
 *
 * Options: `--only=<task>[,<task>]` to retrain some tasks (the index keeps the others),
 * `--cells=lstm,gru` to choose the cells.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TASK_CATALOG, TrainingRun, exportSafetensors } from '../src/engine';
import type { CellKind, Hyperparams, ModelSpec } from '../src/engine';

export interface PresetEntry {
  task: string;
  cell: CellKind;
  file: string;
  spec: ModelSpec;
  hyper: Hyperparams;
  steps: number;
  seed: number;
  metric: string;
  higherIsBetter: boolean;
  /** The headline metric on the task's validation data after training. */
  value: number;
  /** Every metric, rounded. */
  values: Record<string, number>;
  /** Seconds spent training (this machine, informative only). */
  seconds: number;
}

export interface PresetIndex {
  version: 1;
  generatedBy: string;
  presets: PresetEntry[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'presets');
const DEFAULT_CELLS: CellKind[] = ['lstm', 'gru', 'rnn-tanh'];

const round = (v: number): number => Number(v.toPrecision(5));

function main(): void {
  const args = process.argv.slice(2);
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',');
  const cellsArg = args
    .find((a) => a.startsWith('--cells='))
    ?.slice(8)
    .split(',');
  const cells = (cellsArg ?? DEFAULT_CELLS) as CellKind[];
  mkdirSync(outDir, { recursive: true });
  const indexPath = join(outDir, 'index.json');
  const previous: PresetEntry[] =
    only && existsSync(indexPath)
      ? (JSON.parse(readFileSync(indexPath, 'utf8')) as PresetIndex).presets
      : [];
  const presets: PresetEntry[] = previous.filter((p) => !only?.includes(p.task));
  const start = performance.now();
  for (const entry of TASK_CATALOG) {
    if (only && !only.includes(entry.id)) continue;
    const data = entry.dataset
      ? readFileSync(join(root, 'public', 'datasets', entry.dataset), 'utf8')
      : null;
    for (const cell of cells) {
      const t0 = performance.now();
      const task = entry.build(data);
      const run = new TrainingRun({
        task,
        hyper: { ...entry.preset.hyper, cell },
        curriculum: entry.preset.curriculum ?? null,
      });
      const steps = entry.preset.steps;
      run.runChunk(steps);
      if (run.status === 'diverged') {
        throw new Error(`${entry.id} ${cell}: ${run.divergence?.message ?? 'diverged'}`);
      }
      const m = run.evaluate();
      const file = `${entry.id}-${cell}.safetensors`;
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(m.values)) values[k] = round(v);
      const preset: PresetEntry = {
        task: entry.id,
        cell,
        file,
        spec: run.model.spec,
        hyper: run.hyper,
        steps: run.totalSteps,
        seed: run.hyper.seed,
        metric: task.info.metric,
        higherIsBetter: task.info.higherIsBetter,
        value: round(m.primary),
        values,
        seconds: round((performance.now() - t0) / 1000),
      };
      writeFileSync(
        join(outDir, file),
        exportSafetensors(run.model, {
          metadata: {
            format: 'pt',
            task: entry.id,
            cell,
            steps: String(preset.steps),
            seed: String(preset.seed),
            [task.info.metric]: String(preset.value),
          },
        }),
      );
      presets.push(preset);
      console.log(
        `${file.padEnd(36)} ${String(steps).padStart(4)} steps  ${task.info.metric} ${preset.value}  ${preset.seconds}s`,
      );
    }
  }
  const order = TASK_CATALOG.map((t) => t.id);
  presets.sort(
    (a, b) =>
      order.indexOf(a.task) - order.indexOf(b.task) ||
      DEFAULT_CELLS.indexOf(a.cell) - DEFAULT_CELLS.indexOf(b.cell),
  );
  const index: PresetIndex = { version: 1, generatedBy: 'npm run pretrain', presets };
  writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  console.log(
    `${presets.length} presets in public/presets/ (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
}

main();
