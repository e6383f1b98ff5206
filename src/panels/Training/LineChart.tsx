import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';

export interface ChartSeries {
  /** Stable key and CSS modifier (`train`, `val`, `grad`, `truth`, `pred`, `base`). */
  id: string;
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  n: number;
  /** Draw dots instead of a line (sparse series such as validation). */
  dots?: boolean;
}

interface Props {
  title: string;
  xLabel: string;
  series: ChartSeries[];
  /** A horizontal reference line (the clipping threshold). */
  hline?: { y: number; label: string } | null;
  log?: boolean;
  /** Text for screen readers: the latest values in words. */
  summary: string;
}

const W = 360;
const H = 170;
const M = { l: 44, r: 10, t: 10, b: 26 };
/** Most points drawn per series: the history is averaged into this many buckets. */
const MAX_POINTS = 300;

/** Bucket means (finite values only), so a long run draws in constant time. */
export function downsample(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  n: number,
  max = MAX_POINTS,
): [number, number][] {
  const out: [number, number][] = [];
  const per = Math.max(1, Math.ceil(n / max));
  for (let a = 0; a < n; a += per) {
    let sx = 0;
    let sy = 0;
    let c = 0;
    for (let k = a; k < Math.min(n, a + per); k++) {
      if (Number.isFinite(ys[k])) {
        sx += xs[k];
        sy += ys[k];
        c++;
      }
    }
    if (c > 0) out.push([sx / c, sy / c]);
  }
  return out;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
    ? v.toExponential(1)
    : String(+v.toFixed(2));

/** A small SVG line chart (d3 scales and paths; React draws the elements). */
export function LineChart({ title, xLabel, series, hline, log, summary }: Props) {
  const pts = series.map((s) => ({ s, p: downsample(s.xs, s.ys, s.n) }));
  const all = pts.flatMap((x) => x.p);
  const ysAll = all.map((p) => p[1]).concat(hline ? [hline.y] : []);
  const xsAll = all.map((p) => p[0]);
  const x0 = xsAll.length ? Math.min(...xsAll) : 0;
  const x1 = xsAll.length ? Math.max(...xsAll) : 1;
  let y0 = ysAll.length ? Math.min(...ysAll) : 0;
  let y1 = ysAll.length ? Math.max(...ysAll) : 1;
  const useLog = !!log && y0 > 0;
  if (y0 === y1) {
    y0 -= useLog ? y0 / 2 : 1;
    y1 += useLog ? y1 : 1;
  }
  const x = scaleLinear()
    .domain([x0, x1 === x0 ? x0 + 1 : x1])
    .range([M.l, W - M.r]);
  const y = (useLog ? scaleLog() : scaleLinear())
    .domain([y0, y1])
    .range([H - M.b, M.t])
    .nice();
  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));
  // Log axes: only 1, 2 and 5 times a power of ten, so labels never overlap.
  const yTicks = useLog
    ? y.ticks(4).filter((v) => [1, 2, 5].includes(Number(v.toExponential(0).split('e')[0])))
    : y.ticks(4);
  // Leave room at the right end for the axis name.
  const xTicks = x.ticks(4).filter((v) => x(v) < W - M.r - 34);
  return (
    <figure className="tr-chart">
      <figcaption className="tr-chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {yTicks.map((v) => (
          <g key={`y${v}`} className="tr-tick">
            <line x1={M.l} x2={W - M.r} y1={y(v)} y2={y(v)} />
            <text x={M.l - 4} y={y(v)} textAnchor="end" dominantBaseline="middle">
              {fmt(v)}
            </text>
          </g>
        ))}
        {xTicks.map((v) => (
          <text key={`x${v}`} className="tr-tick" x={x(v)} y={H - 8} textAnchor="middle">
            {fmt(v)}
          </text>
        ))}
        <text className="tr-axis" x={W - M.r} y={H - 8} textAnchor="end">
          {xLabel}
        </text>
        {hline ? (
          <g className="tr-hline">
            <line x1={M.l} x2={W - M.r} y1={y(hline.y)} y2={y(hline.y)} />
            <text
              x={W - M.r}
              y={y(hline.y) - 4 < M.t + 8 ? y(hline.y) + 12 : y(hline.y) - 4}
              textAnchor="end"
            >
              {hline.label}
            </text>
          </g>
        ) : null}
        {pts.map(({ s, p }) =>
          s.dots ? (
            <g key={s.id} className={`tr-series tr-${s.id}`}>
              {p.map((d, k) => (
                <circle key={k} cx={x(d[0])} cy={y(d[1])} r={3} />
              ))}
            </g>
          ) : (
            <path key={s.id} className={`tr-series tr-${s.id}`} d={path(p) ?? ''} />
          ),
        )}
      </svg>
      <ul className="tr-legend">
        {series.map((s) => (
          <li key={s.id}>
            <span className={`tr-swatch tr-${s.id}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
