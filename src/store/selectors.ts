import type { AppState } from './index';

export const selectLang = (s: AppState) => s.lang;
export const selectTheme = (s: AppState) => s.theme;
