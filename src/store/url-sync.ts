/**
 * Keeps the URL hash and the store in step: a link's settings are applied on
 * start (and on `hashchange`), and the hash follows the settings with
 * `history.replaceState` (no history entry per keystroke or step).
 */
import type { AppState } from './index';
import { useAppStore } from './index';
import { buildHash, hashHasSettings, parseHash, type UrlSettings } from './url';

type Store = typeof useAppStore;

/** The URL-contract view of the state. */
export function urlSettingsOf(s: AppState): UrlSettings {
  return {
    cell: s.cell,
    hiddenSize: s.hiddenSize,
    numLayers: s.numLayers,
    bidirectional: s.bidirectional,
    seed: s.seed,
    inputText: s.inputText,
    inputMode: s.inputMode,
    t: Math.max(0, Math.min(s.t, s.traceT > 0 ? s.traceT - 1 : s.t)),
    lang: s.lang,
    preset: s.preset,
    weightsFile: s.weightsFile,
  };
}

/** Apply a hash's settings (if it has any) and report its bad values. */
export function applyHash(store: Store, hash: string): boolean {
  if (!hashHasSettings(hash)) return false;
  const { settings, issues } = parseHash(hash);
  // A link says which weights it shows: without `preset` it is the seeded model of its settings.
  store.getState().applySettings({
    ...settings,
    preset: settings.preset ?? null,
    weightsFile: settings.weightsFile ?? null,
  });
  store.getState().setUrlIssues(issues);
  return true;
}

/** Starts syncing with `window.location`; returns a stop function. */
export function startUrlSync(store: Store = useAppStore, win: Window = window): () => void {
  applyHash(store, win.location.hash);
  let written = win.location.hash.replace(/^#/, '');
  let timer: ReturnType<typeof setTimeout> | null = null;

  const write = () => {
    timer = null;
    const next = buildHash(urlSettingsOf(store.getState()));
    if (next === written) return;
    written = next;
    try {
      win.history.replaceState(win.history.state, '', `#${next}`);
    } catch {
      /* sandboxed iframes may refuse: the app works without it */
    }
  };
  const FIELDS = [
    'cell',
    'hiddenSize',
    'numLayers',
    'bidirectional',
    'seed',
    'inputText',
    'inputMode',
    't',
    'traceT',
    'lang',
    'preset',
    'weightsFile',
  ] as const;
  const unsubscribe = store.subscribe((s, prev) => {
    if (FIELDS.some((k) => s[k] !== prev[k]) && !timer) {
      // At most a few writes a second while playing (browsers throttle replaceState).
      timer = setTimeout(write, 400);
    }
  });
  const onHashChange = () => {
    const h = win.location.hash.replace(/^#/, '');
    if (h === written) return;
    written = h;
    applyHash(store, win.location.hash);
  };
  win.addEventListener('hashchange', onHashChange);
  // The first write makes the current settings visible in the address bar.
  timer = setTimeout(write, 0);
  return () => {
    unsubscribe();
    win.removeEventListener('hashchange', onHashChange);
    if (timer) clearTimeout(timer);
  };
}
