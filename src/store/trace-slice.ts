import type { StateCreator } from 'zustand';
import type { Quantity } from '../engine/types';
import type { ErrorInfo, TraceMeta } from '../worker/protocol';
import type { AppState } from './index';

/**
 * A run's trace, kept by reference: `layers[layerKey][quantity]` is a
 * `Float32Array` `[T, B, H]` (time-major), filled progressively as frames
 * arrive; steps `[0, traceT)` are valid. Never copy it into React state:
 * subscribe to `traceVersion` and read the arrays.
 */
export interface StoreTrace {
  runId: number;
  meta: TraceMeta;
  layers: Record<string, Partial<Record<Quantity, Float32Array>>>;
  /** Pre-activations `pre[layerKey][quantity]` `[T, B, H]`: LSTM `i f g o`, GRU `r z n`, RNN `h`. */
  pre: Record<string, Partial<Record<Quantity, Float32Array>>>;
  /** The input features the run used, `[T, B, inputSize]` (one-hot rows for tokens). */
  input: Float32Array;
  /** Token at each step (empty for numeric input), for labels. */
  tokens: string[];
}

export interface TraceData {
  trace: StoreTrace | null;
  /** Bumped at most once per animation frame when new steps arrived or the trace changed. */
  traceVersion: number;
  /** Steps received so far (valid prefix of every block). */
  traceT: number;
  runStatus: 'idle' | 'running' | 'done' | 'error';
  /** The last engine error (worker crash, refused input, ...); cleared by the next good run. */
  engineError: ErrorInfo | null;
  /** Where the engine runs: a Web Worker, or this thread where Workers are missing. */
  engineMode: 'worker' | 'in-thread' | null;
  computeMs: number | null;
}
export interface TraceActions {
  /** A new run's first frame arrived: replace the trace (the old one stays visible until then). */
  beginTrace: (trace: StoreTrace, traceT: number) => void;
  /** More steps of the current trace arrived. */
  advanceTrace: (traceT: number) => void;
  setRunStatus: (status: TraceData['runStatus'], computeMs?: number) => void;
  setEngineError: (error: ErrorInfo | null) => void;
  setEngineMode: (mode: TraceData['engineMode']) => void;
}
export type TraceSlice = TraceData & TraceActions;

export const initialTrace = (): TraceData => ({
  trace: null,
  traceVersion: 0,
  traceT: 0,
  runStatus: 'idle',
  engineError: null,
  engineMode: null,
  computeMs: null,
});

export const createTraceSlice: StateCreator<AppState, [], [], TraceSlice> = (set, get) => ({
  ...initialTrace(),
  beginTrace: (trace, traceT) =>
    set({ trace, traceT, traceVersion: get().traceVersion + 1, runStatus: 'running' }),
  advanceTrace: (traceT) => set({ traceT, traceVersion: get().traceVersion + 1 }),
  setRunStatus: (runStatus, computeMs) =>
    set(computeMs === undefined ? { runStatus } : { runStatus, computeMs }),
  setEngineError: (engineError) => set({ engineError }),
  setEngineMode: (engineMode) => set({ engineMode }),
});
