/**
 * Selectors of the training slice. Charts select `selectTrainVersion` and read the history
 * arrays by reference; everything else is scalars or stable references.
 */
import type { AppState } from './index';
import type { TrainEvalRecord } from './training-slice';

export const selectTrainingState = (s: AppState) => s.trainingStatus;
export const selectTrainTask = (s: AppState) => s.trainTask;
export const selectPresetCell = (s: AppState) => s.presetCell;
export const selectTrainHyper = (s: AppState) => s.trainHyper;
export const selectTrainOptions = (s: AppState) => s.trainOptions;
export const selectPastedDataset = (s: AppState) => s.pastedDataset;
export const selectTrainInfo = (s: AppState) => s.trainInfo;
export const selectTrainIssues = (s: AppState) => s.trainIssues;
export const selectTrainError = (s: AppState) => s.trainError;
export const selectDivergence = (s: AppState) => s.divergence;
export const selectTrainHistory = (s: AppState) => s.history;
export const selectTrainVersion = (s: AppState) => s.trainVersion;
export const selectClipThreshold = (s: AppState) => s.clipThreshold;
export const selectEvals = (s: AppState) => s.evals;
export const selectSnapshots = (s: AppState) => s.snapshots;
export const selectTimelineStep = (s: AppState) => s.timelineStep;
export const selectTrainStep = (s: AppState) => s.trainStep;
export const selectMsPerStep = (s: AppState) => s.msPerStep;
export const selectCurriculumLevel = (s: AppState) => s.curriculumLevel;
export const selectTemperature = (s: AppState) => s.temperature;
export const selectGenerated = (s: AppState) => s.generated;
export const selectPresetMs = (s: AppState) => s.presetMs;
export const selectPresetFile = (s: AppState) => s.presetFile;

/** Whether a loop is running (the form locks, Pause replaces Train). */
export const selectIsTraining = (s: AppState) => s.trainingStatus === 'training';

/** The latest validation record, or null. */
export const selectLatestEval = (s: AppState): TrainEvalRecord | null => s.evals.at(-1) ?? null;

/** The issue of one hyperparameter key (from the worker's refusal), or null. */
export const selectIssueOf = (key: string) => (s: AppState) =>
  s.trainIssues.find((i) => i.key === key) ?? null;
