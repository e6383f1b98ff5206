import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { detectLanguage, initI18n } from './i18n';
import { openedWithSession, useAppStore } from './store';
import { startUp } from './store/start';
import { App } from './ui/App';
import { prewarmEngineWorker } from './worker/engine-client';
import './ui/styles.css';

const lang = detectLanguage();
initI18n(lang);
useAppStore.getState().setLang(lang);

// Before the first render: what the page opens on (a first visit: a pretrained preset and
// its sample text, so the first frame already shows them), and the engine worker and the
// preset's files start loading while React builds the page.
startUp(useAppStore, {
  hash: window.location.hash,
  search: window.location.search,
  savedSession: openedWithSession,
});
prewarmEngineWorker();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
