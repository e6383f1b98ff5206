import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { ticks } from 'd3-array';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import { tokenLabel } from '../shared/labels';
import type { TimeWindow } from './heatmap-controller';

/** Width a token label needs, in CSS pixels, before labels are thinned to ticks. */
const LABEL_PX = 14;
const selectTokens = (s: AppState) => s.trace?.tokens;

/**
 * The shared time axis under the heatmaps: every token when they fit, else
 * round step numbers (with their token) from d3's tick generator.
 */
export const TimeAxis = memo(function TimeAxis({
  window: w,
  width,
}: {
  window: TimeWindow;
  width: number;
}) {
  const { t } = useTranslation();
  const tokens = useAppStore(selectTokens) ?? [];
  if (width <= 0) return null;
  const x = (step: number) => ((step - w.t0 + 0.5) / w.span) * width;
  const every = w.span * LABEL_PX <= width;
  const steps = every
    ? Array.from({ length: w.span }, (_, k) => w.t0 + k)
    : ticks(w.t0 + 1, w.t0 + w.span, Math.max(2, Math.floor(width / 60)))
        .filter((v) => Number.isInteger(v))
        .map((v) => v - 1);
  const hasTokens = tokens.length > 0;
  return (
    <div className="heatmap-axis">
      <svg
        width={width}
        height={every ? 28 : 40}
        role="img"
        aria-label={t('panels.heatmap.axisLabel')}
      >
        {steps.map((s) => (
          <g key={s} transform={`translate(${x(s)}, 0)`}>
            <line y1={0} y2={5} stroke="currentColor" />
            {every ? (
              <text y={18} textAnchor="middle" className="axis-token">
                {hasTokens ? tokenLabel(tokens, s) : String(s + 1)}
              </text>
            ) : (
              <>
                <text y={18} textAnchor="middle">
                  {String(s + 1)}
                </text>
                {hasTokens && (
                  <text y={34} textAnchor="middle" className="axis-token">
                    {tokenLabel(tokens, s)}
                  </text>
                )}
              </>
            )}
          </g>
        ))}
      </svg>
      <span className="axis-title">{t('panels.heatmap.axisTitle')}</span>
    </div>
  );
});
