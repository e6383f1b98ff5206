/**
 * The bridge between the store and the engine worker: it owns the client,
 * sends commands when settings or input change, and turns streamed frames
 * into the store's trace (copied into full-length arrays as they arrive, with
 * at most one store update per animation frame).
 */
import { rafThrottle } from '../viz/raf';
import {
  createEngineClient,
  EngineClientError,
  type EngineClient,
  type TraceFrameMsg,
  type WorkerLike,
} from '../worker/engine-client';
import type { ErrorInfo, ModelSource } from '../worker/protocol';
import type { AppState } from './index';
import { useAppStore } from './index';
import { toFeatures } from './input-parse';
import { loadPresetAsset } from './preset-assets';
import { idbWeightsStore, type SavedWeightsStore } from './saved-weights';
import { selectSpec } from './selectors';
import type { StoreTrace } from './trace-slice';

type Store = typeof useAppStore;

/** A weights file kept in memory (bytes are re-sent after a crash or a form change). */
interface HeldWeights {
  fileName: string;
  format: 'state-dict-json' | 'safetensors';
  bytes: ArrayBuffer;
  formOverride: 'gru-textbook' | 'rnn-relu' | null;
  /** Bumped per loaded file, so two files with one name are two configurations. */
  serial: number;
  /** Set for a shipped pretrained preset (its id) and, for a character model, its vocabulary. */
  preset?: string;
  vocabulary?: string[];
}

export interface EngineBridge {
  client: EngineClient;
  /** Read a weights file and use it (the spec comes from its shapes); errors land in the store. */
  loadWeightsFile(file: Blob & { name: string }): Promise<void>;
  /** For a GRU or RNN from a file: which equations to run the same weights with. */
  setImportedForm(cell: 'gru' | 'gru-textbook' | 'rnn-tanh' | 'rnn-relu'): Promise<void>;
  /** Go back to the seeded model of the settings. */
  forgetWeights(): void;
  /** Resolves when every pending command was sent and the latest run finished. */
  settled(): Promise<void>;
  stop(): void;
}

export interface EngineBridgeOptions {
  createWorker?: () => WorkerLike | null;
  /** Delay before commands go out after a change (typing), ms. */
  debounceMs?: number;
  /** Where a loaded weights file is kept for a reload (default IndexedDB). */
  savedWeights?: SavedWeightsStore;
}

let active: EngineBridge | null = null;

/** Least time between two progressive trace updates of one run, ms (at most one per frame in any case). */
const PROGRESS_SPACING_MS = 100;

/** The running bridge (the file input and tests reach it here), or null. */
export function getEngineBridge(): EngineBridge | null {
  return active;
}

const formatOf = (name: string, bytes: ArrayBuffer): HeldWeights['format'] => {
  if (/\.safetensors$/i.test(name)) return 'safetensors';
  if (/\.json$/i.test(name)) return 'state-dict-json';
  // Sniff: JSON starts with `{` (after spaces); safetensors with a binary length.
  const head = new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength));
  const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return first === 0x7b ? 'state-dict-json' : 'safetensors';
};

