/**
 * PyTorch `state_dict`s: the reference JSON format (`{name: {shape, data}}`), import into a
 * model (with the spec read from the shapes) and export back, as JSON or `.safetensors`.
 *
 * Accepted key names: the recurrent parameters of `nn.RNN`/`nn.LSTM`/`nn.GRU`
 * (`weight_ih_l{k}[_reverse]`, `weight_hh_…`, `bias_ih_…`, `bias_hh_…`) behind any one common
 * prefix (`''`, `rnn.`, `lstm.`, `model.lstm.`, ...), plus an optional linear readout whose
 * keys end in `fc.weight` / `fc.bias` (`fc.`, `model.fc.`, ...), as a `Net(rnn, fc)` saves it.
 * Inside the engine, a model's readout is always named `fc.weight` / `fc.bias`.
 */

import type { Model } from '../model';
import { createModel, directions, paramLayout, setParam, validateSpec } from '../model';
import type { CellKind, ModelSpec, ReadoutSpec, Tensor } from '../types';
import { gateCount } from '../types';
import { EngineError } from '../errors';
import type { SafetensorsDtype, TensorLike } from './safetensors';
import { parseSafetensors, unravelIndex, writeSafetensors } from './safetensors';

/** A state_dict held by the engine: float32 tensors by (possibly prefixed) name. */
export type StateDict = Record<string, Tensor>;

/** The JSON form: `{name: {shape: [...], data: [row-major numbers]}}`. */
export type StateDictJson = Record<string, { shape: number[]; data: number[] }>;

const RECURRENT_KEY = /^(.*?)(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$/;
const READOUT_KEY = /^(.*fc\.)(weight|bias)$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shape of a rectangular nested list (`tensor.tolist()`), or a problem description. */
function nestedShape(v: unknown, shape: number[] = []): number[] | string {
  if (!Array.isArray(v)) return shape;
  shape.push(v.length);
  if (v.length === 0) return shape;
  const first = nestedShape(v[0], []);
  if (typeof first === 'string') return first;
  for (let i = 1; i < v.length; i++) {
    const s = nestedShape(v[i], []);
    if (typeof s === 'string') return s;
    if (s.length !== first.length || s.some((d, k) => d !== first[k])) {
      return `nested list is ragged at position ${shape.length - 1}, item ${i}`;
    }
  }
  return shape.concat(first);
}

/**
 * Converts one JSON value to a float32 tensor: `{shape, data}` (flat row-major data) or a
 * nested list as `tensor.tolist()` writes it. Every value must be a finite number that fits
 * float32.
 *
 * @throws EngineError `SD_TENSOR` (malformed entry) or `SD_NON_FINITE` (key + index).
 */
export function tensorFromJson(key: string, value: unknown): Tensor {
  let shape: number[];
  let flat: unknown[];
  if (Array.isArray(value)) {
    const s = nestedShape(value);
    if (typeof s === 'string') throw new EngineError('SD_TENSOR', { key, problem: s });
    shape = s;
    flat = (value as unknown[]).flat(Infinity);
  } else if (isPlainObject(value)) {
    const { shape: rawShape, data } = value;
    if (
      !Array.isArray(rawShape) ||
      !rawShape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new EngineError('SD_TENSOR', {
        key,
        problem: `shape must be an array of non-negative integers, got ${JSON.stringify(rawShape) ?? 'undefined'}`,
      });
    }
    if (!Array.isArray(data)) {
      throw new EngineError('SD_TENSOR', {
        key,
        problem: `data must be an array of numbers, got ${data === undefined ? 'nothing' : typeof data}`,
      });
    }
    shape = rawShape as number[];
    flat = data.some(Array.isArray) ? (data as unknown[]).flat(Infinity) : data;
    if (flat.length !== product(shape)) {
      throw new EngineError('SD_TENSOR', {
        key,
        problem: `shape [${shape.join(', ')}] needs ${product(shape)} values, data has ${flat.length}`,
      });
    }
  } else {
    throw new EngineError('SD_TENSOR', {
      key,
      problem: `got ${value === null ? 'null' : typeof value}`,
    });
  }
  const data = new Float32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number') {
      throw new EngineError('SD_TENSOR', {
        key,
        problem: `value at flat index ${i} is ${v === null ? 'null' : typeof v}, not a number`,
      });
    }
    data[i] = v;
    if (!Number.isFinite(data[i])) {
      throw new EngineError('SD_NON_FINITE', {
        key,
        value: Number.isFinite(v) ? `${v}, beyond the float32 range` : String(v),
        index: i,
        position: unravelIndex(i, shape).join(', '),
      });
    }
  }
  return { shape: shape.slice(), data };
}

