import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createPrefsSlice, type PrefsSlice } from './prefs-slice';

/**
 * The one bound store, built from typed slices (zustand slices pattern).
 * Each slice keeps its data and its actions apart; `getInitialState()` is
 * what reset and tests start from.
 */
export type AppState = PrefsSlice;

/** localStorage that never throws (blocked in some iframes and private modes). */
export const safeStorage: StateStorage = {
  getItem: (k) => {
    try {
      return globalThis.localStorage?.getItem(k) ?? null;
    } catch {
      return null;
    }
  },
  setItem: (k, v) => {
    try {
      globalThis.localStorage?.setItem(k, v);
    } catch {
      /* storage full or blocked: preferences just do not persist */
    }
  },
  removeItem: (k) => {
    try {
      globalThis.localStorage?.removeItem(k);
    } catch {
      /* ignore */
    }
  },
};

export const useAppStore = create<AppState>()(
  persist(
    (...a) => ({
      ...createPrefsSlice(...a),
    }),
    {
      name: 'gatescope.prefs',
      version: 1,
      storage: createJSONStorage(() => safeStorage),
      partialize: (s) => ({ theme: s.theme }),
    },
  ),
);

/** A fresh copy of the initial data of every slice. */
export const getInitialState = () => useAppStore.getInitialState();

/** Put the store back to its initial state (tests, "reset" button). */
export function resetStore() {
  useAppStore.setState(getInitialState(), true);
}
