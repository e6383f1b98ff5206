import type { StateCreator } from 'zustand';
import {
  DEFAULT_COMPARE_CONFIG,
  EXPLODING_PRESET,
  validateCompareConfig,
  type CompareConfig,
  type CompareEvent,
  type ComparePhase,
  type FlowVerdict,
} from '../engine/compare';
import type { CellKind } from '../engine/types';
import { createCompareClient, type CompareClient } from '../worker/compare-client';
import type { AppState } from './index';

/** One gradient-flow measurement as the view needs it. */
export interface CompareFlow {
  norms: number[];
  slope: number;
  verdict: FlowVerdict;
  gradNorm: number;
  clippedNorm: number;
}

/** Everything measured for one column (null: not measured yet). */
export interface CompareColumn {
  cell: CellKind;
  hiddenSize: number;
  params: number;
  formulaSymbolic: string;
  formulaNumeric: string;
  macs: number;
  flowInit: CompareFlow | null;
  flowTrained: CompareFlow | null;
  result: {
    finalLoss: number;
    metric: number;
    diverged: boolean;
    maxGradNorm: number;
  } | null;
  /** Training steps per second (measured after the results, every code path warm). */
  stepsPerSecond: number | null;
  sweep: { delay: number; accuracy: number; passed: boolean }[];
  capacity: number | null;
  /** Hidden states `[T, H]` on one validation sequence after training (by reference). */
  states: { T: number; H: number; h: Float32Array } | null;
}

export type CompareStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** Plain data: the settings persist and could travel in a link. */
export interface CompareData {
  compareOpen: boolean;
  compareConfig: CompareConfig;
  compareStatus: CompareStatus;
  /** English message of the last failure (the view shows it with a translated lead). */
  compareError: string | null;
  compareProgress: {
    done: number;
    total: number;
    phase: ComparePhase;
    cell: CellKind;
    delay: number | null;
  } | null;
  compareColumns: CompareColumn[];
  compareElapsedMs: number | null;
  /** Bumped on every applied event, for canvases that subscribe transiently. */
  compareVersion: number;
}

export interface CompareActions {
  setCompareOpen: (open: boolean) => void;
  /** Merge settings; invalid ones are refused with the engine's message in `compareError`. */
  setCompareConfig: (patch: Partial<CompareConfig>) => void;
  /** The exploding-gradients preset (large W_hh, clipping off). */
  applyExplodingPreset: () => void;
  startCompare: () => void;
  cancelCompare: () => void;
  /** Fold one event of the running comparison into the state (the client calls it). */
  applyCompareEvent: (event: CompareEvent) => void;
}
export type CompareSlice = CompareData & CompareActions;

export const initialCompare = (): CompareData => ({
  compareOpen: false,
  compareConfig: {
    ...DEFAULT_COMPARE_CONFIG,
    sweepDelays: [...DEFAULT_COMPARE_CONFIG.sweepDelays],
  },
  compareStatus: 'idle',
  compareError: null,
  compareProgress: null,
  compareColumns: [],
  compareElapsedMs: null,
  compareVersion: 0,
});

let client: CompareClient | null = null;
let pendingProgress: CompareEvent | null = null;

function patchColumn(
  cols: CompareColumn[],
  cell: CellKind,
  patch: (c: CompareColumn) => Partial<CompareColumn>,
) {
  return cols.map((c) => (c.cell === cell ? { ...c, ...patch(c) } : c));
}

export const createCompareSlice: StateCreator<AppState, [], [], CompareSlice> = (set, get) => {
  const getClient = (): CompareClient => {
    client ??= createCompareClient({
      listener: {
        event: (e) => {
          // Progress arrives every few training steps: show it at most every 100 ms.
          if (e.kind !== 'progress') {
            get().applyCompareEvent(e);
            return;
          }
          const first = pendingProgress === null;
          pendingProgress = e;
          if (first) {
            setTimeout(() => {
              const p = pendingProgress;
              pendingProgress = null;
              if (p && get().compareStatus === 'running') get().applyCompareEvent(p);
            }, 100);
          }
        },
        cancelled: () => set({ compareStatus: 'cancelled' }),
        error: (err) => set({ compareStatus: 'error', compareError: err.message }),
      },
    });
    return client;
  };
  return {
    ...initialCompare(),
    setCompareOpen: (open) => set({ compareOpen: open }),
    setCompareConfig: (patch) => {
      try {
        set({
          compareConfig: validateCompareConfig({ ...get().compareConfig, ...patch }),
          compareError: null,
        });
      } catch (e) {
        set({ compareError: e instanceof Error ? e.message : String(e) });
      }
    },
    applyExplodingPreset: () => get().setCompareConfig(EXPLODING_PRESET),
    startCompare: () => {
      set({
        compareStatus: 'running',
        compareError: null,
        compareProgress: null,
        compareColumns: [],
        compareElapsedMs: null,
        compareVersion: get().compareVersion + 1,
      });
      getClient()
        .start(get().compareConfig)
        .catch((e: unknown) =>
          set({ compareStatus: 'error', compareError: e instanceof Error ? e.message : String(e) }),
        );
    },
    cancelCompare: () => {
      if (get().compareStatus !== 'running') return;
      void getClient()
        .cancel()
        .catch(() => undefined);
      set({ compareStatus: 'cancelled' });
    },
    applyCompareEvent: (e) => {
      const s = get();
      const version = s.compareVersion + 1;
      switch (e.kind) {
        case 'plan':
          set({
            compareVersion: version,
            compareProgress: null,
            compareColumns: e.cells.map((p) => ({
              cell: p.cell,
              hiddenSize: p.hiddenSize,
              params: p.params,
              formulaSymbolic: p.formula.symbolic,
              formulaNumeric: p.formula.numeric,
              macs: p.macs,
              flowInit: null,
              flowTrained: null,
              result: null,
              stepsPerSecond: null,
              sweep: [],
              capacity: null,
              states: null,
            })),
          });
          return;
        case 'progress': {
          const { kind: _k, ...p } = e;
          set({ compareProgress: p, compareVersion: version });
          return;
        }
        case 'flow': {
          const { kind: _k, cell, when, ...flow } = e;
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, cell, () =>
              when === 'init' ? { flowInit: flow } : { flowTrained: flow },
            ),
          });
          return;
        }
        case 'result': {
          const { kind: _k, cell, steps: _s, ...result } = e;
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, cell, () => ({ result })),
          });
          return;
        }
        case 'speed':
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, e.cell, () => ({
              stepsPerSecond: e.stepsPerSecond,
            })),
          });
          return;
        case 'states':
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, e.cell, () => ({
              states: { T: e.T, H: e.H, h: e.h },
            })),
          });
          return;
        case 'sweepPoint':
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, e.cell, (c) => ({
              sweep: [...c.sweep, { delay: e.delay, accuracy: e.accuracy, passed: e.passed }],
            })),
          });
          return;
        case 'capacity':
          set({
            compareVersion: version,
            compareColumns: patchColumn(s.compareColumns, e.cell, () => ({ capacity: e.capacity })),
          });
          return;
        case 'done':
          set({ compareStatus: 'done', compareElapsedMs: e.elapsedMs, compareVersion: version });
          return;
      }
    },
  };
};
