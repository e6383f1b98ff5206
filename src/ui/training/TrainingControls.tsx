import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import {
  HYPERPARAM_KEYS,
  TASK_CATALOG,
  defaultHyperparams,
  type HyperparamKey,
  type Hyperparams,
} from '../../engine';
import { useAppStore } from '../../store';
import {
  selectDivergence,
  selectMsPerStep,
  selectPastedDataset,
  selectPresetCell,
  selectPresetFile,
  selectPresetMs,
  selectTrainError,
  selectTrainHyper,
  selectTrainInfo,
  selectTrainOptions,
  selectTrainStep,
  selectTrainTask,
  selectTrainingState,
} from '../../store/training-selectors';
import type { TrainOptions } from '../../store/training-slice';
import { HyperField } from './HyperField';
import type { TrainingController } from './training-controller';

/** Which keys matter for the chosen optimizer, clipping and cell (the rest are hidden). */
function relevant(k: HyperparamKey, h: Hyperparams): boolean {
  switch (k) {
    case 'momentum':
      return h.optimizer !== 'adam';
    case 'beta1':
    case 'beta2':
      return h.optimizer === 'adam';
    case 'alpha':
      return h.optimizer === 'rmsprop';
    case 'clipThreshold':
      return h.clipMode !== 'off';
    case 'forgetBias':
      return h.cell === 'lstm';
    default:
      return true;
  }
}

