import { act, render, screen } from '@testing-library/react';
import katex from 'katex';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { initI18n } from '../../src/i18n';
import { EquationsPanel } from '../../src/panels/Equations/EquationsPanel';
import {
  isTexCached,
  KATEX_OPTIONS,
  renderTex,
  texCacheStats,
  warmTex,
} from '../../src/panels/Equations/katex-cache';
import { resetStore, useAppStore } from '../../src/store';
import { formatNumber } from '../../src/viz/format';
import { loadFixture, makeFixture } from './fixture-trace';

async function frames() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 40));
  });
}

beforeAll(() => initI18n('en'));

describe('renderTex', () => {
  it('renders a formula once and then returns the same HTML', () => {
    const tex = 'x_{cache\\,test} = \\sigma\\left(1\\right)';
    expect(isTexCached(tex)).toBe(false);
    const before = texCacheStats().renders;
    const html = renderTex(tex);
    expect(html).toBe(katex.renderToString(tex, KATEX_OPTIONS));
    expect(renderTex(tex)).toBe(html);
    expect(texCacheStats().renders).toBe(before + 1);
    expect(isTexCached(tex)).toBe(true);
  });

  it('throws KaTeX errors and does not cache them', () => {
    const bad = '\\frac{1}{';
    expect(() => renderTex(bad)).toThrow(katex.ParseError);
    expect(isTexCached(bad)).toBe(false);
  });
});

describe('warmTex', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('renders formulas in idle periods, a few per period, and stops when cancelled', () => {
    let budget = 0;
    let nextId = 0;
    const pending = new Map<number, IdleRequestCallback>();
    vi.stubGlobal('requestIdleCallback', (cb: IdleRequestCallback) => {
      pending.set(++nextId, cb);
      return nextId;
    });
    vi.stubGlobal('cancelIdleCallback', (id: number) => pending.delete(id));
    const runIdle = (ms: number) => {
      budget = ms;
      const [id, cb] = [...pending][0];
      pending.delete(id);
      cb(deadline);
    };
    // Each timeRemaining() call spends 1 ms: 5 ms of idle time renders 3 formulas (> 2 ms left).
    const deadline = {
      didTimeout: false,
      timeRemaining: () => Math.max(0, budget--),
    } as IdleDeadline;
    const texs = ['a_{w1}', 'a_{w2}', 'a_{w3}', 'a_{w4}', 'a_{w5}', '\\frac{', 'a_{w7}'];
    warmTex(texs);
    runIdle(5);
    expect(texs.map(isTexCached)).toEqual([true, true, true, false, false, false, false]);
    runIdle(10);
    // Bad TeX is skipped (reported where it is shown), the rest renders.
    expect(texs.map(isTexCached)).toEqual([true, true, true, true, true, false, true]);
    expect(pending.size).toBe(0);
    const other = ['a_{w8}', 'a_{w9}', 'a_{w10}'];
    const cancel = warmTex(other);
    runIdle(3);
    expect(pending.size).toBe(1);
    cancel();
    expect(pending.size).toBe(0);
    expect(other.map(isTexCached)).toEqual([true, false, false]);
  });
});

describe('equations panel rendering', { timeout: 30_000 }, () => {
  beforeEach(() => resetStore());

  it('renders the formulas of a cell kind once: a new run, a remount or a step change do not', async () => {
    const f = makeFixture('lstm', { T: 6, H: 3 });
    loadFixture(f);
    const spy = vi.spyOn(katex, 'renderToString');
    const first = render(<EquationsPanel />);
    await frames();
    const firstCalls = spy.mock.calls.length;
    // The first LSTM of this file (modules are fresh per test file): every formula rendered.
    expect(firstCalls).toBeGreaterThan(0);
    const region = screen.getByRole('region', { name: 'Equations' });
    const slot = () => region.querySelector<HTMLElement>('[data-slot="u.c"]');
    expect(slot()?.textContent).toBe(formatNumber(f.trace.layers.l0.c![0 * 3 + 0], 'en', 4));

    act(() => useAppStore.getState().setT(4));
    await frames();
    expect(slot()?.textContent).toBe(formatNumber(f.trace.layers.l0.c![4 * 3 + 0], 'en', 4));

    // Another shape of the same cell kind, through an empty store (as a new preset loads).
    act(() => {
      useAppStore.setState({ trace: null, traceT: 0 });
    });
    await frames();
    loadFixture(makeFixture('lstm', { T: 6, H: 5 }));
    await frames();
    first.unmount();
    render(<EquationsPanel />);
    await frames();
    expect(
      screen.getByRole('region', { name: 'Equations' }).querySelector('[data-slot="u.c"]'),
    ).not.toBeNull();
    // Nothing rendered again: the step, the new shape and the remount reuse the cached HTML.
    expect(spy.mock.calls.length).toBe(firstCalls);
    spy.mockRestore();
  });
});
