import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QUANTITY_RANGE, type Quantity } from '../../engine/types';
import { useAppStore } from '../../store';
import { selectLang } from '../../store/selectors';
import { NAN_CSS, RANGE_SCALE, type ColorLut, type Domain } from '../../viz/color';
import { formatNumber } from '../../viz/format';
import type { HeatmapController } from './heatmap-controller';

/** A CSS gradient through 17 evenly spaced entries of a table (enough for a smooth bar). */
function gradient(lut: ColorLut) {
  const stops: string[] = [];
  for (let k = 0; k <= 16; k++) {
    const i = Math.min(255, Math.round((k / 16) * 255));
    stops.push(`${lut.css[i]} ${((k / 16) * 100).toFixed(2)}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

function Legend({ title, lut, domain }: { title: string; lut: ColorLut; domain: Domain }) {
  const { t } = useTranslation();
  const lang = useAppStore(selectLang);
  const [lo, hi] = domain;
  const mid = (lo + hi) / 2;
  return (
    <figure className="legend">
      <figcaption>{title}</figcaption>
      <div className="legend-bar" style={{ background: gradient(lut) }} aria-hidden="true" />
      <div className="legend-ticks">
        <span>{formatNumber(lo, lang, 2)}</span>
        <span>{formatNumber(mid, lang, 2)}</span>
        <span>{formatNumber(hi, lang, 2)}</span>
      </div>
      <span className="legend-nan">
        <span className="legend-swatch" style={{ background: NAN_CSS }} aria-hidden="true" />
        {t('panels.legend.nan')}
      </span>
    </figure>
  );
}

/** One legend per colour scale the shown quantities use (gates, tanh quantities, c). */
export const HeatmapLegends = memo(function HeatmapLegends({
  quantities,
  controller,
}: {
  quantities: readonly Quantity[];
  controller: HeatmapController;
}) {
  const { t } = useTranslation();
  const [cMax, setCMax] = useState(0);
  useEffect(() => controller.onDataDomain(setCMax), [controller]);
  const of = (range: 'sigmoid' | 'tanh' | 'unbounded') =>
    quantities.filter((q) => QUANTITY_RANGE[q] === range);
  const sig = of('sigmoid');
  const tanh = of('tanh');
  const unb = of('unbounded');
  const m = Math.max(cMax, 1e-6);
  return (
    <div className="heatmap-legends">
      {sig.length > 0 && (
        <Legend
          title={t('panels.legend.sigmoid', { symbols: sig.join(' ') })}
          lut={RANGE_SCALE.sigmoid.lut}
          domain={RANGE_SCALE.sigmoid.domain}
        />
      )}
      {tanh.length > 0 && (
        <Legend
          title={t('panels.legend.tanh', { symbols: tanh.join(' ') })}
          lut={RANGE_SCALE.tanh.lut}
          domain={RANGE_SCALE.tanh.domain}
        />
      )}
      {unb.length > 0 && (
        <Legend
          title={t('panels.legend.unbounded', { symbols: unb.join(' ') })}
          lut={RANGE_SCALE.unbounded.lut}
          domain={[-m, m]}
        />
      )}
    </div>
  );
});
