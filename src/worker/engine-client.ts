/**
 * The main thread's side of the engine worker: typed promises over request
 * ids, run ids on streamed messages (events of an older run are dropped), a
 * crashed worker restarted with the last configuration and input that worked,
 * and an in-thread host where `Worker` is missing (jsdom, old embeds).
 */
import type { TaskMetrics } from '../engine';
import { createEngineHost } from './engine-host';
import {
  PROTOCOL_VERSION,
  type ConfigureResult,
  type ErrorInfo,
  type FromWorker,
  type InputPayload,
  type ModelSource,
  type OkResult,
  type RunResult,
  type ToWorker,
  type TrainSetup,
  type TrainStatus,
  type TrainingInfo,
  type TrainingView,
} from './protocol';

/** What the client needs of a Worker (a real one, or a MessagePort wrapper in tests). */
export interface WorkerLike {
  postMessage(msg: ToWorker, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null;
  onerror: ((e: Event) => void) | null;
  terminate(): void;
}

export type TraceFrameMsg = Extract<FromWorker, { type: 'traceFrame' }>;
export type ProgressMsg = Extract<FromWorker, { type: 'progress' }>;
export type MetricsMsg = Extract<FromWorker, { type: 'metrics' }>;
export type TrainMetricsMsg = Extract<FromWorker, { type: 'trainMetrics' }>;
export type TrainEvalMsg = Extract<FromWorker, { type: 'trainEval' }>;
export type TrainProgressMsg = Extract<FromWorker, { type: 'trainProgress' }>;
export type DivergedMsg = Extract<FromWorker, { type: 'diverged' }>;

/** Training events (only those of the latest training run); several listeners may subscribe. */
export interface TrainingListener {
  metrics?: (msg: TrainMetricsMsg) => void;
  evaluation?: (msg: TrainEvalMsg) => void;
  progress?: (msg: TrainProgressMsg) => void;
  diverged?: (msg: DivergedMsg) => void;
  paused?: (runId: number) => void;
}

/** Events the client passes on (only those of the latest run). */
export interface ClientListener {
  frame?: (msg: TraceFrameMsg) => void;
  progress?: (msg: ProgressMsg) => void;
  metrics?: (msg: MetricsMsg) => void;
  paused?: (runId: number) => void;
  /** Errors nobody awaits: a worker crash, a protocol mismatch, an error of a streaming run. */
  error?: (err: ErrorInfo & { runId?: number }) => void;
  /** A crashed worker was replaced and given the last good configuration and input. */
  restarted?: () => void;
}

/** A rejected request: the worker's error code and exact message. */
export class EngineClientError extends Error {
  readonly code: ErrorInfo['code'];
  readonly details: ErrorInfo['details'];
  /** Refused hyperparameters, each with its valid range. */
  readonly issues: ErrorInfo['issues'];
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'EngineClientError';
    this.code = info.code;
    this.details = info.details;
    this.issues = info.issues;
  }
}

export interface EngineClientOptions {
  listener: ClientListener;
  /**
   * Makes a worker; return null to run in this thread. Default: the module
   * worker `engine.worker.ts` where `Worker` exists.
   */
  createWorker?: () => WorkerLike | null;
  /** Consecutive crashes before giving up on workers and running in this thread. */
  maxRestarts?: number;
}

