// Temporary: these rows move into src/engine/errors.ts (ERROR_MESSAGES) once the core lands.
export const IO_ERROR_MESSAGES = {
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
} as const;

export type IoErrorCode = keyof typeof IO_ERROR_MESSAGES;
export type IoErrorDetails = Record<string, string | number | boolean | null | undefined>;

export class EngineError extends Error {
  readonly code: IoErrorCode;
  readonly details: IoErrorDetails;
  constructor(code: IoErrorCode, details: IoErrorDetails = {}) {
    super(
      IO_ERROR_MESSAGES[code].replace(/\{(\w+)\}/g, (slot, name: string) =>
        name in details ? String(details[name]) : slot,
      ),
    );
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}
