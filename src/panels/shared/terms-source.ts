/**
 * Gets the engine's `stepTerms` for the store's trace. The store keeps the
 * parameters by PyTorch name and the trace by layer key; the engine wants a
 * `Model` and a `Trace`, so this builds both as views over the same arrays
 * (nothing is recomputed here: the engine does every sum and product).
 */
import { createModel, directions, setParam, stepTerms } from '../../engine';
import type { Model, ModelSpec, StepTerms, Trace } from '../../engine';
import type { AppState } from '../../store';
import type { StoreTrace } from '../../store/trace-slice';

type Params = NonNullable<AppState['params']>;

let cachedModel: { params: Params; spec: ModelSpec; model: Model | null } | null = null;

/**
 * An engine model holding the store's parameters, or null when they do not fit
 * the trace's spec (the trace of a previous model is still on screen while the
 * new one is configured).
 */
export function modelFor(params: Params | null, spec: ModelSpec): Model | null {
  if (!params) return null;
  if (cachedModel && cachedModel.params === params && cachedModel.spec === spec)
    return cachedModel.model;
  let model: Model | null = null;
  try {
    model = createModel(spec, { zero: true });
    for (const p of model.layout) {
      const src = params[p.name];
      if (!src) throw new Error(`missing ${p.name}`);
      setParam(model, p.name, src.data);
    }
  } catch {
    model = null;
  }
  cachedModel = { params, spec, model };
  return model;
}

const traceViews = new WeakMap<StoreTrace, Trace>();

/**
 * The engine's view of a store trace: the same activation arrays, zero
 * initial states (the worker starts every run from zeros), and layer inputs
 * (layer 0 the input; layer l the output of layer l-1, forward half first).
 * For layers above the first, the row of step t is gathered on demand by
 * {@link termsAt}, since the store does not keep a layer's output as one array.
 */
export function traceFor(st: StoreTrace): Trace {
  const hit = traceViews.get(st);
  if (hit) return hit;
  const { spec, T, B, H } = st.meta;
  const D = directions(spec);
  const L = spec.numLayers;
  const layers: Trace['layers'] = [];
  for (let l = 0; l < L; l++)
    for (let d = 0; d < D; d++) {
      const key = d === 1 ? `l${l}_reverse` : `l${l}`;
      layers.push({
        key,
        layer: l,
        direction: d as 0 | 1,
        act: st.layers[key] ?? {},
        pre: st.pre[key] ?? {},
      });
    }
  const layerInputs = [st.input];
  for (let l = 1; l < L; l++) layerInputs.push(new Float32Array(T * B * D * H));
  const zeros = new Float32Array(L * D * B * H);
  const trace: Trace = {
    spec,
    T,
    B,
    lengths: new Int32Array(B).fill(T),
    training: false,
    input: st.input,
    h0: zeros,
    c0: spec.cell === 'lstm' ? zeros : null,
    layerInputs,
    layers,
    output: new Float32Array(0),
    hN: new Float32Array(0),
    cN: null,
    readout: null,
    probs: null,
    readoutSteps: 0,
  };
  traceViews.set(st, trace);
  return trace;
}

/** Query of {@link termsAt}. */
export interface TermsQuery {
  layer: number;
  direction: 0 | 1;
  t: number;
  unit: number;
}

/**
 * The engine's terms of `unit` at step `t`, or null when they cannot be had
 * yet (no parameters for this trace, step not received). Batch item 0.
 */
export function termsAt(
  st: StoreTrace | null,
  traceT: number,
  params: Params | null,
  q: TermsQuery,
): StepTerms | null {
  if (!st || q.t < 0 || q.t >= traceT) return null;
  const model = modelFor(params, st.meta.spec);
  if (!model) return null;
  const trace = traceFor(st);
  if (q.layer > 0) gatherLayerInput(st, trace, q.layer, q.t);
  try {
    return stepTerms(model, trace, { ...q, b: 0 });
  } catch {
    return null;
  }
}

/** Copy the lower layer's h at step t (both directions, forward first) into layer `layer`'s input row. */
function gatherLayerInput(st: StoreTrace, trace: Trace, layer: number, t: number) {
  const { spec, B, H } = st.meta;
  const D = directions(spec);
  const X = trace.layerInputs[layer];
  for (let d = 0; d < D; d++) {
    const h = st.layers[d === 1 ? `l${layer - 1}_reverse` : `l${layer - 1}`]?.h;
    if (!h) continue;
    for (let b = 0; b < B; b++) {
      const src = (t * B + b) * H;
      const dst = (t * B + b) * D * H + d * H;
      X.set(h.subarray(src, src + H), dst);
    }
  }
}
