import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { detectLanguage, initI18n } from './i18n';
import { useAppStore } from './store';
import { App } from './ui/App';
import './ui/styles.css';

const lang = detectLanguage();
initI18n(lang);
useAppStore.getState().setLang(lang);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
