/**
 * Models: a spec plus every parameter in ONE contiguous `Float32Array`, with
 * named views in PyTorch `state_dict` order and layout, and a gradient array of
 * the same layout (optimizers and clipping work on the flat arrays).
 *
 * Layout, for each layer k and direction (forward, then `_reverse`), G gate
 * blocks (`gateCount`), D = 2 if bidirectional else 1, in_0 = inputSize and
 * in_k = D*H for k > 0:
 *   weight_ih_l{k}[_reverse] [G*H, in_k]
 *   weight_hh_l{k}[_reverse] [G*H, H]
 *   bias_ih_l{k}[_reverse]   [G*H]        (when spec.bias)
 *   bias_hh_l{k}[_reverse]   [G*H]        (when spec.bias)
 * then, with a readout, `fc.weight` [O, D*H] and `fc.bias` [O] (as nn.Linear).
 */
import { EngineError, describeValue } from './errors';
import { Rng } from './random';
import { CELL_KINDS, gateCount, isCellKind, layerKey } from './types';
import type { CellKind, Direction, ModelSpec, ReadoutSpec, Tensor } from './types';

/** Limits `validateSpec` enforces (sizes a browser can hold and draw). */
export const SPEC_LIMITS = {
  inputSize: { min: 1, max: 4096 },
  hiddenSize: { min: 1, max: 4096 },
  numLayers: { min: 1, max: 8 },
  outputSize: { min: 1, max: 4096 },
} as const;

/** Where one named parameter lives in the flat array. */
export interface ParamInfo {
  /** PyTorch name: `weight_ih_l0`, `bias_hh_l1_reverse`, `fc.weight`, ... */
  name: string;
  shape: number[];
  /** Offset of element [0, 0] in `params` / `grads`. */
  offset: number;
  /** Number of values (product of the shape). */
  size: number;
  role: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh' | 'fc.weight' | 'fc.bias';
  /** Layer and direction of a recurrent parameter; -1 / 0 for the readout. */
  layer: number;
  direction: Direction;
}

/** Views of one layer and direction's parameters (and of their gradients). */
export interface LayerParams {
  key: string;
  layer: number;
  direction: Direction;
  /** Input size of this layer: inputSize for layer 0, D*H above. */
  inSize: number;
  /** `[G*H, inSize]` */
  wih: Float32Array;
  /** `[G*H, H]` */
  whh: Float32Array;
  /** `[G*H]`, null when spec.bias is false */
  bih: Float32Array | null;
  bhh: Float32Array | null;
  gwih: Float32Array;
  gwhh: Float32Array;
  gbih: Float32Array | null;
  gbhh: Float32Array | null;
}

/** The readout's views: `fc.weight` `[O, D*H]`, `fc.bias` `[O]`, and gradients. */
export interface ReadoutParams {
  weight: Float32Array;
  bias: Float32Array;
  gweight: Float32Array;
  gbias: Float32Array;
  outputSize: number;
  inSize: number;
}

export interface Model {
  spec: ModelSpec;
  /** Every parameter, contiguous, in `layout` order. */
  params: Float32Array;
  /** Gradients, same layout as `params` (written by `backward`). */
  grads: Float32Array;
  layout: ParamInfo[];
  /** Views into `params` by PyTorch name. */
  views: Record<string, Float32Array>;
  /** Views into `grads` by PyTorch name. */
  gradViews: Record<string, Float32Array>;
  /** Per layer and direction, index `layer * D + direction`. */
  layers: LayerParams[];
  readout: ReadoutParams | null;
}

function fail(field: string, expected: string, actual: unknown): never {
  throw new EngineError('SPEC_FIELD', { field, expected, actual: describeValue(actual) });
}

