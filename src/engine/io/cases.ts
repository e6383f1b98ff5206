/**
 * Reference case kinds `train` and `safetensors` (format: `../shared/reference/README.md`),
 * registered in `CASE_RUNNERS` of `../case.ts`, so `runCase` and `npm run replay` share them.
 *
 * These functions are declarations (hoisted): `case.ts` imports them while this module imports
 * `case.ts`, and either may be loaded first.
 */

import { readTensor, tensorJson } from '../case';
import type { CaseOutput, RunCaseOptions, TensorJson } from '../case';
import { EngineError, describeValue } from '../errors';
import { directions, validateSpec } from '../model';
import { Trainer } from '../train';
import type { LossKind, TrainConfig } from '../train';
import type { OptimizerConfig } from '../optimizers';
import { forward } from '../unroll';
import type { ModelSpec } from '../types';
import { parseSafetensors } from './safetensors';
import { exportStateDict, importStateDict, parseStateDictJson } from './state-dict';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(where: string, problem: string): EngineError {
  return new EngineError('CASE_INVALID', { where: `key \`${where}\``, problem });
}

function need(c: Record<string, unknown>, key: string, where = key): unknown {
  if (!(key in c) || c[key] === undefined) throw invalid(where, 'missing');
  return c[key];
}

/**
 * The model spec of a `train` / `safetensors` case: the recurrent fields of `spec`, and a
 * readout of `spec.outputSize` outputs. `spec.readout` is either a ReadoutSpec object or, as
 * in the reference files, a sentence; a sentence or a loss naming the `last` step selects
 * many-to-one, otherwise the readout runs on every step.
 */
function caseSpec(
  c: Record<string, unknown>,
  lossName?: string,
  fallbackOutputSize?: number,
): ModelSpec {
  const raw = need(c, 'spec');
  if (!isObject(raw)) throw invalid('spec', `expected an object, got ${describeValue(raw)}`);
  let readout: unknown;
  if (isObject(raw.readout)) {
    readout = raw.readout; // {outputSize, mode}, checked by validateSpec
  } else {
    const o = raw.outputSize ?? fallbackOutputSize;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 1) {
      throw invalid('spec.outputSize', `expected an integer >= 1, got ${describeValue(o)}`);
    }
    const text = `${typeof raw.readout === 'string' ? raw.readout : ''} ${lossName ?? ''}`;
    readout = { outputSize: o, mode: /\blast\b/i.test(text) ? 'last' : 'every' };
  }
  const { cell, inputSize, hiddenSize, numLayers, bidirectional, bias } = raw;
  const spec: Record<string, unknown> = {
    cell,
    inputSize,
    hiddenSize,
    numLayers,
    bidirectional,
    bias,
    readout,
  };
  if (raw.dropout !== undefined && raw.dropout !== 0) {
    // Dropout masks cannot match PyTorch's generator: refuse rather than diverge silently.
    throw invalid('spec.dropout', 'train cases with dropout cannot be replayed (random masks)');
  }
  return validateSpec(spec);
}

function lossKind(name: unknown): LossKind {
  if (typeof name === 'string' && !/\bsum\b/i.test(name)) {
    const n = name.toLowerCase();
    if (n === 'mse' || n.startsWith('mse-') || n.startsWith('mse_')) return 'mse';
    if (n.startsWith('cross-entropy') || n.startsWith('cross_entropy') || n === 'ce') {
      return 'cross-entropy';
    }
  }
  throw invalid(
    'task.loss',
    `expected "mse-mean-over-all-steps" or "cross-entropy-mean-over-all-steps" (mean reduction), got ${describeValue(name)}`,
  );
}

/** Optimizer fields a case may hold, in camelCase or PyTorch's snake_case. */
const OPTIMIZER_FIELDS: Record<string, string> = {
  lr: 'lr',
  momentum: 'momentum',
  dampening: 'dampening',
  nesterov: 'nesterov',
  weightDecay: 'weightDecay',
  weight_decay: 'weightDecay',
  betas: 'betas',
  eps: 'eps',
  alpha: 'alpha',
  centered: 'centered',
};

