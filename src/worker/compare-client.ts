/**
 * The page's side of the comparison worker: request ids answered by `ok`/`error`, a `runId`
 * per comparison (events of an older one are dropped), and an in-thread host where `Worker`
 * is missing (jsdom, old embeds). Kept apart from `engine-client.ts`, whose worker plumbing
 * is typed to the engine protocol; the shape of the two is the same.
 */
import type { CompareEvent } from '../engine/compare';
import type { CompareConfig } from '../engine/compare';
import { createCompareHost } from './compare-host';
import {
  COMPARE_PROTOCOL_VERSION,
  type CompareErrorInfo,
  type FromCompare,
  type ToCompare,
} from './compare-protocol';

export interface CompareWorkerLike {
  postMessage(msg: ToCompare, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<FromCompare>) => void) | null;
  onerror: ((e: Event) => void) | null;
  terminate(): void;
}

export interface CompareListener {
  event?: (event: CompareEvent, runId: number) => void;
  cancelled?: (runId: number) => void;
  /** Errors of the latest run, and worker failures. */
  error?: (err: CompareErrorInfo & { runId?: number }) => void;
}

export class CompareClientError extends Error {
  readonly code: CompareErrorInfo['code'] | 'worker-crashed' | 'disposed';
  constructor(code: CompareClientError['code'], message: string) {
    super(message);
    this.name = 'CompareClientError';
    this.code = code;
  }
}

export interface CompareClient {
  readonly mode: 'worker' | 'in-thread';
  /** Start a comparison; resolves with its runId once the worker accepted the settings. */
  start(config: Partial<CompareConfig>): Promise<number>;
  cancel(): Promise<void>;
  dispose(): void;
}

export interface CompareClientOptions {
  listener: CompareListener;
  /** Makes a worker; return null to run in this thread. Default: `compare.worker.ts`. */
  createWorker?: () => CompareWorkerLike | null;
}

export function defaultCreateCompareWorker(): CompareWorkerLike | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./compare.worker.ts', import.meta.url), {
      type: 'module',
      name: 'gatescope-compare',
    }) as unknown as CompareWorkerLike;
  } catch {
    return null;
  }
}

/** The host in this thread behind the same message interface (answers arrive asynchronously). */
export function inThreadCompareWorker(): CompareWorkerLike {
  let closed = false;
  const w: CompareWorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(msg) {
      queueMicrotask(() => {
        if (!closed) void host.handle(msg);
      });
    },
    terminate() {
      closed = true;
      host.dispose();
    },
  };
  const host = createCompareHost((msg) => {
    queueMicrotask(() => {
      if (!closed) w.onmessage?.({ data: msg } as MessageEvent<FromCompare>);
    });
  });
  return w;
}

/** Creates the client and starts its worker (or the in-thread host). */
export function createCompareClient(options: CompareClientOptions): CompareClient {
  const { listener } = options;
  const made = (options.createWorker ?? defaultCreateCompareWorker)();
  let worker = made ?? inThreadCompareWorker();
  let mode: 'worker' | 'in-thread' = made ? 'worker' : 'in-thread';
  let nextId = 1;
  let latestRunId = 0;
  let disposed = false;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  function attach(w: CompareWorkerLike) {
    w.onmessage = (e) => onMessage(e.data);
    w.onerror = (e) => {
      e.preventDefault?.();
      for (const p of pending.values()) {
        p.reject(new CompareClientError('worker-crashed', 'The comparison worker stopped.'));
      }
      pending.clear();
      listener.error?.({
        code: 'run-failed',
        message: 'The comparison worker stopped unexpectedly; start the comparison again.',
        runId: latestRunId,
      });
      try {
        w.terminate();
      } catch {
        /* gone */
      }
      worker = inThreadCompareWorker();
      mode = 'in-thread';
      attach(worker);
    };
  }

  function onMessage(msg: FromCompare) {
    switch (msg.type) {
      case 'ready':
        if (msg.protocolVersion !== COMPARE_PROTOCOL_VERSION && mode === 'worker') {
          worker.terminate();
          worker = inThreadCompareWorker();
          mode = 'in-thread';
          attach(worker);
        }
        return;
      case 'ok': {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        p?.resolve();
        return;
      }
      case 'error': {
        const { type: _t, id, runId, ...info } = msg;
        const p = id === undefined ? undefined : pending.get(id);
        if (p && id !== undefined) {
          pending.delete(id);
          p.reject(new CompareClientError(info.code, info.message));
        } else if (runId === undefined || runId === latestRunId) {
          listener.error?.(runId === undefined ? info : { ...info, runId });
        }
        return;
      }
      case 'event':
        if (msg.runId === latestRunId) listener.event?.(msg.event, msg.runId);
        return;
      case 'cancelled':
        if (msg.runId === latestRunId) listener.cancelled?.(msg.runId);
        return;
    }
  }

  function request(make: (id: number) => ToCompare): Promise<void> {
    if (disposed) {
      return Promise.reject(new CompareClientError('disposed', 'The comparison was shut down.'));
    }
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage(make(id), []);
    });
  }

  attach(worker);

  return {
    get mode() {
      return mode;
    },
    async start(config) {
      const runId = ++latestRunId;
      await request((id) => ({ type: 'start', id, runId, config }));
      return runId;
    },
    async cancel() {
      // Events still in flight belong to the cancelled run: drop them from now on.
      const runId = latestRunId;
      latestRunId++;
      await request((id) => ({ type: 'cancel', id }));
      listener.cancelled?.(runId);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of pending.values()) {
        p.reject(new CompareClientError('disposed', 'The comparison was shut down.'));
      }
      pending.clear();
      try {
        worker.postMessage({ type: 'dispose', id: nextId++ }, []);
        worker.terminate();
      } catch {
        /* gone */
      }
    },
  };
}
