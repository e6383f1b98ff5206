import { readFileSync } from 'node:fs';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initI18n } from '../../src/i18n';
import { TrainingPanel } from '../../src/panels/Training/TrainingPanel';
import { resetStore, useAppStore } from '../../src/store';
import { getEngineBridge, startEngineBridge } from '../../src/store/engine-bridge';
import {
  createTrainingController,
  type TrainingController,
} from '../../src/ui/training/training-controller';
import { TrainingControls } from '../../src/ui/training/TrainingControls';

/** Files under public/, as the app fetches them from its own origin. */
const fetchBytes = (path: string) => {
  const b = readFileSync(`public/${path}`);
  return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

let controller: TrainingController;

function Ui() {
  return (
    <>
      <TrainingControls controller={controller} />
      <TrainingPanel />
    </>
  );
}

describe('training controls', { timeout: 30000 }, () => {
  beforeEach(() => {
    localStorage.clear();
    resetStore();
    initI18n('en');
    startEngineBridge(useAppStore, { debounceMs: 0 });
    controller = createTrainingController({ fetchBytes });
  });
  afterEach(() => {
    controller.stop();
    getEngineBridge()?.stop();
  });

  it('shows the valid range next to an out-of-range hyperparameter and does not commit it', async () => {
    const user = userEvent.setup();
    render(<Ui />);
    await user.click(screen.getByText('Hyperparameters'));
    const lr = screen.getByLabelText('Learning rate');
    await user.clear(lr);
    await user.type(lr, '5');
    expect(lr).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Out of range. Valid: Number from 0.000001 to 1')).toBeInTheDocument();
    expect(useAppStore.getState().trainHyper.learningRate).toBeUndefined();
    await user.clear(lr);
    await user.type(lr, '0.05');
    expect(lr).toHaveAttribute('aria-invalid', 'false');
    expect(useAppStore.getState().trainHyper.learningRate).toBe(0.05);
  });

  it('lists every hyperparameter the engine refuses, with its range', async () => {
    const user = userEvent.setup();
    render(<Ui />);
    act(() => useAppStore.getState().setTrainHyper({ learningRate: 5, batchSize: 0 }));
    await user.click(screen.getByRole('button', { name: 'New model' }));
    await waitFor(() =>
      expect(screen.getByText(/Some hyperparameters are out of range/)).toBeInTheDocument(),
    );
    expect(
      screen.getByText('Learning rate = 5: expected a number in [0.000001, 1]'),
    ).toBeInTheDocument();
    expect(screen.getByText('Batch size = 0: expected an integer in [1, 256]')).toBeInTheDocument();
  });

  it('loads a preset, shows its trace, and one step adds to the loss chart', async () => {
    const user = userEvent.setup();
    render(<Ui />);
    await user.click(screen.getByRole('button', { name: 'Load pretrained preset' }));
    await waitFor(() => expect(useAppStore.getState().trainingStatus).toBe('ready'));
    const s = useAppStore.getState();
    expect(s.trace?.meta.spec.cell).toBe('lstm');
    expect(s.trace?.meta.T).toBeGreaterThan(20);
    expect(s.presetMs).toBeGreaterThan(0);
    expect(
      screen.getByText(/Preset recall-lstm.safetensors loaded and shown in \d+ ms/),
    ).toBeInTheDocument();
    // The preset's validation accuracy follows the trace.
    await waitFor(() => expect(screen.getByText('Accuracy')).toBeInTheDocument());
    expect(screen.getByRole('table', { name: /Confusion matrix/ })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'One step' }));
    await waitFor(() => expect(useAppStore.getState().trainStep).toBe(1));
    expect(useAppStore.getState().history.n).toBe(1);
    // The chart's screen-reader summary follows within a second.
    expect(
      await screen.findByRole(
        'img',
        { name: /At step 1 the training loss is \d/ },
        { timeout: 3000 },
      ),
    ).toBeInTheDocument();
  });

  it('locks the form and the timeline while training; the timeline gets the snapshots', async () => {
    const user = userEvent.setup();
    render(<Ui />);
    act(() => {
      const a = useAppStore.getState();
      a.setTrainOption('snapshotEvery', 5);
      a.setTrainOption('maxSteps', 40);
    });
    await user.click(screen.getByText('Hyperparameters'));
    await user.click(screen.getByRole('button', { name: 'Train' }));
    await waitFor(() => expect(useAppStore.getState().trainingStatus).toBe('finished'), {
      timeout: 20000,
    });
    expect(useAppStore.getState().snapshots).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40]);
    const lr = screen.getByLabelText('Learning rate');
    const slider = screen.getByRole('slider', { name: 'Training timeline' });
    expect(lr).toBeEnabled();
    expect(slider).toBeEnabled();
    // While a loop runs (in-thread here it ends before the UI could be looked at: set it).
    act(() => useAppStore.getState().setTrainingStatus('training'));
    expect(lr).toBeDisabled();
    expect(screen.getByLabelText('Task')).toBeDisabled();
    expect(slider).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
  });

  it('shows a divergence with the reason and the advice', () => {
    render(<Ui />);
    act(() =>
      useAppStore.getState().setDivergence({
        step: 12,
        loss: Number.NaN,
        gradNorm: Number.POSITIVE_INFINITY,
        reason: 'gradient-not-finite',
        message: '',
        advice: ['clip-gradients', 'lower-learning-rate'],
      }),
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /stopped at step 12: the gradient became infinite.*last good step were kept/,
    );
    expect(screen.getByText(/Turn on gradient clipping/)).toBeInTheDocument();
    expect(screen.getByText('Lower the learning rate (now 0.01).')).toBeInTheDocument();
  });
});