/** torch.optim flags accepted when false (their default). */
const TORCH_FLAGS = ['amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'];

function caseOptimizer(raw: unknown): {
  optimizer: OptimizerConfig;
  clipGradNorm: number | null;
  clipGradValue: number | null;
} {
  if (!isObject(raw)) throw invalid('optimizer', `expected an object, got ${describeValue(raw)}`);
  const name = raw.name;
  if (name !== 'sgd' && name !== 'adam' && name !== 'rmsprop') {
    throw invalid(
      'optimizer.name',
      `expected "sgd", "adam" or "rmsprop", got ${describeValue(name)}`,
    );
  }
  const config: Record<string, unknown> = { name };
  let clipGradNorm: number | null = null;
  let clipGradValue: number | null = null;
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'name' || k === 'semantics' || v === null || v === undefined) continue;
    if (k === 'clipGradNorm' || k === 'clip_grad_norm' || k === 'maxNorm' || k === 'max_norm') {
      if (typeof v !== 'number')
        throw invalid(`optimizer.${k}`, `expected a number or null, got ${describeValue(v)}`);
      clipGradNorm = v;
    } else if (k === 'clipGradValue' || k === 'clip_grad_value') {
      if (typeof v !== 'number')
        throw invalid(`optimizer.${k}`, `expected a number or null, got ${describeValue(v)}`);
      clipGradValue = v;
    } else if (TORCH_FLAGS.includes(k)) {
      // torch.optim switches that do not change plain updates when off.
      if (v !== false)
        throw invalid(`optimizer.${k}`, `only false is supported, got ${describeValue(v)}`);
    } else if (k in OPTIMIZER_FIELDS) {
      config[OPTIMIZER_FIELDS[k]] = v;
    } else {
      throw invalid(`optimizer.${k}`, 'unknown optimizer field (its effect cannot be reproduced)');
    }
  }
  return { optimizer: config as unknown as OptimizerConfig, clipGradNorm, clipGradValue };
}

/**
 * A `train` case: `spec`, `task` {loss, input [T, B, I], target ([T, B, O] for MSE, integer
 * classes [T, B] for cross-entropy), optional lengths}, `optimizer` {name, lr, ...,
 * clipGradNorm}, `initialStateDict` (keys under `rnn.` / `fc.` or any prefix) and `steps`
 * (its length is the number of updates; or `numSteps`). Returns `steps[k]`: the loss and the
 * unclipped gradient norm before update k and the whole state_dict after it, keys named as in
 * `initialStateDict`.
 */
