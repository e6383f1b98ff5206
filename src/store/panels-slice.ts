import type { StateCreator } from 'zustand';
import type { Quantity } from '../engine/types';
import type { AppState } from './index';

/** Every panel of the grid, in display order. */
export const PANEL_IDS = ['equations', 'heatmaps', 'diagram', 'sequence', 'traces'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** Most units the line chart draws at once (more lines stop being readable). */
export const MAX_TRACE_UNITS = 8;

/**
 * Panel layout and per-panel choices: plain serializable data (it can persist
 * and travel in a share link).
 */
export interface PanelsData {
  /** Which panels are shown. */
  panelVisible: Record<PanelId, boolean>;
  /** The quantity that colours the sequence strip's tokens. */
  stripQuantity: Quantity;
  /** The quantity the line chart draws. */
  chartQuantity: Quantity;
  /** Units pinned in the line chart; empty means "the selected unit". */
  chartUnits: number[];
}
export interface PanelsActions {
  setPanelVisible: (id: PanelId, visible: boolean) => void;
  setStripQuantity: (q: Quantity) => void;
  setChartQuantity: (q: Quantity) => void;
  /** Pin a unit in the line chart (ignored past {@link MAX_TRACE_UNITS}). */
  pinChartUnit: (unit: number) => void;
  unpinChartUnit: (unit: number) => void;
}
export type PanelsSlice = PanelsData & PanelsActions;

export const initialPanels = (): PanelsData => ({
  panelVisible: { equations: true, heatmaps: true, diagram: true, sequence: true, traces: true },
  stripQuantity: 'h',
  chartQuantity: 'h',
  chartUnits: [],
});

export const createPanelsSlice: StateCreator<AppState, [], [], PanelsSlice> = (set, get) => ({
  ...initialPanels(),
  setPanelVisible: (id, visible) => set({ panelVisible: { ...get().panelVisible, [id]: visible } }),
  setStripQuantity: (stripQuantity) => set({ stripQuantity }),
  setChartQuantity: (chartQuantity) => set({ chartQuantity }),
  pinChartUnit: (unit) => {
    const units = get().chartUnits;
    if (!Number.isInteger(unit) || unit < 0 || units.includes(unit)) return;
    if (units.length >= MAX_TRACE_UNITS) return;
    set({ chartUnits: [...units, unit].sort((a, b) => a - b) });
  },
  unpinChartUnit: (unit) => set({ chartUnits: get().chartUnits.filter((u) => u !== unit) }),
});