function download(file: { fileName: string; mime: string; bytes: ArrayBuffer }) {
  const url = URL.createObjectURL(new Blob([file.bytes], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const OPTION_LIMITS: Record<Exclude<keyof TrainOptions, 'curriculum'>, [number, number]> = {
  snapshotEvery: [0, 10000],
  evalEvery: [0, 10000],
  maxSteps: [0, 1000000],
};

/** Status, step and speed: its own component, so the form does not re-render per update. */
function TrainingStatusLine() {
  const { t } = useTranslation();
  const status = useAppStore(selectTrainingState);
  const hasInfo = useAppStore((s) => s.trainInfo !== null);
  const step = useAppStore(selectTrainStep);
  const msPerStep = useAppStore(selectMsPerStep);
  return (
    <p className="tr-status">
      {/* Only the status is announced; the step count changes several times a second. */}
      <span role="status">{t(`training.status.${status}`)}</span>
      {hasInfo ? ` · ${t('training.stepCount', { step })}` : ''}
      {msPerStep !== null && msPerStep > 0
        ? ` · ${t('training.speed', { ms: msPerStep.toFixed(1) })}`
        : ''}
    </p>
  );
}

/** Task, preset, hyperparameters, and the buttons that drive training. */
export function TrainingControls({ controller }: { controller: TrainingController }) {
  const { t } = useTranslation();
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const task = useAppStore(selectTrainTask);
  const presetCell = useAppStore(selectPresetCell);
  const hyperForm = useAppStore(selectTrainHyper);
  const options = useAppStore(selectTrainOptions);
  const status = useAppStore(selectTrainingState);
  const info = useAppStore(selectTrainInfo);
  const error = useAppStore(selectTrainError);
  const divergence = useAppStore(selectDivergence);
  const presetMs = useAppStore(selectPresetMs);
  const presetFile = useAppStore(selectPresetFile);
  const pasted = useAppStore(selectPastedDataset);
  const a = useAppStore.getState();
  const running = status === 'training';
  const entry = TASK_CATALOG.find((e) => e.id === task);
  const hyper: Hyperparams = {
    ...defaultHyperparams(),
    ...(info && info.task.id === task ? { seqLen: info.hyper.seqLen, loss: info.hyper.loss } : {}),
    ...hyperForm,
  };

  return (
    <section className="panel tr-controls" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('training.title')}</h2>
      {/* One fieldset locks the whole form while training: one attribute for the browser to
          flip instead of one per control (40 attribute writes and style invalidations made
          the Train and Pause clicks long tasks). */}
      <fieldset className="tr-form" disabled={running}>
        <div className="tr-task">
          <div className="field">
            <label htmlFor={`${id}-task`}>{t('training.task')}</label>
            <select id={`${id}-task`} value={task} onChange={(e) => a.setTrainTask(e.target.value)}>
              {TASK_CATALOG.map((e) => (
                <option key={e.id} value={e.id}>
                  {t(`training.tasks.${e.id}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-pcell`}>{t('training.presetCell')}</label>
            <select
              id={`${id}-pcell`}
              value={presetCell}
              onChange={(e) => a.setPresetCell(e.target.value as 'lstm' | 'gru' | 'rnn-tanh')}
            >
              {(['lstm', 'gru', 'rnn-tanh'] as const).map((c) => (
                <option key={c} value={c}>
                  {t(`training.enum.${c}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p className="tr-hint">{t(`training.taskHelp.${task}`)}</p>
        <div className="tr-buttons">
          <button type="button" onClick={() => void controller.loadPreset()}>
            {t('training.loadPreset')}
          </button>
        </div>
        {presetFile && presetMs !== null ? (
          <p className="tr-hint">
            {t('training.presetLoaded', { file: presetFile, ms: Math.round(presetMs) })}
          </p>
        ) : null}

        <details className="tr-hyper">
          <summary>{t('training.hyperTitle')}</summary>
          <div className="tr-grid">
            {HYPERPARAM_KEYS.filter((k) => relevant(k, hyper)).map((k) => (
              <HyperField key={k} k={k} value={hyper[k]} />
            ))}
            {(Object.keys(OPTION_LIMITS) as (keyof typeof OPTION_LIMITS)[]).map((k) => (
              <div className="field" key={k}>
                <label htmlFor={`${id}-${k}`}>{t(`training.options.${k}`)}</label>
                <input
                  id={`${id}-${k}`}
                  type="number"
                  min={OPTION_LIMITS[k][0]}
                  max={OPTION_LIMITS[k][1]}
                  step={1}
                  value={options[k]}
                  onChange={(e) => {
                    const v = Number(e.target.value);
                    if (Number.isInteger(v) && v >= OPTION_LIMITS[k][0] && v <= OPTION_LIMITS[k][1])
                      a.setTrainOption(k, v);
                  }}
                />
                <span className="field-hint">
                  {t('training.range.int', { min: OPTION_LIMITS[k][0], max: OPTION_LIMITS[k][1] })}
                </span>
              </div>
            ))}
            <div className="field field-check">
              <input
                id={`${id}-cur`}
                type="checkbox"
                checked={options.curriculum}
                onChange={(e) => a.setTrainOption('curriculum', e.target.checked)}
              />
              <label htmlFor={`${id}-cur`}>{t('training.options.curriculum')}</label>
            </div>
          </div>
        </details>

        {entry?.dataset ? (
          <details className="tr-data">
            <summary>{t('training.pasteTitle', { file: entry.dataset })}</summary>
            <label htmlFor={`${id}-paste`}>{t('training.pasteLabel')}</label>
            <textarea
              id={`${id}-paste`}
              rows={4}
              value={pasted ?? ''}
              onChange={(e) => a.setPastedDataset(e.target.value === '' ? null : e.target.value)}
            />
          </details>
        ) : null}
      </fieldset>

      <div className="tr-buttons">
        <button type="button" disabled={running} onClick={() => void controller.apply(false)}>
          {t('training.newModel')}
        </button>
        {running ? (
          <button type="button" className="tr-primary" onClick={() => void controller.pause()}>
            {t('training.pause')}
          </button>
        ) : (
          <button
            type="button"
            className="tr-primary"
            disabled={status === 'loading'}
            onClick={() => void controller.train()}
          >
            {t('training.train')}
          </button>
        )}
        <button
          type="button"
          disabled={running || status === 'loading'}
          onClick={() => void controller.step()}
        >
          {t('training.step')}
        </button>
      </div>
      <div className="tr-buttons">
        <button
          type="button"
          disabled={!info || running}
          onClick={() => void controller.exportWeights('safetensors').then((f) => f && download(f))}
        >
          {t('training.exportSafetensors')}
        </button>
        <button
          type="button"
          disabled={!info || running}
          onClick={() =>
            void controller.exportWeights('state-dict-json').then((f) => f && download(f))
          }
        >
          {t('training.exportJson')}
        </button>
        <button type="button" disabled={running} onClick={() => fileRef.current?.click()}>
          {t('training.import')}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".safetensors,.json"
          hidden
          aria-label={t('training.import')}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void controller.importFile(f);
            e.target.value = '';
          }}
        />
      </div>

      <TrainingStatusLine />
      {divergence ? (
        <div className="tr-error" role="alert">
          <p>
            {t(`training.diverged.${divergence.reason}`, { step: divergence.step })}{' '}
            {t('training.diverged.kept')}
          </p>
          <ul>
            {divergence.advice.map((adv) => (
              <li key={adv}>{t(`training.advice.${adv}`, { lr: hyper.learningRate })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {error ? (
        <div className="tr-error" role="alert">
          <p>{t(`training.errors.${error.code}`, { defaultValue: t('training.errors.other') })}</p>
          {error.issues && error.issues.length > 0 ? (
            <ul>
              {error.issues.map((i) => (
                <li key={i.key}>
                  {t('training.issue', {
                    key: t(`training.hyper.${i.key}`, { defaultValue: i.key }),
                    actual: i.actual,
                    range: i.expected,
                  })}
                </li>
              ))}
            </ul>
          ) : (
            <p className="tr-detail">{error.message}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
