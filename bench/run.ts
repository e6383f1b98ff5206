/**
 * `npm run bench`: Gatescope's engine (scalar kernels and WebAssembly SIMD kernels) against the
 * peers a user would pick instead (TensorFlow.js wasm and cpu backends, onnxruntime-web wasm),
 * on the workloads of issues 3 and 6, in ONE run, one thread, interleaved: within a workload
 * every implementation runs once per round, so a change in machine load hits all of them.
 *
 *   W1 trace     B=1,  T=1000, I=32, H=128: forward with the full trace (LSTM, GRU, tanh RNN)
 *   W2 training  B=32, T=50,   I=32, H=128: forward + BPTT + Adam (LSTM, GRU), readout O=8, MSE
 *   W3 scaling   W1 for LSTM at H = 32, 64, 128, 256, 512
 *
 * Plus the bare SIMD ceiling: the fastest f32x4 mat-vec we have (`colMatvec`, column form over
 * packed weights, 6 accumulators) doing the same multiply-adds as the workload's gate products
 * (W1/W3: T mat-vecs [G*H, I+H]; W2: three times T*B of them, for the forward product and the
 * two backward ones), with no trace, no nonlinearity, no dependency between steps.
 *
 * Medians after a warm-up, every wasm module compiled by V8's optimizing tier (`--no-liftoff`);
 * slow runners get fewer repetitions (at least 3), all printed.
 * Flags: `--quick` (1 repetition, smoke test), `--only=W1,W3` (subset), `--no-md` (do not
 * write bench/results.md).
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import {
  Trainer,
  createModel,
  forward,
  scalarKernels,
  setKernels,
  workspaceOf,
} from '../src/engine';
import type { Kernels, Model, ModelSpec, Workspace } from '../src/engine';
import { loadSimdKernelsNode } from '../src/wasm/node';
import { initOrt, ortForward } from './peers/ort';
import { initTfjs, tfjsForward, tfjsTrainStep, useBackend } from './peers/tfjs';
import type { TfBackend } from './peers/tfjs';
import { maxAbsDiff, median, seeded, timeOnce } from './timing';

type Cell = 'lstm' | 'gru' | 'rnn-tanh';

interface Row {
  impl: string;
  kind: 'ours-scalar' | 'ours-simd' | 'peer' | 'ceiling';
  before?: () => Promise<void>;
  run: () => void | Promise<void>;
  samples: number[];
  /** Why this row is not run (printed instead of a time). */
  skip?: string;
}

interface Workload {
  id: 'W1' | 'W2' | 'W3';
  cell: Cell;
  T: number;
  B: number;
  I: number;
  H: number;
  rows: Row[];
  /** Gate-product multiply-adds of one run (what the ceiling does). */
  macs: number;
}

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ONLY =
  argv
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',') ?? null;
const WRITE_MD = !argv.includes('--no-md');
/** Measured time per runner per workload (ms), which sets its repetitions (3 to 15). */
const BUDGET_MS = QUICK ? 0 : 1500;

const CELL_LABEL: Record<Cell, string> = { lstm: 'LSTM', gru: 'GRU', 'rnn-tanh': 'RNN tanh' };
const G_OF: Record<Cell, number> = { lstm: 4, gru: 3, 'rnn-tanh': 1 };
const log = (s: string) => process.stderr.write(`${s}\n`);

function spec(cell: Cell, I: number, H: number, readout: number | null): ModelSpec {
  return {
    cell,
    inputSize: I,
    hiddenSize: H,
    numLayers: 1,
    bidirectional: false,
    bias: true,
    readout: readout ? { outputSize: readout, mode: 'every' } : null,
  };
}

/** A forward runner of our engine with kernels `k` (set before every run: rows interleave). */
function oursForward(model: Model, x: Float32Array, B: number, k: Kernels): () => void {
  let ws: Workspace | null = null;
  return () => {
    setKernels(k);
    const trace = forward(model, x, { B, workspace: ws });
    ws = workspaceOf(trace) ?? null;
  };
}

