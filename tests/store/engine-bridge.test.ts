import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModel, forward } from '../../src/engine';
import { resetStore, useAppStore } from '../../src/store';
import { startEngineBridge, type EngineBridge } from '../../src/store/engine-bridge';
import { startUrlSync } from '../../src/store/url-sync';
import { traceValue } from '../../src/store/selectors';
import type { WorkerLike } from '../../src/worker/engine-client';
import { createEngineHost } from '../../src/worker/engine-host';
import type { FromWorker } from '../../src/worker/protocol';

/** A worker-like host in this thread with small frames (many frames per run), counting them. */
function smallFrameWorker(counter: { frames: number }): WorkerLike {
  const w: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (msg) => queueMicrotask(() => void host.handle(msg)),
    terminate: () => host.dispose(),
  };
  const host = createEngineHost(
    (msg: FromWorker) => {
      if (msg.type === 'traceFrame') counter.frames++;
      queueMicrotask(() => w.onmessage?.({ data: msg } as MessageEvent<FromWorker>));
    },
    { frameValues: 64 },
  );
  return w;
}

let bridge: EngineBridge | null = null;
afterEach(() => bridge?.stop());
beforeEach(() => {
  localStorage.clear();
  window.location.hash = '';
  resetStore();
});

describe('engine bridge', () => {
  it('runs the seeded model on the input and fills the trace with what the engine computes', async () => {
    useAppStore
      .getState()
      .applySettings({ cell: 'rnn-tanh', hiddenSize: 3, seed: 9, inputText: 'abca' });
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.runStatus).toBe('done');
    expect(s.traceT).toBe(4);
    expect(s.paramCount).toBeGreaterThan(0);
    const model = createModel(
      {
        cell: 'rnn-tanh',
        inputSize: 3,
        hiddenSize: 3,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      },
      { seed: 9 },
    );
    const x = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
    const h = forward(model, x).layers[0].act.h!;
    for (let t = 0; t < 4; t++) {
      for (let u = 0; u < 3; u++) expect(traceValue(s, 'l0', 'h', t, u)).toBe(h[t * 3 + u]);
    }
    expect(s.trace?.tokens).toEqual(['a', 'b', 'c', 'a']);
  });

  it('coalesces streamed frames into fewer store updates', async () => {
    const counter = { frames: 0 };
    let updates = 0;
    const unsub = useAppStore.subscribe((s, p) => {
      if (s.traceVersion !== p.traceVersion) updates++;
    });
    useAppStore.getState().applySettings({ inputText: 'x'.repeat(1500), hiddenSize: 8 });
    bridge = startEngineBridge(useAppStore, {
      createWorker: () => smallFrameWorker(counter),
      debounceMs: 0,
    });
    await bridge.settled();
    unsub();
    expect(useAppStore.getState().traceT).toBe(1500);
    expect(counter.frames).toBeGreaterThan(50);
    expect(updates).toBeGreaterThan(0);
    expect(updates).toBeLessThan(counter.frames / 2);
  });

  it('keeps the last good trace and the typed text while the input has an error', async () => {
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    const before = useAppStore.getState().trace;
    useAppStore.getState().setInputMode('numeric');
    useAppStore.getState().setInputText('1, 2\nnope');
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.trace).toBe(before);
    expect(s.inputText).toBe('1, 2\nnope');
    expect(s.parsed.issues[0]).toMatchObject({ code: 'not-a-number', line: 2 });
  });

  it('imports weights from a file, reads the spec from the shapes, and reports a bad file', async () => {
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    useAppStore.getState().applySettings({ inputMode: 'numeric', inputText: '1, 2, 3\n4, 5, 6' });
    const good = readFileSync('tests/fixtures/weights/lstm_basic.state_dict.json');
    await bridge.loadWeightsFile(new File([good], 'lstm.json'));
    await bridge.settled();
    let s = useAppStore.getState();
    expect(s.imported?.spec).toMatchObject({ cell: 'lstm', inputSize: 3, hiddenSize: 5 });
    expect(s.trace?.meta.spec.hiddenSize).toBe(5);
    expect(s.traceT).toBe(2);

    const bad = readFileSync('tests/fixtures/weights/lstm_bad_shape.state_dict.json');
    await bridge.loadWeightsFile(new File([bad], 'bad.json'));
    s = useAppStore.getState();
    expect(s.weightsError?.fileName).toBe('bad.json');
    expect(s.weightsError?.message).toMatch(/bias_hh_l0.*\[7\]/);
    expect(s.imported?.fileName).toBe('lstm.json'); // the previous model stays

    bridge.forgetWeights();
    await bridge.settled();
    expect(useAppStore.getState().imported).toBeNull();
    expect(useAppStore.getState().trace?.meta.spec.hiddenSize).toBe(4);
  });

  it('re-runs after a crash with the last good settings', async () => {
    bridge = startEngineBridge(useAppStore, { createWorker: () => null, debounceMs: 0 });
    await bridge.settled();
    const runBefore = useAppStore.getState().trace?.runId ?? 0;
    bridge.client.crashForTest();
    await new Promise((r) => setTimeout(r, 20));
    await bridge.settled();
    const s = useAppStore.getState();
    expect(s.workerRestarts).toBe(1);
    expect(s.restartNotice).toBe(true);
    expect(s.trace?.runId ?? 0).toBeGreaterThan(runBefore);
    expect(s.runStatus).toBe('done');
    expect(s.engineError).toBeNull();
  });
});

describe('URL sync', () => {
  it('applies a link on start and writes the hash as settings change', async () => {
    window.location.hash = '#cell=gru&hidden=7&input=abc&t=2&bogus=1&layers=9';
    const stop = startUrlSync(useAppStore, window);
    const s = useAppStore.getState();
    expect([s.cell, s.hiddenSize, s.inputText, s.t]).toEqual(['gru', 7, 'abc', 1]);
    expect(s.urlIssues).toEqual([{ key: 'layers', value: '9', expected: '1-4' }]);
    s.setSeed(77);
    await new Promise((r) => setTimeout(r, 450));
    expect(window.location.hash).toContain('seed=77');
    expect(window.location.hash).toContain('cell=gru');
    stop();
  });
});
