/**
 * The whole comparison as one generator of events, so a worker can run it in slices: it
 * yields after every chunk of training steps, and whoever drives it may pause, post the
 * events, or stop (cancel) between two yields. Pure: the clock is injected.
 *
 * For each cell (RNN tanh, LSTM, the chosen GRU), on the same seeded data:
 * 1. plan: hidden size (equal, or the one whose count is closest to the LSTM's), parameter
 *    formula and count, multiply-adds per step;
 * 2. gradient flow at initialisation on one recall batch of `flowDelay` (norms of dL/dh by
 *    distance, slope, verdict, gradient norm before/after clipping);
 * 3. result: `trainSteps` steps on recall at `delay` (curriculum from delay 1); final loss (mean of the last 10 steps) and validation accuracy; the
 *    flow again on the trained weights; the hidden states on one sequence for the heatmaps;
 * 4. speed, once every code path is warm: a fresh model per cell on batches of one fixed
 *    length (T = delay + 2, no curriculum, so every cell does the same work per step),
 *    `SPEED_WARMUP` untimed steps, then `SPEED_REPEATS` rounds timing `SPEED_STEPS` steps of
 *    each cell in turn (interleaved, so a busy moment of the machine hits all three); the
 *    fastest round counts;
 * 5. memory sweep: for each delay in `sweepDelays`, a fresh model trained `sweepSteps` steps
 *    (curriculum up to that delay); passed when a validation accuracy >= 0.9 is seen; the
 *    capacity is the longest passed delay before the first failure.
 */
import { createModel } from '../model';
import type { Model } from '../model';
import { macsPerStep } from '../model';
import { Rng } from '../random';
import { forward } from '../unroll';
import { createRecallTask } from '../tasks/probes';
import { TrainingRun, setForgetBias } from '../train-loop';
import type { Hyperparams } from '../hyperparams';
import type { CellKind, ModelSpec } from '../types';
import { compareCells, validateCompareConfig } from './config';
import type { CompareConfig } from './config';
import { measureGradientFlow } from './gradient-flow';
import type { GradientFlow } from './gradient-flow';
import { hiddenForBudget, paramFormula } from './params';
import type { ParamFormula } from './params';

/** Accuracy a sweep run must reach to count a delay as remembered. */
export const CAPACITY_ACCURACY = 0.9;
/** Steps per chunk between two yields. */
export const CHUNK_STEPS = 5;
const SYMBOLS = 4;

export interface CellPlan {
  cell: CellKind;
  hiddenSize: number;
  spec: ModelSpec;
  formula: ParamFormula;
  params: number;
  macs: number;
}

export type ComparePhase = 'flow' | 'train' | 'speed' | 'sweep';

export type CompareEvent =
  | { kind: 'plan'; cells: CellPlan[]; totalUnits: number }
  | {
      kind: 'progress';
      done: number;
      total: number;
      phase: ComparePhase;
      cell: CellKind;
      delay: number | null;
    }
  | ({ kind: 'flow'; cell: CellKind; when: 'init' | 'trained' } & GradientFlow)
  | {
      kind: 'result';
      cell: CellKind;
      finalLoss: number;
      metric: number;
      steps: number;
      diverged: boolean;
      /** Largest gradient norm seen in training (before clipping). */
      maxGradNorm: number;
    }
  | { kind: 'speed'; cell: CellKind; stepsPerSecond: number }
  | { kind: 'states'; cell: CellKind; T: number; H: number; h: Float32Array }
  | { kind: 'sweepPoint'; cell: CellKind; delay: number; accuracy: number; passed: boolean }
  | { kind: 'capacity'; cell: CellKind; capacity: number }
  | { kind: 'done'; elapsedMs: number };

