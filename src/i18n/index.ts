import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Catalogs live in `locales/<lang>/<area>.json`, one file per area of the app
 * (app, player, panels, ...), so each feature adds its own file. Each area is a
 * top-level key: `t('player.play')` reads `locales/en/player.json` -> `play`.
 */
export const LANGUAGES = ['en', 'vi'] as const;
export type Language = (typeof LANGUAGES)[number];

type Catalog = Record<string, unknown>;
const files = import.meta.glob<Catalog>('./locales/*/*.json', { eager: true, import: 'default' });

/** Every catalog, by language then area. */
export function loadCatalogs(): Record<Language, Record<string, Catalog>> {
  const out: Record<string, Record<string, Catalog>> = { en: {}, vi: {} };
  for (const [path, data] of Object.entries(files)) {
    const m = /\.\/locales\/([a-z]+)\/([\w-]+)\.json$/.exec(path);
    if (!m) continue;
    (out[m[1]] ??= {})[m[2]] = data;
  }
  return out;
}

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** `?lang=` in the URL (search or hash) wins, then the browser's languages, then English. */
export function detectLanguage(
  search: string = globalThis.location?.search ?? '',
  hash: string = globalThis.location?.hash ?? '',
  browser: readonly string[] = globalThis.navigator?.languages ?? [],
): Language {
  for (const q of [search, hash.replace(/^#/, '')]) {
    const lang = new URLSearchParams(q.startsWith('?') ? q.slice(1) : q).get('lang');
    if (isLanguage(lang)) return lang;
  }
  for (const b of browser) {
    const base = b.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

let initialised = false;

/** Initialise i18next once (synchronously: the catalogs are bundled, no network). */
export function initI18n(lng: Language = detectLanguage()) {
  if (!initialised) {
    const catalogs = loadCatalogs();
    void i18next.use(initReactI18next).init({
      lng,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      resources: {
        en: { translation: catalogs.en },
        vi: { translation: catalogs.vi },
      },
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
    });
    initialised = true;
  } else if (i18next.language !== lng) {
    void i18next.changeLanguage(lng);
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  return i18next;
}

export { i18next };
