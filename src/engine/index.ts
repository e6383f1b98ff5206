/**
 * Public API of the Gatescope engine: pure TypeScript, no DOM, usable in the
 * worker, in Node and in tests. Import from here (`src/engine`), not from the
 * files inside. Names here are stable: add, do not rename.
 */
export * from './types';
export { ERROR_MESSAGES, EngineError, formatError, describeValue } from './errors';
export type { EngineErrorCode, ErrorDetails } from './errors';
export { Rng, createRng } from './random';
export { scalarKernels, setKernels, getKernels } from './kernels';
export type { Kernels } from './kernels';
export {
  SPEC_LIMITS,
  validateSpec,
  directions,
  paramLayout,
  paramCount,
  macsPerStep,
  createModel,
  initParams,
  getParam,
  getGrad,
  setParam,
  stateDictOf,
  zeroGrads,
} from './model';
export type { Model, ParamInfo, LayerParams, ReadoutParams, CreateModelOptions } from './model';
export { CELLS, sigmoid } from './cells';
export type { CellImpl, CellRun } from './cells';
export {
  forward,
  createWorkspace,
  ensureWorkspace,
  workspaceOf,
  specKey,
  layerIndex,
  softmaxRows,
  checkArray,
} from './unroll';
export type { Workspace, ForwardOptions } from './unroll';
export { backward, clipGradNorm, clipGradValue, gradNorm } from './bptt';
export type { BackwardOptions, BackwardResult } from './bptt';
export { mseLoss, crossEntropyLoss, externalLoss } from './loss';
export type { LossResult, ExternalLossWeights } from './loss';
export { stepTerms } from './terms';
export type { StepTerms, StepTermsQuery, GateTerms, UpdateTerms } from './terms';
export {
  runCase,
  runForwardCase,
  CASE_RUNNERS,
  CASE_RESULT_KEYS,
  readTensor,
  tensorJson,
  modelFromStateDict,
  flattenTensors,
} from './case';
export type { CaseOutput, CaseRunner, RunCaseOptions, TensorJson, TensorLeaf } from './case';
export {
  SAFETENSORS_DTYPES,
  parseSafetensors,
  writeSafetensors,
  f16BitsToNumber,
  numberToF16Bits,
  bf16BitsToNumber,
  numberToBf16Bits,
} from './io/safetensors';
export type {
  SafetensorsDtype,
  SafetensorsFile,
  TensorLike,
  WriteSafetensorsOptions,
} from './io/safetensors';
export {
  parseStateDictJson,
  tensorFromJson,
  stateDictToJson,
  detectPrefixes,
  inferSpec,
  checkStateDict,
  loadIntoModel,
  importStateDict,
  importSafetensors,
  exportStateDict,
  exportStateDictJson,
  exportSafetensors,
  SPEC_METADATA_KEY,
} from './io/state-dict';
export type {
  StateDict,
  StateDictJson,
  StateDictPrefixes,
  InferSpecOptions,
  ImportOptions,
  ImportedModel,
  ExportOptions,
} from './io/state-dict';
export { runTrainCase, runSafetensorsCase } from './io/cases';
export {
  createOptimizer,
  resolveOptimizerConfig,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_NAMES,
} from './optimizers';
export type {
  Optimizer,
  OptimizerConfig,
  OptimizerName,
  ResolvedOptimizerConfig,
  SgdConfig,
  AdamConfig,
  RmspropConfig,
} from './optimizers';
export { Trainer, LOSS_KINDS } from './train';
export type { LossKind, TrainConfig, TrainBatch, TrainStepResult } from './train';
export * from './tasks';
export {
  HYPERPARAM_SPECS,
  HYPERPARAM_KEYS,
  CLIP_MODES,
  HYPER_OPTIMIZERS,
  HYPER_LOSSES,
  defaultHyperparams,
  describeRange,
  hyperparamIssues,
  validateHyperparams,
  modelSpecFor,
  optimizerConfigFor,
  trainConfigFor,
} from './hyperparams';
export type {
  Hyperparams,
  HyperparamKey,
  HyperparamSpec,
  HyperparamIssue,
  ClipMode,
  HyperOptimizer,
  ModelTarget,
} from './hyperparams';
export { TrainingRun, hyperparamsForTask, setForgetBias } from './train-loop';
export type {
  TrainingRunOptions,
  CurriculumConfig,
  StepRecord,
  EvalRecord,
  Snapshot,
  Divergence,
  DivergenceReason,
  RunStatus,
  ChunkResult,
} from './train-loop';
