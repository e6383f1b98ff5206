/**
 * The worker's training session: one `TrainingRun` (the engine's chunked driver) on one
 * task, plus what the UI asks of it: validation loss and metrics, the trace of one sample
 * sequence under the current weights or a snapshot's (the timeline), exports, generated text.
 *
 * Pure (no Worker, no DOM): `engine-host.ts` owns one and turns its results into messages;
 * tests drive it through the host.
 */
import {
  EngineError,
  TrainingRun,
  Trainer,
  createRng,
  defaultHyperparams,
  exportSafetensors,
  exportStateDictJson,
  forward,
  generateText,
  hyperparamIssues,
  importSafetensors,
  importStateDict,
  parseStateDictJson,
  modelSpecFor,
  mseLoss,
  paramCount,
  taskEntry,
  trainConfigFor,
  type CharLmTask,
  type HyperparamIssue,
  type Hyperparams,
  type Model,
  type Task,
  type TaskBatch,
  type TaskMetrics,
  type TrainBatch,
} from '../engine';
import type { ErrorInfo, TrainSetup, TraceMeta, TrainingInfo, TrainingView } from './protocol';
import { traceBlocks } from './trace-blocks';

/** A point on the worker's timeline (browser tests read them to profile a preset load). */
export const markWorker = (name: string): void =>
  void globalThis.performance?.mark?.(`gatescope:worker:${name}`);

/** A refusal the host answers with as is. */
export class SessionError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

const W2 = { T: 50, B: 32, I: 32, H: 128, O: 8 } as const;

/**
 * The W2 workload of the engine benchmark (`bench/run.ts`) as a task: batch 32, T = 50,
 * I = 32, an MSE readout of 8 values on every step, one fixed random batch. It exists to
 * time a training step through the worker against the benchmark, not to learn anything.
 */
export function createW2Task(): Task {
  const rng = createRng(2);
  const input = new Float32Array(W2.T * W2.B * W2.I);
  const target = new Float32Array(W2.T * W2.B * W2.O);
  for (let k = 0; k < input.length; k++) input[k] = rng.uniform() * 2 - 1;
  for (let k = 0; k < target.length; k++) target[k] = rng.uniform() * 2 - 1;
  const batch: TaskBatch = {
    input,
    target,
    T: W2.T,
    B: W2.B,
    lengths: null,
    mask: new Uint8Array(W2.T * W2.B).fill(1),
  };
  const mse = (model: Model) => {
    const trace = forward(model, input, { B: W2.B });
    return mseLoss(trace, target).loss;
  };
  return {
    info: {
      id: 'w2-bench',
      // A regression workload; `forecast` is the kind whose charts fit it.
      kind: 'forecast',
      inputSize: W2.I,
      outputSize: W2.O,
      readoutMode: 'every',
      loss: 'mse',
      allowedLosses: ['mse'],
      targetKind: 'value',
      causal: false,
      metric: 'mse',
      higherIsBetter: false,
      seqLen: W2.T,
      symbols: [],
      curriculum: null,
    },
    sample: () => batch,
    validation: () => [batch],
    batchScore: () => Number.NaN,
    evaluate: (model) => {
      const v = mse(model);
      return { primary: v, values: { mse: v } };
    },
  };
}

/** The task of `setup`; a bad dataset is refused naming its line (the parsers do). */
export function buildTask(setup: TrainSetup): Task {
  if (setup.task === 'w2-bench') return createW2Task();
  let entry;
  try {
    entry = taskEntry(setup.task);
  } catch (err) {
    throw new SessionError({
      code: 'bad-message',
      message: err instanceof Error ? err.message : String(err),
    });
  }
  try {
    return entry.build(entry.dataset === null ? null : setup.datasetText);
  } catch (err) {
    throw new SessionError({
      code: 'bad-dataset',
      message: err instanceof Error ? err.message : String(err),
      details: { task: setup.task, dataset: setup.datasetName ?? entry.dataset },
    });
  }
}

/** Hyperparameters for `task` with every problem listed (each with its valid range). */
export function resolveHyper(
  task: Task,
  hyper: Partial<Hyperparams>,
): { hyper: Hyperparams | null; issues: HyperparamIssue[] } {
  const merged = {
    ...defaultHyperparams(),
    seqLen: task.info.seqLen,
    loss: task.info.loss,
    ...hyper,
  };
  const issues = hyperparamIssues(merged);
  if (issues.length > 0) return { hyper: null, issues };
  try {
    modelSpecFor(merged, task.info);
  } catch (err) {
    if (err instanceof EngineError && err.code === 'HYPERPARAM') {
      const d = err.details as { key?: unknown; expected?: unknown; actual?: unknown };
      return {
        hyper: null,
        issues: [
          {
            key: String(d.key),
            expected: String(d.expected),
            actual: String(d.actual),
            message: err.message,
          },
        ],
      };
    }
    throw err;
  }
  return { hyper: merged, issues: [] };
}