/**
 * Parses a state_dict in the reference JSON format (an object, or its JSON text):
 * `{name: {shape, data}}`; nested lists (`tensor.tolist()`) are accepted too.
 *
 * @throws EngineError `SD_INVALID`, `SD_TENSOR` or `SD_NON_FINITE`, naming the key.
 */
export function parseStateDictJson(json: unknown): StateDict {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new EngineError('SD_INVALID', {
        problem: `not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      });
    }
  }
  if (!isPlainObject(value)) {
    throw new EngineError('SD_INVALID', {
      problem: `expected an object {name: {shape, data}}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    });
  }
  const out: StateDict = {};
  for (const [key, v] of Object.entries(value)) out[key] = tensorFromJson(key, v);
  return out;
}

/** The JSON form of tensors (float32 values written as the exact doubles they are). */
export function stateDictToJson(tensors: Record<string, TensorLike>): StateDictJson {
  const out: StateDictJson = {};
  for (const [key, t] of Object.entries(tensors)) {
    out[key] = { shape: t.shape.slice(), data: Array.from(t.data) };
  }
  return out;
}

/** Where a state_dict's keys put the recurrent module and the readout. */
export interface StateDictPrefixes {
  /** Common prefix of the recurrent keys: `''`, `rnn.`, `model.lstm.`, ... */
  prefix: string;
  /** Prefix of the readout keys (`fc.`, `model.fc.`, ...), or null without a readout. */
  readoutPrefix: string | null;
}

/**
 * Finds the recurrent prefix and the readout prefix of a list of keys.
 *
 * @throws EngineError `SD_MISSING_KEY` (no recurrent key at all), `SD_PREFIX` (two different
 *   recurrent prefixes or readout prefixes) or `SD_UNEXPECTED_KEY` (a key that is neither).
 */
export function detectPrefixes(keys: readonly string[]): StateDictPrefixes {
  let prefix: string | null = null;
  let readoutPrefix: string | null = null;
  for (const key of keys) {
    const rec = RECURRENT_KEY.exec(key);
    if (rec) {
      if (prefix === null) prefix = rec[1];
      else if (prefix !== rec[1]) {
        throw new EngineError('SD_PREFIX', { first: prefix, second: rec[1] });
      }
      continue;
    }
    const ro = READOUT_KEY.exec(key);
    if (ro) {
      if (readoutPrefix === null) readoutPrefix = ro[1];
      else if (readoutPrefix !== ro[1]) {
        throw new EngineError('SD_PREFIX', { first: readoutPrefix, second: ro[1] });
      }
      continue;
    }
    throw new EngineError('SD_UNEXPECTED_KEY', { key, reason: unexpectedReason(key) });
  }
  if (prefix === null) {
    throw new EngineError('SD_MISSING_KEY', {
      key: 'weight_ih_l0',
      shape: 'G*H, inputSize',
      more: ': no recurrent parameter (weight_ih_l0, weight_hh_l0, ...) was found under any prefix',
    });
  }
  return { prefix, readoutPrefix };
}

function unexpectedReason(key: string): string {
  if (/weight_hr_l\d+/.test(key)) return 'LSTM projections (proj_size) are not supported';
  if (/(^|\.)(weight|bias)$/.test(key)) {
    return 'it is neither a recurrent parameter (weight_ih_l<k>, weight_hh_l<k>, bias_ih_l<k>, bias_hh_l<k>, optionally _reverse) nor a readout under `fc.`; a linear readout must be saved as fc.weight / fc.bias, and other modules (embeddings, extra layers) removed';
  }
  return 'it is neither a recurrent parameter (weight_ih_l<k>, weight_hh_l<k>, bias_ih_l<k>, bias_hh_l<k>, optionally _reverse) nor a readout fc.weight / fc.bias';
}

/** Hints for what shapes cannot tell apart. */
export interface InferSpecOptions {
  /**
   * The cell, when known. Shapes tell RNN (G = 1), GRU (G = 3) and LSTM (G = 4) apart but not
   * `rnn-tanh` from `rnn-relu` nor `gru` from `gru-textbook`: without a hint a G = 1 model is
   * `rnn-tanh` and a G = 3 model `gru` (PyTorch's form).
   */
  cell?: CellKind;
  /** Readout mode, which no shape records (default `every`, many-to-many). */
  readoutMode?: ReadoutSpec['mode'];
}

