import type { StateCreator } from 'zustand';
import type { CellKind, ModelSpec } from '../engine/types';
import type { ConfigureResult, ErrorInfo } from '../worker/protocol';
import type { AppState } from './index';
import { DEFAULTS } from './limits';

/** A model read from a weights file: its spec comes from the tensor shapes. */
export interface ImportedModel {
  fileName: string;
  format: 'state-dict-json' | 'safetensors';
  spec: ModelSpec;
  paramCount: number;
}

/** The model settings: plain data (they persist and travel in the URL). */
export interface ModelData {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
  /** Set while weights from a file are in use; the seeded settings above are kept for later. */
  imported: ImportedModel | null;
  weightsStatus: 'idle' | 'loading' | 'error';
  /** The importer's exact message when a file was refused (the previous model stays). */
  weightsError: (ErrorInfo & { fileName: string }) | null;
  /** The running model's parameters by PyTorch name, by reference (not persisted). */
  params: ConfigureResult['params'] | null;
  paramCount: number;
}

export interface ModelActions {
  setCell: (cell: CellKind) => void;
  setHiddenSize: (n: number) => void;
  setNumLayers: (n: number) => void;
  setBidirectional: (on: boolean) => void;
  setSeed: (seed: number) => void;
  /** Record the running model (after the worker configured it). */
  setModelParams: (params: ConfigureResult['params'], paramCount: number) => void;
  setImported: (imported: ImportedModel | null) => void;
  setWeightsLoading: () => void;
  setWeightsError: (error: (ErrorInfo & { fileName: string }) | null) => void;
}
export type ModelSlice = ModelData & ModelActions;

export const initialModel = (): ModelData => ({
  cell: DEFAULTS.cell,
  hiddenSize: DEFAULTS.hiddenSize,
  numLayers: DEFAULTS.numLayers,
  bidirectional: DEFAULTS.bidirectional,
  seed: DEFAULTS.seed,
  imported: null,
  weightsStatus: 'idle',
  weightsError: null,
  params: null,
  paramCount: 0,
});

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set, get) => ({
  ...initialModel(),
  setCell: (cell) => set({ cell }),
  setHiddenSize: (hiddenSize) => set({ hiddenSize }),
  setNumLayers: (numLayers) => set({ numLayers }),
  setBidirectional: (bidirectional) => set({ bidirectional }),
  setSeed: (seed) => set({ seed }),
  setModelParams: (params, paramCount) => set({ params, paramCount }),
  setImported: (imported) => {
    set({ imported, weightsStatus: 'idle', weightsError: null });
    get().reparseInput();
  },
  setWeightsLoading: () => set({ weightsStatus: 'loading' }),
  setWeightsError: (weightsError) =>
    set({ weightsError, weightsStatus: weightsError ? 'error' : 'idle' }),
});