function refuseHyper(issues: HyperparamIssue[]): SessionError {
  const first = issues[0];
  return new SessionError({
    code: 'bad-hyperparams',
    message: first.message,
    details: { key: first.key, expected: first.expected, actual: first.actual },
    issues,
  });
}

const sameSpec = (a: Model, hyper: Hyperparams) =>
  a.spec.cell === hyper.cell &&
  a.spec.hiddenSize === hyper.hiddenSize &&
  a.spec.numLayers === hyper.numLayers &&
  a.spec.bidirectional === hyper.bidirectional &&
  (a.spec.dropout ?? 0) === hyper.dropout;

export class TrainingSession {
  readonly run: TrainingRun;
  readonly task: Task;
  readonly setup: TrainSetup;
  /** Validation loss under its own workspace, so training buffers stay as they are. */
  private readonly evaluator: Trainer;
  private readonly sample: { input: Float32Array; T: number; tokens: string[] };
  private readonly runRng = createRng(11);

  /**
   * @param previous weights to keep when their spec still fits (`keepWeights`).
   * @throws SessionError `bad-hyperparams` (every issue with its range), `bad-dataset`.
   */
  constructor(setup: TrainSetup, previous: Model | null = null) {
    this.setup = setup;
    this.task = buildTask(setup);
    markWorker('task');
    const { hyper, issues } = resolveHyper(this.task, setup.hyper);
    if (!hyper) throw refuseHyper(issues);
    const keep =
      previous && sameSpec(previous, hyper) && previous.spec.inputSize === this.task.info.inputSize
        ? previous
        : null;
    this.run = this.makeRun(hyper, keep);
    markWorker('run');
    this.evaluator = new Trainer(this.run.model, trainConfigFor(this.run.hyper));
    this.sample = this.sampleSequence();
    markWorker('sample');
  }

