/** Named selectors of the comparison (scalars or stable references). */
import type { AppState } from './index';

export const selectCompareOpen = (s: AppState) => s.compareOpen;
export const selectCompareConfig = (s: AppState) => s.compareConfig;
export const selectCompareStatus = (s: AppState) => s.compareStatus;
export const selectCompareError = (s: AppState) => s.compareError;
export const selectCompareProgress = (s: AppState) => s.compareProgress;
export const selectCompareColumns = (s: AppState) => s.compareColumns;
export const selectCompareElapsedMs = (s: AppState) => s.compareElapsedMs;
export const selectCompareVersion = (s: AppState) => s.compareVersion;
/** Progress as a whole percentage (0 before the first chunk). */
export const selectComparePercent = (s: AppState) =>
  s.compareProgress && s.compareProgress.total > 0
    ? Math.round((100 * s.compareProgress.done) / s.compareProgress.total)
    : 0;
