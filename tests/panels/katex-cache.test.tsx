import { act, render, screen } from '@testing-library/react';
import katex from 'katex';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { initI18n } from '../../src/i18n';
import { EquationsPanel } from '../../src/panels/Equations/EquationsPanel';
import {
  isTexCached,
  KATEX_OPTIONS,
  renderTex,
  texCacheStats,
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