  /** A session continuing from a checkpoint's weights (`.safetensors`, or a state_dict `.json`). */
  static fromCheckpoint(setup: TrainSetup, fileName: string, bytes: ArrayBuffer): TrainingSession {
    let model: Model;
    try {
      model = /\.json$/i.test(fileName)
        ? importStateDict(parseStateDictJson(JSON.parse(new TextDecoder().decode(bytes)))).model
        : importSafetensors(new Uint8Array(bytes)).model;
      markWorker('import');
    } catch (err) {
      throw new SessionError({
        code: 'bad-weights',
        message: `${fileName}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    const s = model.spec;
    const hyper: Partial<Hyperparams> = {
      ...setup.hyper,
      cell: s.cell,
      hiddenSize: s.hiddenSize,
      numLayers: s.numLayers,
      bidirectional: s.bidirectional,
    };
    return new TrainingSession({ ...setup, hyper }, model);
  }

  private makeRun(hyper: Hyperparams, model: Model | null): TrainingRun {
    const cur = this.task.info.curriculum;
    try {
      return new TrainingRun({
        task: this.task,
        hyper,
        ...(model ? { model } : {}),
        snapshotEvery: this.setup.snapshotEvery,
        evalEvery: 0,
        maxSteps: this.setup.maxSteps,
        curriculum: this.setup.curriculum && cur ? {} : null,
      });
    } catch (err) {
      if (err instanceof EngineError && err.code === 'HYPERPARAM') {
        const d = err.details as { key?: unknown; expected?: unknown; actual?: unknown };
        throw refuseHyper([
          {
            key: String(d.key),
            expected: String(d.expected),
            actual: String(d.actual),
            message: err.message,
          },
        ]);
      }
      if (err instanceof EngineError) {
        throw new SessionError({ code: 'bad-hyperparams', message: err.message });
      }
      throw err;
    }
  }

  get model(): Model {
    return this.run.model;
  }

  /** The batch as `Trainer` takes it (MSE on a classifier regresses onto one-hot rows). */
  private trainBatch(batch: TaskBatch): TrainBatch {
    const info = this.task.info;
    if (info.targetKind === 'class' && this.run.hyper.loss === 'mse') {
      const O = info.outputSize;
      const oneHot = new Float32Array(batch.target.length * O);
      for (let r = 0; r < batch.target.length; r++) oneHot[r * O + batch.target[r]] = 1;
      return { input: batch.input, target: oneHot, B: batch.B, lengths: batch.lengths };
    }
    return { input: batch.input, target: batch.target, B: batch.B, lengths: batch.lengths };
  }

  /** Mean loss over the validation batches (no update). */
  validationLoss(model: Model = this.model): number {
    const ev =
      model === this.model ? this.evaluator : new Trainer(model, trainConfigFor(this.run.hyper));
    let sum = 0;
    let n = 0;
    for (const b of this.task.validation()) {
      sum += ev.evaluate(this.trainBatch(b));
      n++;
    }
    return n > 0 ? sum / n : Number.NaN;
  }

  evaluate(): { metrics: TaskMetrics; valLoss: number } {
    return { metrics: this.run.evaluate(), valLoss: this.validationLoss() };
  }

  /** The session at a glance; validation is left to `evaluate` so a preset shows at once. */
  info(): TrainingInfo {
    return {
      task: this.task.info,
      hyper: this.run.hyper,
      spec: this.model.spec,
      paramCount: paramCount(this.model.spec),
      step: this.run.totalSteps,
      snapshots: this.run.snapshots.map((s) => s.step),
    };
  }

  /** The first validation sequence (B = 1), with a label per step where the input is one-hot. */
  private sampleSequence(): { input: Float32Array; T: number; tokens: string[] } {
    const b = this.task.validation()[0];
    const I = this.task.info.inputSize;
    const T = b.lengths ? b.lengths[0] : b.T;
    const input = new Float32Array(T * I);
    for (let t = 0; t < T; t++) {
      input.set(b.input.subarray(t * b.B * I, (t * b.B + 1) * I), t * I);
    }
    const symbols = this.task.info.symbols;
    const tokens: string[] = [];
    for (let t = 0; t < T; t++) {
      const row = input.subarray(t * I, (t + 1) * I);
      if (I === 1) {
        tokens.push(row[0].toFixed(2));
        continue;
      }
      let hot = -1;
      let ones = 0;
      for (let k = 0; k < I; k++) {
        if (row[k] === 1) {
          hot = k;
          ones++;
        } else if (row[k] !== 0) ones = 2;
      }
      if (ones > 1) return { input, T, tokens: [] };
      // A blank step (no symbol, e.g. a probe's delay) reads as a middle dot.
      tokens.push(ones === 0 ? '·' : hot < symbols.length ? symbols[hot] : `#${hot}`);
    }
    return { input, T, tokens };
  }

  /** The model at a snapshot step, or the current one (`step` null). */
  modelAt(step: number | null): Model {
    return step === null ? this.model : this.run.modelAt(step);
  }

  /** Trace of the sample sequence under the weights of `step` (null: current). */
  view(step: number | null): { view: TrainingView; transfer: Transferable[] } {
    const model = this.modelAt(step);
    const spec = model.spec;
    const { input, T, tokens } = this.sample;
    const trace = forward(model, input, { B: 1 });
    markWorker('view-forward');
    const H = spec.hiddenSize;
    const { blocks, arrays } = traceBlocks(trace);
    const n = T * H;
    const data = new Float32Array(n * blocks.length);
    arrays.forEach((a, k) => data.set(a.subarray(0, n), k * n));
    const meta: TraceMeta = { spec, T, B: 1, H, blocks };
    const params: TrainingView['params'] = {};
    const transfer: Transferable[] = [data.buffer];
    for (const p of model.layout) {
      const d = model.views[p.name].slice();
      params[p.name] = { shape: [...p.shape], data: d };
      transfer.push(d.buffer);
    }
    const inputCopy = input.slice();
    transfer.push(inputCopy.buffer);
    return {
      view: { step: step ?? this.run.totalSteps, meta, data, input: inputCopy, tokens, params },
      transfer,
    };
  }

  /** The weights of `step` (null: current) as a PyTorch-loadable file. */
  exportWeights(
    format: 'safetensors' | 'state-dict-json',
    step: number | null,
  ): { fileName: string; mime: string; bytes: ArrayBuffer } {
    const model = this.modelAt(step);
    const at = step ?? this.run.totalSteps;
    const base = `${this.task.info.id}-${model.spec.cell}-step${at}`;
    if (format === 'safetensors') {
      const u8 = exportSafetensors(model);
      const bytes = new ArrayBuffer(u8.byteLength);
      new Uint8Array(bytes).set(u8);
      return { fileName: `${base}.safetensors`, mime: 'application/octet-stream', bytes };
    }
    const text = JSON.stringify(exportStateDictJson(model));
    const u8 = new TextEncoder().encode(text);
    const bytes = new ArrayBuffer(u8.byteLength);
    new Uint8Array(bytes).set(u8);
    return { fileName: `${base}.json`, mime: 'application/json', bytes };
  }

  /** Generated text (character tasks only). */
  generate(step: number | null, prompt: string, length: number, temperature: number): string {
    if (this.task.info.kind !== 'char-lm') {
      throw new SessionError({
        code: 'bad-message',
        message: `Text generation needs a character language model; the task is ${this.task.info.id}.`,
      });
    }
    // No prompt: start from the sample sequence's first characters (all in the vocabulary).
    const start =
      prompt !== '' ? prompt : this.sample.tokens.slice(0, 8).join('') || this.task.info.symbols[0];
    return generateText(this.modelAt(step), this.task as CharLmTask, {
      prompt: start,
      length,
      temperature,
      rng: this.runRng,
    });
  }
}
