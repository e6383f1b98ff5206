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
