import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { selectCompareColumns } from '../../store/compare-selectors';
import { selectLang } from '../../store/selectors';
import { formatNumber } from '../../viz/format';
import { CELL_COLORS } from './colors';

const W = 560;
const H = 240;
const M = { top: 10, right: 16, bottom: 36, left: 56 };
/** Norms below max/1e12 are drawn at that floor: float underflow is not information. */
const FLOOR_RATIO = 1e-12;

/**
 * ||dL/dh at T−k|| against k on a log scale, one solid line per cell after training and a
 * dashed one at the start, redrawn as each measurement arrives.
 */
export function FlowChart() {
  const { t } = useTranslation();
  const lang = useAppStore(selectLang);
  const columns = useAppStore(selectCompareColumns);
  const curves = columns.flatMap((c, i) =>
    [
      { norms: c.flowTrained?.norms, dashed: false },
      { norms: c.flowInit?.norms, dashed: true },
    ].flatMap((x) =>
      x.norms ? [{ cell: c.cell, color: CELL_COLORS[i], ...x, norms: x.norms }] : [],
    ),
  );
  let hi = 0;
  for (const c of curves) for (const v of c.norms) if (Number.isFinite(v)) hi = Math.max(hi, v);
  const floor = hi > 0 ? hi * FLOOR_RATIO : 1e-12;
  let lo = hi > 0 ? hi : 1;
  for (const c of curves)
    for (const v of c.norms) if (v > 0 && Number.isFinite(v)) lo = Math.min(lo, v);
  lo = Math.max(lo, floor);
  const kMax = Math.max(1, ...curves.map((c) => c.norms.length - 1));
  const x = scaleLinear()
    .domain([0, kMax])
    .range([M.left, W - M.right]);
  const y = scaleLog()
    .domain([lo, Math.max(hi, lo * 10)])
    .range([H - M.bottom, M.top])
    .clamp(true)
    .nice();
  const path = line<number>()
    .x((_, k) => x(k))
    .y((v) => y(v > 0 && Number.isFinite(v) ? Math.max(v, floor) : floor));
  const yTicks = y
    .ticks(6)
    .filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  const summary = columns
    .filter((c) => c.flowTrained)
    .map((c) => `${t(`compare.cellName.${c.cell}`)} ${formatNumber(c.flowTrained!.slope, lang, 3)}`)
    .join('; ');
  return (
    <figure className="cmp-flow">
      <figcaption>{t('compare.flowChart')}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${t('compare.flowChart')}. ${t('compare.flowChartSummary', { list: summary || '–' })}`}
      >
        <g className="cmp-axis">
          {yTicks.map((v) => (
            <g key={v}>
              <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} className="cmp-grid" />
              <text x={M.left - 6} y={y(v)} dy="0.32em" textAnchor="end">
                {`1e${Math.round(Math.log10(v))}`}
              </text>
            </g>
          ))}
          {x.ticks(6).map((k) => (
            <text key={k} x={x(k)} y={H - M.bottom + 16} textAnchor="middle">
              {k}
            </text>
          ))}
          <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle">
            {t('compare.flowAxisK')}
          </text>
          <text
            transform={`translate(12 ${(M.top + H - M.bottom) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {t('compare.flowAxisNorm')}
          </text>
        </g>
        {curves.map((c) => (
          <path
            key={`${c.cell}-${c.dashed ? 'init' : 'trained'}`}
            d={path(c.norms) ?? ''}
            fill="none"
            stroke={c.color}
            strokeWidth={c.dashed ? 1.5 : 2.5}
            strokeDasharray={c.dashed ? '5 4' : undefined}
            data-cell={c.cell}
          />
        ))}
      </svg>
      <ul className="cmp-legend">
        {columns.map((c, i) => (
          <li key={c.cell}>
            <span
              className="cmp-swatch"
              style={{ background: CELL_COLORS[i] }}
              aria-hidden="true"
            />
            {t(`compare.cellName.${c.cell}`)}
          </li>
        ))}
        <li>
          <svg className="cmp-dash" viewBox="0 0 24 8" aria-hidden="true">
            <line x1="0" x2="24" y1="4" y2="4" strokeWidth="2.5" />
          </svg>
          {t('compare.flowTrained')}
        </li>
        <li>
          <svg className="cmp-dash" viewBox="0 0 24 8" aria-hidden="true">
            <line x1="0" x2="24" y1="4" y2="4" strokeWidth="1.5" strokeDasharray="5 4" />
          </svg>
          {t('compare.flowInit')}
        </li>
      </ul>
    </figure>
  );
}
