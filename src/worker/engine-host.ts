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
import { createModel, paramCount, type Model, type TrainingRun } from '../engine';
import { forward, workspaceOf, type Workspace } from '../engine';
import { importWeights } from './import-weights';
import { SessionError, TrainingSession, markWorker } from './training-session';
import {
  MAX_STEPS,
  PROTOCOL_VERSION,
  type ConfigureResult,
  type Emit,
  type ErrorInfo,
  type InputPayload,
  type ModelSource,
  type ToWorker,
  type TrainSetup,
  type TraceMeta,
} from './protocol';
import { traceBlocks } from './trace-blocks';

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
  /** How to yield between training chunks (default: a MessageChannel macrotask, not clamped). */
  yieldBetweenChunks?: () => Promise<void>;
  /** Wall time of one training chunk, ms (default 30): `pause` is heard within it. */
  chunkMs?: number;
}

/** A macrotask without setTimeout's 4 ms clamp, where MessageChannel exists. */
function channelTask(): () => Promise<void> {
  if (typeof MessageChannel === 'undefined') return macrotask;
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((r) => {
      waiting.push(r);
      ch.port2.postMessage(0);
    });
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
  const yieldChunk = options.yieldBetweenChunks ?? channelTask();
  const chunkMs = options.chunkMs ?? 30;
  let session: TrainingSession | null = null;
  /** The training loop allowed to go on (pause or a new session clears it). */
  let activeTrain: number | null = null;
  let trainLoop: Promise<void> | null = null;

  queueMicrotask(() => emit({ type: 'ready', protocolVersion: PROTOCOL_VERSION }));

  const reply = (id: number, info: ErrorInfo, runId?: number) =>
    emit({ type: 'error', id, ...(runId === undefined ? {} : { runId }), ...info });

  function configure(id: number, source: ModelSource) {
    markWorker('configure');
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
    markWorker('configure-sent');
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

    const { blocks, arrays } = traceBlocks(trace);
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

  function sessionError(id: number, err: unknown) {
    if (err instanceof SessionError) reply(id, err.info);
    else reply(id, describeError('engine-failed', err));
  }

  /** Stop a running loop and wait until it returned (it says `paused`). */
  async function stopTraining() {
    activeTrain = null;
    if (trainLoop) await trainLoop;
  }

  async function startSession(id: number, make: () => TrainingSession): Promise<void> {
    await stopTraining();
    let next: TrainingSession;
    try {
      next = make();
    } catch (err) {
      // The previous session stays: a refused setting changes nothing.
      sessionError(id, err);
      return;
    }
    session = next;
    emit({ type: 'ok', id, ok: { kind: 'training', info: next.info() } });
  }

  /** Posts one chunk's results; true when the run can go on. */
  function postChunk(
    s: TrainingSession,
    runId: number,
    res: ReturnType<TrainingRun['runChunk']>,
    ms: number,
  ) {
    const n = res.steps.length;
    if (n > 0) {
      const step = new Float32Array(n);
      const loss = new Float32Array(n);
      const gradNorm = new Float32Array(n);
      const score = new Float32Array(n);
      res.steps.forEach((r, k) => {
        step[k] = r.step;
        loss[k] = r.loss;
        gradNorm[k] = r.gradNorm;
        score[k] = r.score;
      });
      const h = s.run.hyper;
      emit(
        {
          type: 'trainMetrics',
          runId,
          step,
          loss,
          gradNorm,
          score,
          clipThreshold: h.clipMode === 'norm' ? h.clipThreshold : null,
          level: res.level,
        },
        [step.buffer, loss.buffer, gradNorm.buffer, score.buffer],
      );
      const ev = s.setup.evalEvery;
      const last = res.steps[n - 1].step;
      const first = res.steps[0].step;
      // Validation when a multiple of evalEvery was crossed in this chunk, and at the end.
      if (
        res.status !== 'running' ||
        (ev > 0 && Math.floor(last / ev) > Math.floor((first - 1) / ev))
      ) {
        const { metrics, valLoss } = s.evaluate();
        emit({ type: 'trainEval', runId, step: last, valLoss, metrics });
      }
    }
    emit({
      type: 'trainProgress',
      runId,
      step: res.totalSteps,
      maxSteps: s.setup.maxSteps,
      msPerStep: n > 0 ? ms / n : 0,
      snapshots: s.run.snapshots.map((x) => x.step),
    });
    if (res.status === 'diverged' && res.divergence) {
      emit({ type: 'diverged', runId, divergence: res.divergence });
    }
  }

  async function train(id: number, runId: number) {
    const s = session;
    if (!s) {
      reply(id, { code: 'no-training', message: 'No training session: choose a task first.' });
      return;
    }
    await stopTraining();
    activeTrain = runId;
    let finish!: () => void;
    trainLoop = new Promise<void>((r) => (finish = r));
    try {
      while (!disposed && activeTrain === runId && s.run.status === 'running') {
        const started = now();
        const res = s.run.runChunk(100000, { at: started + chunkMs, now });
        postChunk(s, runId, res, now() - started);
        if (res.status !== 'running') break;
        await yieldChunk();
      }
    } catch (err) {
      activeTrain = null;
      finish();
      trainLoop = null;
      reply(id, describeError('engine-failed', err), runId);
      return;
    }
    const st = s.run.status;
    const status = st === 'running' ? 'paused' : st;
    if (status === 'paused') emit({ type: 'paused', runId });
    if (activeTrain === runId) activeTrain = null;
    finish();
    trainLoop = null;
    emit({ type: 'ok', id, ok: { kind: 'trained', status, step: s.run.totalSteps } });
  }

  async function stepOnce(id: number, runId: number) {
    const s = session;
    if (!s) {
      reply(id, { code: 'no-training', message: 'No training session: choose a task first.' });
      return;
    }
    await stopTraining();
    const started = now();
    let res;
    try {
      res = s.run.runChunk(1);
    } catch (err) {
      reply(id, describeError('engine-failed', err), runId);
      return;
    }
    postChunk(s, runId, res, now() - started);
    const st = s.run.status;
    emit({
      type: 'ok',
      id,
      ok: { kind: 'trained', status: st === 'running' ? 'paused' : st, step: s.run.totalSteps },
    });
  }

  function withSession(id: number, fn: (s: TrainingSession) => void) {
    if (!session) {
      reply(id, { code: 'no-training', message: 'No training session: choose a task first.' });
      return;
    }
    try {
      fn(session);
    } catch (err) {
      sessionError(id, err);
    }
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
        // Resolves when the loop stops; the worker entry does not await it, so `pause` is heard
        // between chunks.
        await train(msg.id, msg.runId);
        return;
      case 'step':
        await stepOnce(msg.id, msg.runId);
        return;
      case 'pause':
        // The loop stops after its current chunk and says `paused` itself.
        activeTrain = null;
        emit({ type: 'ok', id: msg.id, ok: { kind: 'none' } });
        return;
      case 'setHyperparams': {
        const prev = msg.keepWeights && session ? session.model : null;
        const setup: TrainSetup = msg.setup;
        await startSession(msg.id, () => new TrainingSession(setup, prev));
        return;
      }
      case 'loadPreset': {
        const { setup, fileName, bytes } = msg;
        markWorker('loadPreset');
        await startSession(msg.id, () => TrainingSession.fromCheckpoint(setup, fileName, bytes));
        markWorker('loadPreset-sent');
        return;
      }
      case 'viewTraining':
        markWorker('view');
        withSession(msg.id, (s) => {
          const { view, transfer } = s.view(msg.step);
          emit({ type: 'ok', id: msg.id, ok: { kind: 'view', view } }, transfer);
        });
        markWorker('view-sent');
        return;
      case 'exportWeights':
        withSession(msg.id, (s) => {
          const file = s.exportWeights(msg.format, msg.step);
          emit({ type: 'ok', id: msg.id, ok: { kind: 'exported', ...file } }, [file.bytes]);
        });
        return;
      case 'evaluate':
        withSession(msg.id, (s) => {
          const { metrics, valLoss } = s.evaluate();
          emit({
            type: 'ok',
            id: msg.id,
            ok: { kind: 'evaluated', step: s.run.totalSteps, valLoss, metrics },
          });
        });
        return;
      case 'generate':
        withSession(msg.id, (s) => {
          const text = s.generate(msg.step, msg.prompt, msg.length, msg.temperature);
          emit({ type: 'ok', id: msg.id, ok: { kind: 'generated', text } });
        });
        return;
      case 'dispose':
        activeRun = null;
        activeTrain = null;
        session = null;
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
      activeTrain = null;
      session = null;
      model = null;
      input = null;
      workspace = null;
    },
  };
}