async function forwardWorkload(
  id: 'W1' | 'W3',
  cell: Cell,
  H: number,
  simd: Kernels | null,
  ceiling: ((steps: number, N: number, K: number) => () => number) | null,
): Promise<Workload> {
  const T = 1000,
    B = 1,
    I = 32;
  const model = createModel(spec(cell, I, H, null), { seed: 1 });
  const x = seeded(T * B * I, 2);
  const lp = model.layers[0];
  const dims = { T, B, I, H };
  const rows: Row[] = [];
  rows.push({
    impl: 'gatescope scalar',
    kind: 'ours-scalar',
    run: oursForward(model, x, B, scalarKernels),
    samples: [],
  });
  if (simd)
    rows.push({
      impl: 'gatescope simd',
      kind: 'ours-simd',
      run: oursForward(model, x, B, simd),
      samples: [],
    });

  // Same computation check, once: ours (scalar) against each peer that has our weights.
  setKernels(scalarKernels);
  const ours = forward(model, x, { B }).output.slice();
  if (simd) {
    setKernels(simd);
    log(
      `  ${id} ${CELL_LABEL[cell]} H=${H}: simd vs scalar max |diff| ${maxAbsDiff(forward(model, x, { B }).output, ours).toExponential(1)}`,
    );
    setKernels(scalarKernels);
  }
  for (const backend of ['wasm', 'cpu'] as TfBackend[]) {
    if (cell === 'gru' && backend === 'cpu') {
      // Measured here: ~0.1 s per step (T=50: 7.5 s, T=200: 25-32 s), so one W1 run would take
      // minutes; left out rather than extrapolated.
      rows.push({
        impl: 'tfjs cpu',
        kind: 'peer',
        run: () => undefined,
        samples: [],
        skip: 'not run: tf.layers.gru on the cpu backend takes ~0.1 s per step here (minutes per run)',
      });
      continue;
    }
    await useBackend(backend);
    const tfr = tfjsForward(cell, dims, x, lp);
    if (cell !== 'gru') {
      log(
        `  ${id} ${CELL_LABEL[cell]} H=${H}: tfjs ${backend} vs ours max |diff| ${maxAbsDiff(await tfr.output(), ours).toExponential(1)}`,
      );
    }
    rows.push({
      impl: `tfjs ${backend}`,
      kind: 'peer',
      before: () => useBackend(backend),
      run: tfr.run,
      samples: [],
    });
  }
  const ortr = await ortForward(cell, dims, x, lp);
  log(
    `  ${id} ${CELL_LABEL[cell]} H=${H}: onnxruntime-web vs ours max |diff| ${maxAbsDiff(await ortr.output(), ours).toExponential(1)}`,
  );
  rows.push({ impl: 'onnxruntime-web', kind: 'peer', run: ortr.run, samples: [] });
  const G = G_OF[cell];
  if (ceiling) {
    const c = ceiling(T * B, G * H, I + H);
    rows.push({
      impl: 'bare SIMD mat-vec (ceiling)',
      kind: 'ceiling',
      run: () => void c(),
      samples: [],
    });
  }
  return { id, cell, T, B, I, H, rows, macs: T * B * G * H * (I + H) };
}

