import { create } from 'zustand';
import {
  persist,
  type PersistStorage,
  type StateStorage,
  type StorageValue,
} from 'zustand/middleware';
import { createCompareSlice, type CompareSlice } from './compare-slice';
import { createInputSlice, type InputSlice } from './input-slice';
import { parseInput } from './input-parse';
import { parseFor } from './input-slice';
import { createModelSlice, type ModelSlice } from './model-slice';
import { createNoticesSlice, type NoticesSlice } from './notices-slice';
import { createPanelsSlice, type PanelsSlice } from './panels-slice';
import { createPlaybackSlice, type PlaybackSlice } from './playback-slice';
import { createPrefsSlice, type PrefsSlice } from './prefs-slice';
import { createSelectionSlice, type SelectionSlice } from './selection-slice';
import { isSavedSession, sanitizeSession, type PersistedSession } from './session';
import { createTraceSlice, type TraceSlice } from './trace-slice';
import { createTrainingSlice, type TrainingSlice } from './training-slice';
import type { UrlSettings } from './url';

/** Actions that touch several slices at once. */
export interface SessionActions {
  /** Apply settings from a link, a preset or a saved session (plain data). */
  applySettings: (s: Partial<UrlSettings>) => void;
}

/**
 * The one bound store, built from typed slices (zustand slices pattern).
 * Each slice keeps its data and its actions apart; `getInitialState()` is
 * what reset and tests start from.
 */
export type AppState = PrefsSlice &
  ModelSlice &
  InputSlice &
  TraceSlice &
  PlaybackSlice &
  SelectionSlice &
  TrainingSlice &
  NoticesSlice &
  PanelsSlice &
  CompareSlice &
  SessionActions;

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

/** Storage key of the saved session. */
export const SESSION_KEY = 'gatescope.prefs';

/**
 * Whether the page opened with a saved session (read before the store writes one): the start
 * logic lets a session win over the default preset.
 */
export const openedWithSession = isSavedSession(safeStorage.getItem(SESSION_KEY) as string | null);

let pendingWrite: { name: string; value: unknown } | null = null;
let writeTimer: ReturnType<typeof setTimeout> | null = null;

/** Write the saved session now (before a reload, in tests). */
export function flushPersist() {
  if (writeTimer) clearTimeout(writeTimer);
  writeTimer = null;
  if (!pendingWrite) return;
  const { name, value } = pendingWrite;
  pendingWrite = null;
  safeStorage.setItem(name, JSON.stringify(value)) as void;
}

/**
 * JSON storage that writes at most every 400 ms: persist writes on every store
 * change (steps while playing, hover, streamed frames), and serialising a long
 * input text each time would cost the main thread.
 */
function coalescedStorage<S>(): PersistStorage<S> {
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', flushPersist);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flushPersist();
    });
  }
  return {
    getItem: (name) => {
      const raw = safeStorage.getItem(name) as string | null;
      if (!raw) return null;
      try {
        return JSON.parse(raw) as StorageValue<S>;
      } catch {
        return null;
      }
    },
    setItem: (name, value) => {
      pendingWrite = { name, value };
      writeTimer ??= setTimeout(flushPersist, 400);
    },
    removeItem: (name) => {
      pendingWrite = null;
      safeStorage.removeItem(name) as void;
    },
  };
}

export const useAppStore = create<AppState>()(
  persist(
    (set, get, store) => ({
      ...createPrefsSlice(set, get, store),
      ...createModelSlice(set, get, store),
      ...createInputSlice(set, get, store),
      ...createTraceSlice(set, get, store),
      ...createPlaybackSlice(set, get, store),
      ...createSelectionSlice(set, get, store),
      ...createTrainingSlice(set, get, store),
      ...createNoticesSlice(set, get, store),
      ...createPanelsSlice(set, get, store),
      ...createCompareSlice(set, get, store),
      applySettings: (s) => {
        const { lang, preset, ...rest } = s;
        set(rest);
        // Through the action: weights of another preset must not stay in use under the new id.
        if (preset !== undefined) get().setPreset(preset);
        if (lang) get().setLang(lang);
        const st = get();
        set({ parsed: parseFor(st, st.inputText, st.inputMode) });
      },
    }),
    {
      name: SESSION_KEY,
      version: 1,
      storage: coalescedStorage<PersistedSession>(),
      // The session survives a reload: settings, the text as typed, the step.
      partialize: (s): PersistedSession => ({
        theme: s.theme,
        cell: s.cell,
        hiddenSize: s.hiddenSize,
        numLayers: s.numLayers,
        bidirectional: s.bidirectional,
        seed: s.seed,
        preset: s.preset,
        weightsFile: s.weightsFile,
        inputText: s.inputText,
        inputMode: s.inputMode,
        t: s.t,
        speed: s.speed,
      }),
      merge: (saved, current) => {
        const ok = sanitizeSession(saved);
        const next = { ...current, ...ok };
        return {
          ...next,
          parsed: parseInput(next.inputText, next.inputMode, null),
        };
      },
    },
  ),
);

/** A fresh copy of the initial data of every slice. */
export const getInitialState = () => useAppStore.getInitialState();

/** Put the store back to its initial state (tests, "reset" button). */
export function resetStore() {
  useAppStore.setState(getInitialState(), true);
}
