import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { CELL_KINDS, type CellKind } from '../engine/types';
import { useAppStore } from '../store';
import { getEngineBridge } from '../store/engine-bridge';
import { LIMITS } from '../store/limits';
import {
  selectBidirectional,
  selectCell,
  selectHiddenSize,
  selectImported,
  selectNumLayers,
  selectParamCount,
  selectSeed,
  selectWeightsError,
  selectWeightsStatus,
} from '../store/selectors';
import { NumberField } from './NumberField';

/** Cell, sizes, seed, or weights from a file (then the shape comes from the file). */
export function ModelControls() {
  const { t } = useTranslation();
  const cell = useAppStore(selectCell);
  const hidden = useAppStore(selectHiddenSize);
  const layers = useAppStore(selectNumLayers);
  const bidi = useAppStore(selectBidirectional);
  const seed = useAppStore(selectSeed);
  const imported = useAppStore(selectImported);
  const weightsError = useAppStore(selectWeightsError);
  const weightsStatus = useAppStore(selectWeightsStatus);
  const paramCount = useAppStore(selectParamCount);
  const a = useAppStore.getState();
  const cellId = useId();
  const formId = useId();
  const fileId = useId();
  // A pretrained preset keeps the controls free: changing one leaves it for the model asked for.
  const locked = imported !== null && imported.preset === undefined;

  // With weights from a file only what shapes cannot tell stays a choice.
  const forms: CellKind[] | null =
    imported && (imported.spec.cell === 'gru' || imported.spec.cell === 'gru-textbook')
      ? ['gru', 'gru-textbook']
      : imported && (imported.spec.cell === 'rnn-tanh' || imported.spec.cell === 'rnn-relu')
        ? ['rnn-tanh', 'rnn-relu']
        : null;

  return (
    <section className="panel model-controls" aria-labelledby={`${cellId}-h`}>
      <h2 id={`${cellId}-h`}>{t('model.title')}</h2>
      <div className="field">
        <label htmlFor={cellId}>{t('model.cell')}</label>
        <select
          id={cellId}
          value={cell}
          disabled={locked}
          onChange={(e) => a.setCell(e.target.value as CellKind)}
        >
          {CELL_KINDS.map((c) => (
            <option key={c} value={c}>
              {t(`model.cells.${c}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <NumberField
          label={t('model.hiddenSize')}
          value={hidden}
          {...LIMITS.hiddenSize}
          disabled={locked}
          onCommit={a.setHiddenSize}
        />
        <NumberField
          label={t('model.layers')}
          value={layers}
          {...LIMITS.numLayers}
          disabled={locked}
          onCommit={a.setNumLayers}
        />
      </div>
      <div className="field-row">
        <div className="field field-check">
          <input
            id={`${cellId}-bi`}
            type="checkbox"
            checked={bidi}
            disabled={locked}
            onChange={(e) => a.setBidirectional(e.target.checked)}
          />
          <label htmlFor={`${cellId}-bi`}>{t('model.bidirectional')}</label>
        </div>
        <NumberField
          label={t('model.seed')}
          value={seed}
          {...LIMITS.seed}
          disabled={locked}
          onCommit={a.setSeed}
        />
      </div>
      {locked && <p className="field-hint">{t('model.importedLocked')}</p>}

      <div className="field">
        <label htmlFor={fileId}>{t('model.loadWeights')}</label>
        <input
          id={fileId}
          type="file"
          accept=".json,.safetensors,application/json"
          aria-describedby={`${fileId}-help`}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void getEngineBridge()?.loadWeightsFile(file);
            // Same file again later must fire change again.
            e.target.value = '';
          }}
        />
        <span id={`${fileId}-help`} className="field-hint">
          {t('model.loadWeightsHelp')}
        </span>
      </div>
      {weightsStatus === 'loading' && <p role="status">{t('model.loading')}</p>}
      {weightsError && (
        <p className="error-message" role="alert">
          {weightsError.code === 'weights-not-saved'
            ? t('model.weightsNotSaved', { fileName: weightsError.fileName })
            : t('errors.weights', {
                fileName: weightsError.fileName,
                message: weightsError.message,
              })}
        </p>
      )}
      {imported && (
        <div className="imported">
          <p>
            {imported.preset !== undefined
              ? t('model.presetInUse', {
                  name: imported.preset,
                  cell: t(`model.cells.${imported.spec.cell}`),
                  hiddenSize: imported.spec.hiddenSize,
                  params: imported.paramCount,
                })
              : t('model.imported', {
                  fileName: imported.fileName,
                  cell: t(`model.cells.${imported.spec.cell}`),
                  inputSize: imported.spec.inputSize,
                  hiddenSize: imported.spec.hiddenSize,
                  layers: imported.spec.numLayers,
                  bi: imported.spec.bidirectional ? t('model.importedBi') : '',
                  params: imported.paramCount,
                })}
          </p>
          {forms && (
            <div className="field">
              <label htmlFor={formId}>
                {forms[0] === 'gru' ? t('model.gruForm') : t('model.rnnActivation')}
              </label>
              <select
                id={formId}
                value={imported.spec.cell}
                onChange={(e) =>
                  void getEngineBridge()?.setImportedForm(
                    e.target.value as 'gru' | 'gru-textbook' | 'rnn-tanh' | 'rnn-relu',
                  )
                }
              >
                {forms.map((c) => (
                  <option key={c} value={c}>
                    {t(`model.cells.${c}`)}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="button" onClick={() => getEngineBridge()?.forgetWeights()}>
            {t('model.useSeeded')}
          </button>
        </div>
      )}
      {!imported && paramCount > 0 && (
        <p className="field-hint">{t('model.params', { n: paramCount })}</p>
      )}
    </section>
  );
}
