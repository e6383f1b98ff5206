/**
 * Pretrained presets as a model source of the player: `public/presets/<task>-<cell>.safetensors`
 * (made by `npm run pretrain`) and, for a character model, the vocabulary it was trained on
 * (the sorted characters of its dataset, exactly as the engine's `buildCharVocab` builds it),
 * so a typed text is one-hot encoded in the order the weights know.
 *
 * The store holds only the preset's id (plain data: it persists and travels in a link); the
 * bytes are fetched from the app's own origin when needed and cached per id.
 */
import { TASK_CATALOG, buildCharVocab } from '../engine';

/** Cells the pretrain script trains for every task. */
export const PRESET_CELLS = ['lstm', 'gru', 'rnn-tanh'] as const;
export type PresetCell = (typeof PRESET_CELLS)[number];

/** `<task>-<cell>`, e.g. `char-lm-en-lstm`. */
export const PRESET_ID_PATTERN = /^([a-z0-9]+(?:-[a-z0-9]+)*)-(lstm|gru|rnn-tanh)$/;

/** The task and cell of a preset id, or null when no shipped preset has that id. */
export function parsePresetId(id: string): { task: string; cell: PresetCell } | null {
  const m = PRESET_ID_PATTERN.exec(id);
  if (!m) return null;
  const [, task, cell] = m as unknown as [string, string, PresetCell];
  return TASK_CATALOG.some((e) => e.id === task) ? { task, cell } : null;
}

/** Every preset id `npm run pretrain` writes (task x cell). */
export const PRESET_IDS: readonly string[] = TASK_CATALOG.flatMap((e) =>
  PRESET_CELLS.map((c) => `${e.id}-${c}`),
);

export interface PresetAsset {
  id: string;
  fileName: string;
  /** The checkpoint (the worker gets a clone; this copy stays for a restart). */
  bytes: ArrayBuffer;
  /** The character vocabulary of a character model, else null (inputs numbered as typed). */
  vocabulary: string[] | null;
}

export type FetchBytes = (path: string) => Promise<ArrayBuffer>;

const base = (): string => {
  const env = (import.meta as { env?: { BASE_URL?: string } }).env;
  return env?.BASE_URL ?? '/';
};

/** Reads a file shipped under `public/` from the app's own origin. */
export const fetchPublic: FetchBytes = async (path) => {
  const res = await fetch(`${base()}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.arrayBuffer();
};

const cache = new Map<string, Promise<PresetAsset>>();

/**
 * The checkpoint and vocabulary of preset `id` (both files fetched at once; cached, a
 * failure is forgotten so a later try fetches again).
 * @throws Error naming the id when it is not a shipped preset, or the file that failed.
 */
export function loadPresetAsset(
  id: string,
  fetchBytes: FetchBytes = fetchPublic,
): Promise<PresetAsset> {
  let p = cache.get(id);
  if (!p) {
    p = fetchAsset(id, fetchBytes);
    cache.set(id, p);
    p.catch(() => cache.delete(id));
  }
  return p;
}

async function fetchAsset(id: string, fetchBytes: FetchBytes): Promise<PresetAsset> {
  const parsed = parsePresetId(id);
  if (!parsed) throw new Error(`No pretrained preset is called “${id}”.`);
  const entry = TASK_CATALOG.find((e) => e.id === parsed.task)!;
  const fileName = `${id}.safetensors`;
  const charModel = entry.id.startsWith('char-lm') && entry.dataset !== null;
  const [bytes, text] = await Promise.all([
    fetchBytes(`presets/${fileName}`),
    charModel
      ? fetchBytes(`datasets/${entry.dataset}`).then((b) => new TextDecoder().decode(b))
      : null,
  ]);
  return { id, fileName, bytes, vocabulary: text === null ? null : buildCharVocab(text).chars };
}

/** Forget cached presets (tests). */
export function clearPresetCache(): void {
  cache.clear();
}
