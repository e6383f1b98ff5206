import { memo, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { CellKind } from '../../engine/types';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import { selectDirection, selectLayer, selectT, selectUnit } from '../../store/selectors';
import { cssColor, RANGE_SCALE, textColorOn } from '../../viz/color';
import { formatNumber } from '../../viz/format';
import { slotValues, type SlotKey } from '../shared/slot-values';
import { termsAt } from '../shared/terms-source';
import { PanelSection } from '../shared/PanelSection';
import { diagramLayout, GATE_HALF_H, GATE_HALF_W, type DiagramNode, type Range } from './layouts';

const selectTraceCell = (s: AppState): CellKind | null => s.trace?.meta.spec.cell ?? null;
const selectHoverQuantity = (s: AppState) => s.hover?.quantity ?? null;

const BOX_W = 2 * GATE_HALF_W;
const BOX_H = 2 * GATE_HALF_H;
const OP_R = 19;

function colorOf(v: number | undefined, range: Range) {
  if (v === undefined || range === 'none') return 'var(--wire-neutral)';
  const sc = RANGE_SCALE[range];
  return cssColor(v, sc.lut, range === 'unbounded' ? [-1, 1] : sc.domain);
}

function widthOf(v: number | undefined, range: Range) {
  if (v === undefined || range === 'none') return 2;
  const m = range === 'sigmoid' ? v : Math.min(1, Math.abs(v));
  return 1.5 + 5 * Math.max(0, Math.min(1, m));
}

/**
 * "Cell diagram": the selected cell drawn as boxes and wires, coloured with
 * the heatmaps' scales by the selected unit's values at the current step.
 * Colours and widths change with a CSS transition (none under reduced motion).
 */
export function CellDiagramPanel() {
  const { t } = useTranslation();
  const cell = useAppStore(selectTraceCell);
  return (
    <PanelSection id="diagram" title={t('panels.titles.diagram')}>
      {cell ? <Diagram cell={cell} /> : <p className="empty-state">{t('panels.noTrace')}</p>}
    </PanelSection>
  );
}

const Diagram = memo(function Diagram({ cell }: { cell: CellKind }) {
  const { t } = useTranslation();
  const titleId = useId();
  const descId = useId();
  const step = useAppStore(selectT);
  const unit = useAppStore(selectUnit);
  const layer = useAppStore(selectLayer);
  const direction = useAppStore(selectDirection);
  const version = useAppStore((s) => s.traceVersion);
  const params = useAppStore((s) => s.params);
  const lang = useAppStore((s) => s.lang);
  const hoverQ = useAppStore(selectHoverQuantity);
  const layout = useMemo(() => diagramLayout(cell, direction), [cell, direction]);

  const values = useMemo(() => {
    const s = useAppStore.getState();
    const terms = termsAt(s.trace, s.traceT, params, { layer, direction, t: step, unit });
    return terms ? slotValues(terms) : null;
    // `version` stands for the trace arrays, which change in place as steps arrive.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step, unit, layer, direction, version, params]);

  const val = (k?: SlotKey) => (k && values ? values.get(k) : undefined);
  const fmt = (v: number | undefined) => (v === undefined ? '…' : formatNumber(v, lang, 3));

  const desc = layout.nodes
    .filter((n) => n.value)
    .map((n) => `${n.symbol ?? n.label} = ${fmt(val(n.value))}`)
    .join(', ');

  const hover = (n: DiagramNode) => {
    if (!n.quantity) return;
    const s = useAppStore.getState();
    const tt = n.previous ? (direction === 1 ? step + 1 : step - 1) : step;
    if (tt < 0 || tt >= s.traceT) return;
    s.setHover({ t: tt, unit, quantity: n.quantity });
  };

  return (
    <div className="diagram">
      <p className="diagram-context">
        {t('panels.diagram.context', {
          unit: unit + 1,
          step: step + 1,
          layer: t(direction ? 'panels.layerReverse' : 'panels.layerForward', { layer: layer + 1 }),
        })}
      </p>
      {/* Symbols and numbers only: translation tools leave the drawing alone. */}
      <div translate="no">
        <svg
          viewBox="0 0 640 360"
          role="img"
          aria-labelledby={`${titleId} ${descId}`}
          className="diagram-svg"
          onPointerLeave={() => useAppStore.getState().setHover(null)}
        >
          <title id={titleId}>{t(`panels.diagram.title.${cell}`)}</title>
          <desc id={descId}>{desc}</desc>
          {layout.wires.map((w) => {
            const v = val(w.value);
            const points = w.points.map((p) => p.join(',')).join(' ');
            const width = widthOf(v, w.range);
            // A neutral casing keeps pale values (near 0 on a diverging scale) visible on any background.
            return (
              <g key={w.id}>
                <polyline
                  className="wire-casing"
                  points={points}
                  style={{ strokeWidth: width + 2 }}
                />
                <polyline
                  className="wire"
                  data-wire={w.id}
                  points={points}
                  style={{ stroke: colorOf(v, w.range), strokeWidth: width }}
                />
              </g>
            );
          })}
          {layout.nodes.map((n) => {
            const v = val(n.value);
            const hl = n.quantity !== undefined && n.quantity === hoverQ && !n.previous;
            if (n.kind === 'gate') {
              const fill = colorOf(v, n.range ?? 'none');
              const ink =
                v === undefined
                  ? 'currentColor'
                  : textColorOn(
                      v,
                      RANGE_SCALE[n.range === 'sigmoid' ? 'sigmoid' : 'tanh'].lut,
                      RANGE_SCALE[n.range === 'sigmoid' ? 'sigmoid' : 'tanh'].domain,
                    );
              return (
                <g
                  key={n.id}
                  className={`node gate${hl ? ' node-hl' : ''}`}
                  data-node={n.id}
                  onPointerEnter={() => hover(n)}
                >
                  <rect
                    x={n.x - BOX_W / 2}
                    y={n.y - BOX_H / 2}
                    width={BOX_W}
                    height={BOX_H}
                    rx={6}
                    style={{ fill }}
                  />
                  <text
                    x={n.x}
                    y={n.y - 5}
                    textAnchor="middle"
                    style={{ fill: ink }}
                    className="gate-fn"
                  >
                    {n.symbol} = {n.label}
                  </text>
                  <text
                    x={n.x}
                    y={n.y + 17}
                    textAnchor="middle"
                    style={{ fill: ink }}
                    className="gate-value"
                  >
                    {fmt(v)}
                  </text>
                </g>
              );
            }
            if (n.kind === 'op') {
              const wide = n.label.length > 2;
              return (
                <g key={n.id} className="node op" data-node={n.id}>
                  {wide ? (
                    <rect x={n.x - 28} y={n.y - 16} width={56} height={32} rx={16} />
                  ) : (
                    <circle cx={n.x} cy={n.y} r={OP_R} />
                  )}
                  <text x={n.x} y={n.y + 6} textAnchor="middle">
                    {n.label}
                  </text>
                </g>
              );
            }
            const anchor = n.kind === 'in' ? 'start' : 'end';
            const dx = n.kind === 'in' ? -30 : 30;
            return (
              <g
                key={n.id}
                className={`node io${hl ? ' node-hl' : ''}`}
                data-node={n.id}
                onPointerEnter={() => hover(n)}
              >
                <circle cx={n.x} cy={n.y} r={5} />
                <text x={n.x + dx} y={n.y - 10} textAnchor={anchor} className="io-label">
                  {n.label}
                </text>
                {n.value && (
                  <text x={n.x + dx} y={n.y + 20} textAnchor={anchor} className="io-value">
                    {fmt(v)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
});
