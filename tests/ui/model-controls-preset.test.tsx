import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { initI18n } from '../../src/i18n';
import { resetStore, useAppStore } from '../../src/store';
import type { ImportedModel } from '../../src/store/model-slice';
import { ModelControls } from '../../src/ui/ModelControls';

const spec = {
  cell: 'lstm' as const,
  inputSize: 62,
  hiddenSize: 24,
  numLayers: 1,
  bidirectional: false,
  bias: true,
};
const presetModel: ImportedModel = {
  fileName: 'char-lm-en-lstm.safetensors',
  format: 'safetensors',
  spec,
  paramCount: 11,
  preset: 'char-lm-en-lstm',
  vocabulary: ['a'],
};

describe('model controls with a pretrained preset', () => {
  beforeEach(() => {
    localStorage.clear();
    resetStore();
    initI18n('en');
  });

  it('names the preset and keeps the controls free; a change leaves the preset', async () => {
    useAppStore.setState({ preset: 'char-lm-en-lstm', imported: presetModel, hiddenSize: 24 });
    render(<ModelControls />);
    expect(screen.getByText(/Pretrained preset “char-lm-en-lstm”/)).toBeInTheDocument();
    const hidden = screen.getByRole('spinbutton', { name: 'Hidden size' });
    expect(hidden).toBeEnabled();
    await userEvent.selectOptions(screen.getByLabelText('Cell'), 'gru');
    const s = useAppStore.getState();
    expect(s.cell).toBe('gru');
    expect(s.preset).toBeNull();
    expect(s.imported).toBeNull();
  });

  it('weights from a file still lock the controls', () => {
    const { preset: _p, vocabulary: _v, ...file } = presetModel;
    useAppStore.setState({ imported: { ...file, fileName: 'mine.json' } });
    render(<ModelControls />);
    expect(screen.getByRole('spinbutton', { name: 'Hidden size' })).toBeDisabled();
    expect(screen.getByText('These settings come from the loaded weights.')).toBeInTheDocument();
  });

  it('a weights file missing from this browser is named in both languages', () => {
    useAppStore.setState({
      weightsError: { code: 'weights-not-saved', message: 'x', fileName: 'gone.json' },
      weightsStatus: 'error',
    });
    const { unmount } = render(<ModelControls />);
    expect(screen.getByRole('alert')).toHaveTextContent(
      /“gone\.json” named by this page is not saved/,
    );
    unmount();
    initI18n('vi');
    useAppStore.getState().setLang('vi');
    render(<ModelControls />);
    expect(screen.getByRole('alert')).toHaveTextContent(/“gone\.json” .*không được lưu/);
  });
});