async function trainWorkload(
  cell: Cell,
  simd: Kernels | null,
  ceiling: ((steps: number, N: number, K: number) => () => number) | null,
): Promise<Workload> {
  const T = 50,
    B = 32,
    I = 32,
    H = 128,
    O = 8;
  const x = seeded(T * B * I, 4);
  const target = seeded(T * B * O, 5, 0.5);
  const rows: Row[] = [];
  const trainer = (k: Kernels) => {
    const t = new Trainer(createModel(spec(cell, I, H, O), { seed: 1 }), {
      loss: 'mse',
      optimizer: { name: 'adam', lr: 1e-3 },
    });
    return () => {
      setKernels(k);
      t.step({ input: x, target, B });
    };
  };
  rows.push({
    impl: 'gatescope scalar',
    kind: 'ours-scalar',
    run: trainer(scalarKernels),
    samples: [],
  });
  if (simd)
    rows.push({ impl: 'gatescope simd', kind: 'ours-simd', run: trainer(simd), samples: [] });
  for (const backend of ['wasm', 'cpu'] as TfBackend[]) {
    await useBackend(backend);
    rows.push({
      impl: `tfjs ${backend}`,
      kind: 'peer',
      before: () => useBackend(backend),
      run: tfjsTrainStep(cell, { T, B, I, H, O }, x, target),
      samples: [],
    });
  }
  const G = G_OF[cell];
  if (ceiling) {
    // Forward product + the two backward ones (dW and dh): three times the forward's MACs.
    const c = ceiling(3 * T * B, G * H, I + H);
    rows.push({
      impl: 'bare SIMD mat-vec (ceiling)',
      kind: 'ceiling',
      run: () => void c(),
      samples: [],
    });
  }
  return { id: 'W2', cell, T, B, I, H, rows, macs: 3 * T * B * G * H * (I + H) };
}

// Every WebAssembly module (ours, onnxruntime-web's, TensorFlow.js's) compiled straight by the
// optimizing tier: with V8's dynamic tiering a module's functions run in the baseline compiler
// (Liftoff) until they are hot, and a full GC can drop optimized code again, which made the
// medians of every wasm row swing by up to 10x on this machine. Set before any module compiles.
setFlagsFromString('--no-liftoff');

/** Warm-up, then rounds: every row once per round while it still needs samples. */
async function measure(w: Workload): Promise<void> {
  const reps = new Map<Row, number>();
  for (const r of w.rows) {
    await r.before?.();
    // The fastest warm-up sets the repetitions: one slow warm-up under load must not leave a
    // fast row with 3 samples.
    let last = await timeOnce(r.run);
    if (last < 200) for (let i = 0; i < 2; i++) last = Math.min(last, await timeOnce(r.run));
    reps.set(
      r,
      QUICK ? 1 : Math.max(3, Math.min(15, Math.round(BUDGET_MS / Math.max(last, 1e-3)))),
    );
  }
  const rounds = Math.max(...reps.values());
  for (let k = 0; k < rounds; k++) {
    for (const r of w.rows) {
      if (r.samples.length >= (reps.get(r) ?? 0)) continue;
      await r.before?.();
      r.samples.push(await timeOnce(r.run));
    }
  }
}

function fmtMs(ms: number): string {
  return ms >= 100
    ? ms.toFixed(0)
    : ms >= 10
      ? ms.toFixed(1)
      : ms >= 1
        ? ms.toFixed(2)
        : ms.toFixed(3);
}

function workloadLabel(w: Workload): string {
  return `${w.id} ${CELL_LABEL[w.cell]} H=${w.H} (B=${w.B}, T=${w.T})`;
}

interface Summary {
  table: string[][];
  targets: { issue: number; text: string; value: string; met: boolean; metMin: boolean }[];
}