/** Plans the three columns (hidden sizes by the fairness rule, formulas, counts, MACs). */
export function planCells(config: CompareConfig): CellPlan[] {
  const inputSize = SYMBOLS + 2;
  const base: ModelSpec = {
    cell: 'lstm',
    inputSize,
    hiddenSize: config.hiddenSize,
    numLayers: 1,
    bidirectional: false,
    bias: true,
    readout: { outputSize: SYMBOLS, mode: 'last' },
  };
  const target = paramFormula(base).total;
  return compareCells(config).map((cell) => {
    const H =
      config.fairness === 'equal-params' && cell !== 'lstm'
        ? hiddenForBudget(base, cell, target, 512)
        : config.hiddenSize;
    const spec: ModelSpec = { ...base, cell, hiddenSize: H };
    const formula = paramFormula(spec);
    return { cell, hiddenSize: H, spec, formula, params: formula.total, macs: macsPerStep(spec) };
  });
}

function hyperFor(config: CompareConfig, plan: CellPlan): Partial<Hyperparams> {
  return {
    cell: plan.cell,
    hiddenSize: plan.hiddenSize,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    clipMode: config.clip ? 'norm' : 'off',
    clipThreshold: config.clipThreshold,
    optimizer: 'adam',
    forgetBias: 1,
    seed: config.seed,
  };
}

/** A fresh model of the plan, initialised from the seed (and scaled W_hh with the preset). */
function freshModel(config: CompareConfig, plan: CellPlan): Model {
  const model = createModel(plan.spec, { seed: config.seed });
  setForgetBias(model, 1);
  if (config.explode) {
    for (const l of model.layers)
      for (let i = 0; i < l.whh.length; i++) l.whh[i] *= config.recurrentScale;
  }
  return model;
}

function flowOf(config: CompareConfig, model: Model): GradientFlow {
  const task = createRecallTask({ delay: config.flowDelay, symbols: SYMBOLS, distractors: true });
  const batch = task.sample(new Rng(config.seed + 101), config.batchSize);
  const saved = model.grads.slice();
  const flow = measureGradientFlow(
    model,
    batch.input,
    batch.target,
    batch.B,
    config.clip ? config.clipThreshold : null,
  );
  model.grads.set(saved);
  return flow;
}

/** Steps per timing of the speed figure (best of `SPEED_REPEATS`), after `SPEED_WARMUP` untimed ones. */
export const SPEED_STEPS = 8;
export const SPEED_REPEATS = 5;
export const SPEED_WARMUP = 3;

/** A training run on recall batches of one fixed length (T = delay + 2, no curriculum). */
function speedRun(config: CompareConfig, plan: CellPlan): TrainingRun {
  return new TrainingRun({
    task: createRecallTask({ delay: config.delay, symbols: SYMBOLS, validationSize: 1 }),
    hyper: { ...hyperFor(config, plan), clipMode: 'norm', clipThreshold: 1 },
    model: createModel(plan.spec, { seed: config.seed }),
  });
}

/**
 * Runs the comparison (see the file comment), yielding events; a `progress` event follows
 * every chunk of at most `CHUNK_STEPS` training steps. `now()` is a millisecond clock.
 * @throws EngineError `TASK_CONFIG` for invalid settings.
 */
