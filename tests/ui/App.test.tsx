import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { initI18n } from '../../src/i18n';
import { resetStore, useAppStore } from '../../src/store';
import { App } from '../../src/ui/App';

describe('App shell', () => {
  beforeEach(() => {
    // The workspace writes settings (lang too) into the hash and storage: start each test clean.
    window.location.hash = '';
    localStorage.clear();
    resetStore();
    initI18n('en');
  });

  // The whole app (every panel) renders here: slow on a loaded 2-core machine.
  it(
    'shows the product name and switches language from the header',
    { timeout: 30000 },
    async () => {
      render(<App />);
      expect(screen.getByRole('heading', { level: 1, name: 'Gatescope' })).toBeInTheDocument();
      expect(screen.getByText('See how recurrent networks think')).toBeInTheDocument();
      await userEvent.selectOptions(screen.getByLabelText('Language'), 'vi');
      expect(useAppStore.getState().lang).toBe('vi');
      expect(await screen.findByText('Xem mạng hồi quy suy nghĩ như thế nào')).toBeInTheDocument();
      expect(document.documentElement.lang).toBe('vi');
    },
  );

  it('applies the chosen theme to the document', { timeout: 30000 }, async () => {
    render(<App />);
    await userEvent.selectOptions(screen.getByLabelText('Theme'), 'dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
