/**
 * A weights file the user loaded, kept in IndexedDB (idb-keyval) so a reload restores it:
 * no user data is lost when the page reloads. The store and the URL hold only the file's
 * name (`weights=` in the link, `weightsFile` in the session); the bytes stay here.
 *
 * Storage may be blocked (some iframes, private modes): every call is wrapped, a failure
 * means "not saved" and never throws.
 */
import { del, get, set } from 'idb-keyval';

/** What is kept: the file as loaded and the form chosen for it. */
export interface SavedWeights {
  fileName: string;
  format: 'state-dict-json' | 'safetensors';
  bytes: ArrayBuffer;
  formOverride: 'gru-textbook' | 'rnn-relu' | null;
}

/** Where the bytes go (IndexedDB in the app; a Map in tests). */
export interface SavedWeightsStore {
  save(w: SavedWeights): Promise<boolean>;
  load(): Promise<SavedWeights | null>;
  clear(): Promise<void>;
}

const KEY = 'gatescope.weights';

const isSaved = (v: unknown): v is SavedWeights => {
  if (!v || typeof v !== 'object') return false;
  const w = v as Record<string, unknown>;
  return (
    typeof w.fileName === 'string' &&
    (w.format === 'safetensors' || w.format === 'state-dict-json') &&
    w.bytes instanceof ArrayBuffer &&
    (w.formOverride === null || w.formOverride === 'gru-textbook' || w.formOverride === 'rnn-relu')
  );
};

/** IndexedDB through idb-keyval, one entry (the last file loaded). */
export const idbWeightsStore: SavedWeightsStore = {
  async save(w) {
    try {
      await set(KEY, w);
      return true;
    } catch {
      return false;
    }
  },
  async load() {
    try {
      const v: unknown = await get(KEY);
      return isSaved(v) ? v : null;
    } catch {
      return null;
    }
  },
  async clear() {
    try {
      await del(KEY);
    } catch {
      /* nothing saved, or storage blocked */
    }
  },
};

/** A store in memory (tests, and where IndexedDB does not exist). */
export function memoryWeightsStore(): SavedWeightsStore {
  let kept: SavedWeights | null = null;
  return {
    save: (w) => {
      kept = { ...w, bytes: w.bytes.slice(0) };
      return Promise.resolve(true);
    },
    load: () => Promise.resolve(kept && { ...kept, bytes: kept.bytes.slice(0) }),
    clear: () => {
      kept = null;
      return Promise.resolve();
    },
  };
}
