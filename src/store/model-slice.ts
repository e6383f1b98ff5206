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
  /** Set when the weights are a shipped pretrained preset (its id), not a user's file. */
  preset?: string;
  /** The vocabulary the weights were trained on (a character model): tokens are read against it. */
  vocabulary?: string[];
}

/** The model settings: plain data (they persist and travel in the URL). */
export interface ModelData {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
  /**
   * The pretrained preset shown instead of seeded weights (`<task>-<cell>` id, plain data: it
   * persists and travels in links as `preset=`), or null. The bridge loads its weights; any
   * change of the model settings above leaves it for the seeded model asked for.
   */
  preset: string | null;
  /**
   * The name of the weights file the user loaded, while it is in use (plain data: in the
   * session and as `weights=` in the link; the bytes are kept in IndexedDB so a reload
   * restores them), or null.
   */
  weightsFile: string | null;
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
  /** Show a pretrained preset (null: back to the seeded model of the settings). */
  setPreset: (id: string | null) => void;
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
  preset: null,
  weightsFile: null,
  imported: null,
  weightsStatus: 'idle',
  weightsError: null,
  params: null,
  paramCount: 0,
});

type SpecFields = Pick<ModelData, 'cell' | 'hiddenSize' | 'numLayers' | 'bidirectional' | 'seed'>;

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set, get) => {
  /** A model setting changed by the user: a preset in use gives way to the seeded model asked for. */
  const setSpec = (patch: Partial<SpecFields>) => {
    const s = get();
    const changed = (Object.keys(patch) as (keyof SpecFields)[]).some((k) => patch[k] !== s[k]);
    if (s.preset === null || !changed) {
      set(patch);
      return;
    }
    const presetWeights = s.imported?.preset !== undefined;
    set({ ...patch, preset: null, ...(presetWeights ? { imported: null } : {}) });
    if (presetWeights) get().reparseInput();
  };
  return {
    ...initialModel(),
    setCell: (cell) => setSpec({ cell }),
    setHiddenSize: (hiddenSize) => setSpec({ hiddenSize }),
    setNumLayers: (numLayers) => setSpec({ numLayers }),
    setBidirectional: (bidirectional) => setSpec({ bidirectional }),
    setSeed: (seed) => setSpec({ seed }),
    setPreset: (preset) => {
      const s = get();
      if (preset === s.preset) return;
      const presetWeights = s.imported?.preset !== undefined && s.imported.preset !== preset;
      set({ preset, ...(presetWeights ? { imported: null } : {}) });
      if (presetWeights) get().reparseInput();
    },
    setModelParams: (params, paramCount) => set({ params, paramCount }),
    setImported: (imported) => {
      set({ imported, weightsStatus: 'idle', weightsError: null });
      get().reparseInput();
    },
    setWeightsLoading: () => set({ weightsStatus: 'loading' }),
    setWeightsError: (weightsError) =>
      set({ weightsError, weightsStatus: weightsError ? 'error' : 'idle' }),
  };
};
