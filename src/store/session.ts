import * as v from 'valibot';
import { CELL_KINDS } from '../engine/types';
import { INPUT_MODES } from './input-parse';
import { LIMITS, SPEEDS } from './limits';
import { parsePresetId } from './preset-assets';
import type { UrlSettings } from './url';

/** What survives a reload (plain data only: no trace, no weights). */
export interface PersistedSession {
  theme: 'light' | 'dark' | 'system';
  cell: UrlSettings['cell'];
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
  /** The pretrained preset shown (its id), or null for seeded weights. */
  preset: string | null;
  /** The name of a weights file loaded in this browser (bytes in IndexedDB), or null. */
  weightsFile: string | null;
  inputText: string;
  inputMode: UrlSettings['inputMode'];
  t: number;
  speed: number;
}

const intIn = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

const FIELDS = {
  theme: v.picklist(['light', 'dark', 'system']),
  cell: v.picklist(CELL_KINDS),
  hiddenSize: intIn(LIMITS.hiddenSize.min, LIMITS.hiddenSize.max),
  numLayers: intIn(LIMITS.numLayers.min, LIMITS.numLayers.max),
  bidirectional: v.boolean(),
  seed: intIn(LIMITS.seed.min, LIMITS.seed.max),
  preset: v.nullable(
    v.pipe(
      v.string(),
      v.check((id) => parsePresetId(id) !== null),
    ),
  ),
  weightsFile: v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
  inputText: v.pipe(v.string(), v.maxLength(100_000)),
  inputMode: v.picklist(INPUT_MODES),
  t: intIn(0, 1_000_000),
  speed: v.picklist(SPEEDS),
};

/**
 * Keep only the saved fields that are valid (storage may hold anything: an old
 * version, another tab's bug, a hand edit); the rest keep their defaults.
 */
export function sanitizeSession(saved: unknown): Partial<PersistedSession> {
  const out: Record<string, unknown> = {};
  if (!saved || typeof saved !== 'object') return out;
  for (const [k, schema] of Object.entries(FIELDS)) {
    const value = (saved as Record<string, unknown>)[k];
    if (value === undefined) continue;
    const r = v.safeParse(schema, value);
    if (r.success) out[k] = r.output;
  }
  return out;
}

/** True when `raw` (the storage entry) is a saved session the persist middleware would restore. */
export function isSavedSession(raw: string | null): boolean {
  if (!raw) return false;
  try {
    const obj: unknown = JSON.parse(raw);
    const state = obj && typeof obj === 'object' ? (obj as { state?: unknown }).state : null;
    return !!state && typeof state === 'object';
  } catch {
    return false;
  }
}
