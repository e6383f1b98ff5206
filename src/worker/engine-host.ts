/**
 * The engine behind the worker boundary, as a pure message handler: it gets
 * `ToWorker` messages and answers through `emit`. The worker entry forwards to
 * it; tests and the in-thread fallback drive it directly.
 *
 * A forward run computes the whole trace (fast: the engine preallocates and
 * the step loop allocates nothing), then streams it in frames of a few
 * hundred steps, yielding between frames so a newer command is heard. Each
 * frame is a fresh `Float32Array` (the engine's workspace arrays are reused
 * by the next run, so they are copied, never transferred).
 */
import { createModel, paramCount, type Model } from '../engine';
import { QUANTITIES, layerKey, type Quantity } from '../engine';
import { forward, workspaceOf, type Workspace } from '../engine';
import { importWeights } from './import-weights';
import {
  MAX_STEPS,
  PROTOCOL_VERSION,
  type ConfigureResult,
  type Emit,
  type ErrorInfo,
  type InputPayload,
  type ModelSource,
  type ToWorker,
  type TraceBlock,
  type TraceMeta,
} from './protocol';

export interface EngineHost {
  /** Handle one command; resolves when it is answered (a run: when its last frame was sent). */
  handle(msg: ToWorker): Promise<void>;
  dispose(): void;
}

export interface EngineHostOptions {
  /** Values per frame (all blocks together); a frame holds at least one step. */
  frameValues?: number;
  /** How to yield between frames (default: a macrotask). */
  yieldBetweenFrames?: () => Promise<void>;
}

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));
const now = () => globalThis.performance?.now() ?? Date.now();

/** An error's message and plain details (engine errors carry both). */
function describeError(code: ErrorInfo['code'], err: unknown): ErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  const details: Record<string, string | number | boolean | null> = {};
  const raw = (err as { details?: unknown; code?: unknown } | null) ?? {};
  if (raw.details && typeof raw.details === 'object') {
    for (const [k, v] of Object.entries(raw.details)) {
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
        details[k] = v as string | number | boolean | null;
      }
    }
  }
  if (typeof raw.code === 'string') details.engineCode = raw.code;
  return { code, message, details };
}

function buildModel(source: ModelSource): { model: Model; fileName: string | null } {
  if (source.kind === 'seeded') {
    return { model: createModel(source.spec, { seed: source.seed }), fileName: null };
  }
  return { model: importWeights(source), fileName: source.fileName };
}

