import type { StateCreator } from 'zustand';
import type { Divergence, HyperparamIssue, Hyperparams, TaskMetrics } from '../engine';
import type { ErrorInfo, TrainingInfo } from '../worker/protocol';
import type { AppState } from './index';

/**
 * Training: the form (task, hyperparameters, run options: plain serializable data), the
 * session the worker holds (`trainInfo`), and the streamed history. The per-step history
 * lives in growable `Float32Array`s by reference, with `trainVersion` bumped once per
 * animation frame at most (the controller coalesces); charts select the version and read
 * the arrays.
 */
export type TrainingStatus =
  'idle' | 'loading' | 'ready' | 'training' | 'paused' | 'finished' | 'diverged' | 'error';

export interface TrainOptions {
  snapshotEvery: number;
  evalEvery: number;
  curriculum: boolean;
  maxSteps: number;
}

/** Per-step history, `n` valid entries in each array (capacity grows by doubling). */
export interface TrainHistory {
  n: number;
  step: Float32Array;
  loss: Float32Array;
  gradNorm: Float32Array;
  score: Float32Array;
}

export interface TrainEvalRecord {
  step: number;
  valLoss: number;
  metrics: TaskMetrics;
}

export interface TrainingData {
  trainingStatus: TrainingStatus;
  trainTask: string;
  /** Cell of the preset picker (a preset is per task and cell). */
  presetCell: 'lstm' | 'gru' | 'rnn-tanh';
  /** The form's hyperparameters (only keys the user or a preset set; the rest are defaults). */
  trainHyper: Partial<Hyperparams>;
  trainOptions: TrainOptions;
  /** Pasted dataset text replacing the shipped file (tasks that read a file), or null. */
  pastedDataset: string | null;
  trainInfo: TrainingInfo | null;
  /** Hyperparameters the worker refused, each with its valid range. */
  trainIssues: HyperparamIssue[];
  trainError: ErrorInfo | null;
  divergence: Divergence | null;
  history: TrainHistory;
  /** The clipping threshold in force (norm clipping), null when off or by value. */
  clipThreshold: number | null;
  evals: TrainEvalRecord[];
  snapshots: number[];
  /** The snapshot shown in the panels, or null for the current weights. */
  timelineStep: number | null;
  trainStep: number;
  curriculumLevel: number | null;
  msPerStep: number | null;
  trainVersion: number;
  temperature: number;
  generated: string | null;
  /** Which preset is shown (file name), and how long loading it to a trace took. */
  presetFile: string | null;
  presetMs: number | null;
}

export interface TrainingActions {
  setTrainTask: (task: string) => void;
  setPresetCell: (cell: TrainingData['presetCell']) => void;
  setHyperparam: <K extends keyof Hyperparams>(key: K, value: Hyperparams[K]) => void;
  setTrainHyper: (hyper: Partial<Hyperparams>) => void;
  setTrainOption: <K extends keyof TrainOptions>(key: K, value: TrainOptions[K]) => void;
  setPastedDataset: (text: string | null) => void;
  setTrainingStatus: (s: TrainingStatus) => void;
  /** A new session started: its info, and the history starts over. */
  startTrainingSession: (info: TrainingInfo, presetFile?: string | null) => void;
  setTrainRefusal: (error: ErrorInfo | null) => void;
  appendTrainSteps: (
    steps: {
      step: ArrayLike<number>;
      loss: ArrayLike<number>;
      gradNorm: ArrayLike<number>;
      score: ArrayLike<number>;
    },
    clipThreshold: number | null,
    level: number | null,
  ) => void;
  addTrainEval: (e: TrainEvalRecord) => void;
  /** Several validation records in one write (the controller's batches). */
  addTrainEvals: (list: TrainEvalRecord[]) => void;
  setTrainProgress: (step: number, msPerStep: number, snapshots: number[]) => void;
  /** The snapshot steps the timeline offers (kept unchanged while a loop runs). */
  setSnapshots: (snapshots: number[]) => void;
  setDivergence: (d: Divergence | null) => void;
  setTimelineStep: (step: number | null) => void;
  setTemperature: (t: number) => void;
  setGenerated: (text: string | null) => void;
  setPresetMs: (ms: number | null) => void;
  /** Bump the version the charts watch (the controller calls it at most once per frame). */
  touchTraining: () => void;
}
export type TrainingSlice = TrainingData & TrainingActions;