export interface EngineClient {
  /** `worker` or `in-thread` (after a fallback). */
  readonly mode: 'worker' | 'in-thread';
  /** Resolves once the engine said `ready` with our protocol version. */
  readonly ready: Promise<void>;
  configure(source: ModelSource): Promise<ConfigureResult>;
  setInput(input: InputPayload): Promise<number>;
  /** Start a forward run; its frames reach `listener.frame` until a newer run starts. */
  runForward(): { runId: number; done: Promise<RunResult> };
  /** Start or restart the training session (refusals list every issue with its range). */
  setHyperparams(setup: TrainSetup, keepWeights: boolean): Promise<TrainingInfo>;
  /** Start a session from a checkpoint's bytes (cloned, not transferred). */
  loadPreset(setup: TrainSetup, fileName: string, bytes: ArrayBuffer): Promise<TrainingInfo>;
  /** Train until paused, finished or diverged; events reach the training listeners. */
  train(): { runId: number; done: Promise<{ status: TrainStatus; step: number }> };
  pause(): Promise<void>;
  step(): Promise<{ status: TrainStatus; step: number }>;
  viewTraining(step: number | null): Promise<TrainingView>;
  exportWeights(
    format: 'safetensors' | 'state-dict-json',
    step: number | null,
  ): Promise<{ fileName: string; mime: string; bytes: ArrayBuffer }>;
  generate(
    step: number | null,
    prompt: string,
    length: number,
    temperature: number,
  ): Promise<string>;
  evaluate(): Promise<{ step: number; valLoss: number; metrics: TaskMetrics }>;
  /** Subscribe to training events; returns the unsubscribe function. */
  onTraining(l: TrainingListener): () => void;
  /** Test hook: make the worker throw an uncaught error. */
  crashForTest(): void;
  dispose(): void;
}

type Pending = {
  resolve: (ok: OkResult) => void;
  reject: (e: EngineClientError) => void;
};

/** A worker started before the client exists, with what it said meanwhile. */
let prewarmed: { worker: WorkerLike; events: { kind: 'message' | 'error'; e: Event }[] } | null =
  null;

/**
 * Starts the engine worker now (page start-up), so its script, module graph and kernels
 * load while the page renders; the first client takes it over. Messages it sends before
 * then (its `ready`) are kept and replayed to the client.
 */
export function prewarmEngineWorker(): void {
  if (prewarmed) return;
  const worker = newModuleWorker();
  if (!worker) return;
  const events: { kind: 'message' | 'error'; e: Event }[] = [];
  worker.onmessage = (e) => events.push({ kind: 'message', e });
  worker.onerror = (e) => events.push({ kind: 'error', e });
  prewarmed = { worker, events };
}

/** The prewarmed worker, handlers replayed once the client sets them. */
function takePrewarmed(): WorkerLike | null {
  const p = prewarmed;
  prewarmed = null;
  if (!p) return null;
  const { worker, events } = p;
  let onmessage: WorkerLike['onmessage'] = null;
  let onerror: WorkerLike['onerror'] = null;
  const replay = () => {
    if (!onmessage || !onerror) return;
    worker.onmessage = onmessage;
    worker.onerror = onerror;
    for (const { kind, e } of events.splice(0)) {
      if (kind === 'message') onmessage(e as MessageEvent<FromWorker>);
      else onerror(e);
    }
  };
  return {
    get onmessage() {
      return onmessage;
    },
    set onmessage(fn) {
      onmessage = fn;
      replay();
    },
    get onerror() {
      return onerror;
    },
    set onerror(fn) {
      onerror = fn;
      replay();
    },
    postMessage: (msg, transfer) => worker.postMessage(msg, transfer),
    terminate: () => worker.terminate(),
  };
}

/** The default worker: a module worker bundled by Vite (the prewarmed one first). */
export function defaultCreateWorker(): WorkerLike | null {
  return takePrewarmed() ?? newModuleWorker();
}

function newModuleWorker(): WorkerLike | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'gatescope-engine',
    }) as unknown as WorkerLike;
  } catch {
    return null;
  }
}

/** A host in this thread, behind the same message interface (replies arrive asynchronously, as from a worker). */
function inThreadWorker(): WorkerLike {
  let closed = false;
  const w: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(msg) {
      queueMicrotask(() => {
        if (closed) return;
        // As the worker entry does, but here a "crash" is reported, not thrown.
        if (msg.type === 'crashForTest') w.onerror?.(new Event('error'));
        else void host.handle(msg);
      });
    },
    terminate() {
      closed = true;
      host.dispose();
    },
  };
  const host = createEngineHost((msg) => {
    queueMicrotask(() => {
      if (!closed) w.onmessage?.({ data: msg } as MessageEvent<FromWorker>);
    });
  });
  return w;
}

/**
 * Creates the client and starts its worker.
 * Requests are answered in order; `runForward` of a newer run makes every
 * message of older runs stale (dropped here, never seen by the store).
 */
