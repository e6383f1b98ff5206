import { memo, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import {
  selectEvals,
  selectGenerated,
  selectIsTraining,
  selectSnapshots,
  selectTemperature,
  selectTimelineStep,
  selectTrainInfo,
} from '../../store/training-selectors';
import type { ChartData } from './chart-layout';
import { LineChart } from './LineChart';
import './training.css';

const num = (v: number | undefined, digits = 3) =>
  v === undefined || !Number.isFinite(v) ? '–' : String(+v.toFixed(digits));

/**
 * Redraw the live charts when the streamed history, the validation records or the clipping
 * threshold change: a transient subscription, so the panel itself does not re-render while
 * training (the store bumps `trainVersion` at most a few times a second).
 */
const subscribeTraining = (redraw: () => void) =>
  useAppStore.subscribe((s, p) => {
    if (
      s.trainVersion !== p.trainVersion ||
      s.evals !== p.evals ||
      s.clipThreshold !== p.clipThreshold ||
      s.trainInfo !== p.trainInfo
    )
      redraw();
  });

/** Live training charts, the task's metrics and the training timeline (store only). */
export function TrainingPanel() {
  const { t } = useTranslation();
  const id = useId();
  const hasInfo = useAppStore((s) => s.trainInfo !== null);
  const training = useAppStore(selectIsTraining);
  const snapshots = useAppStore(selectSnapshots);
  const timelineStep = useAppStore(selectTimelineStep);
  // The clipping label, formatted once per threshold and language (not on every draw).
  const clipLabel = useRef<{ t: unknown; v: number; label: string } | null>(null);
  if (!hasInfo) return null;

  const readLoss = (): ChartData => {
    const s = useAppStore.getState();
    const h = s.history;
    const n = h.n;
    const latest = s.evals.at(-1);
    return {
      series: [
        { id: 'train', xs: h.step, ys: h.loss, n },
        {
          id: 'val',
          xs: s.evals.map((e) => e.step),
          ys: s.evals.map((e) => e.valLoss),
          n: s.evals.length,
          dots: true,
        },
      ],
      summary: () =>
        t('training.charts.lossSummary', {
          train: num(n > 0 ? h.loss[n - 1] : undefined),
          val: num(latest?.valLoss),
          step: n > 0 ? h.step[n - 1] : (s.trainInfo?.step ?? 0),
        }),
    };
  };
  const clipText = (v: number) => {
    const c = clipLabel.current;
    if (c && c.t === t && c.v === v) return c.label;
    const label = t('training.charts.clip', { v });
    clipLabel.current = { t, v, label };
    return label;
  };
  const readGrad = (): ChartData => {
    const s = useAppStore.getState();
    const h = s.history;
    const n = h.n;
    const clip = s.clipThreshold;
    return {
      series: [{ id: 'grad', xs: h.step, ys: h.gradNorm, n }],
      hline: clip === null ? null : { y: clip, label: clipText(clip) },
      summary: () =>
        t('training.charts.gradSummary', {
          v: num(n > 0 ? h.gradNorm[n - 1] : undefined),
          clip: clip === null ? t('training.charts.noClip') : String(clip),
        }),
    };
  };

  return (
    <section className="panel tr-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('training.charts.title')}</h2>
      <div className="tr-charts">
        <LineChart
          title={t('training.charts.loss')}
          xLabel={t('training.charts.step')}
          log
          legend={[
            { id: 'train', label: t('training.charts.trainLoss') },
            { id: 'val', label: t('training.charts.valLoss') },
          ]}
          read={readLoss}
          subscribe={subscribeTraining}
        />
        <LineChart
          title={t('training.charts.gradNorm')}
          xLabel={t('training.charts.step')}
          log
          legend={[{ id: 'grad', label: t('training.charts.gradNormLegend') }]}
          read={readGrad}
          subscribe={subscribeTraining}
        />
        <TaskMetricsView />
      </div>
      {/* Always in place (disabled until there are two snapshots): its appearance at the first
          chart update moved the page below and cost a 150 ms relayout and commit. */}
      <Timeline snapshots={snapshots} step={timelineStep} locked={training} />
    </section>
  );
}

function Timeline({
  snapshots,
  step,
  locked,
}: {
  snapshots: number[];
  step: number | null;
  /** While training the panels keep the last view: the timeline waits for Pause. */
  locked: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const idx =
    step === null ? Math.max(0, snapshots.length - 1) : Math.max(0, snapshots.indexOf(step));
  const shown = step ?? snapshots.at(-1) ?? 0;
  return (
    <div className="tr-timeline">
      <label htmlFor={id}>{t('training.timeline.label')}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={Math.max(0, snapshots.length - 1)}
        step={1}
        value={idx}
        disabled={locked || snapshots.length < 2}
        aria-valuetext={t('training.timeline.value', { step: shown })}
        onChange={(e) => useAppStore.getState().setTimelineStep(snapshots[Number(e.target.value)])}
      />
      <output htmlFor={id}>{t('training.timeline.value', { step: shown })}</output>
      <button
        type="button"
        onClick={() => useAppStore.getState().setTimelineStep(null)}
        disabled={step === null}
      >
        {t('training.timeline.current')}
      </button>
    </div>
  );
}

const KNOWN = [
  'accuracy',
  'macroF1',
  'perplexity',
  'bitsPerChar',
  'mae',
  'rmse',
  'mape',
  'mse',
  'baselineMae',
  'baselineMse',
];

/** Memoised: it reads the store itself, so a status change of the panel leaves it alone. */
const TaskMetricsView = memo(function TaskMetricsView() {
  const { t } = useTranslation();
  const info = useAppStore(selectTrainInfo);
  const evals = useAppStore(selectEvals);
  const latest = evals.at(-1);
  if (!info || !latest) return null;
  const m = latest.metrics;
  const names = Object.keys(m.values).filter((k) => KNOWN.includes(k));
  const symbols = info.task.symbols;
  return (
    <div className="tr-metrics">
      <h3>{t('training.metrics.title', { step: latest.step })}</h3>
      <dl className="tr-values">
        {names.map((k) => (
          <div key={k}>
            <dt>{t(`training.metrics.${k}`)}</dt>
            <dd>{num(m.values[k], 4)}</dd>
          </div>
        ))}
      </dl>
      {m.confusion ? (
        <table className="tr-confusion">
          <caption>{t('training.metrics.confusion')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('training.metrics.truthPred')}</th>
              {m.confusion.map((_, j) => (
                <th key={j} scope="col">
                  {symbols[j] ?? j}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.confusion.map((row, i) => (
              <tr key={i}>
                <th scope="row">{symbols[i] ?? i}</th>
                {row.map((c, j) => (
                  <td key={j} className={i === j ? 'tr-diag' : undefined}>
                    {c}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {m.forecast ? (
        <LineChart
          title={t('training.metrics.forecast')}
          xLabel={t('training.metrics.time')}
          legend={[
            { id: 'truth', label: t('training.metrics.truth') },
            { id: 'pred', label: t('training.metrics.prediction') },
            { id: 'base', label: t('training.metrics.baseline') },
          ]}
          read={() => {
            const f = m.forecast!;
            const n = f.x.length;
            return {
              series: [
                { id: 'truth', xs: f.x, ys: f.truth, n },
                { id: 'pred', xs: f.x, ys: f.prediction, n },
                { id: 'base', xs: f.x, ys: f.baseline, n },
              ],
              summary: () =>
                t('training.metrics.forecastSummary', {
                  mae: num(m.values.mae),
                  base: num(m.values.baselineMae),
                }),
            };
          }}
        />
      ) : null}
      {info.task.kind === 'char-lm' ? <Generated /> : null}
    </div>
  );
});

function Generated() {
  const { t } = useTranslation();
  const id = useId();
  const temperature = useAppStore(selectTemperature);
  const text = useAppStore(selectGenerated);
  return (
    <div className="tr-generated">
      <label htmlFor={id}>{t('training.generate.temperature')}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={2}
        step={0.1}
        value={temperature}
        onChange={(e) => useAppStore.getState().setTemperature(Number(e.target.value))}
      />
      <output htmlFor={id}>{temperature.toFixed(1)}</output>
      <p className="tr-hint">{t('training.generate.hint')}</p>
      <pre className="tr-text" aria-live="polite">
        {text ?? t('training.generate.none')}
      </pre>
    </div>
  );
}
