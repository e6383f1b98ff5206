import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initI18n } from '../../src/i18n';
import { resetStore, useAppStore } from '../../src/store';
import { getEngineBridge, startEngineBridge } from '../../src/store/engine-bridge';
import { InputPanel } from '../../src/ui/InputPanel';
import { Inspector } from '../../src/ui/Inspector';
import { Player } from '../../src/ui/Player';

async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
    await getEngineBridge()?.settled();
  });
}

describe('input panel and inspector', () => {
  beforeEach(() => {
    localStorage.clear();
    window.location.hash = '';
    resetStore();
    initI18n('en');
    startEngineBridge(useAppStore, { debounceMs: 0 });
  });
  afterEach(() => getEngineBridge()?.stop());

  it(
    'shows the vocabulary, specific errors, and keeps the typed text',
    { timeout: 30000 },
    async () => {
      const user = userEvent.setup();
      render(
        <>
          <InputPanel />
          <Player />
          <Inspector />
        </>,
      );
      await settle();
      expect(screen.getByText('Vocabulary (8)')).toBeInTheDocument();
      const box = screen.getByRole('textbox', { name: 'Input sequence' });
      await user.selectOptions(screen.getByLabelText('Read as'), 'numeric');
      await user.clear(box);
      await user.type(box, '1, 2{Enter}3, a');
      expect(screen.getByText(/^Line 2 \(“3, a”\) is not a list of numbers\./)).toBeInTheDocument();
      expect(box).toHaveValue('1, 2\n3, a');
      expect(box).toHaveAttribute('aria-invalid', 'true');
      await user.clear(box);
      expect(screen.getByText(/^The input sequence is empty\./)).toBeInTheDocument();
      await user.type(box, '0.5{Enter}-1');
      await settle();
      expect(screen.getByText('Step 1 of 2')).toBeInTheDocument();
      expect(screen.getByText('2 steps × 1 values (read as numbers)')).toBeInTheDocument();
      // The inspector: one row per unit (4), one column per LSTM quantity, 4 decimals.
      const table = screen.getByRole('table', { name: 'Values at this step' });
      const cells = table.querySelectorAll('td');
      expect(cells).toHaveLength(4 * 6);
      for (const c of cells) expect(c.textContent).toMatch(/^−?\d\.\d{4}$/);
      expect(screen.getByRole('columnheader', { name: /forget gate/ })).toBeInTheDocument();
    },
  );

  it('speaks Vietnamese', { timeout: 30000 }, async () => {
    initI18n('vi');
    useAppStore.getState().setLang('vi');
    render(
      <>
        <InputPanel />
        <Player />
        <Inspector />
      </>,
    );
    await settle();
    expect(screen.getByRole('textbox', { name: 'Chuỗi đầu vào' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Phát' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Bước tới' })).toBeInTheDocument();
    expect(screen.getByRole('slider', { name: 'Bước thời gian' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Giá trị ở bước này' })).toBeInTheDocument();
    expect(screen.getByText('Bước 1 trên 11')).toBeInTheDocument();
    // Decimal comma in Vietnamese.
    const first = screen.getByRole('table').querySelector('td');
    expect(first?.textContent).toMatch(/^−?\d,\d{4}$/);
    initI18n('en');
  });
});
