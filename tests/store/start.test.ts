import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCharVocab, forward, importSafetensors } from '../../src/engine';
import { resetStore, useAppStore } from '../../src/store';
import { startEngineBridge, type EngineBridge } from '../../src/store/engine-bridge';
import { parseInput, toFeatures } from '../../src/store/input-parse';
import { clearPresetCache, parsePresetId, PRESET_IDS } from '../../src/store/preset-assets';
import { traceValue } from '../../src/store/selectors';
import { isSavedSession, sanitizeSession } from '../../src/store/session';
import { applyStart, chooseStart, START_PRESETS, startUp } from '../../src/store/start';
import { applyHash, startUrlSync } from '../../src/store/url-sync';

const ROOT = join(import.meta.dirname, '../..');
const publicFile = (path: string) => readFileSync(join(ROOT, 'public', path));

/** `fetch` of the app's own `public/` files, counting requests. */
function stubPublicFetch() {
  const requested: string[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    requested.push(url);
    try {
      const buf = publicFile(url.replace(/^\//, ''));
      const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return Promise.resolve({ ok: true, status: 200, arrayBuffer: () => Promise.resolve(bytes) });
    } catch {
      return Promise.resolve({ ok: false, status: 404 });
    }
  });
  return requested;
}

let bridge: EngineBridge | null = null;
let stopUrl: (() => void) | null = null;
beforeEach(() => {
  localStorage.clear();
  window.location.hash = '';
  resetStore();
  clearPresetCache();
});
afterEach(() => {
  bridge?.stop();
  bridge = null;
  stopUrl?.();
  stopUrl = null;
  vi.unstubAllGlobals();
});

const ctx = { hash: '', search: '?lang=en', savedSession: false };

describe('which start wins: link > session > preset default', () => {
  it('a first visit opens on the default preset', () => {
    expect(chooseStart(ctx)).toBe('preset');
  });
  it('a share link wins over a saved session and the preset', () => {
    expect(chooseStart({ ...ctx, hash: '#cell=gru&hidden=3', savedSession: true })).toBe('link');
    expect(chooseStart({ ...ctx, hash: '#preset=recall-lstm' })).toBe('link');
  });
  it('an in-page anchor is not a link; a saved session wins over the preset', () => {
    expect(chooseStart({ ...ctx, hash: '#main', savedSession: true })).toBe('session');
  });
  it('?start=seeded keeps seeded weights; ?preset= is left to the training area', () => {
    expect(chooseStart({ ...ctx, search: '?lang=en&start=seeded' })).toBe('seeded');
    expect(chooseStart({ ...ctx, search: '?preset=recall-gru' })).toBe('training-preset');
    // A session still beats the flags: it restores exactly what it says.
    expect(chooseStart({ ...ctx, search: '?start=seeded', savedSession: true })).toBe('session');
  });
  it('reads a saved session only when storage holds one', () => {
    expect(isSavedSession(null)).toBe(false);
    expect(isSavedSession('not json')).toBe(false);
    expect(isSavedSession('{"version":1}')).toBe(false);
    expect(isSavedSession('{"state":{"cell":"gru"},"version":1}')).toBe(true);
  });
});

describe('applyStart', () => {
  it('puts the preset of the UI language and its sample text in the store (plain data)', () => {
    expect(applyStart(useAppStore, ctx)).toBe('preset');
    let s = useAppStore.getState();
    expect(s.preset).toBe(START_PRESETS.en.preset);
    expect(s.inputText).toBe(START_PRESETS.en.text);
    expect(JSON.parse(JSON.stringify({ preset: s.preset }))).toEqual({ preset: s.preset });
    resetStore();
    useAppStore.getState().setLang('vi');
    applyStart(useAppStore, ctx);
    s = useAppStore.getState();
    expect(s.preset).toBe('char-lm-vi-lstm');
    expect(s.inputText).toBe(START_PRESETS.vi.text);
  });

  it('changes nothing for a link, a session or ?start=seeded', () => {
    const before = useAppStore.getState();
    for (const c of [
      { ...ctx, hash: '#cell=gru' },
      { ...ctx, savedSession: true },
      { ...ctx, search: '?start=seeded' },
    ]) {
      applyStart(useAppStore, c);
      const s = useAppStore.getState();
      expect(s.preset).toBeNull();
      expect(s.inputText).toBe(before.inputText);
      expect(s.cell).toBe(before.cell);
    }
  });

  it('a link without `preset` shows seeded weights even over a preset in use', () => {
    useAppStore.getState().setPreset('char-lm-en-lstm');
    applyHash(useAppStore, '#cell=gru&hidden=5&input=abc');
    const s = useAppStore.getState();
    expect(s.preset).toBeNull();
    expect(s.cell).toBe('gru');
    expect(s.hiddenSize).toBe(5);
    applyHash(useAppStore, '#cell=lstm&preset=recall-lstm');
    expect(useAppStore.getState().preset).toBe('recall-lstm');
  });

  it('every start preset has a sample text inside its vocabulary', () => {
    for (const { preset, text } of Object.values(START_PRESETS)) {
      const task = parsePresetId(preset)!.task;
      const file = task === 'char-lm-en' ? 'alice-ch1.txt' : 'truyen-kieu-1-56.txt';
      const vocab = buildCharVocab(publicFile(`datasets/${file}`).toString('utf8')).chars;
      expect(parseInput(text, 'char', null, undefined, vocab).issues).toEqual([]);
    }
  });
});

describe('startUp (before the first render)', () => {
  it('applies the start and fetches the preset the page will show at once', async () => {
    const requested = stubPublicFetch();
    expect(startUp(useAppStore, ctx)).toBe('char-lm-en-lstm');
    expect(useAppStore.getState().preset).toBe('char-lm-en-lstm');
    await new Promise((r) => setTimeout(r, 0));
    expect(requested.sort()).toEqual([
      '/datasets/alice-ch1.txt',
      '/presets/char-lm-en-lstm.safetensors',
    ]);
  });
  it('a link prefetches its own preset; a seeded start fetches nothing', () => {
    const requested = stubPublicFetch();
    expect(startUp(useAppStore, { ...ctx, hash: '#preset=recall-gru&cell=gru' })).toBe(
      'recall-gru',
    );
    expect(useAppStore.getState().preset).toBeNull(); // the URL sync applies the link itself
    expect(requested).toEqual(['/presets/recall-gru.safetensors']);
    expect(startUp(useAppStore, { ...ctx, search: '?start=seeded' })).toBeNull();
    expect(requested).toHaveLength(1);
  });
});

describe('model settings and the preset', () => {
  it('changing a model setting leaves the preset for the seeded model asked for', () => {
    const a = useAppStore.getState();
    a.setPreset('char-lm-en-lstm');
    a.setInputText('typing keeps the preset');
    expect(useAppStore.getState().preset).toBe('char-lm-en-lstm');
    a.setHiddenSize(useAppStore.getState().hiddenSize); // no change: stays
    expect(useAppStore.getState().preset).toBe('char-lm-en-lstm');
    a.setHiddenSize(7);
    const s = useAppStore.getState();
    expect(s.preset).toBeNull();
    expect(s.hiddenSize).toBe(7);
    for (const act of [
      () => useAppStore.getState().setCell('gru'),
      () => useAppStore.getState().setNumLayers(2),
      () => useAppStore.getState().setBidirectional(true),
      () => useAppStore.getState().setSeed(3),
    ]) {
      useAppStore.getState().setPreset('recall-lstm');
      act();
      expect(useAppStore.getState().preset).toBeNull();
    }
  });

  it('the saved session keeps a valid preset id and drops a bad one', () => {
    expect(sanitizeSession({ preset: 'char-lm-vi-gru' })).toEqual({ preset: 'char-lm-vi-gru' });
    expect(sanitizeSession({ preset: null })).toEqual({ preset: null });
    expect(sanitizeSession({ preset: '../../etc' })).toEqual({});
    expect(sanitizeSession({ preset: 'nope-lstm' })).toEqual({});
  });

  it('knows every shipped preset id (task x cell), and only those', () => {
    const index = JSON.parse(publicFile('presets/index.json').toString('utf8')) as {
      presets: { file: string }[];
    };
    const shipped = index.presets.map((p) => p.file.replace(/\.safetensors$/, '')).sort();
    expect([...PRESET_IDS].sort()).toEqual(shipped);
    expect(parsePresetId('recall-rnn-tanh')).toEqual({ task: 'recall', cell: 'rnn-tanh' });
    expect(parsePresetId('char-lm-en-lstm')).toEqual({ task: 'char-lm-en', cell: 'lstm' });
    expect(parsePresetId('char-lm-en-rnn-relu')).toBeNull();
  });
});

describe('reading text with a fixed vocabulary', () => {
  it('one-hot in the vocabulary order, unknown characters named once with their step', () => {
    const vocab = [' ', 'a', 'b', 'c'];
    const p = parseInput('cab a', 'char', null, undefined, vocab);
    expect(p.issues).toEqual([]);
    expect(p.inputSize).toBe(4);
    expect(Array.from(toFeatures(p).subarray(0, 8))).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    const bad = parseInput('abzzq', 'char', null, undefined, vocab);
    expect(bad.issues).toEqual([
      { code: 'not-in-vocabulary', token: 'z', position: 3, size: 4 },
      { code: 'not-in-vocabulary', token: 'q', position: 5, size: 4 },
    ]);
  });
});

describe('the engine bridge shows a preset', () => {
  it('loads the weights and vocabulary, adopts the shape, and runs the trained model on the text', async () => {
    const requested = stubPublicFetch();
    applyStart(useAppStore, ctx);
    stopUrl = startUrlSync(useAppStore, window);
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    const s = useAppStore.getState();
    expect(requested.sort()).toEqual([
      '/datasets/alice-ch1.txt',
      '/presets/char-lm-en-lstm.safetensors',
    ]);
    expect(s.imported).toMatchObject({
      preset: 'char-lm-en-lstm',
      fileName: 'char-lm-en-lstm.safetensors',
    });
    expect(s.weightsError).toBeNull();
    const { model } = importSafetensors(
      new Uint8Array(publicFile('presets/char-lm-en-lstm.safetensors')),
    );
    // The controls show the preset's shape.
    expect([s.cell, s.hiddenSize, s.numLayers, s.bidirectional]).toEqual([
      'lstm',
      model.spec.hiddenSize,
      1,
      false,
    ]);
    const vocab = buildCharVocab(publicFile('datasets/alice-ch1.txt').toString('utf8')).chars;
    expect(s.parsed.vocabulary).toEqual(vocab);
    const text = START_PRESETS.en.text;
    expect(s.traceT).toBe(Array.from(text).length);
    const x = toFeatures(parseInput(text, 'char', null, undefined, vocab));
    const h = forward(model, x).layers[0].act.h!;
    const H = model.spec.hiddenSize;
    for (const t of [0, 10, s.traceT - 1]) {
      for (let u = 0; u < H; u += 5) expect(traceValue(s, 'l0', 'h', t, u)).toBe(h[t * H + u]);
    }
    // The link written says so.
    await new Promise((r) => setTimeout(r, 450));
    expect(window.location.hash).toContain('preset=char-lm-en-lstm');
    expect(window.location.hash).toContain(`hidden=${H}`);
  });

  it('a change of hidden size runs the seeded model asked for', async () => {
    stubPublicFetch();
    applyStart(useAppStore, ctx);
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    useAppStore.getState().setHiddenSize(5);
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.preset).toBeNull();
    expect(s.imported).toBeNull();
    expect(s.trace?.meta.spec.hiddenSize).toBe(5);
    // Read by first appearance again: the text's own 20-odd characters.
    expect(s.trace?.meta.spec.inputSize).toBe(new Set(START_PRESETS.en.text).size);
  });

  it('a preset that cannot be fetched says why and falls back to seeded weights', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve({ ok: false, status: 404 }));
    applyStart(useAppStore, ctx);
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.preset).toBeNull();
    expect(s.weightsError).toMatchObject({
      code: 'bad-weights',
      fileName: 'char-lm-en-lstm.safetensors',
    });
    expect(s.weightsError?.message).toContain('HTTP 404');
    expect(s.runStatus).toBe('done');
    expect(s.trace?.meta.spec.hiddenSize).toBe(s.hiddenSize);
  });
});
