/**
 * Runs one reference case (the JSON format of `../shared/reference`, see its
 * README) through the engine and returns the computed counterparts of the
 * case's stored results, under the same keys and in the same tensor format
 * `{shape, data}`. The `replay` command and the tests share this code path.
 *
 * Kinds are dispatched through `CASE_RUNNERS` (`forward`, `forward-external`
 * here; `train` and `safetensors` are added by the io side). Pure: file access
 * goes through `options.loadFile`.
 */
import { backward } from './bptt';
import { EngineError, describeValue } from './errors';
import { createModel, directions, setParam, validateSpec } from './model';
import type { Model } from './model';
import { forward } from './unroll';
import { runSafetensorsCase, runTrainCase } from './io/cases';
import { QUANTITIES } from './types';
import type { ModelSpec, Quantity, Tensor } from './types';

/** A tensor as stored in case files. */
export interface TensorJson {
  shape: number[];
  data: number[];
}

export interface RunCaseOptions {
  /** Reads a file named by the case (a path relative to the case file), as bytes. */
  loadFile?: (path: string) => Uint8Array;
}

/** Computed results: nested objects whose leaves are `TensorJson`s (or numbers). */
export type CaseOutput = Record<string, unknown>;

export type CaseRunner = (caseJson: Record<string, unknown>, options: RunCaseOptions) => CaseOutput;

/** The keys of a case that hold results (compared by tests, printed by replay). */
export const CASE_RESULT_KEYS = [
  'output',
  'hN',
  'cN',
  'trace',
  'grads',
  'dLdh',
  'steps',
  'readoutOutput',
] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses `{shape, data}` at `key` (a path used in errors), checking that the
 * shape is a list of non-negative integers, that data has prod(shape) finite
 * numbers and, when `expected` is given, that the shape matches it.
 */
export function readTensor(value: unknown, key: string, expected?: readonly number[]): Tensor {
  if (!isObject(value) || !Array.isArray(value.shape) || !Array.isArray(value.data)) {
    throw new EngineError('CASE_TENSOR', {
      key,
      expected: 'arrays `shape` and `data`',
      actual: describeValue(value),
    });
  }
  const shape = value.shape as unknown[];
  if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new EngineError('CASE_TENSOR', {
      key,
      expected: 'a shape of non-negative integers',
      actual: JSON.stringify(shape),
    });
  }
  const dims = shape as number[];
  if (expected && (dims.length !== expected.length || dims.some((d, i) => d !== expected[i]))) {
    throw new EngineError('CASE_TENSOR', {
      key,
      expected: `shape [${expected.join(', ')}]`,
      actual: `shape [${dims.join(', ')}]`,
    });
  }
  const n = dims.reduce((a, b) => a * b, 1);
  const data = value.data as unknown[];
  if (data.length !== n) {
    throw new EngineError('CASE_TENSOR', {
      key,
      expected: `${n} values for shape [${dims.join(', ')}]`,
      actual: `${data.length} values`,
    });
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new EngineError('CASE_TENSOR', {
        key,
        expected: 'finite numbers',
        actual: `${describeValue(v)} at index ${i}`,
      });
    }
    out[i] = v;
  }
  return { shape: [...dims], data: out };
}

/** A tensor in case format (plain numbers, so it serializes as JSON). */
export function tensorJson(data: ArrayLike<number>, shape: readonly number[]): TensorJson {
  return { shape: [...shape], data: Array.from(data) };
}

/**
 * A model for `spec` whose parameters come from `stateDict` (PyTorch names,
 * optionally all under `prefix`, e.g. `rnn.`). Every parameter must be there
 * with its exact shape, and nothing else.
 */
export function modelFromStateDict(
  spec: ModelSpec,
  stateDict: unknown,
  where = 'stateDict',
  prefix = '',
): Model {
  if (!isObject(stateDict)) {
    throw new EngineError('CASE_INVALID', {
      where: `key \`${where}\``,
      problem: `expected an object of tensors, got ${describeValue(stateDict)}`,
    });
  }
  const model = createModel(spec, { zero: true });
  const names = new Set(model.layout.map((p) => p.name));
  for (const p of model.layout) {
    const v = stateDict[prefix + p.name];
    if (v === undefined) {
      throw new EngineError('CASE_INVALID', {
        where: `key \`${where}\``,
        problem: `missing parameter \`${prefix + p.name}\` (shape [${p.shape.join(', ')}])`,
      });
    }
    const t = readTensor(v, `${where}.${prefix + p.name}`, p.shape);
    setParam(model, p.name, t.data);
  }
  for (const k of Object.keys(stateDict)) {
    if (!k.startsWith(prefix) || !names.has(k.slice(prefix.length))) {
      throw new EngineError('CASE_INVALID', {
        where: `key \`${where}\``,
        problem: `unexpected parameter \`${k}\` for this spec (expected: ${[...names].map((n) => prefix + n).join(', ')})`,
      });
    }
  }
  return model;
}

/**
 * `forward` (and `forward-external`) cases: spec, stateDict, input [T, B, I],
 * optional h0, c0, lengths [B]; computes output, hN, cN and the trace; when the
 * case has a `loss` with `dOutput` / `dhN` / `dcN`, also the gradients of
 * sum(output*dOutput) + sum(hN*dhN) + sum(cN*dcN): `grads` (every parameter,
 * `input`, `h0`, `c0`) and `dLdh` per layer key.
 */
