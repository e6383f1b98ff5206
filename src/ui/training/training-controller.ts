/**
 * The training side of the app: sends training commands to the engine the bridge owns,
 * turns streamed training events into the store (at most one chart update per animation
 * frame), fetches shipped datasets and presets from the app's own origin, and shows a
 * session's sample trace (current weights or a timeline snapshot) in the panels.
 */
import { TASK_CATALOG, type Hyperparams } from '../../engine';
import { useAppStore } from '../../store';
import { getEngineBridge } from '../../store/engine-bridge';
import type { StoreTrace } from '../../store/trace-slice';
import type { TrainEvalRecord } from '../../store/training-slice';
import { rafThrottle } from '../../viz/raf';
import { EngineClientError, type EngineClient } from '../../worker/engine-client';
import type { ErrorInfo, TrainSetup, TrainingView } from '../../worker/protocol';

type Store = typeof useAppStore;

/** How often streamed training events reach the store (and the charts redraw), ms. */
const CHART_INTERVAL_MS = 250;
/** How often validation records reach the store while a loop runs, ms. */
const EVALS_INTERVAL_MS = 1000;

export interface PresetEntry {
  task: string;
  cell: string;
  file: string;
  hyper: Partial<Hyperparams>;
  steps: number;
  metric: string;
  value: number;
}

export interface TrainingControllerOptions {
  store?: Store;
  /** The engine client (default: the running bridge's). */
  client?: () => EngineClient | null;
  /** Reads a file shipped under `public/` (path relative to the app's base). */
  fetchBytes?: (path: string) => Promise<ArrayBuffer>;
}

const base = (): string => {
  const env = (import.meta as { env?: { BASE_URL?: string } }).env;
  return env?.BASE_URL ?? '/';
};