/** Creates a host; it says `ready` (with the protocol version) right away. */
export function createEngineHost(emit: Emit, options: EngineHostOptions = {}): EngineHost {
  const frameValues = options.frameValues ?? 32768;
  const yieldFn = options.yieldBetweenFrames ?? macrotask;
  let model: Model | null = null;
  let input: InputPayload | null = null;
  let workspace: Workspace | null = null;
  /** The run allowed to keep streaming (a newer command cancels it). */
  let activeRun: number | null = null;
  let disposed = false;

  queueMicrotask(() => emit({ type: 'ready', protocolVersion: PROTOCOL_VERSION }));

  const reply = (id: number, info: ErrorInfo, runId?: number) =>
    emit({ type: 'error', id, ...(runId === undefined ? {} : { runId }), ...info });

  function configure(id: number, source: ModelSource) {
    activeRun = null;
    let built: { model: Model; fileName: string | null };
    try {
      built = buildModel(source);
    } catch (err) {
      // The previous model stays: a refused file changes nothing.
      reply(id, describeError(source.kind === 'seeded' ? 'bad-spec' : 'bad-weights', err));
      return;
    }
    model = built.model;
    workspace = null;
    const params: ConfigureResult['params'] = {};
    const transfer: Transferable[] = [];
    for (const p of model.layout) {
      const data = model.views[p.name].slice();
      params[p.name] = { shape: [...p.shape], data };
      transfer.push(data.buffer);
    }
    const result: ConfigureResult = {
      spec: model.spec,
      paramCount: paramCount(model.spec),
      fileName: built.fileName,
      params,
    };
    emit({ type: 'ok', id, ok: { kind: 'configure', result } }, transfer);
  }

  function setInput(id: number, inp: InputPayload) {
    activeRun = null;
    const { T, B, inputSize, data } = inp;
    const ints = [T, B, inputSize].every((n) => Number.isInteger(n) && n >= 1);
    if (!ints || !(data instanceof Float32Array) || data.length !== T * B * inputSize) {
      reply(id, {
        code: 'bad-message',
        message: `The input must be [T, B, inputSize] = [${T}, ${B}, ${inputSize}] (${T * B * inputSize} values), got ${data instanceof Float32Array ? data.length : typeof data} values.`,
      });
      return;
    }
    if (T > MAX_STEPS) {
      reply(id, {
        code: 'too-long',
        message: `The sequence has ${T} steps; the limit is ${MAX_STEPS}.`,
        details: { steps: T, limit: MAX_STEPS },
      });
      return;
    }
    input = inp;
    emit({ type: 'ok', id, ok: { kind: 'setInput', T } });
  }

  async function runForward(id: number, runId: number) {
    activeRun = runId;
    if (!model) {
      reply(id, { code: 'no-model', message: 'No model is configured yet.' }, runId);
      return;
    }
    if (!input) {
      reply(id, { code: 'no-input', message: 'No input sequence has been set yet.' }, runId);
      return;
    }
    const spec = model.spec;
    if (input.inputSize !== spec.inputSize) {
      reply(
        id,
        {
          code: 'input-size-mismatch',
          message: `Each step of the input has ${input.inputSize} values, but the model expects ${spec.inputSize} (its inputSize).`,
          details: { actual: input.inputSize, expected: spec.inputSize },
        },
        runId,
      );
      return;
    }
    const { T, B } = input;
    const H = spec.hiddenSize;
    const started = now();
    let trace;
    try {
      trace = forward(model, input.data, { B, workspace });
      workspace = workspaceOf(trace) ?? null;
    } catch (err) {
      reply(id, describeError('engine-failed', err), runId);
      return;
    }
    const computeMs = now() - started;
    emit({ type: 'metrics', runId, computeMs, steps: T, paramCount: paramCount(spec) });

    const blocks: TraceBlock[] = [];
    const arrays: Float32Array[] = [];
    for (const lt of trace.layers) {
      const key = layerKey(lt.layer, lt.direction);
      const base = { key, layer: lt.layer, direction: lt.direction };
      for (const q of QUANTITIES[spec.cell] as readonly Quantity[]) {
        const a = lt.act[q];
        if (a) {
          blocks.push({ ...base, quantity: q, kind: 'act' });
          arrays.push(a);
        }
      }
      for (const [q, a] of Object.entries(lt.pre) as [Quantity, Float32Array | undefined][]) {
        if (a) {
          blocks.push({ ...base, quantity: q, kind: 'pre' });
          arrays.push(a);
        }
      }
    }
    const meta: TraceMeta = { spec, T, B, H, blocks };
    const perStep = blocks.length * B * H;
    const stepsPerFrame = Math.max(1, Math.floor(frameValues / Math.max(1, perStep)));

    for (let t0 = 0; t0 < T; t0 += stepsPerFrame) {
      if (disposed || activeRun !== runId) {
        reply(id, { code: 'cancelled', message: 'A newer command replaced this run.' }, runId);
        return;
      }
      const t1 = Math.min(T, t0 + stepsPerFrame);
      const n = (t1 - t0) * B * H;
      const data = new Float32Array(n * blocks.length);
      arrays.forEach((a, k) => data.set(a.subarray(t0 * B * H, t1 * B * H), k * n));
      emit({ type: 'traceFrame', runId, meta, t0, t1, data }, [data.buffer]);
      emit({ type: 'progress', runId, done: t1, total: T });
      if (t1 < T) await yieldFn();
    }
    if (activeRun === runId) activeRun = null;
    emit({ type: 'ok', id, ok: { kind: 'run', result: { runId, T, computeMs } } });
  }

  async function handle(msg: ToWorker): Promise<void> {
    if (disposed) return;
    if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') {
      emit({
        type: 'error',
        code: 'bad-message',
        message: 'A message without a type was ignored.',
      });
      return;
    }
    switch (msg.type) {
      case 'configure':
        configure(msg.id, msg.source);
        return;
      case 'setInput':
        setInput(msg.id, msg.input);
        return;
      case 'runForward':
        await runForward(msg.id, msg.runId);
        return;
      case 'train':
      case 'step':
        reply(msg.id, {
          code: 'not-implemented',
          message: 'Training is not available yet.',
        });
        return;
      case 'pause':
        // Nothing trains yet; a streaming forward run is not paused but finishes quickly.
        emit({ type: 'ok', id: msg.id, ok: { kind: 'none' } });
        return;
      case 'dispose':
        activeRun = null;
        model = null;
        input = null;
        workspace = null;
        emit({ type: 'ok', id: msg.id, ok: { kind: 'none' } });
        return;
      case 'crashForTest':
        reply(msg.id, {
          code: 'not-implemented',
          message: 'crashForTest is handled by the worker entry only.',
        });
        return;
      default: {
        const unknown = msg as { type: string; id?: number };
        emit({
          type: 'error',
          ...(typeof unknown.id === 'number' ? { id: unknown.id } : {}),
          code: 'bad-message',
          message: `Unknown command "${unknown.type}".`,
        });
      }
    }
  }

  return {
    handle,
    dispose() {
      disposed = true;
      activeRun = null;
      model = null;
      input = null;
      workspace = null;
    },
  };
}
