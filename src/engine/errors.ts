/**
 * One table of every engine error: a stable `code` and a message template.
 *
 * Templates name their details in braces (`{field}`); the message always says
 * what was expected versus what was found, so a user (or a test) can fix the
 * input without reading the engine. Other engine modules (io/, optimizers/,
 * train) add their own rows here: one table, one place to translate later.
 */
export const ERROR_MESSAGES = {
  // Model spec
  SPEC_NOT_OBJECT: 'Model spec must be an object, got {actual}.',
  SPEC_FIELD: 'Model spec field `{field}` must be {expected}, got {actual}.',
  // Parameters
  PARAM_UNKNOWN: 'Unknown parameter `{name}`; this model has: {known}.',
  PARAM_SIZE: 'Parameter `{name}` expects {expected} values (shape [{shape}]), got {actual}.',
  PARAM_NOT_FINITE: 'Parameter `{name}` has a non-finite value ({value}) at index {index}.',
  // Forward / backward inputs
  INPUT_SIZE: '`{name}` expects {expected} values (shape [{shape}]), got {actual}.',
  INPUT_NOT_FINITE: '`{name}` has a non-finite value ({value}) at index {index}.',
  DIM_INVALID: '`{name}` must be {expected}, got {actual}.',
  LENGTHS_INVALID:
    '`lengths[{index}]` must be an integer in [1, T = {T}] (padding after the end), got {actual}.',
  WORKSPACE_MISMATCH:
    'Workspace was made for {expected}, but this run needs {actual}; create a new workspace.',
  TRACE_UNKNOWN:
    'This trace was not produced by `forward` of this engine (or its workspace was reused for another run); run `forward` again before `backward`.',
  NO_READOUT: '`{what}` needs a model with a readout (spec.readout), but this model has none.',
  TARGET_INVALID: 'Target `{name}` at index {index} must be {expected}, got {actual}.',
  OPTION_INVALID: 'Option `{name}` must be {expected}, got {actual}.',
  STEP_OUT_OF_RANGE: '`{name}` must be in [0, {max}], got {actual}.',
  // Reference cases
  CASE_INVALID: 'Case {where}: {problem}.',
  CASE_KIND_UNKNOWN: 'Case kind `{kind}` is not known; expected one of: {known}.',
  CASE_TENSOR:
    'Case key `{key}` must be a tensor {shape: [..], data: [..]} with {expected}, got {actual}.',
  // safetensors
  ST_TRUNCATED:
    'safetensors: the file is {actual} bytes long; it needs at least 8 bytes (the header length).',
  ST_HEADER_LENGTH:
    'safetensors: header length {length} is out of bounds: only {available} bytes follow the 8-byte length field.',
  ST_HEADER_JSON: 'safetensors: the header is not valid: {problem}.',
  ST_DTYPE:
    'safetensors: tensor `{name}` has unsupported dtype {dtype}; supported: F32, F64, F16, BF16.',
  ST_BYTE_COUNT:
    'safetensors: tensor `{name}` has shape [{shape}] x {dtype} ({bytesPer} bytes each) = {expected} bytes, but its data_offsets [{begin}, {end}] hold {actual} bytes.',
  ST_OFFSETS_RANGE:
    'safetensors: tensor `{name}` has data_offsets [{begin}, {end}] out of range: the data section is {available} bytes.',
  ST_OFFSETS_OVERLAP:
    'safetensors: the data of tensors `{first}` [{firstBegin}, {firstEnd}] and `{second}` [{secondBegin}, {secondEnd}] overlap.',
  ST_OFFSETS_GAP: 'safetensors: data offsets are not contiguous: {problem}.',
  ST_NON_FINITE:
    'safetensors: tensor `{name}` has a non-finite value ({value}) at flat index {index} (position [{position}]).',
  ST_WRITE: 'safetensors: cannot write tensor `{name}`: {problem}.',
  // state_dict
  SD_INVALID: 'state_dict: {problem}.',
  SD_TENSOR: 'state_dict key `{key}` must be a tensor {shape: [..], data: [..]}: {problem}.',
  SD_NON_FINITE:
    'state_dict key `{key}` has a non-finite value ({value}) at flat index {index} (position [{position}]).',
  SD_MISSING_KEY: 'state_dict is missing key `{key}` (expected shape [{shape}]){more}.',
  SD_UNEXPECTED_KEY: 'state_dict has unexpected key `{key}`: {reason}.',
  SD_SHAPE: 'state_dict key `{key}` has shape [{actual}], expected [{expected}] ({why}).',
  SD_HIDDEN_SIZE:
    'state_dict has inconsistent hidden sizes: `{first}` implies H = {firstH}, `{second}` implies H = {secondH}.',
  SD_PREFIX:
    'state_dict mixes recurrent key prefixes `{first}` and `{second}`; keep the keys of one module.',
  SD_CELL:
    'state_dict key `{key}` has {rows} rows for hidden size {H}: expected {H} (RNN), {H3} (GRU) or {H4} (LSTM){hint}.',
  // optimizers
  OPT_CONFIG: 'Optimizer {optimizer}: `{field}` must be {expected}, got {actual}.',
  OPT_SIZE: 'Optimizer expects params and grads of length {expected}, got {actual}.',
  // training
  TRAIN_CONFIG: 'Training config field `{field}` must be {expected}, got {actual}.',
  TRAIN_DIVERGED:
    'Training diverged at step {step}: loss {loss}, gradient norm {gradNorm}; the parameters were left unchanged. Lower the learning rate or clip the gradients.',
  // hyperparameters, tasks, datasets, metrics (src/engine/hyperparams.ts, src/engine/tasks/)
  HYPERPARAM: 'Hyperparameter `{key}` must be {expected}, got {actual}.',
  TASK_CONFIG: 'Task {task}: `{field}` must be {expected}, got {actual}.',
  DATASET_LINE: '{dataset}, line {line}: {problem}.',
  DATASET_INVALID: '{dataset}: {problem}.',
  METRIC_INPUT: 'Metric {metric}: {problem}.',
} as const;

export type EngineErrorCode = keyof typeof ERROR_MESSAGES;
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

/** Fills `{name}` slots of a template from `details` (unknown slots stay visible). */
export function formatError(code: EngineErrorCode, details: ErrorDetails): string {
  return ERROR_MESSAGES[code].replace(/\{(\w+)\}/g, (slot, name: string) =>
    name in details ? String(details[name]) : slot,
  );
}

/** Every error the engine throws: `code` for programs, `message` for people, `details` for both. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details: ErrorDetails;

  constructor(code: EngineErrorCode, details: ErrorDetails = {}) {
    super(formatError(code, details));
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}

/** Short description of any value for an error's `actual` slot (`"abc"`, `3.5`, `an object`). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}
