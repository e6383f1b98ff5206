import { beforeEach, describe, expect, it } from 'vitest';
import { flushPersist, getInitialState, resetStore, useAppStore } from '../../src/store';
import {
  selectDirection,
  selectLayerKey,
  selectQuantities,
  selectSpec,
  selectT,
  selectUnit,
  traceValue,
} from '../../src/store/selectors';
import { sanitizeSession } from '../../src/store/session';
import type { StoreTrace } from '../../src/store/trace-slice';
import type { TraceMeta } from '../../src/worker/protocol';

/** A small trace: 2 layers, bidirectional GRU, T = 5, H = 3; value = 100*t + 10*unit + layerIdx. */
function fakeTrace(): StoreTrace {
  const T = 5;
  const H = 3;
  const meta: TraceMeta = {
    spec: {
      cell: 'gru',
      inputSize: 2,
      hiddenSize: H,
      numLayers: 2,
      bidirectional: true,
      bias: true,
    },
    T,
    B: 1,
    H,
    blocks: [],
  };
  const layers: StoreTrace['layers'] = {};
  ['l0', 'l0_reverse', 'l1', 'l1_reverse'].forEach((key, li) => {
    const h = new Float32Array(T * H);
    for (let t = 0; t < T; t++) for (let u = 0; u < H; u++) h[t * H + u] = 100 * t + 10 * u + li;
    layers[key] = {
      h,
      r: new Float32Array(T * H),
      z: new Float32Array(T * H),
      n: new Float32Array(T * H),
    };
  });
  return { runId: 1, meta, layers, pre: {}, input: new Float32Array(T * 2), tokens: [] };
}

describe('store', () => {
  beforeEach(() => {
    localStorage.clear();
    resetStore();
  });

  it('starts from getInitialState and reset goes back to it', () => {
    const s = useAppStore.getState();
    expect(s.cell).toBe(getInitialState().cell);
    s.setCell('gru');
    s.setInputText('xyz');
    s.beginTrace(fakeTrace(), 5);
    s.setT(3);
    resetStore();
    const r = useAppStore.getState();
    expect([r.cell, r.inputText, r.trace, r.t, r.traceVersion]).toEqual([
      getInitialState().cell,
      getInitialState().inputText,
      null,
      0,
      0,
    ]);
  });

  it('steps within the received steps; back is instant, forward stops at the last step', () => {
    const s = useAppStore.getState();
    s.beginTrace(fakeTrace(), 3); // 3 of 5 steps arrived
    s.stepForward();
    s.stepForward();
    s.stepForward();
    expect(useAppStore.getState().t).toBe(2);
    s.advanceTrace(5);
    s.lastStep();
    expect(useAppStore.getState().t).toBe(4);
    s.stepBack();
    expect(useAppStore.getState().t).toBe(3);
    s.firstStep();
    s.stepBack();
    expect(useAppStore.getState().t).toBe(0);
    s.setT(99);
    expect(useAppStore.getState().t).toBe(4);
    // Play from the end starts over; nothing to play without a trace.
    s.play();
    expect(useAppStore.getState()).toMatchObject({ playing: true, t: 0 });
    s.togglePlay();
    expect(useAppStore.getState().playing).toBe(false);
  });

  it('clamps a step asked for before the trace arrived (links, reload)', () => {
    useAppStore.setState({ t: 40 });
    expect(selectT(useAppStore.getState())).toBe(0);
    useAppStore.getState().beginTrace(fakeTrace(), 2);
    expect(selectT(useAppStore.getState())).toBe(1);
    useAppStore.getState().advanceTrace(5);
    expect(selectT(useAppStore.getState())).toBe(4);
  });

  it('selects layer, direction, unit and values of the trace', () => {
    const s = useAppStore.getState();
    s.beginTrace(fakeTrace(), 4);
    s.setLayer(1);
    s.setDirection(1);
    s.setUnit(7);
    const st = useAppStore.getState();
    expect(selectLayerKey(st)).toBe('l1_reverse');
    expect(selectUnit(st)).toBe(2);
    expect(selectQuantities(st)).toEqual(['r', 'z', 'n', 'h']);
    expect(traceValue(st, 'l1_reverse', 'h', 3, 2)).toBe(323);
    expect(traceValue(st, 'l0', 'h', 4, 0)).toBeNull(); // not received yet
    expect(traceValue(st, 'l0', 'c', 0, 0)).toBeNull(); // a GRU has no c
    // A unidirectional trace ignores a reverse selection.
    const uni = fakeTrace();
    uni.meta = { ...uni.meta, spec: { ...uni.meta.spec, bidirectional: false } };
    s.beginTrace(uni, 5);
    expect(selectDirection(useAppStore.getState())).toBe(0);
  });

  it('derives the spec from the settings and the input, stable while unchanged', () => {
    const s = useAppStore.getState();
    s.setInputText('abcab');
    const a = selectSpec(useAppStore.getState());
    expect(a).toEqual({
      cell: 'lstm',
      inputSize: 3,
      hiddenSize: 4,
      numLayers: 1,
      bidirectional: false,
      bias: true,
    });
    s.setT(0);
    expect(selectSpec(useAppStore.getState())).toBe(a);
    s.setInputText('');
    expect(selectSpec(useAppStore.getState())).toBeNull();
    // Imported weights fix the spec and re-check the input against their inputSize.
    s.setInputText('hello');
    s.setImported({
      fileName: 'w.json',
      format: 'state-dict-json',
      spec: {
        cell: 'gru',
        inputSize: 3,
        hiddenSize: 2,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      },
      paramCount: 42,
    });
    const st = useAppStore.getState();
    expect(selectSpec(st)?.cell).toBe('gru');
    expect(st.parsed.issues[0]).toMatchObject({ code: 'unknown-token', token: 'o' });
  });

  it('applies settings from a link or preset and re-reads the input', () => {
    useAppStore
      .getState()
      .applySettings({ inputText: '1\n2\n3', inputMode: 'numeric', cell: 'gru' });
    const s = useAppStore.getState();
    expect(s.parsed).toMatchObject({ kind: 'numeric', T: 3, inputSize: 1 });
    expect(s.cell).toBe('gru');
  });

  it('persists the session (settings, text as typed, step) as plain data', () => {
    const s = useAppStore.getState();
    s.setInputText('keep me');
    s.setHiddenSize(9);
    s.beginTrace(fakeTrace(), 5);
    s.setT(2);
    flushPersist();
    const saved = JSON.parse(localStorage.getItem('gatescope.prefs') ?? '{}') as {
      state: Record<string, unknown>;
    };
    expect(saved.state).toMatchObject({ inputText: 'keep me', hiddenSize: 9, t: 2 });
    expect(saved.state).not.toHaveProperty('trace');
    expect(saved.state).not.toHaveProperty('params');
  });

  it('keeps only valid saved fields', () => {
    expect(
      sanitizeSession({ cell: 'lstm', hiddenSize: 1000, seed: -3, inputText: 5, t: 3, speed: 7 }),
    ).toEqual({ cell: 'lstm', t: 3 });
    expect(sanitizeSession('garbage')).toEqual({});
  });
});
