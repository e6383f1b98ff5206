import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareJob } from '../../src/engine/compare';
import { initI18n } from '../../src/i18n';
import { ComparisonSection } from '../../src/panels/Comparison/ComparisonSection';
import { ComparisonView } from '../../src/panels/Comparison/ComparisonView';
import {
  buildCompareTable,
  tableToCsv,
  tableToMarkdown,
  type Translate,
} from '../../src/panels/Comparison/table';
import { resetStore, useAppStore } from '../../src/store';
import i18next from 'i18next';

const SMALL = { hiddenSize: 4, trainSteps: 10, sweepDelays: [2, 3], sweepSteps: 10, flowDelay: 6 };

/** Feed a whole small comparison into the store, as the worker client would. */
function fillStore() {
  let clock = 0;
  useAppStore.getState().setCompareConfig(SMALL);
  act(() => {
    for (const e of compareJob(SMALL, () => (clock += 10)))
      useAppStore.getState().applyCompareEvent(e);
  });
}

describe('Comparison view', { timeout: 60_000 }, () => {
  beforeAll(() => {
    initI18n('en');
  });
  beforeEach(() => {
    resetStore();
  });

  it('opens from the "Compare cells" switch as a region named Comparison', async () => {
    render(<ComparisonSection />);
    expect(screen.queryByRole('region', { name: 'Comparison' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Compare cells' }));
    expect(screen.getByRole('region', { name: 'Comparison' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Compare cells' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
  });

  it('shows the table by its name, one column per cell, the measured figures and the export buttons', () => {
    render(<ComparisonView />);
    fillStore();
    const region = screen.getByRole('region', { name: 'Comparison' });
    const table = within(region).getByRole('table', { name: 'RNN, LSTM and GRU compared' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers[1]).toMatch(/^RNN \(tanh\)H = 4$/);
    expect(headers[2]).toMatch(/^LSTM/);
    expect(headers[3]).toMatch(/^GRU \(PyTorch\)/);
    const params = within(table).getByRole('row', { name: /^Parameters/ });
    // LSTM, H = 4, I = 6, O = 4: 4*(4*6 + 16 + 8) + 4*5 = 212.
    expect(params).toHaveTextContent('212 = 4*(4*6 + 4*4 + 2*4) + 4*(4 + 1)');
    for (const name of [/^Memory capacity/, /^Gradient flow/, /^Result/, /^Cost: training steps/]) {
      expect(within(table).getByRole('row', { name })).not.toHaveTextContent('not measured yet');
    }
    // Every figure says how it was measured, as a tooltip and for screen readers.
    const figure = params.querySelector('.cmp-figure')!;
    expect(figure.getAttribute('title')).toMatch(/Counted from the formula/);
    expect(figure).toHaveTextContent(/Counted from the formula/);
    expect(within(region).getByRole('button', { name: 'Download CSV' })).toBeEnabled();
    expect(within(region).getByRole('button', { name: 'Download Markdown' })).toBeEnabled();
    expect(within(region).getByRole('img', { name: /Gradient flow/ })).toBeInTheDocument();
    expect(
      within(region).getAllByRole('img', { name: /h over 22 steps and \d+ units/ }),
    ).toHaveLength(3);
  });

  it('shows a progress bar with its value while measuring', () => {
    render(<ComparisonView />);
    act(() => {
      useAppStore.setState({
        compareStatus: 'running',
        compareProgress: { done: 30, total: 120, phase: 'sweep', cell: 'lstm', delay: 10 },
      });
    });
    const bar = screen.getByRole('progressbar', { name: 'Comparison progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    expect(bar).toHaveAttribute('aria-valuetext', '25%: memory sweep, LSTM');
  });

  it('equal parameter budget widens the RNN and GRU', async () => {
    render(<ComparisonView />);
    await userEvent.click(screen.getByRole('radio', { name: 'Equal parameter budget' }));
    expect(useAppStore.getState().compareConfig.fairness).toBe('equal-params');
    await userEvent.click(screen.getByRole('button', { name: 'Exploding-gradients preset' }));
    expect(useAppStore.getState().compareConfig).toMatchObject({ explode: true, clip: false });
    expect(screen.getByRole('checkbox', { name: 'Clip gradients (norm 1)' })).not.toBeChecked();
  });

  it('exports the same table as CSV and Markdown', () => {
    fillStore();
    const s = useAppStore.getState();
    const t = i18next.t.bind(i18next) as unknown as Translate;
    const table = buildCompareTable(s.compareColumns, s.compareConfig, t, 'en');
    const csv = tableToCsv(table, t);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(
      'Measure,RNN (tanh) (H = 4),LSTM (H = 4),GRU (PyTorch) (H = 4),Course claim',
    );
    expect(lines[1]).toContain(
      'Parameters,1*(H*I + H*H + 2*H) + O*(H + 1); 68 = 1*(4*6 + 4*4 + 2*4) + 4*(4 + 1),4*',
    );
    const md = tableToMarkdown(table, t);
    expect(md).toMatch(
      /^### RNN, LSTM and GRU compared\n\n\| Measure \| RNN \(tanh\) \(H = 4\) \|/,
    );
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(8);
  });
});
