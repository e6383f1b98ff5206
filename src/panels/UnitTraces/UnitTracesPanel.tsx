import { line } from 'd3-shape';
import { scaleLinear } from 'd3-scale';
import { memo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Quantity } from '../../engine/types';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import { selectChartQuantity, selectChartUnits } from '../../store/panel-selectors';
import { MAX_TRACE_UNITS } from '../../store/panels-slice';
import {
  selectLang,
  selectLayerKey,
  selectQuantities,
  selectT,
  selectUnit,
} from '../../store/selectors';
import { domainFor, maxAbs } from '../../viz/color';
import { formatNumber } from '../../viz/format';
import { PanelSection } from '../shared/PanelSection';
import { QuantitySelect } from '../shared/QuantitySelect';
import { useElementSize } from '../shared/hooks';

/** Okabe-Ito: a categorical palette that stays distinct under colour-vision deficiencies. */
const LINE_COLORS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#999999',
];
const HEIGHT = 180;
const M = { top: 8, right: 12, bottom: 22, left: 44 };

const selectHasTrace = (s: AppState) => s.trace !== null;
const selectTotal = (s: AppState) => s.trace?.meta.T ?? 0;

/**
 * "Unit traces": pinned units' (or the selected unit's) h, c or a gate over
 * time as SVG lines, with the step cursor. Lines re-render when their data
 * changes; the cursor is its own small component.
 */
export function UnitTracesPanel() {
  const { t } = useTranslation();
  const hasTrace = useAppStore(selectHasTrace);
  const quantity = useAppStore(selectChartQuantity);
  const quantities = useAppStore(selectQuantities);
  const pinned = useAppStore(selectChartUnits);
  const selected = useAppStore(selectUnit);
  const setChartQuantity = useAppStore((s) => s.setChartQuantity);
  const pin = useAppStore((s) => s.pinChartUnit);
  const unpin = useAppStore((s) => s.unpinChartUnit);
  const units = pinned.length > 0 ? pinned : [selected];
  return (
    <PanelSection id="traces" title={t('panels.titles.traces')}>
      {!hasTrace ? (
        <p className="empty-state">{t('panels.noTrace')}</p>
      ) : (
        <>
          <div className="panel-controls">
            <QuantitySelect
              label={t('panels.traces.quantity')}
              value={quantity}
              options={quantities}
              onChange={setChartQuantity}
            />
            <button
              type="button"
              onClick={() => pin(selected)}
              disabled={pinned.includes(selected) || pinned.length >= MAX_TRACE_UNITS}
            >
              {t('panels.traces.pin', { unit: selected + 1 })}
            </button>
            {pinned.map((u) => (
              <button key={u} type="button" className="chip" onClick={() => unpin(u)}>
                {t('panels.traces.unpin', { unit: u + 1 })}
              </button>
            ))}
          </div>
          <Chart quantity={quantity} units={units} />
        </>
      )}
    </PanelSection>
  );
}

const Chart = memo(function Chart({ quantity, units }: { quantity: Quantity; units: number[] }) {
  const { t } = useTranslation();
  const [box, setBox] = useState<HTMLDivElement | null>(null);
  const { width } = useElementSize(box);
  const key = useAppStore(selectLayerKey);
  const total = useAppStore(selectTotal);
  const traceT = useAppStore((s) => s.traceT);
  const lang = useAppStore(selectLang);
  useAppStore((s) => s.traceVersion);

  const s = useAppStore.getState();
  const tr = s.trace;
  const values = tr?.layers[key]?.[quantity];
  const H = tr?.meta.H ?? 1;
  const B = tr?.meta.B ?? 1;
  let domain = domainFor(quantity);
  if (values && domain && quantity === 'c')
    domain = domainFor(quantity, [maxAbs(values, 0, traceT * B * H)]);
  const w = Math.max(0, width);
  const x = scaleLinear()
    .domain([0, Math.max(1, total - 1)])
    .range([M.left, Math.max(M.left + 1, w - M.right)]);
  const y = scaleLinear()
    .domain(domain)
    .range([HEIGHT - M.bottom, M.top]);
  const path = line<number>()
    .x((_, k) => x(k))
    .y((v) => y(v))
    .defined((v) => Number.isFinite(v));

  const yTicks = y.ticks(4);
  const xTicks = x.ticks(Math.max(2, Math.floor(w / 80))).filter((v) => Number.isInteger(v));
  return (
    <div ref={setBox} className="chart">
      {w > 0 && (
        <svg
          width={w}
          height={HEIGHT}
          role="img"
          aria-label={t('panels.traces.chartLabel', {
            symbol: quantity,
            units: units.map((u) => u + 1).join(', '),
          })}
        >
          {yTicks.map((v) => (
            <g key={`y${v}`} transform={`translate(0, ${y(v)})`} className="grid">
              <line x1={M.left} x2={w - M.right} />
              <text x={M.left - 6} dy="0.32em" textAnchor="end">
                {formatNumber(v, lang, 1)}
              </text>
            </g>
          ))}
          {xTicks.map((v) => (
            <text key={`x${v}`} x={x(v)} y={HEIGHT - 6} textAnchor="middle" className="tick">
              {String(v + 1)}
            </text>
          ))}
          {values &&
            units.map((u, k) => {
              const series: number[] = [];
              for (let step = 0; step < traceT; step++) series.push(values[step * B * H + u]);
              return (
                <path
                  key={u}
                  d={path(series) ?? ''}
                  fill="none"
                  stroke={LINE_COLORS[k % LINE_COLORS.length]}
                  strokeWidth={2}
                  data-unit={u}
                />
              );
            })}
          <Cursor x={x} />
        </svg>
      )}
      <ul className="chart-legend">
        {units.map((u, k) => (
          <li key={u}>
            <span
              className="legend-swatch"
              style={{ background: LINE_COLORS[k % LINE_COLORS.length] }}
              aria-hidden="true"
            />
            {t('panels.traces.unitLegend', { unit: u + 1, symbol: quantity })}
          </li>
        ))}
      </ul>
    </div>
  );
});

/** The step cursor: re-renders per step on its own (one line), not the lines. */
function Cursor({ x }: { x: (v: number) => number }) {
  const step = useAppStore(selectT);
  const px = x(step);
  return <line className="cursor" x1={px} x2={px} y1={M.top} y2={HEIGHT - M.bottom} />;
}
