/**
 * Weights from a file, through the engine's importer: the spec is read from
 * the tensor shapes (LSTM 4H gate rows, GRU 3H, RNN H). What shapes cannot
 * tell (which GRU, which RNN activation) comes from `formOverride`.
 */
import { importStateDict, parseSafetensors, parseStateDictJson } from '../engine';
import type { Model } from '../engine';
import type { ModelSource } from './protocol';

type WeightsSource = Extract<ModelSource, { kind: 'weights' }>;

/** A reference case file (`{spec, stateDict, ...}`) holds its state_dict under `stateDict`. */
function unwrap(text: string): unknown {
  try {
    const obj: unknown = JSON.parse(text);
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
      const inner = (obj as Record<string, unknown>).stateDict;
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner;
      return obj;
    }
  } catch {
    /* not JSON: the importer says so in its own words */
  }
  return text;
}

/**
 * Builds a model from a weights file. Throws the importer's `EngineError`
 * (exact message: which key, which shape) when the file is refused.
 */
export function importWeights(source: WeightsSource): Model {
  const sd =
    source.format === 'safetensors'
      ? parseSafetensors(new Uint8Array(source.bytes)).tensors
      : parseStateDictJson(unwrap(new TextDecoder().decode(source.bytes)));
  const { spec, model } = importStateDict(sd);
  const form = source.formOverride;
  const other =
    (form === 'gru-textbook' && spec.cell === 'gru') ||
    (form === 'rnn-relu' && spec.cell === 'rnn-tanh');
  // Same shapes, other equations: load the same tensors into the chosen form.
  return other && form ? importStateDict(sd, { spec: { ...spec, cell: form } }).model : model;
}
