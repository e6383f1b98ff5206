import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, isLanguage } from '../i18n';
import { useAppStore } from '../store';
import type { ThemeChoice } from '../store/prefs-slice';
import { selectLang, selectTheme } from '../store/selectors';

const THEMES: ThemeChoice[] = ['system', 'light', 'dark'];

export function Header() {
  const { t } = useTranslation();
  const lang = useAppStore(selectLang);
  const theme = useAppStore(selectTheme);
  const setLang = useAppStore((s) => s.setLang);
  const setTheme = useAppStore((s) => s.setTheme);
  const langId = useId();
  const themeId = useId();

  return (
    <header className="app-header">
      <div className="brand">
        <h1>{t('app.name')}</h1>
        <p className="tagline">{t('app.tagline')}</p>
      </div>
      <div className="header-controls">
        <label htmlFor={langId}>{t('app.language')}</label>
        <select
          id={langId}
          value={lang}
          onChange={(e) => {
            if (isLanguage(e.target.value)) setLang(e.target.value);
          }}
        >
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {t(`app.languageNames.${l}`)}
            </option>
          ))}
        </select>
        <label htmlFor={themeId}>{t('app.theme')}</label>
        <select
          id={themeId}
          value={theme}
          onChange={(e) => setTheme(e.target.value as ThemeChoice)}
        >
          {THEMES.map((th) => (
            <option key={th} value={th}>
              {t(`app.themes.${th}`)}
            </option>
          ))}
        </select>
      </div>
    </header>
  );
}
