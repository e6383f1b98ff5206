import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import {
  selectClipThreshold,
  selectEvals,
  selectGenerated,
  selectSnapshots,
  selectTemperature,
  selectTimelineStep,
  selectTrainHistory,
  selectTrainInfo,
  selectTrainVersion,
} from '../../store/training-selectors';
import { LineChart } from './LineChart';
import './training.css';

const num = (v: number | undefined, digits = 3) =>
  v === undefined || !Number.isFinite(v) ? '–' : String(+v.toFixed(digits));

/** Live training charts, the task's metrics and the training timeline (store only). */
export function TrainingPanel() {
  const { t } = useTranslation();
  const id = useId();
  const info = useAppStore(selectTrainInfo);
  useAppStore(selectTrainVersion);
  const history = useAppStore(selectTrainHistory);
  const evals = useAppStore(selectEvals);
  const clip = useAppStore(selectClipThreshold);
  const snapshots = useAppStore(selectSnapshots);
  const timelineStep = useAppStore(selectTimelineStep);
  if (!info) return null;

  const n = history.n;
  const lastLoss = n > 0 ? history.loss[n - 1] : undefined;
  const latest = evals.at(-1);
  const valXs = evals.map((e) => e.step);
  const valYs = evals.map((e) => e.valLoss);
  const lastGrad = n > 0 ? history.gradNorm[n - 1] : undefined;

  return (
    <section className="panel tr-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('training.charts.title')}</h2>
      <div className="tr-charts">
        <LineChart
          title={t('training.charts.loss')}
          xLabel={t('training.charts.step')}
          log
          series={[
            {
              id: 'train',
              label: t('training.charts.trainLoss'),
              xs: history.step,
              ys: history.loss,
              n,
            },
            {
              id: 'val',
              label: t('training.charts.valLoss'),
              xs: valXs,
              ys: valYs,
              n: evals.length,
              dots: true,
            },
          ]}
          summary={t('training.charts.lossSummary', {
            train: num(lastLoss),
            val: num(latest?.valLoss),
            step: info ? (history.n > 0 ? history.step[n - 1] : info.step) : 0,
          })}
        />
        <LineChart
          title={t('training.charts.gradNorm')}
          xLabel={t('training.charts.step')}
          log
          series={[
            {
              id: 'grad',
              label: t('training.charts.gradNormLegend'),
              xs: history.step,
              ys: history.gradNorm,
              n,
            },
          ]}
          hline={clip === null ? null : { y: clip, label: t('training.charts.clip', { v: clip }) }}
          summary={t('training.charts.gradSummary', {
            v: num(lastGrad),
            clip: clip === null ? t('training.charts.noClip') : String(clip),
          })}
        />
        <TaskMetricsView />
      </div>
      {/* Always in place (disabled until there are two snapshots): its appearance at the first
          chart update moved the page below and cost a 150 ms relayout and commit. */}
      <Timeline snapshots={snapshots} step={timelineStep} />
    </section>
  );
}

function Timeline({ snapshots, step }: { snapshots: number[]; step: number | null }) {
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
        disabled={snapshots.length < 2}
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

function TaskMetricsView() {
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
          series={[
            {
              id: 'truth',
              label: t('training.metrics.truth'),
              xs: m.forecast.x,
              ys: m.forecast.truth,
              n: m.forecast.x.length,
            },
            {
              id: 'pred',
              label: t('training.metrics.prediction'),
              xs: m.forecast.x,
              ys: m.forecast.prediction,
              n: m.forecast.x.length,
            },
            {
              id: 'base',
              label: t('training.metrics.baseline'),
              xs: m.forecast.x,
              ys: m.forecast.baseline,
              n: m.forecast.x.length,
            },
          ]}
          summary={t('training.metrics.forecastSummary', {
            mae: num(m.values.mae),
            base: num(m.values.baselineMae),
          })}
        />
      ) : null}
      {info.task.kind === 'char-lm' ? <Generated /> : null}
    </div>
  );
}

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