/** Starts the engine and keeps it in step with the store until `stop()`. */
export function startEngineBridge(
  store: Store = useAppStore,
  options: EngineBridgeOptions = {},
): EngineBridge {
  const debounceMs = options.debounceMs ?? 60;
  const savedWeights = options.savedWeights ?? idbWeightsStore;
  let weights: HeldWeights | null = null;
  let weightsSerial = 0;
  let configuredKey: string | null = null;
  let sentInputKey: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let syncing: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastRun: Promise<unknown> = Promise.resolve();

  /** The run the store is being filled from, and what it ran on. */
  let current: { runId: number; input: Float32Array; tokens: string[] } | null = null;
  /** The trace being filled (not yet in the store when `begun` is false). */
  let filling: { trace: StoreTrace; receivedT: number; begun: boolean } | null = null;

  /** Set when a preset was configured: its first trace in the store is marked. */
  let markPresetTrace = false;
  const mark = (name: string) => globalThis.performance?.mark?.(`gatescope:preset:${name}`);

  /** When the store last got new steps (progressive updates are spaced, the first and last are not). */
  let lastUpdateAt = -Infinity;
  let spacing: ReturnType<typeof setTimeout> | null = null;
  const flush = rafThrottle(() => {
    if (!filling) return;
    const s = store.getState();
    const now = globalThis.performance?.now() ?? Date.now();
    const complete = filling.receivedT >= filling.trace.meta.T;
    if (filling.begun && !complete && now - lastUpdateAt < PROGRESS_SPACING_MS) {
      // Every store update redraws the panels: while a long run streams in, a few updates suffice.
      spacing ??= setTimeout(
        () => {
          spacing = null;
          flush.schedule();
        },
        PROGRESS_SPACING_MS - (now - lastUpdateAt),
      );
      return;
    }
    lastUpdateAt = now;
    if (!filling.begun) {
      filling.begun = true;
      s.beginTrace(filling.trace, filling.receivedT);
      if (markPresetTrace) {
        // Timeline of a preset's first screen (browser tests read these marks).
        markPresetTrace = false;
        mark('trace');
        // Two frames on: the panels have drawn this trace (canvas panels draw in a frame callback).
        const raf = globalThis.requestAnimationFrame;
        if (typeof raf === 'function') raf(() => raf(() => mark('drawn')));
      }
    } else if (s.trace === filling.trace && s.traceT !== filling.receivedT) {
      s.advanceTrace(filling.receivedT);
    }
  });

  function onFrame(f: TraceFrameMsg) {
    if (!current || f.runId !== current.runId) return;
    const { meta } = f;
    if (!filling || filling.trace.runId !== f.runId) {
      // A new run: full-length arrays, filled as frames arrive (the old trace stays shown until the first flush).
      const size = meta.T * meta.B * meta.H;
      const layers: StoreTrace['layers'] = {};
      const pre: StoreTrace['pre'] = {};
      for (const b of meta.blocks) {
        const into = b.kind === 'act' ? layers : pre;
        (into[b.key] ??= {})[b.quantity] = new Float32Array(size);
      }
      filling = {
        trace: { runId: f.runId, meta, layers, pre, input: current.input, tokens: current.tokens },
        receivedT: 0,
        begun: false,
      };
    }
    const n = (f.t1 - f.t0) * meta.B * meta.H;
    const at = f.t0 * meta.B * meta.H;
    meta.blocks.forEach((b, k) => {
      const into = b.kind === 'act' ? filling!.trace.layers : filling!.trace.pre;
      into[b.key][b.quantity]!.set(f.data.subarray(k * n, (k + 1) * n), at);
    });
    filling.receivedT = Math.max(filling.receivedT, f.t1);
    flush.schedule();
  }

  const client = createEngineClient({
    createWorker: options.createWorker,
    listener: {
      frame: onFrame,
      error: (err) => {
        if (err.code === 'cancelled') return;
        const s = store.getState();
        s.setEngineError(err);
        if (err.code === 'worker-crashed') s.noteWorkerRestart();
      },
      restarted: () => {
        // The new worker holds the last good model and input: run again.
        sentInputKey = null;
        schedule(0);
      },
    },
  });
  store.getState().setEngineMode(client.mode);
  void client.ready.then(() => store.getState().setEngineMode(client.mode));

  function sourceOf(s: AppState): { key: string; source: ModelSource } | null {
    if (s.imported && weights) {
      const { fileName, format, bytes, formOverride, serial } = weights;
      return {
        key: `weights#${serial}#${formOverride ?? ''}`,
        source: { kind: 'weights', fileName, format, bytes, formOverride },
      };
    }
    const spec = selectSpec(s);
    if (!spec) return null;
    return { key: JSON.stringify([spec, s.seed]), source: { kind: 'seeded', spec, seed: s.seed } };
  }

  const asInfo = (e: unknown): ErrorInfo =>
    e instanceof EngineClientError
      ? { code: e.code, message: e.message, details: e.details }
      : { code: 'engine-failed', message: e instanceof Error ? e.message : String(e) };

  /** Loads the store's preset into the worker (the next sync runs it). */
  async function loadPreset(id: string): Promise<void> {
    mark('fetch-start');
    let asset;
    try {
      asset = await loadPresetAsset(id);
    } catch (e) {
      const st = store.getState();
      if (st.preset !== id) return;
      st.setWeightsError({
        code: 'bad-weights',
        message: e instanceof Error ? e.message : String(e),
        fileName: `${id}.safetensors`,
      });
      // The seeded model of the settings shows instead, with the reason beside the controls.
      st.setPreset(null);
      return;
    }
    mark('fetched');
    if (store.getState().preset !== id) return; // the user moved on meanwhile
    const ok = await configureWeights({
      fileName: asset.fileName,
      format: 'safetensors',
      bytes: asset.bytes,
      formOverride: null,
      serial: ++weightsSerial,
      preset: id,
      ...(asset.vocabulary ? { vocabulary: asset.vocabulary } : {}),
    });
    mark('configured');
    markPresetTrace = ok;
    if (!ok && store.getState().preset === id) store.getState().setPreset(null);
  }

  /** Brings back the weights file the session or link names, from this browser's storage. */
  async function restoreWeights(name: string): Promise<void> {
    const saved = await savedWeights.load();
    if (store.getState().weightsFile !== name) return; // the user moved on meanwhile
    if (!saved || saved.fileName !== name) {
      store.getState().setWeightsError({
        code: 'weights-not-saved',
        message: `“${name}” is not saved in this browser.`,
        fileName: name,
      });
      store.setState({ weightsFile: null });
      return;
    }
    await configureWeights({ ...saved, serial: ++weightsSerial }, false);
  }

  async function syncOnce() {
    const s = store.getState();
    const fileInUse = s.imported !== null && s.imported.preset === undefined;
    if (s.preset === null && s.weightsFile !== null && !fileInUse) {
      await restoreWeights(s.weightsFile);
      return;
    }
    if (s.weightsFile === null && fileInUse) {
      // A link without `weights=` shows seeded weights, as it says.
      weights = null;
      s.setImported(null);
      return;
    }
    if (s.preset !== null && s.imported?.preset !== s.preset) {
      // The preset's vocabulary decides how the text reads: nothing runs before it is in.
      await loadPreset(s.preset);
      return;
    }
    // Input with issues: the UI shows them; the last good trace stays.
    if (s.parsed.issues.length > 0) return;
    const want = sourceOf(s);
    if (!want) return;
    if (want.key !== configuredKey) {
      try {
        const res = await client.configure(want.source);
        configuredKey = want.key;
        sentInputKey = null;
        store.getState().setModelParams(res.params, res.paramCount);
      } catch (e) {
        store.getState().setEngineError(asInfo(e));
        return;
      }
    }
    const st = store.getState();
    if (st.parsed.issues.length > 0) return;
    const parsed = st.parsed;
    const inputKey = JSON.stringify([configuredKey, st.inputMode, st.inputText, parsed.inputSize]);
    const features = toFeatures(parsed);
    if (inputKey !== sentInputKey) {
      try {
        await client.setInput({ T: parsed.T, B: 1, inputSize: parsed.inputSize, data: features });
        sentInputKey = inputKey;
      } catch (e) {
        store.getState().setEngineError(asInfo(e));
        return;
      }
    } else if (current && filling?.trace.runId === current.runId) {
      return; // nothing changed since the last run
    }
    const run = client.runForward();
    current = { runId: run.runId, input: features, tokens: parsed.tokens };
    store.getState().setRunStatus('running');
    lastRun = run.done.then(
      (res) => {
        if (current?.runId !== res.runId) return;
        flush.flush();
        const s2 = store.getState();
        s2.setRunStatus('done', res.computeMs);
        if (s2.engineError) s2.setEngineError(null);
        // A step asked for before the trace existed (link, reload) now lands on a real step.
        if (s2.t > s2.traceT - 1) s2.setT(s2.t);
      },
      (e: unknown) => {
        const info = asInfo(e);
        if (info.code === 'cancelled' || info.code === 'disposed') return;
        if (info.code === 'worker-crashed') return; // reported by the listener; rerun follows
        store.getState().setEngineError(info);
        store.getState().setRunStatus('error');
      },
    );
  }

  async function sync() {
    if (stopped) return;
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        await syncOnce();
      } while (again && !stopped);
    })();
    try {
      await syncing;
    } finally {
      syncing = null;
    }
  }

  function schedule(delay = debounceMs) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void sync();
    }, delay);
  }

  const unsubscribe = store.subscribe((s, prev) => {
    if (
      s.cell !== prev.cell ||
      s.hiddenSize !== prev.hiddenSize ||
      s.numLayers !== prev.numLayers ||
      s.bidirectional !== prev.bidirectional ||
      s.seed !== prev.seed ||
      s.parsed !== prev.parsed ||
      s.imported !== prev.imported ||
      s.preset !== prev.preset ||
      s.weightsFile !== prev.weightsFile
    ) {
      schedule();
    }
  });
  schedule(0);

  /** Sends weights to the worker; a user's file is also kept for a reload unless `save` is false. */
  async function configureWeights(next: HeldWeights, save = true): Promise<boolean> {
    const s = store.getState();
    s.setWeightsLoading();
    try {
      const res = await client.configure({
        kind: 'weights',
        fileName: next.fileName,
        format: next.format,
        bytes: next.bytes,
        formOverride: next.formOverride,
      });
      if (next.preset !== undefined && store.getState().preset !== next.preset) {
        // The user left the preset while it loaded: the settings' model runs instead.
        configuredKey = null;
        store.getState().setWeightsError(null);
        schedule(0);
        return false;
      }
      weights = next;
      configuredKey = `weights#${next.serial}#${next.formOverride ?? ''}`;
      sentInputKey = null;
      const st = store.getState();
      st.setModelParams(res.params, res.paramCount);
      if (next.preset !== undefined) {
        // The controls show the preset's shape; changing any of them leaves the preset.
        const { cell, hiddenSize, numLayers, bidirectional } = res.spec;
        store.setState({ cell, hiddenSize, numLayers, bidirectional, weightsFile: null });
      } else {
        // A user's file replaces a preset, and is kept so a reload brings it back.
        store.setState({ preset: null, weightsFile: next.fileName });
        if (save) {
          const { fileName, format, bytes, formOverride } = next;
          void savedWeights.save({ fileName, format, bytes, formOverride });
        }
      }
      st.setImported({
        fileName: next.fileName,
        format: next.format,
        spec: res.spec,
        paramCount: res.paramCount,
        ...(next.preset !== undefined ? { preset: next.preset } : {}),
        ...(next.vocabulary ? { vocabulary: next.vocabulary } : {}),
      });
      schedule(0);
      return true;
    } catch (e) {
      // The previous model stays (the worker kept it too).
      store.getState().setWeightsError({ ...asInfo(e), fileName: next.fileName });
      return false;
    }
  }

  const bridge: EngineBridge = {
    client,
    async loadWeightsFile(file) {
      let bytes: ArrayBuffer;
      try {
        bytes = await file.arrayBuffer();
      } catch (e) {
        store.getState().setWeightsError({
          code: 'bad-weights',
          message: e instanceof Error ? e.message : String(e),
          fileName: file.name,
        });
        return;
      }
      await configureWeights({
        fileName: file.name,
        format: formatOf(file.name, bytes),
        bytes,
        formOverride: null,
        serial: ++weightsSerial,
      });
    },
    async setImportedForm(cell) {
      if (!weights) return;
      const formOverride = cell === 'gru-textbook' || cell === 'rnn-relu' ? cell : null;
      await configureWeights({ ...weights, formOverride });
    },
    forgetWeights() {
      weights = null;
      store.setState({ weightsFile: null });
      void savedWeights.clear();
      store.getState().setPreset(null);
      store.getState().setImported(null);
    },
    async settled() {
      for (;;) {
        if (timer) await new Promise((r) => setTimeout(r, debounceMs + 5));
        if (syncing) await syncing;
        const run = lastRun;
        await run.catch(() => undefined);
        if (!timer && !syncing && run === lastRun) break;
      }
      flush.flush();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (spacing) clearTimeout(spacing);
      flush.cancel();
      unsubscribe();
      client.dispose();
      if (active === bridge) active = null;
    },
  };
  active = bridge;
  // A small handle for browser tests (crash recovery, reading the store); no secrets, no power beyond the UI's.
  (globalThis as { __gatescope?: unknown }).__gatescope = {
    crashWorker: () => client.crashForTest(),
    getState: () => store.getState(),
    subscribe: (fn: (s: AppState, prev: AppState) => void) => store.subscribe(fn),
  };
  return bridge;
}