function shapeOf(sd: StateDict, key: string): number[] {
  return sd[key].shape;
}

/**
 * Reads the model spec from a state_dict's shapes:
 * H from `weight_hh_l0` `[G*H, H]`; G = rows / H gives the cell (1 RNN, 3 GRU, 4 LSTM);
 * inputSize from `weight_ih_l0` `[G*H, inputSize]`; layers from the largest `l{k}`;
 * bidirectional from any `_reverse` key; bias from any `bias_*` key; a readout's outputSize
 * from `fc.weight` `[O, D*H]`. The result is then checked key by key (`checkStateDict`).
 *
 * @throws EngineError naming the key: `SD_MISSING_KEY`, `SD_SHAPE`, `SD_CELL`,
 *   `SD_HIDDEN_SIZE`, `SD_UNEXPECTED_KEY`, `SD_PREFIX`, or `SPEC_FIELD` for sizes out of range.
 */
export function inferSpec(sd: StateDict, options: InferSpecOptions = {}): ModelSpec {
  const keys = Object.keys(sd);
  const { prefix, readoutPrefix } = detectPrefixes(keys);
  const whh0 = `${prefix}weight_hh_l0`;
  const wih0 = `${prefix}weight_ih_l0`;
  for (const k of [wih0, whh0]) {
    if (!(k in sd)) {
      throw new EngineError('SD_MISSING_KEY', {
        key: k,
        shape: k === wih0 ? 'G*H, inputSize' : 'G*H, H',
        more: '',
      });
    }
  }
  for (const k of [wih0, whh0]) {
    if (shapeOf(sd, k).length !== 2) {
      throw new EngineError('SD_SHAPE', {
        key: k,
        actual: shapeOf(sd, k).join(', '),
        expected: k === wih0 ? 'G*H, inputSize' : 'G*H, H',
        why: 'a 2-D weight matrix',
      });
    }
  }
  const [rows, H] = shapeOf(sd, whh0);
  const G = H > 0 && rows % H === 0 ? rows / H : 0;
  const hintG = options.cell ? gateCount(options.cell) : null;
  if (hintG !== null && options.cell && G !== hintG) {
    throw new EngineError('SD_SHAPE', {
      key: whh0,
      actual: shapeOf(sd, whh0).join(', '),
      expected: `${hintG * H}, ${H}`,
      why: `${options.cell} with hidden size ${H} has ${hintG} gate blocks`,
    });
  }
  if (G !== 1 && G !== 3 && G !== 4) {
    throw new EngineError('SD_CELL', { key: whh0, rows, H, H3: 3 * H, H4: 4 * H, hint: '' });
  }
  const cell: CellKind = options.cell ?? (G === 4 ? 'lstm' : G === 3 ? 'gru' : 'rnn-tanh');

  // Hidden size must agree across every recurrent weight_hh (PyTorch stacks one H).
  let numLayers = 0;
  let bidirectional = false;
  let bias = false;
  for (const key of keys) {
    const m = RECURRENT_KEY.exec(key);
    if (!m) continue;
    numLayers = Math.max(numLayers, Number(m[4]) + 1);
    if (m[5]) bidirectional = true;
    if (m[2] === 'bias') bias = true;
    if (m[2] === 'weight' && m[3] === 'hh') {
      const s = shapeOf(sd, key);
      if (s.length === 2 && s[1] !== H) {
        throw new EngineError('SD_HIDDEN_SIZE', {
          first: whh0,
          firstH: H,
          second: key,
          secondH: s[1],
        });
      }
    }
  }
  const spec: Record<string, unknown> = {
    cell,
    inputSize: shapeOf(sd, wih0)[1],
    hiddenSize: H,
    numLayers,
    bidirectional,
    bias,
  };
  if (readoutPrefix !== null) {
    const w = `${readoutPrefix}weight`;
    if (!(w in sd)) {
      throw new EngineError('SD_MISSING_KEY', { key: w, shape: 'outputSize, D*H', more: '' });
    }
    const s = shapeOf(sd, w);
    if (s.length !== 2) {
      throw new EngineError('SD_SHAPE', {
        key: w,
        actual: s.join(', '),
        expected: `outputSize, ${(bidirectional ? 2 : 1) * H}`,
        why: 'the readout weight is a 2-D matrix [outputSize, D*H]',
      });
    }
    spec.readout = { outputSize: s[0], mode: options.readoutMode ?? 'every' };
  }
  const clean = validateSpec(spec);
  checkStateDict(sd, clean);
  return clean;
}