export function runForwardCase(c: Record<string, unknown>): CaseOutput {
  const spec = validateSpec(c.spec);
  const model = modelFromStateDict(spec, c.stateDict);
  const input = readTensor(c.input, 'input');
  if (input.shape.length !== 3 || input.shape[2] !== spec.inputSize) {
    throw new EngineError('CASE_TENSOR', {
      key: 'input',
      expected: `shape [T, B, ${spec.inputSize}]`,
      actual: `shape [${input.shape.join(', ')}]`,
    });
  }
  const [T, B] = input.shape;
  const H = spec.hiddenSize;
  const D = directions(spec);
  const stateShape = [spec.numLayers * D, B, H];
  const h0 = c.h0 === undefined ? null : readTensor(c.h0, 'h0', stateShape).data;
  const c0 =
    c.c0 === undefined || spec.cell !== 'lstm' ? null : readTensor(c.c0, 'c0', stateShape).data;
  let lengths: number[] | null = null;
  if (c.lengths !== undefined) {
    if (!Array.isArray(c.lengths)) {
      throw new EngineError('CASE_INVALID', {
        where: 'key `lengths`',
        problem: `expected an array of ${B} integers, got ${describeValue(c.lengths)}`,
      });
    }
    lengths = c.lengths as number[];
  }
  const trace = forward(model, input.data, { B, h0, c0, lengths });
  const out: CaseOutput = {
    output: tensorJson(trace.output, [T, B, D * H]),
    hN: tensorJson(trace.hN, stateShape),
  };
  if (trace.cN) out.cN = tensorJson(trace.cN, stateShape);
  const traceOut: Record<string, Record<string, TensorJson>> = {};
  for (const lt of trace.layers) {
    const q: Record<string, TensorJson> = {};
    for (const name of QUANTITIES[spec.cell] as readonly Quantity[]) {
      const arr = lt.act[name];
      if (arr) q[name] = tensorJson(arr, [T, B, H]);
    }
    traceOut[lt.key] = q;
  }
  out.trace = traceOut;

  if (isObject(c.loss)) {
    const loss = c.loss;
    const dOutput =
      loss.dOutput === undefined ? null : readTensor(loss.dOutput, 'loss.dOutput', [T, B, D * H]);
    const dhN = loss.dhN === undefined ? null : readTensor(loss.dhN, 'loss.dhN', stateShape);
    const dcN =
      loss.dcN === undefined || spec.cell !== 'lstm'
        ? null
        : readTensor(loss.dcN, 'loss.dcN', stateShape);
    const g = backward(model, trace, {
      dOutput: dOutput?.data,
      dhN: dhN?.data,
      dcN: dcN?.data,
    });
    const grads: Record<string, TensorJson> = {};
    for (const p of model.layout) grads[p.name] = tensorJson(model.gradViews[p.name], p.shape);
    grads.input = tensorJson(g.dInput, [T, B, spec.inputSize]);
    grads.h0 = tensorJson(g.dh0, stateShape);
    if (g.dc0) grads.c0 = tensorJson(g.dc0, stateShape);
    out.grads = grads;
    const dLdh: Record<string, TensorJson> = {};
    for (const lt of trace.layers) dLdh[lt.key] = tensorJson(g.dLdh[lt.key], [T, B, H]);
    out.dLdh = dLdh;
  }
  return out;
}

/** How each case kind is run. The io side registers `train` and `safetensors` here. */
export const CASE_RUNNERS: Record<string, CaseRunner> = {
  forward: runForwardCase,
  'forward-external': runForwardCase,
  train: runTrainCase,
  safetensors: runSafetensorsCase,
};

/**
 * Runs a parsed case of any registered kind. Throws `CASE_INVALID` /
 * `CASE_KIND_UNKNOWN` / `CASE_TENSOR` (or the engine's own errors) with the
 * offending key named.
 */
export function runCase(caseJson: unknown, options: RunCaseOptions = {}): CaseOutput {
  if (!isObject(caseJson)) {
    throw new EngineError('CASE_INVALID', {
      where: 'root',
      problem: `expected a JSON object, got ${describeValue(caseJson)}`,
    });
  }
  const kind = caseJson.kind;
  if (typeof kind !== 'string' || !(kind in CASE_RUNNERS)) {
    throw new EngineError('CASE_KIND_UNKNOWN', {
      kind: String(kind),
      known: Object.keys(CASE_RUNNERS).join(', '),
    });
  }
  return CASE_RUNNERS[kind](caseJson, options);
}

/** One tensor leaf of a nested result object, with its dotted key path. */
export interface TensorLeaf {
  key: string;
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * Every `{shape, data}` leaf under `value` with its key path (`trace.l0.i`,
 * `steps.2.stateDict.fc.bias`); plain numbers become scalar leaves (shape []).
 */
export function flattenTensors(value: unknown, prefix = ''): TensorLeaf[] {
  const out: TensorLeaf[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'number') {
      out.push({ key, shape: [], data: [v] });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, key ? `${key}.${i}` : String(i)));
    } else if (isObject(v)) {
      if (Array.isArray(v.shape) && (Array.isArray(v.data) || ArrayBuffer.isView(v.data))) {
        out.push({
          key,
          shape: v.shape as number[],
          data: v.data as ArrayLike<number>,
        });
        return;
      }
      for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
    }
  };
  walk(value, prefix);
  return out;
}
