import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_COMPARE_CONFIG } from '../../engine/compare';
import { useAppStore } from '../../store';
import {
  selectCompareColumns,
  selectCompareConfig,
  selectCompareElapsedMs,
  selectCompareError,
  selectComparePercent,
  selectCompareProgress,
  selectCompareStatus,
} from '../../store/compare-selectors';
import { selectLang } from '../../store/selectors';
import { formatNumber } from '../../viz/format';
import { FlowChart } from './FlowChart';
import { StateHeatmaps } from './StateHeatmaps';
import {
  buildCompareTable,
  tableToCsv,
  tableToMarkdown,
  type TableCell,
  type Translate,
} from './table';
import './comparison.css';

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A figure with its "how it was measured" as a tooltip and as text for screen readers. */
function Figure({ cell, mark }: { cell: TableCell; mark: string }) {
  return (
    <span className="cmp-figure" title={cell.how}>
      {cell.lines.map((l, i) => (
        <span
          key={i}
          className={i === 0 ? 'cmp-line cmp-head' : 'cmp-line'}
          translate={i === 0 && !cell.pending ? 'no' : undefined}
        >
          {l}
        </span>
      ))}
      {cell.disagrees && (
        <span className="cmp-mark">
          <span aria-hidden="true">≠</span>
          <span className="visually-hidden">{mark}</span>
        </span>
      )}
      <span className="visually-hidden">{` (${cell.how})`}</span>
    </span>
  );
}

/** Its own component: progress arrives every few training steps and re-renders only this. */
function ProgressBar() {
  const { t } = useTranslation();
  const progress = useAppStore(selectCompareProgress);
  const percent = useAppStore(selectComparePercent);
  const text = progress
    ? t('compare.progressText', {
        percent,
        phase: t(`compare.phase.${progress.phase}`),
        cell: t(`compare.cellName.${progress.cell}`),
      })
    : `${percent}%`;
  return (
    <div className="cmp-progress-wrap">
      <div
        role="progressbar"
        aria-label={t('compare.progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
        className="cmp-progress"
      >
        <div className="cmp-progress-bar" style={{ width: `${percent}%` }} />
      </div>
      <span aria-hidden="true">{text}</span>
    </div>
  );
}

/**
 * The comparison: settings, a progress bar, the table (one column per cell, the course's
 * claim beside each row, marked where the measurement disagrees), exports, the gradient-flow
 * chart and the three cells' heatmaps.
 */
export function ComparisonView() {
  const { t } = useTranslation();
  const tr = t as unknown as Translate;
  const lang = useAppStore(selectLang);
  const config = useAppStore(selectCompareConfig);
  const columns = useAppStore(selectCompareColumns);
  const status = useAppStore(selectCompareStatus);
  const error = useAppStore(selectCompareError);
  const elapsed = useAppStore(selectCompareElapsedMs);
  const setConfig = useAppStore((s) => s.setCompareConfig);
  const start = useAppStore((s) => s.startCompare);
  const cancel = useAppStore((s) => s.cancelCompare);
  const explode = useAppStore((s) => s.applyExplodingPreset);
  const table = useMemo(
    () => buildCompareTable(columns, config, tr, lang),
    [columns, config, tr, lang],
  );
  const running = status === 'running';

  return (
    <section className="comparison" aria-label={t('compare.region')}>
      <h2>{t('compare.region')}</h2>
      <p className="cmp-intro">{t('compare.intro')}</p>
      <fieldset className="cmp-controls" disabled={running}>
        <legend>{t('compare.controls')}</legend>
        <label>
          {t('compare.gruForm')}{' '}
          <select
            value={config.gru}
            onChange={(e) => setConfig({ gru: e.target.value as 'gru' | 'gru-textbook' })}
          >
            <option value="gru">{t('compare.cellName.gru')}</option>
            <option value="gru-textbook">{t('compare.cellName.gru-textbook')}</option>
          </select>
        </label>
        <div role="radiogroup" aria-label={t('compare.fairness')} className="cmp-radios">
          {(['equal-hidden', 'equal-params'] as const).map((f) => (
            <label key={f}>
              <input
                type="radio"
                name="cmp-fairness"
                checked={config.fairness === f}
                onChange={() => setConfig({ fairness: f })}
              />{' '}
              {t(f === 'equal-hidden' ? 'compare.fairnessHidden' : 'compare.fairnessParams')}
            </label>
          ))}
        </div>
        <label>
          {t('compare.hiddenSize')}{' '}
          <input
            type="number"
            min={2}
            max={128}
            value={config.hiddenSize}
            onChange={(e) => setConfig({ hiddenSize: Number(e.target.value) })}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={config.clip}
            onChange={(e) => setConfig({ clip: e.target.checked })}
          />{' '}
          {t('compare.clip')}
        </label>
        <button type="button" onClick={explode} aria-pressed={config.explode}>
          {t('compare.explode')}
        </button>
        <button type="button" onClick={() => setConfig({ ...DEFAULT_COMPARE_CONFIG })}>
          {t('compare.reset')}
        </button>
        {config.explode && (
          <span className="cmp-note">
            {t('compare.explodeOn', { scale: config.recurrentScale })}
          </span>
        )}
      </fieldset>
      <div className="cmp-actions">
        <button type="button" className="primary" onClick={start} disabled={running}>
          {t('compare.run')}
        </button>
        <button type="button" onClick={cancel} disabled={!running}>
          {t('compare.cancel')}
        </button>
        <p className="cmp-status" role="status">
          {status === 'done'
            ? t('compare.status.done', { seconds: formatNumber((elapsed ?? 0) / 1000, lang, 1) })
            : status === 'error'
              ? t('compare.status.error', { message: error ?? '' })
              : t(`compare.status.${status}`)}
        </p>
        {error && status !== 'error' && (
          <p className="cmp-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {running && <ProgressBar />}
      <div className="cmp-table-wrap">
        <table className="cmp-table">
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('compare.measure')}</th>
              {table.columns.map((c) => (
                <th scope="col" key={c.cell}>
                  <span translate="no">{c.name}</span>
                  <span className="cmp-sub" translate="no">
                    {c.hidden}
                  </span>
                </th>
              ))}
              <th scope="col">{t('compare.claimHeader')}</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.key} data-row={r.key}>
                <th scope="row">{r.label}</th>
                {r.cells.map((c, i) => (
                  <td
                    key={table.columns[i].cell}
                    className={c.disagrees ? 'cmp-disagrees' : undefined}
                  >
                    <Figure cell={c} mark={t('compare.disagreeMark')} />
                  </td>
                ))}
                <td className="cmp-claim">
                  {r.claim}
                  {r.disagreeWith.length > 0 && (
                    <strong className="cmp-verdict">
                      {' '}
                      {t('compare.disagreesFor', { cells: r.disagreeWith.join(', ') })}
                    </strong>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="cmp-export" role="group" aria-label={t('compare.export')}>
        <button
          type="button"
          disabled={columns.length === 0}
          onClick={() => download('gatescope-comparison.csv', tableToCsv(table, tr), 'text/csv')}
        >
          {t('compare.exportCsv')}
        </button>
        <button
          type="button"
          disabled={columns.length === 0}
          onClick={() =>
            download('gatescope-comparison.md', tableToMarkdown(table, tr), 'text/markdown')
          }
        >
          {t('compare.exportMarkdown')}
        </button>
      </div>
      <FlowChart />
      <StateHeatmaps />
    </section>
  );
}