function summarise(ws: Workload[]): Summary {
  const table: string[][] = [
    [
      'workload',
      'implementation',
      'median ms',
      'min ms',
      'runs',
      'simd / this',
      'scalar / this',
      'note',
    ],
  ];
  const targets: Summary['targets'] = [];
  type Stat = (xs: readonly number[]) => number;
  const minOf: Stat = (xs) => (xs.length ? Math.min(...xs) : NaN);
  const at = (w: Workload, impl: string, stat: Stat = median) =>
    stat(w.rows.find((r) => r.impl === impl)?.samples ?? []);
  const med = (w: Workload, impl: string) => at(w, impl);
  for (const w of ws) {
    const simd = med(w, 'gatescope simd');
    const scalar = med(w, 'gatescope scalar');
    for (const r of w.rows) {
      if (r.skip) {
        table.push([workloadLabel(w), r.impl, '-', '-', '0', '-', '-', r.skip]);
        continue;
      }
      const m = median(r.samples);
      let note = '';
      if (r.kind === 'ceiling') note = `simd at ${((m / simd) * 100).toFixed(0)}% of the ceiling`;
      else if (r.kind === 'peer')
        note = `simd ${(m / simd).toFixed(1)}x faster, scalar ${(m / scalar).toFixed(1)}x`;
      else if (r.kind === 'ours-simd')
        note = `${(scalar / simd).toFixed(1)}x the scalar engine; ${((2 * w.macs) / m / 1e6).toFixed(1)} GFLOP/s`;
      else note = `${((2 * w.macs) / m / 1e6).toFixed(1)} GFLOP/s`;
      table.push([
        workloadLabel(w),
        r.impl,
        fmtMs(m),
        fmtMs(minOf(r.samples)),
        String(r.samples.length),
        r.kind === 'ours-simd' ? '1' : (simd / m).toFixed(2),
        r.kind === 'ours-scalar' ? '1' : (scalar / m).toFixed(2),
        note,
      ]);
    }
  }
  const find = (id: string, cell: Cell, H = 128) =>
    ws.find((w) => w.id === id && w.cell === cell && w.H === H);
  // Targets are judged on medians; the ratio of minimums is printed beside them because on a
  // shared machine other processes only ever add time (the minimum is the least disturbed run).
  const push = (issue: number, text: string, ratio: (stat: Stat) => number, need: number) => {
    const r = ratio(median);
    const rm = ratio(minOf);
    targets.push({
      issue,
      text,
      value: `${r.toFixed(2)}x (min: ${rm.toFixed(2)}x; need >= ${need}x)`,
      met: r >= need,
      metMin: rm >= need,
    });
  };
  for (const cell of ['lstm', 'gru', 'rnn-tanh'] as Cell[]) {
    const w = find('W1', cell);
    if (!w) continue;
    push(
      3,
      `W1 ${CELL_LABEL[cell]}: scalar engine vs tfjs wasm`,
      (st) => at(w, 'tfjs wasm', st) / at(w, 'gatescope scalar', st),
      2.5,
    );
  }
  for (const cell of ['lstm', 'gru'] as Cell[]) {
    const w = find('W2', cell);
    if (!w) continue;
    push(
      3,
      `W2 ${CELL_LABEL[cell]}: scalar engine faster than tfjs wasm`,
      (st) => at(w, 'tfjs wasm', st) / at(w, 'gatescope scalar', st),
      1,
    );
  }
  for (const cell of ['lstm', 'gru', 'rnn-tanh'] as Cell[]) {
    const w = find('W1', cell);
    if (!w) continue;
    push(
      6,
      `W1 ${CELL_LABEL[cell]}: simd faster than onnxruntime-web`,
      (st) => at(w, 'onnxruntime-web', st) / at(w, 'gatescope simd', st),
      1,
    );
  }
  for (const H of [32, 64]) {
    const w = find('W3', 'lstm', H);
    if (!w) continue;
    push(
      6,
      `W3 LSTM H=${H}: simd vs onnxruntime-web`,
      (st) => at(w, 'onnxruntime-web', st) / at(w, 'gatescope simd', st),
      2,
    );
  }
  for (const cell of ['lstm', 'gru'] as Cell[]) {
    const w = find('W2', cell);
    if (!w) continue;
    push(
      6,
      `W2 ${CELL_LABEL[cell]}: simd vs tfjs wasm`,
      (st) => at(w, 'tfjs wasm', st) / at(w, 'gatescope simd', st),
      8,
    );
  }
  for (const w of ws) {
    if (w.id === 'W3' && w.H === 128) continue; // the same measurement as W1 LSTM
    push(
      6,
      `${workloadLabel(w)}: simd share of the bare SIMD ceiling`,
      (st) => at(w, 'bare SIMD mat-vec (ceiling)', st) / at(w, 'gatescope simd', st),
      0.5,
    );
  }
  return { table, targets };
}

