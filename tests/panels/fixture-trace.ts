/**
 * A real engine run turned into what the store holds (a `StoreTrace` and the
 * parameters by PyTorch name), so panel tests check the engine's numbers.
 */
import { createModel, forward, layerKey, stateDictOf } from '../../src/engine';
import type { CellKind, ModelSpec, Quantity, Trace } from '../../src/engine';
import { Rng } from '../../src/engine';
import { useAppStore } from '../../src/store';
import type { AppState } from '../../src/store';
import type { StoreTrace } from '../../src/store/trace-slice';

export interface Fixture {
  spec: ModelSpec;
  engineTrace: Trace;
  trace: StoreTrace;
  params: NonNullable<AppState['params']>;
}

export function makeFixture(
  cell: CellKind,
  opts: {
    T?: number;
    H?: number;
    I?: number;
    layers?: number;
    bidirectional?: boolean;
    seed?: number;
  } = {},
): Fixture {
  const T = opts.T ?? 6;
  const spec: ModelSpec = {
    cell,
    inputSize: opts.I ?? 3,
    hiddenSize: opts.H ?? 4,
    numLayers: opts.layers ?? 1,
    bidirectional: opts.bidirectional ?? false,
    bias: true,
  };
  const model = createModel(spec, { seed: opts.seed ?? 7 });
  const rng = new Rng(opts.seed ?? 7);
  const input = new Float32Array(T * spec.inputSize);
  rng.fillUniform(input, -1.5, 1.5);
  const engineTrace = forward(model, input);
  const D = spec.bidirectional ? 2 : 1;
  const layers: StoreTrace['layers'] = {};
  const pre: StoreTrace['pre'] = {};
  for (let l = 0; l < spec.numLayers; l++)
    for (let d = 0; d < D; d++) {
      const lt = engineTrace.layers[l * D + d];
      const key = layerKey(l, d as 0 | 1);
      layers[key] = {};
      pre[key] = {};
      for (const [q, arr] of Object.entries(lt.act)) layers[key][q as Quantity] = arr.slice();
      for (const [q, arr] of Object.entries(lt.pre)) pre[key][q as Quantity] = arr.slice();
    }
  const trace: StoreTrace = {
    runId: 1,
    meta: { spec, T, B: 1, H: spec.hiddenSize, blocks: [] },
    layers,
    pre,
    input: input.slice(),
    tokens: 'abcdefghijklmnopqrstuvwxyz'.slice(0, T).split(''),
  };
  const params: Fixture['params'] = {};
  for (const [name, tensor] of Object.entries(stateDictOf(model)))
    params[name] = { shape: tensor.shape, data: new Float32Array(tensor.data) };
  return { spec, engineTrace, trace, params };
}

/** Put a fixture into the store as if the worker had streamed all of it. */
export function loadFixture(f: Fixture) {
  useAppStore.setState({
    trace: f.trace,
    traceT: f.trace.meta.T,
    traceVersion: useAppStore.getState().traceVersion + 1,
    params: f.params,
    runStatus: 'done',
  });
}