async function defaultFetch(path: string): Promise<ArrayBuffer> {
  const res = await fetch(`${base()}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

const asInfo = (e: unknown): ErrorInfo =>
  e instanceof EngineClientError
    ? {
        code: e.code,
        message: e.message,
        details: e.details,
        ...(e.issues ? { issues: e.issues } : {}),
      }
    : { code: 'engine-failed', message: e instanceof Error ? e.message : String(e) };

/** Negative run ids for training views, so they never match a forward run of the bridge. */
let viewSerial = 0;

/** The trace of a training view, as the store keeps traces. */
export function viewToTrace(view: TrainingView): StoreTrace {
  const { meta, data } = view;
  const n = meta.T * meta.B * meta.H;
  const layers: StoreTrace['layers'] = {};
  const pre: StoreTrace['pre'] = {};
  meta.blocks.forEach((b, k) => {
    const into = b.kind === 'act' ? layers : pre;
    (into[b.key] ??= {})[b.quantity] = data.subarray(k * n, (k + 1) * n);
  });
  return { runId: --viewSerial, meta, layers, pre, input: view.input, tokens: view.tokens };
}

export interface TrainingController {
  /** (Re)start the session from the form; `keepWeights` continues with the current weights. */
  apply(keepWeights?: boolean): Promise<boolean>;
  /** Load the shipped preset of the form's task and preset cell and show its trace. */
  loadPreset(): Promise<void>;
  /** Load a checkpoint file (`.safetensors` or state_dict `.json`) for the form's task. */
  importFile(file: Blob & { name: string }): Promise<void>;
  train(): Promise<void>;
  pause(): Promise<void>;
  step(): Promise<void>;
  /** Show a snapshot (null: the current weights) in the panels. */
  show(step: number | null): Promise<void>;
  exportWeights(format: 'safetensors' | 'state-dict-json'): Promise<{
    fileName: string;
    mime: string;
    bytes: ArrayBuffer;
  } | null>;
  generate(): Promise<void>;
  presets(): Promise<PresetEntry[]>;
  /**
   * Times `steps` training steps of the benchmark's W2 workload (batch 32, T 50, I 32,
   * H 128, LSTM, Adam) through the worker; ms per step as the worker measured each chunk.
   * Replaces the current session (browser tests and the curious; not in the UI).
   */
  benchW2(steps: number): Promise<number[]>;
  stop(): void;
}

/** Starts listening to the engine's training events; call `stop()` on unmount. */
export function createTrainingController(
  options: TrainingControllerOptions = {},
): TrainingController {
  const store = options.store ?? useAppStore;
  const getClient = options.client ?? (() => getEngineBridge()?.client ?? null);
  const fetchBytes = options.fetchBytes ?? defaultFetch;
  const texts = new Map<string, Promise<string>>();
  let presetList: Promise<PresetEntry[]> | null = null;
  let subscribedTo: EngineClient | null = null;
  let unsubscribe: (() => void) | null = null;

  /**
   * Streamed events wait here and reach the store together a few times a second: a loss
   * curve needs no 60 Hz, and every store write re-renders (measured: per-message writes
   * kept the main thread busy while training).
   */
  const pending = {
    step: [] as number[],
    loss: [] as number[],
    gradNorm: [] as number[],
    score: [] as number[],
    clip: null as number | null,
    level: null as number | null,
    progress: null as { step: number; ms: number; snapshots: number[] } | null,
    evals: [] as TrainEvalRecord[],
  };
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Snapshot steps streamed while a loop runs wait here until it stops: the timeline cannot
   * be scrubbed while training, and updating it 4 times a second relaid out the page.
   */
  let heldSnapshots: number[] | null = null;
  const releaseSnapshots = () => {
    if (heldSnapshots) store.getState().setSnapshots(heldSnapshots);
    heldSnapshots = null;
  };
  let evalsAt = -Infinity;
  /** `all`: the loop stopped, everything pending goes to the store now. */
  const flushNow = (all = false) => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const st = store.getState();
    const training = !all && st.trainingStatus === 'training';
    if (pending.step.length > 0) {
      st.appendTrainSteps(pending, pending.clip, pending.level);
      pending.step = [];
      pending.loss = [];
      pending.gradNorm = [];
      pending.score = [];
    }
    // Validation records ride the same batch (one write each re-rendered the metrics and
    // charts apart from the flush), and while training at most once a second: the metrics
    // and confusion table re-rendered and relaid out at every flush otherwise.
    const now = performance.now();
    if (pending.evals.length > 0 && (!training || now - evalsAt >= EVALS_INTERVAL_MS)) {
      evalsAt = now;
      const evals = pending.evals;
      pending.evals = [];
      st.addTrainEvals(evals);
    }
    if (pending.progress) {
      const p = pending.progress;
      pending.progress = null;
      const hold = training;
      // Held while the loop runs; the last list replaces any held one.
      heldSnapshots = hold ? p.snapshots : null;
      st.setTrainProgress(p.step, p.ms, hold ? st.snapshots : p.snapshots);
    }
    st.touchTraining();
  };
  const touch = rafThrottle(() => flushNow());
  const schedule = () => {
    flushTimer ??= setTimeout(() => touch.schedule(), CHART_INTERVAL_MS);
  };

  function client(): EngineClient {
    const c = getClient();
    if (!c)
      throw new EngineClientError({ code: 'no-model', message: 'The engine is not running.' });
    if (c !== subscribedTo) {
      unsubscribe?.();
      subscribedTo = c;
      unsubscribe = c.onTraining({
        metrics: (m) => {
          for (let k = 0; k < m.step.length; k++) {
            pending.step.push(m.step[k]);
            pending.loss.push(m.loss[k]);
            pending.gradNorm.push(m.gradNorm[k]);
            pending.score.push(m.score[k]);
          }
          pending.clip = m.clipThreshold;
          pending.level = m.level;
          schedule();
        },
        evaluation: (e) => {
          pending.evals.push({ step: e.step, valLoss: e.valLoss, metrics: e.metrics });
          schedule();
        },
        progress: (p) => {
          pending.progress = { step: p.step, ms: p.msPerStep, snapshots: p.snapshots };
          schedule();
        },
        diverged: (d) => store.getState().setDivergence(d.divergence),
      });
    }
    return c;
  }

  const text = (file: string) => {
    let p = texts.get(file);
    if (!p) {
      p = fetchBytes(`datasets/${file}`).then((b) => new TextDecoder().decode(b));
      p.catch(() => texts.delete(file));
      texts.set(file, p);
    }
    return p;
  };

  async function setupOf(): Promise<TrainSetup> {
    const s = store.getState();
    const entry = TASK_CATALOG.find((e) => e.id === s.trainTask);
    let datasetText: string | null = null;
    let datasetName: string | null = null;
    if (entry?.dataset) {
      if (s.pastedDataset !== null) {
        datasetText = s.pastedDataset;
        datasetName = 'pasted';
      } else {
        datasetText = await text(entry.dataset);
        datasetName = entry.dataset;
      }
    }
    return {
      task: s.trainTask,
      datasetText,
      datasetName,
      hyper: s.trainHyper,
      snapshotEvery: s.trainOptions.snapshotEvery,
      evalEvery: s.trainOptions.evalEvery,
      curriculum: s.trainOptions.curriculum,
      maxSteps: s.trainOptions.maxSteps,
    };
  }

  async function show(step: number | null): Promise<void> {
    applyView(await client().viewTraining(step), step);
  }

  /** Puts a training view in the panels: one synchronous batch of store writes, one render. */
  function applyView(view: TrainingView, step: number | null): void {
    const s = store.getState();
    const trace = viewToTrace(view);
    s.setModelParams(view.params, s.trainInfo?.paramCount ?? 0);
    s.beginTrace(trace, view.meta.T);
    s.setRunStatus('done');
    s.setTimelineStep(step);
  }

  async function startFrom(
    make: (c: EngineClient, setup: TrainSetup) => ReturnType<EngineClient['setHyperparams']>,
    presetFile: string | null,
  ): Promise<boolean> {
    const s = store.getState();
    s.setTrainingStatus('loading');
    try {
      const c = client();
      const setup = await setupOf();
      const info = await make(c, setup);
      // The view is fetched before the session reaches the store, so the panels render once
      // with the new trace (a render in between delayed the view's arrival by 40-50 ms).
      const view = await c.viewTraining(null);
      store.getState().startTrainingSession(info, presetFile);
      applyView(view, null);
      // Validation after the trace is up: a preset's gates show first, its metrics follow.
      void c.evaluate().then(
        (e) => store.getState().addTrainEval(e),
        (e: unknown) => store.getState().setTrainRefusal(asInfo(e)),
      );
      return true;
    } catch (e) {
      const st = store.getState();
      st.setTrainRefusal(asInfo(e));
      st.setTrainingStatus(st.trainInfo ? 'ready' : 'error');
      return false;
    }
  }

  async function presets(): Promise<PresetEntry[]> {
    presetList ??= fetchBytes('presets/index.json').then(
      (b) => (JSON.parse(new TextDecoder().decode(b)) as { presets: PresetEntry[] }).presets,
    );
    presetList.catch(() => (presetList = null));
    return presetList;
  }

  const controller: TrainingController = {
    apply: (keepWeights = false) =>
      startFrom((c, setup) => c.setHyperparams(setup, keepWeights), null),
    async loadPreset() {
      const started = performance.now();
      const s = store.getState();
      let entry: PresetEntry | undefined;
      let bytes: ArrayBuffer;
      try {
        entry = (await presets()).find((p) => p.task === s.trainTask && p.cell === s.presetCell);
        if (!entry) throw new Error(`No preset for ${s.trainTask} (${s.presetCell}).`);
        // The task's dataset downloads while the checkpoint does (text() caches the promise).
        const dataset = TASK_CATALOG.find((e) => e.id === s.trainTask)?.dataset;
        if (dataset && s.pastedDataset === null) void text(dataset).catch(() => undefined);
        bytes = await fetchBytes(`presets/${entry.file}`);
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
        return;
      }
      store.getState().setTrainHyper(entry.hyper);
      const file = entry.file;
      const ok = await startFrom((c, setup) => c.loadPreset(setup, file, bytes), file);
      if (ok) store.getState().setPresetMs(performance.now() - started);
    },
    async importFile(file) {
      let bytes: ArrayBuffer;
      try {
        bytes = await file.arrayBuffer();
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
        return;
      }
      await startFrom((c, setup) => c.loadPreset(setup, file.name, bytes), file.name);
    },
    async train() {
      const s = store.getState();
      if (!s.trainInfo && !(await controller.apply())) return;
      let run;
      try {
        run = client().train();
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
        return;
      }
      store.getState().setTrainingStatus('training');
      store.getState().setTimelineStep(null);
      try {
        const res = await run.done;
        flushNow(true);
        const st = store.getState();
        st.setTrainingStatus(res.status);
        releaseSnapshots();
        await show(null);
      } catch (e) {
        const st = store.getState();
        st.setTrainRefusal(asInfo(e));
        st.setTrainingStatus('error');
        releaseSnapshots();
      }
    },
    async pause() {
      try {
        await client().pause();
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
      }
    },
    async step() {
      const s = store.getState();
      if (!s.trainInfo && !(await controller.apply())) return;
      try {
        const res = await client().step();
        flushNow();
        store.getState().setTrainingStatus(res.status);
        await show(null);
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
      }
    },
    async show(step) {
      try {
        await show(step);
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
      }
    },
    async exportWeights(format) {
      try {
        return await client().exportWeights(format, store.getState().timelineStep);
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
        return null;
      }
    },
    async generate() {
      const s = store.getState();
      try {
        const textOut = await client().generate(s.timelineStep, '', 160, s.temperature);
        store.getState().setGenerated(textOut);
      } catch (e) {
        store.getState().setTrainRefusal(asInfo(e));
      }
    },
    presets,
    async benchW2(steps) {
      const c = client();
      await c.setHyperparams(
        {
          task: 'w2-bench',
          datasetText: null,
          datasetName: null,
          hyper: {
            cell: 'lstm',
            hiddenSize: 128,
            batchSize: 32,
            optimizer: 'adam',
            clipMode: 'off',
            loss: 'mse',
          },
          snapshotEvery: 0,
          evalEvery: 0,
          curriculum: false,
          maxSteps: steps,
        },
        false,
      );
      const times: number[] = [];
      const off = c.onTraining({
        progress: (p) => {
          if (p.msPerStep > 0) times.push(p.msPerStep);
        },
      });
      try {
        await c.train().done;
      } finally {
        off();
      }
      return times;
    },
    stop() {
      touch.cancel();
      if (flushTimer) clearTimeout(flushTimer);
      unsubscribe?.();
      unsubscribe = null;
      subscribedTo = null;
    },
  };
  // The preset list is tiny: fetched now, a first "Load pretrained preset" waits for one
  // request fewer (44-116 ms of a first load measured under load).
  void presets().catch(() => undefined);
  // A small browser-test handle like the bridge's: the W2 timing (no power beyond the UI's).
  (globalThis as { __gatescopeTraining?: unknown }).__gatescopeTraining = {
    benchW2: (steps: number) => controller.benchW2(steps),
  };
  return controller;
}