export function runTrainCase(c: Record<string, unknown>, _options: RunCaseOptions): CaseOutput {
  const task = need(c, 'task');
  if (!isObject(task)) throw invalid('task', `expected an object, got ${describeValue(task)}`);
  const loss = lossKind(need(task, 'loss', 'task.loss'));
  const spec = caseSpec(c, typeof task.loss === 'string' ? task.loss : '');
  const { optimizer, clipGradNorm, clipGradValue } = caseOptimizer(need(c, 'optimizer'));

  let numSteps: number;
  if (Array.isArray(c.steps)) numSteps = c.steps.length;
  else if (typeof c.numSteps === 'number' && Number.isInteger(c.numSteps) && c.numSteps >= 0) {
    numSteps = c.numSteps;
  } else throw invalid('steps', 'expected an array of steps (or an integer `numSteps`)');

  const sd = parseStateDictJson(need(c, 'initialStateDict'));
  const { model, prefix, readoutPrefix } = importStateDict(sd, { spec });

  const input = readTensor(need(task, 'input', 'task.input'), 'task.input');
  if (input.shape.length !== 3 || input.shape[2] !== spec.inputSize) {
    throw new EngineError('CASE_TENSOR', {
      key: 'task.input',
      expected: `shape [T, B, ${spec.inputSize}]`,
      actual: `shape [${input.shape.join(', ')}]`,
    });
  }
  const [T, B] = input.shape;
  const O = spec.readout?.outputSize ?? 0;
  const last = spec.readout?.mode === 'last';
  const targetShape = loss === 'mse' ? (last ? [B, O] : [T, B, O]) : last ? [B] : [T, B];
  const target = readTensor(need(task, 'target', 'task.target'), 'task.target', targetShape);
  let lengths: number[] | null = null;
  if (task.lengths !== undefined) {
    if (!Array.isArray(task.lengths)) {
      throw invalid(
        'task.lengths',
        `expected an array of ${B} integers, got ${describeValue(task.lengths)}`,
      );
    }
    lengths = task.lengths as number[];
  }
  const D = directions(spec);
  const stateShape = [spec.numLayers * D, B, spec.hiddenSize];
  const h0 = task.h0 === undefined ? null : readTensor(task.h0, 'task.h0', stateShape).data;
  const c0 = task.c0 === undefined ? null : readTensor(task.c0, 'task.c0', stateShape).data;

  const config: TrainConfig = { loss, optimizer, clipGradNorm, clipGradValue };
  const trainer = new Trainer(model, config);
  const steps: { loss: number; gradNorm: number; stateDict: Record<string, TensorJson> }[] = [];
  for (let k = 0; k < numSteps; k++) {
    const r = trainer.step({ input: input.data, target: target.data, B, lengths, h0, c0 });
    const after = exportStateDict(model, { prefix, readoutPrefix: readoutPrefix ?? 'fc.' });
    const stateDict: Record<string, TensorJson> = {};
    for (const [name, t] of Object.entries(after)) stateDict[name] = tensorJson(t.data, t.shape);
    steps.push({ loss: r.loss, gradNorm: r.gradNorm, stateDict });
  }
  return { steps };
}

/**
 * A `safetensors` case: `file` (a path relative to the case file, read through
 * `options.loadFile`), `spec` (`outputSize` may be left to the file's `fc.weight`), `input` [T, B, I] and optional `h0`/`c0`.
 * Returns `readoutOutput`, the readout of the model with the file's exact weights:
 * `[T, B, O]` (or `[B, O]` for a many-to-one readout).
 */
export function runSafetensorsCase(
  c: Record<string, unknown>,
  options: RunCaseOptions,
): CaseOutput {
  const file = need(c, 'file');
  if (typeof file !== 'string' || file === '') {
    throw invalid('file', `expected a path relative to the case file, got ${describeValue(file)}`);
  }
  if (!options.loadFile) {
    throw invalid('file', 'this runner was given no way to read files (options.loadFile)');
  }
  let bytes: Uint8Array;
  try {
    bytes = options.loadFile(file);
  } catch (e) {
    throw invalid(
      'file',
      `cannot read ${JSON.stringify(file)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const { tensors } = parseSafetensors(bytes);
  // A spec without outputSize takes it from the stored readout weight [O, D*H].
  const fc = Object.keys(tensors).find((k) => k.endsWith('fc.weight'));
  const spec = caseSpec(c, '', fc ? tensors[fc].shape[0] : undefined);
  const { model } = importStateDict(tensors, { spec });
  const input = readTensor(need(c, 'input'), 'input');
  if (input.shape.length !== 3 || input.shape[2] !== spec.inputSize) {
    throw new EngineError('CASE_TENSOR', {
      key: 'input',
      expected: `shape [T, B, ${spec.inputSize}]`,
      actual: `shape [${input.shape.join(', ')}]`,
    });
  }
  const [T, B] = input.shape;
  const D = directions(spec);
  const stateShape = [spec.numLayers * D, B, spec.hiddenSize];
  const h0 = c.h0 === undefined ? null : readTensor(c.h0, 'h0', stateShape).data;
  const c0 =
    c.c0 === undefined || spec.cell !== 'lstm' ? null : readTensor(c.c0, 'c0', stateShape).data;
  const trace = forward(model, input.data, { B, h0, c0 });
  const O = spec.readout?.outputSize ?? 0;
  const y = trace.readout;
  if (!y) throw new EngineError('NO_READOUT', { what: 'safetensors case' });
  const shape = trace.readoutSteps === T ? [T, B, O] : [B, O];
  return { readoutOutput: tensorJson(y, shape) };
}
