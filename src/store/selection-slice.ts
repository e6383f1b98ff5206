import type { StateCreator } from 'zustand';
import type { Quantity } from '../engine/types';
import type { AppState } from './index';

/** What the pointer is over in any panel (shared so every panel highlights it). */
export interface Hover {
  /** 0-based step. */
  t: number;
  unit: number;
  quantity: Quantity | null;
}

export interface SelectionData {
  layer: number;
  direction: 0 | 1;
  unit: number;
  /** The gate or quantity in focus (null: all). */
  quantity: Quantity | null;
  hover: Hover | null;
}
export interface SelectionActions {
  setLayer: (layer: number) => void;
  setDirection: (direction: 0 | 1) => void;
  setUnit: (unit: number) => void;
  setQuantity: (quantity: Quantity | null) => void;
  setHover: (hover: Hover | null) => void;
}
export type SelectionSlice = SelectionData & SelectionActions;

export const initialSelection = (): SelectionData => ({
  layer: 0,
  direction: 0,
  unit: 0,
  quantity: null,
  hover: null,
});

export const createSelectionSlice: StateCreator<AppState, [], [], SelectionSlice> = (set) => ({
  ...initialSelection(),
  setLayer: (layer) => set({ layer }),
  setDirection: (direction) => set({ direction }),
  setUnit: (unit) => set({ unit }),
  setQuantity: (quantity) => set({ quantity }),
  setHover: (hover) => set({ hover }),
});