export function* compareJob(
  input: Partial<CompareConfig>,
  now: () => number,
): Generator<CompareEvent, void, void> {
  const config = validateCompareConfig(input);
  const t0 = now();
  const plans = planCells(config);
  const speedUnits = SPEED_WARMUP + SPEED_REPEATS * SPEED_STEPS;
  const perCell = config.trainSteps + speedUnits + config.sweepDelays.length * config.sweepSteps;
  const total = perCell * plans.length;
  let done = 0;
  yield { kind: 'plan', cells: plans, totalUnits: total };

  // Phases ordered so the cheap, telling figures arrive first: flow and result for every
  // cell, then the long sweep.
  for (const plan of plans) {
    const cell = plan.cell;
    const init = freshModel(config, plan);
    yield { kind: 'flow', cell, when: 'init', ...flowOf(config, init) };
    const task = createRecallTask({
      delay: config.delay,
      symbols: SYMBOLS,
      distractors: true,
      validationSize: 256,
    });
    const run = new TrainingRun({
      task,
      hyper: hyperFor(config, plan),
      model: init,
      curriculum: { start: 1, threshold: 0.9 },
      maxSteps: config.trainSteps,
    });
    while (run.status === 'running') {
      const chunk = run.runChunk(CHUNK_STEPS);
      done += chunk.steps.length;
      yield { kind: 'progress', done, total, phase: 'train', cell, delay: config.delay };
      if (chunk.steps.length === 0) break;
    }
    const steps = run.history.length;
    done += config.trainSteps - steps;
    const tail = run.history.slice(-10);
    const finalLoss = tail.length ? tail.reduce((s, r) => s + r.loss, 0) / tail.length : Number.NaN;
    const maxGradNorm = run.history.reduce((m, r) => Math.max(m, r.gradNorm), 0);
    yield {
      kind: 'result',
      cell,
      finalLoss: run.status === 'diverged' ? Number.NaN : finalLoss,
      metric: run.evaluate().primary,
      steps,
      diverged: run.status === 'diverged',
      maxGradNorm,
    };
    yield { kind: 'flow', cell, when: 'trained', ...flowOf(config, run.model) };
    const sample = task.validation()[0];
    const T = sample.T;
    const I = task.info.inputSize;
    const x = new Float32Array(T * I);
    for (let t = 0; t < T; t++)
      x.set(sample.input.subarray(t * sample.B * I, (t * sample.B + 1) * I), t * I);
    const trace = forward(run.model, x, { B: 1 });
    yield { kind: 'states', cell, T, H: plan.hiddenSize, h: trace.layers[0].act.h!.slice() };
  }

  const speedRuns = plans.map((p) => speedRun(config, p));
  const best = plans.map(() => Number.NaN);
  for (let i = 0; i < plans.length; i++) {
    done += speedRuns[i].runChunk(SPEED_WARMUP).steps.length;
    yield {
      kind: 'progress',
      done,
      total,
      phase: 'speed',
      cell: plans[i].cell,
      delay: config.delay,
    };
  }
  for (let r = 0; r < SPEED_REPEATS; r++) {
    for (let i = 0; i < plans.length; i++) {
      const a = now();
      const n = speedRuns[i].runChunk(SPEED_STEPS).steps.length;
      const ms = now() - a;
      done += n;
      if (ms > 0 && n > 0 && !(best[i] >= (n * 1000) / ms)) best[i] = (n * 1000) / ms;
      yield {
        kind: 'progress',
        done,
        total,
        phase: 'speed',
        cell: plans[i].cell,
        delay: config.delay,
      };
    }
  }
  for (let i = 0; i < plans.length; i++) {
    yield { kind: 'speed', cell: plans[i].cell, stepsPerSecond: best[i] };
  }

  for (const plan of plans) {
    const cell = plan.cell;
    let capacity = 0;
    let failed = false;
    for (const delay of config.sweepDelays) {
      if (failed) {
        done += config.sweepSteps;
        continue;
      }
      const run = new TrainingRun({
        task: createRecallTask({ delay, symbols: SYMBOLS, distractors: true, validationSize: 128 }),
        hyper: hyperFor(config, plan),
        model: freshModel(config, plan),
        curriculum: { start: 1, threshold: 0.9 },
        maxSteps: config.sweepSteps,
      });
      let best = 0;
      let passed = false;
      let used = 0;
      while (run.status === 'running' && !passed) {
        const chunk = run.runChunk(CHUNK_STEPS * 2);
        used += chunk.steps.length;
        done += chunk.steps.length;
        // Validation only once the curriculum reached the delay (it is always scored there).
        const level = run.level ?? delay;
        if (level >= delay || run.status !== 'running') {
          best = Math.max(best, run.evaluate().primary);
          passed = best >= CAPACITY_ACCURACY;
        }
        yield { kind: 'progress', done, total, phase: 'sweep', cell, delay };
        if (chunk.steps.length === 0) break;
      }
      done += config.sweepSteps - used;
      yield { kind: 'sweepPoint', cell, delay, accuracy: best, passed };
      if (passed) capacity = delay;
      else failed = true;
    }
    yield { kind: 'capacity', cell, capacity };
    yield { kind: 'progress', done, total, phase: 'sweep', cell, delay: null };
  }
  yield { kind: 'done', elapsedMs: now() - t0 };
}
