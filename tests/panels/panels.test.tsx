import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { initI18n } from '../../src/i18n';
import { PanelGrid } from '../../src/panels/PanelGrid';
import { slotValues } from '../../src/panels/shared/slot-values';
import { termsAt } from '../../src/panels/shared/terms-source';
import { resetStore, useAppStore } from '../../src/store';
import { formatNumber } from '../../src/viz/format';
import { loadFixture, makeFixture } from './fixture-trace';

/** Run pending animation frames (the panels redraw at most once per frame). */
async function frames() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 40));
  });
}

beforeAll(() => {
  // jsdom has no canvas: getContext returns null, and the panels must cope.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

// Generous timeout: jsdom renders of five panels are slow on a loaded 2-core machine.
describe('panel grid', { timeout: 30_000 }, () => {
  beforeEach(() => {
    resetStore();
    initI18n('en');
  });
  afterEach(() => vi.clearAllTimers());

  it('names every panel as a region, even before a trace exists', () => {
    render(<PanelGrid />);
    for (const name of ['Equations', 'Gate heatmaps', 'Cell diagram', 'Sequence', 'Unit traces'])
      expect(screen.getByRole('region', { name })).toBeInTheDocument();
    expect(screen.getAllByText('Run a sequence to fill this panel.').length).toBe(5);
  });

  it('shows and hides panels with the checkboxes (plain data in the store)', async () => {
    render(<PanelGrid />);
    const toggles = screen.getByRole('group', { name: 'Panels' });
    await userEvent.click(within(toggles).getByRole('checkbox', { name: 'Cell diagram' }));
    expect(useAppStore.getState().panelVisible.diagram).toBe(false);
    expect(screen.queryByRole('region', { name: 'Cell diagram' })).toBeNull();
    expect(JSON.parse(JSON.stringify(useAppStore.getState().panelVisible))).toEqual(
      useAppStore.getState().panelVisible,
    );
    await userEvent.click(within(toggles).getByRole('checkbox', { name: 'Cell diagram' }));
    expect(screen.getByRole('region', { name: 'Cell diagram' })).toBeInTheDocument();
  });

  it('fills the equations with the engine numbers of the selected step and unit', async () => {
    const f = makeFixture('lstm', { T: 6, H: 4 });
    loadFixture(f);
    useAppStore.setState({ t: 3, unit: 2 });
    render(<PanelGrid />);
    await frames();
    const region = screen.getByRole('region', { name: 'Equations' });
    const terms = termsAt(f.trace, 6, f.params, { layer: 0, direction: 0, t: 3, unit: 2 })!;
    const v = slotValues(terms);
    const slot = region.querySelector<HTMLElement>('.eq-line[data-q="f"] [data-slot="f.act"]');
    expect(slot?.textContent).toBe(formatNumber(v.get('f.act')!, 'en', 4));
    const cLine = region.querySelector<HTMLElement>('.eq-line[data-q="c"] [data-slot="u.c"]');
    expect(cLine?.textContent).toBe(formatNumber(f.trace.layers.l0.c![3 * 4 + 2], 'en', 4));
    expect(within(region).getByText(/Step 4 “d”, unit 3, layer 1, forward/)).toBeInTheDocument();

    // Another step: only the slot texts change.
    act(() => useAppStore.getState().setT(1));
    await frames();
    expect(slot?.isConnected).toBe(true);
    expect(slot?.textContent).toBe(formatNumber(f.trace.layers.l0.f![1 * 4 + 2], 'en', 4));
  });

  it('uses the decimal comma in Vietnamese', async () => {
    const f = makeFixture('gru');
    loadFixture(f);
    useAppStore.setState({ lang: 'vi' });
    initI18n('vi');
    render(<PanelGrid />);
    await frames();
    const region = screen.getByRole('region', { name: 'Phương trình' });
    const slot = region.querySelector<HTMLElement>('[data-slot="z.act"]');
    expect(slot?.textContent).toMatch(/^\d,\d{4}$/);
    expect(within(region).getByText('Hai dạng của GRU')).toBeInTheDocument();
  });

  it('copies the equations as LaTeX', async () => {
    const f = makeFixture('gru-textbook');
    loadFixture(f);
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<PanelGrid />);
    await userEvent.click(screen.getByRole('button', { name: 'Copy as LaTeX' }));
    expect(writeText).toHaveBeenCalledOnce();
    const text = (writeText.mock.calls[0] as unknown as [string])[0];
    expect(text).toMatch(/^\\begin\{aligned\}/);
    expect(text).toContain('W_{hn} \\left(r_t \\odot h_{t-1}\\right)');
    expect(await screen.findByText('LaTeX copied to the clipboard.')).toBeInTheDocument();
  });

  it('shows the LaTeX to copy by hand when the clipboard is blocked', async () => {
    loadFixture(makeFixture('rnn-tanh'));
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: () => Promise.reject(new Error('blocked')) },
      configurable: true,
    });
    render(<PanelGrid />);
    await userEvent.click(screen.getByRole('button', { name: 'Copy as LaTeX' }));
    const box = await screen.findByRole('textbox', { name: 'LaTeX of the equations' });
    expect((box as HTMLTextAreaElement).value).toContain('\\tanh');
  });

  it('draws the selected unit’s values in the cell diagram', () => {
    const f = makeFixture('lstm', { T: 5, H: 3 });
    loadFixture(f);
    useAppStore.setState({ t: 2, unit: 1 });
    render(<PanelGrid />);
    const region = screen.getByRole('region', { name: 'Cell diagram' });
    const diagram = within(region).getByRole('img', { name: /LSTM cell/ });
    const fAct = f.trace.layers.l0.f![2 * 3 + 1];
    const gate = diagram.querySelector('[data-node="f"]')!;
    expect(gate.textContent).toContain(formatNumber(fAct, 'en', 3));
    act(() => useAppStore.getState().setUnit(0));
    expect(gate.textContent).toContain(formatNumber(f.trace.layers.l0.f![2 * 3 + 0], 'en', 3));
    expect(diagram.querySelector('desc')?.textContent).toContain('f = ');
  });

  it('moves the selection with arrow keys on a heatmap and announces the value', async () => {
    const f = makeFixture('gru', { T: 6, H: 4 });
    loadFixture(f);
    render(<PanelGrid />);
    const region = screen.getByRole('region', { name: 'Gate heatmaps' });
    const plot = within(region).getByRole('application', { name: /^z \(update gate\) heatmap/ });
    plot.focus();
    await userEvent.keyboard('{ArrowRight}{ArrowRight}{ArrowDown}');
    const s = useAppStore.getState();
    expect([s.t, s.unit, s.quantity]).toEqual([2, 1, 'z']);
    const value = formatNumber(f.trace.layers.l0.z![2 * 4 + 1], 'en', 4);
    expect(region.querySelector('[aria-live="polite"]')?.textContent).toBe(
      `z (update gate), step 3 “c”, unit 2: ${value}`,
    );
    // Zoom keys change the visible window.
    await userEvent.keyboard('+');
    expect(within(region).getByText(/^Steps \d–\d of 6$/)).toBeInTheDocument();
  });

  it('colours the sequence tokens and goes to a step on click', async () => {
    loadFixture(makeFixture('rnn-relu', { T: 5 }));
    render(<PanelGrid />);
    const strip = screen.getByRole('list', { name: 'Input tokens; the current step is marked' });
    const tokens = within(strip).getAllByRole('button');
    expect(tokens).toHaveLength(5);
    await userEvent.click(tokens[3]);
    expect(useAppStore.getState().t).toBe(3);
    await frames();
    expect(tokens[3]).toHaveAttribute('aria-current', 'step');
    expect(tokens[0]).not.toHaveAttribute('aria-current');
    expect(tokens[3].style.background).not.toBe('');
  });

  it('shows a long sequence one page of tokens at a time, following the current step', async () => {
    loadFixture(makeFixture('rnn-tanh', { T: 450, H: 2 }));
    render(<PanelGrid />);
    const strip = screen.getByRole('list', { name: 'Input tokens; the current step is marked' });
    expect(within(strip).getAllByRole('button')).toHaveLength(200);
    expect(screen.getByText(/^Steps 1–200 of 450/)).toBeInTheDocument();
    act(() => useAppStore.getState().setT(420));
    await frames();
    const page = within(strip).getAllByRole('button');
    expect(page).toHaveLength(50);
    expect(screen.getByText(/^Steps 401–450 of 450/)).toBeInTheDocument();
    expect(page[20]).toHaveAttribute('aria-current', 'step');
    expect(page[20]).toHaveAccessibleName(/^Step 421:/);
  });

  it('moves the step with the arrow keys in the strip: one tab stop, focused and marked', async () => {
    loadFixture(makeFixture('lstm', { T: 450, H: 2 }));
    useAppStore.setState({ t: 198 });
    render(<PanelGrid />);
    const strip = screen.getByRole('list', { name: 'Input tokens; the current step is marked' });
    const current = () =>
      within(strip)
        .getAllByRole('button')
        .filter((b) => b.tabIndex === 0);
    expect(current()).toHaveLength(1);
    current()[0].focus();
    await userEvent.keyboard('{ArrowRight}');
    await frames();
    expect(useAppStore.getState().t).toBe(199);
    expect(current()).toHaveLength(1);
    expect(current()[0]).toHaveAttribute('aria-current', 'step');
    expect(current()[0]).toHaveFocus();
    expect(current()[0]).toHaveAccessibleName(/^Step 200:/);
    // Onto the next page: the new page's token takes the mark and the focus.
    await userEvent.keyboard('{ArrowRight}');
    await frames();
    expect(screen.getByText(/^Steps 201–400 of 450/)).toBeInTheDocument();
    expect(current()).toHaveLength(1);
    expect(current()[0]).toHaveAccessibleName(/^Step 201:/);
    expect(current()[0]).toHaveAttribute('aria-current', 'step');
    expect(current()[0]).toHaveFocus();
    await userEvent.keyboard('{End}');
    await frames();
    expect(useAppStore.getState().t).toBe(449);
    expect(current()[0]).toHaveAccessibleName(/^Step 450:/);
    expect(current()[0]).toHaveFocus();
  });

  it('pins units in the line chart', async () => {
    loadFixture(makeFixture('lstm', { H: 4 }));
    useAppStore.setState({ unit: 2 });
    render(<PanelGrid />);
    const region = screen.getByRole('region', { name: 'Unit traces' });
    await userEvent.click(within(region).getByRole('button', { name: 'Pin unit 3' }));
    expect(useAppStore.getState().chartUnits).toEqual([2]);
    await userEvent.click(within(region).getByRole('button', { name: 'Unpin unit 3' }));
    expect(useAppStore.getState().chartUnits).toEqual([]);
  });
});
