/**
 * Selectors of the panels' own state (visibility, strip and chart choices).
 * Each returns a scalar or a stable reference so `useAppStore(selectX)` only
 * re-renders when that value changes.
 */
import type { Quantity } from '../engine/types';
import type { AppState } from './index';
import type { PanelId } from './panels-slice';
import { selectQuantities } from './selectors';

export const selectPanelVisible = (id: PanelId) => (s: AppState) => s.panelVisible[id];
export const selectPanelVisibility = (s: AppState) => s.panelVisible;
/** The strip's quantity, falling back to `h` when the cell does not record it (c of a GRU). */
export const selectStripQuantity = (s: AppState): Quantity =>
  selectQuantities(s).includes(s.stripQuantity) ? s.stripQuantity : 'h';
/** The line chart's quantity, with the same fallback. */
export const selectChartQuantity = (s: AppState): Quantity =>
  selectQuantities(s).includes(s.chartQuantity) ? s.chartQuantity : 'h';
export const selectChartUnits = (s: AppState) => s.chartUnits;
