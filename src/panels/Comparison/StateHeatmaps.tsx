import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import type { CompareColumn } from '../../store/compare-slice';
import { selectCompareColumns } from '../../store/compare-selectors';
import { DIVERGING_LUT } from '../../viz/color';
import { drawHeatmap } from '../../viz/draw-heatmap';

/** One column's hidden states `[T, H]`: time across, units down (one pixel each, scaled by CSS). */
function StatesCanvas({ column, step }: { column: CompareColumn; step: number }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLCanvasElement>(null);
  const states = column.states;
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !states) return;
    canvas.width = states.T;
    canvas.height = states.H;
    // Stored time-major [T, H]: cell (unit u, step t) is h[t * H + u].
    drawHeatmap(ctx, states.h, states.H, states.T, DIVERGING_LUT, [-1, 1], {
      offset: 0,
      rowStride: 1,
      colStride: states.H,
    });
  }, [states]);
  if (!states) return null;
  const tt = Math.min(step, states.T - 1);
  const name = t(`compare.cellName.${column.cell}`);
  return (
    <figure className="cmp-heatmap">
      <figcaption>{name}</figcaption>
      <div className="cmp-heatmap-box">
        <canvas
          ref={ref}
          role="img"
          aria-label={t('compare.heatmapLabel', {
            cell: name,
            T: states.T,
            H: states.H,
            t: tt + 1,
          })}
        />
        <div
          className="cmp-cursor"
          aria-hidden="true"
          style={{ left: `${(100 * tt) / states.T}%`, width: `${100 / states.T}%` }}
        />
      </div>
    </figure>
  );
}

/** The three cells' h on the same sequence, side by side, following the player's step. */
export function StateHeatmaps() {
  const { t } = useTranslation();
  const columns = useAppStore(selectCompareColumns);
  const step = useAppStore((s) => s.t);
  if (!columns.some((c) => c.states)) return null;
  const T = Math.max(...columns.map((c) => c.states?.T ?? 1));
  return (
    <section
      className="cmp-heatmaps"
      aria-label={t('compare.heatmaps', { t: Math.min(step, T - 1) + 1 })}
    >
      <h3>{t('compare.heatmaps', { t: Math.min(step, T - 1) + 1 })}</h3>
      <div className="cmp-heatmap-row">
        {columns.map((c) => (
          <StatesCanvas key={c.cell} column={c} step={step} />
        ))}
      </div>
    </section>
  );
}