function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // not Linux: os.cpus() is enough
  }
  let nproc = String(cpus().length);
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep os.cpus()
  }
  // The load average says how busy the (shared) machine was: other processes slow every row.
  return `${model}, nproc ${nproc}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`;
}

function markdown(s: Summary, when: string, where: string, seconds: number): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const lines = [
    `Measured ${when} on ${where}; one thread; medians (and minimums) after a warm-up; whole run ${seconds.toFixed(0)} s.`,
    '',
    `| ${s.table[0].join(' | ')} |`,
    `| ${s.table[0].map((_, i) => (i >= 2 && i <= 6 ? '---:' : '---')).join(' | ')} |`,
    ...s.table.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    '| issue | target | measured (medians; minimums) | met (medians) | met (minimums) |',
    '| --- | --- | ---: | --- | --- |',
    ...s.targets.map(
      (t) =>
        `| ${t.issue} | ${esc(t.text)} | ${t.value} | ${t.met ? 'yes' : '**no**'} | ${t.metMin ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const simd = await loadSimdKernelsNode();
  if (!simd) log('WebAssembly SIMD unavailable: SIMD rows skipped');
  const ceiling = simd ? simd.bareMatvec.bind(simd) : null;
  await initTfjs();
  initOrt();
  const want = (id: string) => !ONLY || ONLY.includes(id);
  const workloads: Workload[] = [];
  log('setting up and checking that every implementation computes the same function:');
  if (want('W1'))
    for (const cell of ['lstm', 'gru', 'rnn-tanh'] as Cell[])
      workloads.push(await forwardWorkload('W1', cell, 128, simd, ceiling));
  if (want('W3'))
    for (const H of [32, 64, 256, 512])
      workloads.push(await forwardWorkload('W3', 'lstm', H, simd, ceiling));
  if (want('W2'))
    for (const cell of ['lstm', 'gru'] as Cell[])
      workloads.push(await trainWorkload(cell, simd, ceiling));
  for (const w of workloads) {
    log(`measuring ${workloadLabel(w)} ...`);
    await measure(w);
  }
  // W3 at H=128 is W1's LSTM: show it in the W3 block too, measured once.
  const w1lstm = workloads.find((w) => w.id === 'W1' && w.cell === 'lstm');
  const ordered = [...workloads];
  if (w1lstm && want('W3')) {
    const at = ordered.findIndex((w) => w.id === 'W3' && w.H > 128);
    ordered.splice(at < 0 ? ordered.length : at, 0, { ...w1lstm, id: 'W3' });
  }
  const s = summarise(ordered);
  const seconds = (performance.now() - t0) / 1000;
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const where = machine();
  const widths = s.table[0].map((_, i) => Math.max(...s.table.map((r) => r[i].length)));
  console.log(`\nGatescope benchmark, ${when}, ${where}\n`);
  for (const r of s.table) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
  console.log('\nTargets:');
  for (const t of s.targets) {
    const on = t.met === t.metMin ? '' : ` (on minimums: ${t.metMin ? 'met' : 'not met'})`;
    console.log(`  [${t.met ? 'met' : 'NOT met'}] issue ${t.issue}: ${t.text}: ${t.value}${on}`);
  }
  console.log(
    `\n(${seconds.toFixed(0)} s in all${QUICK ? ', --quick: 1 run each, not a measurement' : ''})`,
  );
  if (WRITE_MD && !QUICK && !ONLY) {
    const path = fileURLToPath(new URL('./results.md', import.meta.url));
    writeFileSync(
      path,
      `# Benchmark results\n\nWritten by \`npm run bench\`.\n\n${markdown(s, when, where, seconds)}`,
    );
    log(`wrote ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
