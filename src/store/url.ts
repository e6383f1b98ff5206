/**
 * The public URL contract, in the hash as `URLSearchParams` (later share links
 * and embeds extend it):
 *
 * | key | values |
 * |---|---|
 * | `cell` | `rnn-tanh`, `rnn-relu`, `lstm`, `gru`, `gru-textbook` |
 * | `hidden` | hidden size, 1-64 |
 * | `layers` | 1-4 |
 * | `bidirectional` | `0`/`1` (`true`/`false` accepted) |
 * | `seed` | 0-4294967295 |
 * | `input` | the input text as typed (left out of links when longer than 1000 characters) |
 * | `tokens` | `char` (default), `word`; `numeric` forces numeric mode |
 * | `t` | current step, 1-based |
 * | `lang` | `en`, `vi` |
 * | `weights` | the name of a weights file loaded in this browser (restored from its storage; elsewhere the link says it is missing) |
 * | `preset` | a pretrained preset shown instead of seeded weights, `<task>-<cell>` (e.g. `char-lm-en-lstm`); absent: seeded weights |
 *
 * Opening such a URL reproduces the same values. A bad value is reported
 * (which key, what was found, what was used instead) and the default kept.
 */
import * as v from 'valibot';
import { CELL_KINDS, type CellKind } from '../engine/types';
import { LANGUAGES, type Language } from '../i18n/index';
import type { InputMode } from './input-parse';
import { LIMITS } from './limits';
import { parsePresetId } from './preset-assets';

export interface UrlSettings {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
  inputText: string;
  inputMode: InputMode;
  /** 0-based (the URL holds t + 1). */
  t: number;
  lang: Language;
  /** Pretrained preset id, or null for the seeded model of the settings above. */
  preset: string | null;
  /** A weights file loaded in this browser (its name), or null. */
  weightsFile: string | null;
}

export interface UrlIssue {
  key: string;
  value: string;
  /** What the key accepts, for the message (e.g. "1-64", "char, word"). */
  expected: string;
}

const int = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d+$/),
    v.transform(Number),
    v.integer(),
    v.minValue(min),
    v.maxValue(max),
  );

/** One schema per key, so each bad value is reported on its own. */
const SCHEMAS = {
  cell: { schema: v.picklist(CELL_KINDS), expected: CELL_KINDS.join(', ') },
  hidden: {
    schema: int(LIMITS.hiddenSize.min, LIMITS.hiddenSize.max),
    expected: `${LIMITS.hiddenSize.min}-${LIMITS.hiddenSize.max}`,
  },
  layers: {
    schema: int(LIMITS.numLayers.min, LIMITS.numLayers.max),
    expected: `${LIMITS.numLayers.min}-${LIMITS.numLayers.max}`,
  },
  bidirectional: {
    schema: v.pipe(
      v.picklist(['0', '1', 'true', 'false']),
      v.transform((s) => s === '1' || s === 'true'),
    ),
    expected: '0, 1',
  },
  seed: {
    schema: int(LIMITS.seed.min, LIMITS.seed.max),
    expected: `${LIMITS.seed.min}-${LIMITS.seed.max}`,
  },
  input: { schema: v.pipe(v.string(), v.maxLength(100_000)), expected: '≤ 100000' },
  tokens: { schema: v.picklist(['char', 'word', 'numeric']), expected: 'char, word, numeric' },
  t: { schema: int(1, 1_000_000), expected: '≥ 1' },
  lang: { schema: v.picklist(LANGUAGES), expected: LANGUAGES.join(', ') },
  weights: {
    schema: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    expected: 'a file name',
  },
  preset: {
    schema: v.pipe(
      v.string(),
      v.check((id) => parsePresetId(id) !== null),
    ),
    expected: '<task>-<lstm|gru|rnn-tanh>',
  },
} as const;

type Key = keyof typeof SCHEMAS;
const KEYS = Object.keys(SCHEMAS) as Key[];

/** Read the settings a hash carries. Keys absent from the hash are absent from `settings`. */
export function parseHash(hash: string): { settings: Partial<UrlSettings>; issues: UrlIssue[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const settings: Partial<UrlSettings> = {};
  const issues: UrlIssue[] = [];
  for (const key of KEYS) {
    const raw = params.get(key);
    if (raw === null) continue;
    const { schema, expected } = SCHEMAS[key];
    const r = v.safeParse(schema, raw);
    if (!r.success) {
      issues.push({ key, value: raw.slice(0, 40), expected });
      continue;
    }
    const out = r.output as never;
    switch (key) {
      case 'cell':
        settings.cell = out;
        break;
      case 'hidden':
        settings.hiddenSize = out;
        break;
      case 'layers':
        settings.numLayers = out;
        break;
      case 'bidirectional':
        settings.bidirectional = out;
        break;
      case 'seed':
        settings.seed = out;
        break;
      case 'input':
        settings.inputText = out;
        break;
      case 'tokens':
        settings.inputMode = out;
        break;
      case 't':
        settings.t = (out as number) - 1;
        break;
      case 'lang':
        settings.lang = out;
        break;
      case 'preset':
        settings.preset = out;
        break;
      case 'weights':
        settings.weightsFile = out;
        break;
    }
  }
  return { settings, issues };
}

/** Longest input text (characters) written into a link. */
export const MAX_URL_INPUT = 1000;

/** The hash (without `#`) for these settings, keys in a fixed order; `input` only up to {@link MAX_URL_INPUT}. */
export function buildHash(s: UrlSettings): string {
  const p = new URLSearchParams();
  p.set('cell', s.cell);
  p.set('hidden', String(s.hiddenSize));
  p.set('layers', String(s.numLayers));
  p.set('bidirectional', s.bidirectional ? '1' : '0');
  p.set('seed', String(s.seed));
  p.set('tokens', s.inputMode);
  // A long input (a 2000-step series) would make a 20 KB URL that browsers and chat apps cut,
  // and rewriting it costs the main thread: such an input stays out of the link.
  if (s.inputText.length <= MAX_URL_INPUT) p.set('input', s.inputText);
  p.set('t', String(s.t + 1));
  p.set('lang', s.lang);
  if (s.preset !== null) p.set('preset', s.preset);
  if (s.weightsFile !== null) p.set('weights', s.weightsFile);
  return p.toString();
}

/** True when the hash holds any key of the contract (a shared link, not an in-page anchor). */
export function hashHasSettings(hash: string): boolean {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return KEYS.some((k) => params.has(k));
}
