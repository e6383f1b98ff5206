import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetStore, useAppStore } from '../../src/store';
import { startEngineBridge, type EngineBridge } from '../../src/store/engine-bridge';
import { memoryWeightsStore, type SavedWeightsStore } from '../../src/store/saved-weights';
import { sanitizeSession } from '../../src/store/session';
import { applyHash } from '../../src/store/url-sync';

const GOOD = readFileSync('tests/fixtures/weights/lstm_basic.state_dict.json');
const INPUT = { inputMode: 'numeric' as const, inputText: '1, 2, 3\n4, 5, 6' };

let bridge: EngineBridge | null = null;
let saved: SavedWeightsStore;
beforeEach(() => {
  localStorage.clear();
  window.location.hash = '';
  resetStore();
  saved = memoryWeightsStore();
});
afterEach(() => {
  bridge?.stop();
  bridge = null;
});

const start = () =>
  startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0, savedWeights: saved });

/** What a reload keeps: the session (plain data) goes through the same check as on start. */
function reload() {
  bridge?.stop();
  const session = sanitizeSession(JSON.parse(JSON.stringify(useAppStore.getState())));
  resetStore();
  useAppStore.getState().applySettings(session);
  bridge = start();
}

describe('a loaded weights file survives a reload', () => {
  it('keeps the bytes in storage and the name in the session; a reload runs the same model', async () => {
    bridge = start();
    useAppStore.getState().applySettings(INPUT);
    await bridge.loadWeightsFile(new File([GOOD], 'lstm.json'));
    await bridge.settled();
    const before = useAppStore.getState();
    expect(before.weightsFile).toBe('lstm.json');
    expect((await saved.load())?.fileName).toBe('lstm.json');
    const h = Array.from(before.trace!.layers.l0.h!);

    reload();
    await bridge.settled();
    const after = useAppStore.getState();
    expect(after.imported).toMatchObject({ fileName: 'lstm.json', spec: { hiddenSize: 5 } });
    expect(after.weightsFile).toBe('lstm.json');
    expect(Array.from(after.trace!.layers.l0.h!)).toEqual(h);
  });

  it('keeps the form chosen for the file (GRU textbook form) across a reload', async () => {
    const gru = readFileSync('tests/fixtures/reference/gru_pytorch_basic.json');
    const { spec } = JSON.parse(gru.toString('utf8')) as { spec: { inputSize: number } };
    bridge = start();
    const row = Array.from({ length: spec.inputSize }, (_, k) => (k + 1) / 10).join(', ');
    useAppStore.getState().applySettings({ inputMode: 'numeric', inputText: `${row}\n${row}` });
    await bridge.loadWeightsFile(new File([gru], 'gru.json'));
    await bridge.setImportedForm('gru-textbook');
    await bridge.settled();
    expect(useAppStore.getState().imported?.spec.cell).toBe('gru-textbook');
    reload();
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.imported).toMatchObject({ fileName: 'gru.json', spec: { cell: 'gru-textbook' } });
    expect(s.trace?.meta.spec.cell).toBe('gru-textbook');
  });

  it('a file missing from storage is named, and seeded weights show', async () => {
    useAppStore.getState().applySettings({ ...INPUT, weightsFile: 'gone.safetensors' });
    bridge = start();
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.weightsError).toMatchObject({
      code: 'weights-not-saved',
      fileName: 'gone.safetensors',
    });
    expect(s.weightsFile).toBeNull();
    expect(s.imported).toBeNull();
    expect(s.trace?.meta.spec.hiddenSize).toBe(s.hiddenSize);
  });

  it('"Use seeded weights" forgets the file, in storage too; so does a link without it', async () => {
    bridge = start();
    useAppStore.getState().applySettings(INPUT);
    await bridge.loadWeightsFile(new File([GOOD], 'lstm.json'));
    await bridge.settled();
    bridge.forgetWeights();
    await bridge.settled();
    expect(useAppStore.getState().weightsFile).toBeNull();
    expect(await saved.load()).toBeNull();

    await bridge.loadWeightsFile(new File([GOOD], 'again.json'));
    await bridge.settled();
    expect(useAppStore.getState().imported?.fileName).toBe('again.json');
    applyHash(useAppStore, '#cell=gru&hidden=3&tokens=numeric&input=1%2C2');
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.imported).toBeNull();
    expect(s.trace?.meta.spec).toMatchObject({ cell: 'gru', hiddenSize: 3 });
  });

  it('the session keeps a file name and refuses anything else', () => {
    expect(sanitizeSession({ weightsFile: 'a.json' })).toEqual({ weightsFile: 'a.json' });
    expect(sanitizeSession({ weightsFile: null })).toEqual({ weightsFile: null });
    expect(sanitizeSession({ weightsFile: '' })).toEqual({});
    expect(sanitizeSession({ weightsFile: 7 })).toEqual({});
  });
});