const emptyHistory = (): TrainHistory => ({
  n: 0,
  step: new Float32Array(256),
  loss: new Float32Array(256),
  gradNorm: new Float32Array(256),
  score: new Float32Array(256),
});

export const initialTraining = (): TrainingData => ({
  trainingStatus: 'idle',
  trainTask: 'recall',
  presetCell: 'lstm',
  trainHyper: {},
  trainOptions: { snapshotEvery: 10, evalEvery: 25, curriculum: false, maxSteps: 0 },
  pastedDataset: null,
  trainInfo: null,
  trainIssues: [],
  trainError: null,
  divergence: null,
  history: emptyHistory(),
  clipThreshold: null,
  evals: [],
  snapshots: [],
  timelineStep: null,
  trainStep: 0,
  curriculumLevel: null,
  msPerStep: null,
  trainVersion: 0,
  temperature: 0.8,
  generated: null,
  presetFile: null,
  presetMs: null,
});

function grow(a: Float32Array, need: number): Float32Array {
  if (need <= a.length) return a;
  let cap = a.length;
  while (cap < need) cap *= 2;
  const b = new Float32Array(cap);
  b.set(a);
  return b;
}

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set, get) => ({
  ...initialTraining(),
  setTrainTask: (trainTask) => set({ trainTask, pastedDataset: null, trainIssues: [] }),
  setPresetCell: (presetCell) => set({ presetCell }),
  setHyperparam: (key, value) => set({ trainHyper: { ...get().trainHyper, [key]: value } }),
  setTrainHyper: (trainHyper) => set({ trainHyper }),
  setTrainOption: (key, value) => set({ trainOptions: { ...get().trainOptions, [key]: value } }),
  setPastedDataset: (pastedDataset) => set({ pastedDataset }),
  setTrainingStatus: (trainingStatus) => set({ trainingStatus }),
  startTrainingSession: (info, presetFile = null) =>
    set({
      trainInfo: info,
      trainingStatus: 'ready',
      trainIssues: [],
      trainError: null,
      divergence: null,
      history: emptyHistory(),
      evals: [],
      snapshots: info.snapshots,
      timelineStep: null,
      trainStep: info.step,
      curriculumLevel: null,
      msPerStep: null,
      generated: null,
      clipThreshold: info.hyper.clipMode === 'norm' ? info.hyper.clipThreshold : null,
      presetFile,
      trainVersion: get().trainVersion + 1,
    }),
  setTrainRefusal: (error) =>
    set({
      trainError: error,
      trainIssues: error?.issues ?? [],
      ...(error ? { trainingStatus: get().trainInfo ? get().trainingStatus : 'error' } : {}),
    }),
  appendTrainSteps: (s, clipThreshold, level) => {
    const h = get().history;
    const n = s.step.length;
    const need = h.n + n;
    // Mutated in place (by reference, like the trace); the version bump tells the charts.
    h.step = grow(h.step, need);
    h.loss = grow(h.loss, need);
    h.gradNorm = grow(h.gradNorm, need);
    h.score = grow(h.score, need);
    for (let k = 0; k < n; k++) {
      h.step[h.n + k] = s.step[k];
      h.loss[h.n + k] = s.loss[k];
      h.gradNorm[h.n + k] = s.gradNorm[k];
      h.score[h.n + k] = s.score[k];
    }
    h.n = need;
    set({ clipThreshold, curriculumLevel: level });
  },
  addTrainEval: (e) => set({ evals: [...get().evals, e] }),
  addTrainEvals: (list) => {
    if (list.length > 0) set({ evals: get().evals.concat(list) });
  },
  setTrainProgress: (trainStep, msPerStep, snapshots) => {
    set({ trainStep, msPerStep });
    get().setSnapshots(snapshots);
  },
  setSnapshots: (snapshots) => {
    const prev = get().snapshots;
    if (prev.length !== snapshots.length || prev.some((x, k) => x !== snapshots[k])) {
      set({ snapshots });
    }
  },
  setDivergence: (divergence) =>
    set(divergence ? { divergence, trainingStatus: 'diverged' } : { divergence }),
  setTimelineStep: (timelineStep) => set({ timelineStep }),
  setTemperature: (temperature) => set({ temperature }),
  setGenerated: (generated) => set({ generated }),
  setPresetMs: (presetMs) => set({ presetMs }),
  touchTraining: () => set({ trainVersion: get().trainVersion + 1 }),
});
