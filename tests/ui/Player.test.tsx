import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initI18n } from '../../src/i18n';
import { resetStore, useAppStore } from '../../src/store';
import { getEngineBridge, startEngineBridge } from '../../src/store/engine-bridge';
import { InputPanel } from '../../src/ui/InputPanel';
import { Inspector } from '../../src/ui/Inspector';
import { ModelControls } from '../../src/ui/ModelControls';
import { Notices } from '../../src/ui/Notices';
import { Player } from '../../src/ui/Player';

/** The slice's own components (the panels have their own tests), with the engine in this thread. */
function Slice() {
  return (
    <>
      <ModelControls />
      <InputPanel />
      <Notices />
      <Player />
      <Inspector />
    </>
  );
}

async function settle() {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
    await getEngineBridge()?.settled();
  });
}

describe('player', () => {
  beforeEach(() => {
    localStorage.clear();
    window.location.hash = '';
    resetStore();
    initI18n('en');
    startEngineBridge(useAppStore, { debounceMs: 0 });
  });
  afterEach(() => getEngineBridge()?.stop());

  it(
    'runs the default input and steps with buttons, slider and keys',
    { timeout: 30000 },
    async () => {
      const user = userEvent.setup();
      render(<Slice />);
      await settle();
      expect(screen.getByText('Step 1 of 11')).toBeInTheDocument();
      const table = screen.getByRole('table', { name: 'Values at this step' });
      expect(within(table).getAllByRole('row')).toHaveLength(1 + 4);

      await user.click(screen.getByRole('button', { name: 'Step forward' }));
      expect(screen.getByText('Step 2 of 11')).toBeInTheDocument();
      expect(useAppStore.getState().t).toBe(1);
      await user.click(screen.getByRole('button', { name: 'Last step' }));
      expect(screen.getByText('Step 11 of 11')).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Step back' }));
      expect(screen.getByText('Step 10 of 11')).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'First step' }));
      expect(screen.getByText('Step 1 of 11')).toBeInTheDocument();

      const slider = screen.getByRole('slider', { name: 'Time step' });
      expect(slider).toHaveAttribute('max', '11');

      // Keys when focus is not in a text field.
      await user.click(document.body);
      await user.keyboard('{ArrowRight}{ArrowRight}');
      expect(useAppStore.getState().t).toBe(2);
      await user.keyboard('{End}');
      expect(useAppStore.getState().t).toBe(10);
      await user.keyboard('{Home}');
      expect(useAppStore.getState().t).toBe(0);
      await user.keyboard(' ');
      expect(useAppStore.getState().playing).toBe(true);
      expect(screen.getByRole('button', { name: 'Pause' })).toBeInTheDocument();
      await user.keyboard(' ');
      expect(useAppStore.getState().playing).toBe(false);

      // Typing in the text area does not step.
      const box = screen.getByRole('textbox', { name: 'Input sequence' });
      await user.click(box);
      await user.keyboard('{ArrowLeft}');
      expect(useAppStore.getState().t).toBe(0);
    },
  );
});
