/**
 * What the app opens on. A share link (settings in the hash) restores exactly what it says;
 * else a saved session does; else a first visit opens on a pretrained preset with a sample
 * text in the UI language, so the first screen shows gates that already do a job.
 *
 * `?start=seeded` keeps the old first screen (seeded random weights on "hello world") for
 * tests and course pages that want it; `?preset=<task>-<cell>` is the training area's own
 * link (it loads that preset's training session), so no default preset is put in its way.
 */
import type { Language } from '../i18n/index';
import type { AppState } from './index';
import { loadPresetAsset } from './preset-assets';
import { hashHasSettings, parseHash } from './url';

export type StartSource = 'link' | 'session' | 'training-preset' | 'seeded' | 'preset';

export interface StartContext {
  /** `location.hash`. */
  hash: string;
  /** `location.search`. */
  search: string;
  /** True when storage held a saved session when the page loaded. */
  savedSession: boolean;
}

/** Which source wins: link > session > `?preset=` > `?start=seeded` > the default preset. */
export function chooseStart(ctx: StartContext): StartSource {
  if (hashHasSettings(ctx.hash)) return 'link';
  if (ctx.savedSession) return 'session';
  const q = new URLSearchParams(ctx.search);
  if (q.has('preset')) return 'training-preset';
  if (q.get('start') === 'seeded') return 'seeded';
  return 'preset';
}

/**
 * The first screen per UI language: the character-level LSTM of that language's text (it
 * reads what a student types, character by character) and a line of the text it learned.
 */
export const START_PRESETS: Record<Language, { preset: string; text: string }> = {
  en: {
    preset: 'char-lm-en-lstm',
    text: 'Alice was beginning to get very tired of sitting by her sister on the bank,',
  },
  vi: {
    preset: 'char-lm-vi-lstm',
    text: 'Trăm năm trong cõi người ta,\nChữ tài chữ mệnh khéo là ghét nhau.',
  },
};

interface StoreLike {
  getState: () => AppState;
}

/**
 * Applies the start (before the URL sync and the engine start): only the default preset
 * changes anything here; a link is applied by the URL sync, a session by the persist merge.
 * Returns the source chosen.
 */
export function applyStart(store: StoreLike, ctx: StartContext): StartSource {
  const source = chooseStart(ctx);
  if (source === 'preset') {
    const s = store.getState();
    const start = START_PRESETS[s.lang];
    s.applySettings({ preset: start.preset, inputText: start.text, inputMode: 'char', t: 0 });
  }
  return source;
}

/**
 * Page start-up, before the first render: applies the start ({@link applyStart}; the link
 * itself is applied by the URL sync) and fetches the preset the page is about to show
 * (default, link or saved session) now, so its files arrive while React renders the first
 * frame instead of after it. Returns that preset's id, or null.
 */
export function startUp(store: StoreLike, ctx: StartContext): string | null {
  const source = applyStart(store, ctx);
  const s = store.getState();
  const id =
    source === 'preset'
      ? START_PRESETS[s.lang].preset
      : source === 'link'
        ? (parseHash(ctx.hash).settings.preset ?? null)
        : source === 'session'
          ? s.preset
          : null;
  // A failure is reported by the bridge when it asks again (the cache forgets failures).
  if (id) void loadPresetAsset(id).catch(() => undefined);
  return id;
}
