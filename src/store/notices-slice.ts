import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { UrlIssue } from './url';

/** Messages about the session itself (a bad link value, a restarted worker). */
export interface NoticesData {
  urlIssues: UrlIssue[];
  /** How many times the engine worker crashed and was restarted. */
  workerRestarts: number;
  /** Whether the "restarted" notice is showing (until dismissed). */
  restartNotice: boolean;
}
export interface NoticesActions {
  setUrlIssues: (issues: UrlIssue[]) => void;
  noteWorkerRestart: () => void;
  dismissRestartNotice: () => void;
}
export type NoticesSlice = NoticesData & NoticesActions;

export const initialNotices = (): NoticesData => ({
  urlIssues: [],
  workerRestarts: 0,
  restartNotice: false,
});

export const createNoticesSlice: StateCreator<AppState, [], [], NoticesSlice> = (set, get) => ({
  ...initialNotices(),
  setUrlIssues: (urlIssues) => set({ urlIssues }),
  noteWorkerRestart: () => set({ workerRestarts: get().workerRestarts + 1, restartNotice: true }),
  dismissRestartNotice: () => set({ restartNotice: false }),
});