function intIn(obj: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

/**
 * Checks a spec from anywhere (URL, file, message) and returns a clean copy.
 * Throws `EngineError` `SPEC_FIELD` naming the field and its valid range.
 */
export function validateSpec(spec: unknown): ModelSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new EngineError('SPEC_NOT_OBJECT', { actual: describeValue(spec) });
  }
  const s = spec as Record<string, unknown>;
  if (!isCellKind(s.cell)) fail('cell', `one of ${CELL_KINDS.join(', ')}`, s.cell);
  const cell: CellKind = s.cell;
  const inputSize = intIn(s, 'inputSize', SPEC_LIMITS.inputSize.min, SPEC_LIMITS.inputSize.max);
  const hiddenSize = intIn(s, 'hiddenSize', SPEC_LIMITS.hiddenSize.min, SPEC_LIMITS.hiddenSize.max);
  const numLayers = intIn(s, 'numLayers', SPEC_LIMITS.numLayers.min, SPEC_LIMITS.numLayers.max);
  if (typeof s.bidirectional !== 'boolean') fail('bidirectional', 'true or false', s.bidirectional);
  if (typeof s.bias !== 'boolean') fail('bias', 'true or false', s.bias);
  const out: ModelSpec = {
    cell,
    inputSize,
    hiddenSize,
    numLayers,
    bidirectional: s.bidirectional,
    bias: s.bias,
  };
  if (s.dropout !== undefined) {
    const p = s.dropout;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) fail('dropout', 'a number in [0, 1)', p);
    out.dropout = p;
  }
  if (s.readout !== undefined && s.readout !== null) {
    const r = s.readout;
    if (typeof r !== 'object' || Array.isArray(r)) {
      fail('readout', 'null or {outputSize, mode}', r);
    }
    const ro = r as Record<string, unknown>;
    const o = ro.outputSize;
    const { min, max } = SPEC_LIMITS.outputSize;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < min || o > max) {
      fail('readout.outputSize', `an integer in [${min}, ${max}]`, o);
    }
    if (ro.mode !== 'every' && ro.mode !== 'last')
      fail('readout.mode', '"every" or "last"', ro.mode);
    const readout: ReadoutSpec = { outputSize: o, mode: ro.mode };
    out.readout = readout;
  } else if (s.readout === null) {
    out.readout = null;
  }
  return out;
}

/** Number of directions D (2 when bidirectional). */
export function directions(spec: ModelSpec): 1 | 2 {
  return spec.bidirectional ? 2 : 1;
}

/** Parameter layout of a spec, in state_dict order (see the file comment). */
export function paramLayout(spec: ModelSpec): ParamInfo[] {
  const G = gateCount(spec.cell);
  const H = spec.hiddenSize;
  const D = directions(spec);
  const out: ParamInfo[] = [];
  let offset = 0;
  const push = (
    name: string,
    shape: number[],
    role: ParamInfo['role'],
    layer: number,
    direction: Direction,
  ): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    out.push({ name, shape, offset, size, role, layer, direction });
    offset += size;
  };
  for (let l = 0; l < spec.numLayers; l++) {
    const inSize = l === 0 ? spec.inputSize : D * H;
    for (let d = 0; d < D; d++) {
      const dir = d as Direction;
      const sfx = layerKey(l, dir).slice(1); // "0" or "0_reverse"
      push(`weight_ih_l${sfx}`, [G * H, inSize], 'weight_ih', l, dir);
      push(`weight_hh_l${sfx}`, [G * H, H], 'weight_hh', l, dir);
      if (spec.bias) {
        push(`bias_ih_l${sfx}`, [G * H], 'bias_ih', l, dir);
        push(`bias_hh_l${sfx}`, [G * H], 'bias_hh', l, dir);
      }
    }
  }
  if (spec.readout) {
    push('fc.weight', [spec.readout.outputSize, D * H], 'fc.weight', -1, 0);
    push('fc.bias', [spec.readout.outputSize], 'fc.bias', -1, 0);
  }
  return out;
}

/**
 * Number of parameters:
 *   sum over layers k of D * (G*H*in_k + G*H*H + (bias ? 2*G*H : 0))
 *   + (readout ? O*D*H + O : 0).
 */
export function paramCount(spec: ModelSpec): number {
  const G = gateCount(spec.cell);
  const H = spec.hiddenSize;
  const D = directions(spec);
  let n = 0;
  for (let l = 0; l < spec.numLayers; l++) {
    const inSize = l === 0 ? spec.inputSize : D * H;
    n += D * (G * H * inSize + G * H * H + (spec.bias ? 2 * G * H : 0));
  }
  if (spec.readout) n += spec.readout.outputSize * (D * H + 1);
  return n;
}

/**
 * Multiply-adds per time step and per sequence (B = 1): the matrix products
 * only, which dominate (gate nonlinearities and bias adds are O(G*H)):
 *   sum over layers k of D * G*H * (in_k + H)
 *   + (readout ? O * D*H : 0)   (mode `every`; a `last` readout runs once per sequence)
 * For a batch, multiply by B.
 */
export function macsPerStep(spec: ModelSpec): number {
  const G = gateCount(spec.cell);
  const H = spec.hiddenSize;
  const D = directions(spec);
  let n = 0;
  for (let l = 0; l < spec.numLayers; l++) {
    const inSize = l === 0 ? spec.inputSize : D * H;
    n += D * G * H * (inSize + H);
  }
  if (spec.readout && spec.readout.mode === 'every') n += spec.readout.outputSize * D * H;
  return n;
}

export interface CreateModelOptions {
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** Skip the random initialisation and leave every parameter at 0. */
  zero?: boolean;
}