/**
 * Checks a state_dict against a spec, key by key: every parameter the spec needs is present
 * (behind one common prefix; the readout under `...fc.`), has exactly the expected shape and
 * finite values, and no other key exists.
 *
 * @returns the prefixes found.
 * @throws EngineError `SD_MISSING_KEY`, `SD_UNEXPECTED_KEY`, `SD_SHAPE`, `SD_NON_FINITE`
 *   (key and index) or `SD_PREFIX`.
 */
export function checkStateDict(sd: StateDict, spec: ModelSpec): StateDictPrefixes {
  const keys = Object.keys(sd);
  const found = detectPrefixes(keys);
  const readoutPrefix = found.readoutPrefix ?? 'fc.';
  const layout = paramLayout(spec);
  const expected = new Map<string, number[]>();
  for (const p of layout) expected.set(externalName(p.name, found.prefix, readoutPrefix), p.shape);

  const missing = [...expected.keys()].filter((k) => !(k in sd));
  if (missing.length > 0) {
    const first = missing[0];
    throw new EngineError('SD_MISSING_KEY', {
      key: first,
      shape: (expected.get(first) ?? []).join(', '),
      more:
        (missing.length > 1
          ? ` and ${missing.length - 1} more: ${missing.slice(1).join(', ')}`
          : '') + ` (for ${describeSpec(spec)})`,
    });
  }
  for (const key of keys) {
    if (!expected.has(key)) {
      throw new EngineError('SD_UNEXPECTED_KEY', {
        key,
        reason: unexpectedForSpec(key, spec),
      });
    }
  }
  for (const [key, shape] of expected) {
    const t = sd[key];
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new EngineError('SD_SHAPE', {
        key,
        actual: t.shape.join(', '),
        expected: shape.join(', '),
        why: describeSpec(spec),
      });
    }
    if (t.data.length !== product(shape)) {
      throw new EngineError('SD_TENSOR', {
        key,
        problem: `shape [${shape.join(', ')}] needs ${product(shape)} values, data has ${t.data.length}`,
      });
    }
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) {
        throw new EngineError('SD_NON_FINITE', {
          key,
          value: String(t.data[i]),
          index: i,
          position: unravelIndex(i, shape).join(', '),
        });
      }
    }
  }
  return { prefix: found.prefix, readoutPrefix: spec.readout ? readoutPrefix : null };
}

function externalName(name: string, prefix: string, readoutPrefix: string): string {
  return name.startsWith('fc.') ? readoutPrefix + name.slice(3) : prefix + name;
}

function describeSpec(spec: ModelSpec): string {
  const D = directions(spec);
  return (
    `${spec.cell}, inputSize ${spec.inputSize}, hiddenSize ${spec.hiddenSize}, ` +
    `${spec.numLayers} layer${spec.numLayers > 1 ? 's' : ''}${D === 2 ? ', bidirectional' : ''}` +
    `${spec.bias ? '' : ', no bias'}${spec.readout ? `, readout ${spec.readout.outputSize}` : ''}`
  );
}

function unexpectedForSpec(key: string, spec: ModelSpec): string {
  const m = RECURRENT_KEY.exec(key);
  if (m) {
    if (Number(m[4]) >= spec.numLayers) return `the model has ${spec.numLayers} layer(s)`;
    if (m[5] && !spec.bidirectional) return 'the model is not bidirectional';
    if (m[2] === 'bias' && !spec.bias) return 'the model has no bias';
  }
  if (READOUT_KEY.test(key) && !spec.readout) return 'the model has no readout';
  return unexpectedReason(key);
}

/**
 * Copies a state_dict into `model` (validated against `model.spec` first, so a failed load
 * leaves the model unchanged). Keys may carry any common prefix; the readout may sit under
 * `fc.` or `<anything>.fc.`.
 *
 * @returns the prefixes found.
 * @throws EngineError as `checkStateDict`.
 */
export function loadIntoModel(model: Model, sd: StateDict): StateDictPrefixes {
  const found = checkStateDict(sd, model.spec);
  for (const p of model.layout) {
    setParam(
      model,
      p.name,
      sd[externalName(p.name, found.prefix, found.readoutPrefix ?? 'fc.')].data,
    );
  }
  return found;
}

