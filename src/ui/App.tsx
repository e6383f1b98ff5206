import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store';
import { selectLang, selectTheme } from '../store/selectors';
import { Header } from './Header';
import { Workspace } from './Workspace';

/** The app shell: header, then the panel grid the feature issues fill in. */
export function App() {
  const { t, i18n } = useTranslation();
  const lang = useAppStore(selectLang);
  const theme = useAppStore(selectTheme);

  useEffect(() => {
    if (i18n.language !== lang) void i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
  }, [lang, i18n]);

  useEffect(() => {
    const el = document.documentElement;
    if (theme === 'system') delete el.dataset.theme;
    else el.dataset.theme = theme;
  }, [theme]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Header />
      <Workspace />
      <footer className="app-footer">{t('app.footer')}</footer>
    </div>
  );
}