/**
 * Allocates a model for `spec` (validated) and initialises it as PyTorch does:
 * every recurrent weight and bias U(-1/sqrt(H), 1/sqrt(H)); the readout as
 * nn.Linear, weight and bias U(-1/sqrt(D*H), 1/sqrt(D*H)). Draws come from one
 * `Rng(seed)` in layout order, so a seed gives the same model everywhere.
 */
export function createModel(spec: ModelSpec, options: CreateModelOptions = {}): Model {
  const clean = validateSpec(spec);
  const layout = paramLayout(clean);
  const total = layout.reduce((a, p) => a + p.size, 0);
  const params = new Float32Array(total);
  const grads = new Float32Array(total);
  const views: Record<string, Float32Array> = {};
  const gradViews: Record<string, Float32Array> = {};
  for (const p of layout) {
    views[p.name] = params.subarray(p.offset, p.offset + p.size);
    gradViews[p.name] = grads.subarray(p.offset, p.offset + p.size);
  }
  const D = directions(clean);
  const H = clean.hiddenSize;
  const layers: LayerParams[] = [];
  for (let l = 0; l < clean.numLayers; l++) {
    for (let d = 0; d < D; d++) {
      const dir = d as Direction;
      const sfx = layerKey(l, dir).slice(1);
      const b = (n: string): Float32Array | null => (clean.bias ? views[n] : null);
      const gb = (n: string): Float32Array | null => (clean.bias ? gradViews[n] : null);
      layers.push({
        key: layerKey(l, dir),
        layer: l,
        direction: dir,
        inSize: l === 0 ? clean.inputSize : D * H,
        wih: views[`weight_ih_l${sfx}`],
        whh: views[`weight_hh_l${sfx}`],
        bih: b(`bias_ih_l${sfx}`),
        bhh: b(`bias_hh_l${sfx}`),
        gwih: gradViews[`weight_ih_l${sfx}`],
        gwhh: gradViews[`weight_hh_l${sfx}`],
        gbih: gb(`bias_ih_l${sfx}`),
        gbhh: gb(`bias_hh_l${sfx}`),
      });
    }
  }
  const readout: ReadoutParams | null = clean.readout
    ? {
        weight: views['fc.weight'],
        bias: views['fc.bias'],
        gweight: gradViews['fc.weight'],
        gbias: gradViews['fc.bias'],
        outputSize: clean.readout.outputSize,
        inSize: D * H,
      }
    : null;
  const model: Model = { spec: clean, params, grads, layout, views, gradViews, layers, readout };
  if (!options.zero) initParams(model, options.seed ?? 0);
  return model;
}

/** Re-initialises every parameter in PyTorch's scheme from `Rng(seed)` (see `createModel`). */
export function initParams(model: Model, seed: number): void {
  const rng = new Rng(seed);
  const kRnn = 1 / Math.sqrt(model.spec.hiddenSize);
  // nn.Linear: weight and bias both U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = D*H.
  const kFc = model.readout ? 1 / Math.sqrt(model.readout.inSize) : 0;
  for (const p of model.layout) {
    const k = p.role === 'fc.weight' || p.role === 'fc.bias' ? kFc : kRnn;
    rng.fillUniform(model.views[p.name], -k, k);
  }
}

function info(model: Model, name: string): ParamInfo {
  const p = model.layout.find((q) => q.name === name);
  if (!p) {
    throw new EngineError('PARAM_UNKNOWN', {
      name,
      known: model.layout.map((q) => q.name).join(', '),
    });
  }
  return p;
}

/** The live view of parameter `name` (writes go into the model). */
export function getParam(model: Model, name: string): Float32Array {
  info(model, name);
  return model.views[name];
}

/** The live view of the gradient of parameter `name`. */
export function getGrad(model: Model, name: string): Float32Array {
  info(model, name);
  return model.gradViews[name];
}

/**
 * Copies `data` (row-major, PyTorch layout) into parameter `name`. Throws
 * `PARAM_UNKNOWN`, `PARAM_SIZE` (expected vs actual count) or
 * `PARAM_NOT_FINITE` (with the index) and then leaves the model unchanged.
 */
export function setParam(model: Model, name: string, data: ArrayLike<number>): void {
  const p = info(model, name);
  if (data.length !== p.size) {
    throw new EngineError('PARAM_SIZE', {
      name,
      expected: p.size,
      shape: p.shape.join(', '),
      actual: data.length,
    });
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new EngineError('PARAM_NOT_FINITE', { name, value: String(data[i]), index: i });
    }
  }
  model.views[name].set(data);
}

/** A copy of every parameter as `{name: {shape, data}}` in layout order. */
export function stateDictOf(model: Model): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of model.layout) {
    out[p.name] = { shape: [...p.shape], data: model.views[p.name].slice() };
  }
  return out;
}

/** Sets every gradient to 0. */
export function zeroGrads(model: Model): void {
  model.grads.fill(0);
}