export function createEngineClient(options: EngineClientOptions): EngineClient {
  const { listener } = options;
  const create = options.createWorker ?? defaultCreateWorker;
  const maxRestarts = options.maxRestarts ?? 3;

  let worker: WorkerLike;
  let mode: 'worker' | 'in-thread' = 'worker';
  let nextId = 1;
  let latestRunId = 0;
  /** Training runs have their own ids: a forward run (typing) must not silence a training loop. */
  let latestTrainRun = 0;
  const trainingListeners = new Set<TrainingListener>();
  const toTraining = (f: (l: TrainingListener) => void) => trainingListeners.forEach(f);
  let crashesInARow = 0;
  let disposed = false;
  const pending = new Map<number, Pending>();
  let lastGoodSource: ModelSource | null = null;
  let lastGoodInput: InputPayload | null = null;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  const fail = (info: ErrorInfo) => new EngineClientError(info);

  function rejectAll(info: ErrorInfo) {
    for (const p of pending.values()) p.reject(fail(info));
    pending.clear();
  }

  function onMessage(e: MessageEvent<FromWorker>) {
    const msg = e.data;
    switch (msg.type) {
      case 'ready':
        if (msg.protocolVersion !== PROTOCOL_VERSION) {
          const info: ErrorInfo = {
            code: 'protocol-mismatch',
            message: `The engine speaks protocol ${msg.protocolVersion}, this page ${PROTOCOL_VERSION}; running the engine in this page instead.`,
          };
          listener.error?.(info);
          rejectAll(info);
          start(inThreadWorker(), 'in-thread');
          return;
        }
        resolveReady();
        return;
      case 'ok': {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        crashesInARow = 0;
        p?.resolve(msg.ok);
        return;
      }
      case 'error': {
        const { type: _t, id, runId, ...info } = msg;
        const p = id === undefined ? undefined : pending.get(id);
        if (p && id !== undefined) {
          pending.delete(id);
          p.reject(fail(info));
        } else if (runId === undefined || runId === latestRunId) {
          listener.error?.(runId === undefined ? info : { ...info, runId });
        }
        return;
      }
      case 'traceFrame':
        if (msg.runId === latestRunId) listener.frame?.(msg);
        return;
      case 'progress':
        if (msg.runId === latestRunId) listener.progress?.(msg);
        return;
      case 'metrics':
        if (msg.runId === latestRunId) listener.metrics?.(msg);
        return;
      case 'paused':
        if (msg.runId === latestRunId) listener.paused?.(msg.runId);
        if (msg.runId === latestTrainRun) toTraining((l) => l.paused?.(msg.runId));
        return;
      case 'trainMetrics':
        if (msg.runId === latestTrainRun) toTraining((l) => l.metrics?.(msg));
        return;
      case 'trainEval':
        if (msg.runId === latestTrainRun) toTraining((l) => l.evaluation?.(msg));
        return;
      case 'trainProgress':
        if (msg.runId === latestTrainRun) toTraining((l) => l.progress?.(msg));
        return;
      case 'diverged':
        if (msg.runId === latestTrainRun) toTraining((l) => l.diverged?.(msg));
        return;
    }
  }

  function onCrash() {
    if (disposed) return;
    crashesInARow++;
    const info: ErrorInfo = {
      code: 'worker-crashed',
      message:
        'The engine worker stopped unexpectedly; it was restarted with the last settings that worked.',
      details: { restarts: crashesInARow },
    };
    rejectAll(info);
    try {
      worker.terminate();
    } catch {
      /* already gone */
    }
    const next = crashesInARow > maxRestarts ? null : create();
    start(next ?? inThreadWorker(), next ? 'worker' : 'in-thread');
    // Replay what last worked, without promises: the bridge re-runs after `restarted`.
    if (lastGoodSource) post({ type: 'configure', id: nextId++, source: lastGoodSource });
    if (lastGoodInput) post({ type: 'setInput', id: nextId++, input: lastGoodInput });
    listener.error?.(info);
    listener.restarted?.();
  }

  function start(w: WorkerLike, m: 'worker' | 'in-thread') {
    worker = w;
    mode = m;
    w.onmessage = onMessage;
    w.onerror = (e) => {
      e.preventDefault?.();
      onCrash();
    };
  }

  function post(msg: ToWorker) {
    worker.postMessage(msg, []);
  }

  function request(make: (id: number) => ToWorker): Promise<OkResult> {
    if (disposed) {
      return Promise.reject(fail({ code: 'disposed', message: 'The engine was shut down.' }));
    }
    const id = nextId++;
    return new Promise<OkResult>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post(make(id));
    });
  }

  const initial = create();
  start(initial ?? inThreadWorker(), initial ? 'worker' : 'in-thread');

  return {
    get mode() {
      return mode;
    },
    ready,
    async configure(source) {
      const ok = await request((id) => ({ type: 'configure', id, source }));
      if (ok.kind !== 'configure') throw fail({ code: 'bad-message', message: 'configure' });
      lastGoodSource = source;
      return ok.result;
    },
    async setInput(input) {
      const ok = await request((id) => ({ type: 'setInput', id, input }));
      if (ok.kind !== 'setInput') throw fail({ code: 'bad-message', message: 'setInput' });
      lastGoodInput = input;
      return ok.T;
    },
    runForward() {
      const runId = ++latestRunId;
      const done = request((id) => ({ type: 'runForward', id, runId })).then((ok) => {
        if (ok.kind !== 'run') throw fail({ code: 'bad-message', message: 'runForward' });
        return ok.result;
      });
      return { runId, done };
    },
    async setHyperparams(setup, keepWeights) {
      const ok = await request((id) => ({ type: 'setHyperparams', id, setup, keepWeights }));
      if (ok.kind !== 'training') throw fail({ code: 'bad-message', message: 'setHyperparams' });
      return ok.info;
    },
    async loadPreset(setup, fileName, bytes) {
      const ok = await request((id) => ({ type: 'loadPreset', id, setup, fileName, bytes }));
      if (ok.kind !== 'training') throw fail({ code: 'bad-message', message: 'loadPreset' });
      return ok.info;
    },
    train() {
      const runId = ++latestTrainRun;
      const done = request((id) => ({ type: 'train', id, runId })).then((ok) => {
        if (ok.kind !== 'trained') throw fail({ code: 'bad-message', message: 'train' });
        return { status: ok.status, step: ok.step };
      });
      return { runId, done };
    },
    async pause() {
      await request((id) => ({ type: 'pause', id }));
    },
    async step() {
      const runId = latestTrainRun;
      const ok = await request((id) => ({ type: 'step', id, runId }));
      if (ok.kind !== 'trained') throw fail({ code: 'bad-message', message: 'step' });
      return { status: ok.status, step: ok.step };
    },
    async viewTraining(step) {
      const ok = await request((id) => ({ type: 'viewTraining', id, step }));
      if (ok.kind !== 'view') throw fail({ code: 'bad-message', message: 'viewTraining' });
      return ok.view;
    },
    async exportWeights(format, step) {
      const ok = await request((id) => ({ type: 'exportWeights', id, format, step }));
      if (ok.kind !== 'exported') throw fail({ code: 'bad-message', message: 'exportWeights' });
      return { fileName: ok.fileName, mime: ok.mime, bytes: ok.bytes };
    },
    async generate(step, prompt, length, temperature) {
      const ok = await request((id) => ({
        type: 'generate',
        id,
        step,
        prompt,
        length,
        temperature,
      }));
      if (ok.kind !== 'generated') throw fail({ code: 'bad-message', message: 'generate' });
      return ok.text;
    },
    async evaluate() {
      const ok = await request((id) => ({ type: 'evaluate', id }));
      if (ok.kind !== 'evaluated') throw fail({ code: 'bad-message', message: 'evaluate' });
      return { step: ok.step, valLoss: ok.valLoss, metrics: ok.metrics };
    },
    onTraining(l) {
      trainingListeners.add(l);
      return () => trainingListeners.delete(l);
    },
    crashForTest() {
      post({ type: 'crashForTest', id: nextId++ });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      rejectAll({ code: 'disposed', message: 'The engine was shut down.' });
      try {
        post({ type: 'dispose', id: nextId++ });
        worker.terminate();
      } catch {
        /* already gone */
      }
    },
  };
}
