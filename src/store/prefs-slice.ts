import type { StateCreator } from 'zustand';
import type { Language } from '../i18n';

export type ThemeChoice = 'light' | 'dark' | 'system';

/** Preferences: plain data, persisted, and part of share links where it matters (`lang`). */
export interface PrefsData {
  lang: Language;
  theme: ThemeChoice;
}
export interface PrefsActions {
  setLang: (lang: Language) => void;
  setTheme: (theme: ThemeChoice) => void;
}
export type PrefsSlice = PrefsData & PrefsActions;

export const initialPrefs = (lang: Language = 'en'): PrefsData => ({ lang, theme: 'system' });

export const createPrefsSlice: StateCreator<PrefsSlice, [], [], PrefsSlice> = (set) => ({
  ...initialPrefs(),
  setLang: (lang) => set({ lang }),
  setTheme: (theme) => set({ theme }),
});