export interface ImportOptions extends InferSpecOptions {
  /**
   * The full spec, when known (e.g. from a case file): then nothing is inferred and the
   * state_dict is checked against it.
   */
  spec?: ModelSpec;
}

/** A model built from a state_dict, and what was read from the keys. */
export interface ImportedModel extends StateDictPrefixes {
  model: Model;
  spec: ModelSpec;
}

/**
 * Builds a model from a state_dict: the spec is `options.spec` or inferred from the shapes
 * (`inferSpec`), then every parameter is copied (`loadIntoModel`).
 */
export function importStateDict(sd: StateDict, options: ImportOptions = {}): ImportedModel {
  const spec = options.spec ? validateSpec(options.spec) : inferSpec(sd, options);
  const model = createModel(spec, { zero: true });
  const found = loadIntoModel(model, sd);
  return { model, spec: model.spec, ...found };
}

/**
 * `__metadata__` key where `exportSafetensors` records what shapes cannot tell: the cell
 * (`rnn-relu` vs `rnn-tanh`, `gru-textbook` vs `gru`) and the readout mode.
 */
export const SPEC_METADATA_KEY = 'gatescope.spec';

/** Cell and readout-mode hints recorded by `exportSafetensors`, or {} when absent or unreadable. */
function hintsFromMetadata(metadata: Record<string, string> | null): InferSpecOptions {
  const raw = metadata?.[SPEC_METADATA_KEY];
  if (raw === undefined) return {};
  try {
    const spec = validateSpec(JSON.parse(raw));
    return { cell: spec.cell, readoutMode: spec.readout?.mode };
  } catch {
    // Metadata is advisory: a file edited by hand still loads from its shapes.
    return {};
  }
}

/**
 * Builds a model from `.safetensors` bytes (any of F32, F64, F16, BF16; values become
 * float32). See `importStateDict` for the options; without `options.cell` /
 * `options.readoutMode`, the hints a Gatescope export recorded in `__metadata__` are used.
 */
export function importSafetensors(
  bytes: Uint8Array,
  options: ImportOptions = {},
): ImportedModel & { metadata: Record<string, string> | null } {
  const file = parseSafetensors(bytes);
  const hints = hintsFromMetadata(file.metadata);
  const merged: ImportOptions = {
    ...options,
    cell: options.cell ?? hints.cell,
    readoutMode: options.readoutMode ?? hints.readoutMode,
  };
  return { ...importStateDict(file.tensors, merged), metadata: file.metadata };
}

export interface ExportOptions {
  /**
   * Prefix of the recurrent keys. Default: `rnn.` when the model has a readout (a
   * `Net(rnn, fc)` module), `''` otherwise (a bare `nn.LSTM`/`nn.GRU`/`nn.RNN`).
   */
  prefix?: string;
  /** Prefix of the readout keys (default `fc.`). */
  readoutPrefix?: string;
}

/**
 * A copy of the model's parameters as a PyTorch state_dict (same names, shapes and layout,
 * so `module.load_state_dict` accepts it), keys prefixed as asked.
 */
export function exportStateDict(model: Model, options: ExportOptions = {}): StateDict {
  const prefix = options.prefix ?? (model.readout ? 'rnn.' : '');
  const readoutPrefix = options.readoutPrefix ?? 'fc.';
  const out: StateDict = {};
  for (const p of model.layout) {
    out[externalName(p.name, prefix, readoutPrefix)] = {
      shape: p.shape.slice(),
      data: model.views[p.name].slice(),
    };
  }
  return out;
}

/** `exportStateDict` in the reference JSON format. */
export function exportStateDictJson(model: Model, options: ExportOptions = {}): StateDictJson {
  return stateDictToJson(exportStateDict(model, options));
}

/**
 * `exportStateDict` as `.safetensors` bytes (F32 unless asked), loadable with
 * `safetensors.torch.load_file` then `load_state_dict`. The spec is recorded in `__metadata__`
 * under `SPEC_METADATA_KEY` (PyTorch ignores it), so a re-import keeps the cell variant and the
 * readout mode.
 */
export function exportSafetensors(
  model: Model,
  options: ExportOptions & { dtype?: SafetensorsDtype; metadata?: Record<string, string> } = {},
): Uint8Array {
  return writeSafetensors(exportStateDict(model, options), {
    dtype: options.dtype ?? 'F32',
    metadata: { [SPEC_METADATA_KEY]: JSON.stringify(model.spec), ...options.metadata },
  });
}
