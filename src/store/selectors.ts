/**
 * Named selectors. React components select scalars (or stable references);
 * canvas panels subscribe to `selectTraceVersion` transiently and read the
 * arrays of `selectTrace` when it changes.
 */
import { QUANTITIES, layerKey, type ModelSpec, type Quantity } from '../engine/types';
import type { AppState } from './index';

export const selectLang = (s: AppState) => s.lang;
export const selectTheme = (s: AppState) => s.theme;

// Model
export const selectCell = (s: AppState) => s.imported?.spec.cell ?? s.cell;
export const selectHiddenSize = (s: AppState) => s.imported?.spec.hiddenSize ?? s.hiddenSize;
export const selectNumLayers = (s: AppState) => s.imported?.spec.numLayers ?? s.numLayers;
export const selectBidirectional = (s: AppState) =>
  s.imported?.spec.bidirectional ?? s.bidirectional;
export const selectSeed = (s: AppState) => s.seed;
export const selectImported = (s: AppState) => s.imported;
export const selectWeightsError = (s: AppState) => s.weightsError;
export const selectWeightsStatus = (s: AppState) => s.weightsStatus;
/** The running model's parameters by PyTorch name (`weight_ih_l0`, ...), by reference; null before the first model. */
export const selectParams = (s: AppState) => s.params;
export const selectParamCount = (s: AppState) => s.paramCount;

/**
 * The spec of the model the engine should run, or null while the input has
 * issues (nothing to size a seeded model's input from). Memoised on its
 * inputs so it is safe in `useAppStore(selectSpec)`.
 */
export const selectSpec = (() => {
  let last: ModelSpec | null = null;
  return (s: AppState): ModelSpec | null => {
    if (s.imported) return s.imported.spec;
    if (s.parsed.issues.length > 0 || s.parsed.inputSize < 1) return null;
    const next: ModelSpec = {
      cell: s.cell,
      inputSize: s.parsed.inputSize,
      hiddenSize: s.hiddenSize,
      numLayers: s.numLayers,
      bidirectional: s.bidirectional,
      bias: true,
    };
    if (last && JSON.stringify(last) === JSON.stringify(next)) return last;
    return (last = next);
  };
})();

// Input
export const selectInputText = (s: AppState) => s.inputText;
export const selectInputMode = (s: AppState) => s.inputMode;
export const selectParsedInput = (s: AppState) => s.parsed;
export const selectInputIssues = (s: AppState) => s.parsed.issues;

// Trace
/** The trace by reference: `trace.layers[layerKey][quantity]` is `Float32Array [T, B, H]`. */
export const selectTrace = (s: AppState) => s.trace;
export const selectTraceVersion = (s: AppState) => s.traceVersion;
/** Steps received so far: `[0, traceT)` are valid in every block. */
export const selectTraceT = (s: AppState) => s.traceT;
/** Total steps of the current run (what `traceT` grows to). */
export const selectTotalT = (s: AppState) => s.trace?.meta.T ?? 0;
export const selectTraceMeta = (s: AppState) => s.trace?.meta ?? null;
export const selectRunStatus = (s: AppState) => s.runStatus;
export const selectEngineError = (s: AppState) => s.engineError;
export const selectEngineMode = (s: AppState) => s.engineMode;

// Playback
/** The current step, 0-based, clamped to the received steps. */
export const selectT = (s: AppState) => Math.min(Math.max(0, s.t), Math.max(0, s.traceT - 1));
export const selectPlaying = (s: AppState) => s.playing;
export const selectSpeed = (s: AppState) => s.speed;

// Selection
/** Selected layer, clamped to the trace's model. */
export const selectLayer = (s: AppState) =>
  Math.min(s.layer, (s.trace?.meta.spec.numLayers ?? 1) - 1);
/** Selected direction (0 forward, 1 reverse), 0 when the model is unidirectional. */
export const selectDirection = (s: AppState): 0 | 1 =>
  s.trace?.meta.spec.bidirectional ? s.direction : 0;
/** `l0`, `l0_reverse`, ... for the selected layer and direction. */
export const selectLayerKey = (s: AppState) => layerKey(selectLayer(s), selectDirection(s));
/** Selected unit, clamped to the hidden size. */
export const selectUnit = (s: AppState) =>
  Math.min(s.unit, Math.max(0, (s.trace?.meta.H ?? 1) - 1));
export const selectQuantity = (s: AppState) => s.quantity;
export const selectHover = (s: AppState) => s.hover;
/** The quantities the trace records for its cell, in display order (`i f g o c h`, `r z n h`, `h`). */
export const selectQuantities = (s: AppState): readonly Quantity[] =>
  QUANTITIES[s.trace?.meta.spec.cell ?? selectCell(s)];

// Training and notices
export const selectTrainingStatus = (s: AppState) => s.trainingStatus;
export const selectUrlIssues = (s: AppState) => s.urlIssues;
export const selectWorkerRestarts = (s: AppState) => s.workerRestarts;

/**
 * One value of the trace: quantity `q` of unit `unit` at step `t` (batch 0) in
 * layer/direction `key`, or null when it has not arrived.
 */
export function traceValue(
  s: Pick<AppState, 'trace' | 'traceT'>,
  key: string,
  q: Quantity,
  t: number,
  unit: number,
  b = 0,
): number | null {
  const tr = s.trace;
  const arr = tr?.layers[key]?.[q];
  if (!tr || !arr || t < 0 || t >= s.traceT || unit < 0 || unit >= tr.meta.H) return null;
  return arr[(t * tr.meta.B + b) * tr.meta.H + unit];
}
