/**
 * Public API of the Gatescope engine: pure TypeScript, no DOM, usable in the
 * worker, in Node and in tests. Import from here (`src/engine`), not from the
 * files inside. Names here are stable: add, do not rename.
 *
 * A run, end to end (shapes time-major, row-major):
 *   const model = createModel(spec, { seed });                 // params/grads: flat Float32Arrays
 *   const ws = createWorkspace(model.spec, T, B);              // every buffer, once per (spec, T, B)
 *   const trace = forward(model, x, { B, h0, c0, lengths, workspace: ws });
 *   //   trace.layers[l*D+d].act.i / .pre.i ... [T, B, H]; trace.output [T, B, D*H]; hN, cN, readout, probs
 *   const { dReadout } = crossEntropyLoss(trace, targets);     // or mseLoss, or externalLoss weights
 *   const g = backward(model, trace, { dReadout, truncate: k });
 *   //   model.grads; g.dInput, g.dh0, g.dc0; g.dLdh[key] [T, B, H]
 *   clipGradNorm(model.grads, 1);                              // then an optimizer on model.params
 *   stepTerms(model, trace, { layer, direction, t, b, unit }); // the equations panel's numbers
 * Arrays in a trace and in a backward result belong to the workspace and are
 * overwritten by its next run: copy them before keeping or transferring.
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
