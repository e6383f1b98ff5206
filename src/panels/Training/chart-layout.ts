/**
 * The pure part of the training charts: downsampling, scales, ticks and pixel positions
 * (`layoutChart`, tested without a canvas) and the canvas drawing of a laid-out chart.
 */
import { scaleLinear, scaleLog } from 'd3-scale';

export interface ChartSeries {
  /** Stable key and CSS modifier (`train`, `val`, `grad`, `truth`, `pred`, `base`). */
  id: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  n: number;
  /** Draw dots instead of a line (sparse series such as validation). */
  dots?: boolean;
}

/** What one draw shows: read from the store at draw time, not at render time. */
export interface ChartData {
  series: ChartSeries[];
  /** A horizontal reference line (the clipping threshold). */
  hline?: { y: number; label: string } | null;
  /**
   * Text for screen readers, the latest values in words; a function, so a chart redrawn
   * several times a second formats it (i18next, 0.3-1 ms) only when it is due.
   */
  summary: () => string;
}

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

/** Tick label: whole numbers as they are (step 1500, not 1.5e+3), 0.005 not 5.0e-3. */
export const formatTick = (v: number) =>
  Number.isInteger(v) && Math.abs(v) < 1e6
    ? String(v)
    : Math.abs(v) >= 1e4 || (Math.abs(v) < 0.001 && v !== 0)
      ? v.toExponential(1)
      : String(+v.toPrecision(3));

export interface Tick {
  v: number;
  /** Position in CSS pixels. */
  px: number;
  label: string;
}

/** Everything a draw needs, in CSS pixels: pure, so tests check it without a canvas. */
export interface ChartLayout {
  width: number;
  height: number;
  /** Plot area. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  xTicks: Tick[];
  yTicks: Tick[];
  /** Per series (same order as the data): pixel points `[x0, y0, x1, y1, ...]`. */
  points: { id: string; dots: boolean; xy: Float64Array }[];
  hline: { py: number; labelY: number; label: string } | null;
  log: boolean;
}

/**
 * Scales, ticks and pixel points of a chart `width` x `height` CSS pixels with labels of
 * `fontPx`: x linear over the steps shown, y linear or (when asked and every value is
 * positive) logarithmic with ticks only at 1, 2 and 5 times a power of ten so labels never
 * overlap. `measure` gives a label's width (canvas `measureText`; an estimate without one).
 */
export function layoutChart(
  data: Pick<ChartData, 'series' | 'hline'>,
  opts: {
    width: number;
    height: number;
    fontPx: number;
    log?: boolean;
    xLabelWidth?: number;
    measure?: (text: string) => number;
  },
): ChartLayout {
  const { width, height, fontPx } = opts;
  const measure = opts.measure ?? ((s: string) => s.length * fontPx * 0.6);
  const pts = data.series.map((s) => ({ s, p: downsample(s.xs, s.ys, s.n) }));
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const { p } of pts)
    for (const [a, b] of p) {
      if (a < x0) x0 = a;
      if (a > x1) x1 = a;
      if (b < y0) y0 = b;
      if (b > y1) y1 = b;
    }
  const hline = data.hline ?? null;
  if (hline && Number.isFinite(hline.y)) {
    y0 = Math.min(y0, hline.y);
    y1 = Math.max(y1, hline.y);
  }
  if (x0 > x1) [x0, x1] = [0, 1];
  if (y0 > y1) [y0, y1] = [0, 1];
  const useLog = !!opts.log && y0 > 0;
  if (y0 === y1) {
    y0 -= useLog ? y0 / 2 : 1;
    y1 += useLog ? y1 : 1;
  }
  // Log axes: the data's own range with a little room (not widened to whole decades, which
  // squeezed a loss between 0.03 and 0.05 into a fifth of the height).
  const y = useLog
    ? scaleLog().domain([y0 / 1.15, y1 * 1.15])
    : scaleLinear().domain([y0, y1]).nice();
  const pad = Math.round(fontPx * 0.4);
  const right = width - pad;
  const top = Math.ceil(fontPx * 0.7);
  const bottom = height - Math.ceil(fontPx * 1.6);
  y.range([bottom, top]);
  const yTickValues = thinTicks(
    useLog ? y.ticks(10) : y.ticks(4),
    (v) => y(v),
    fontPx * 1.8,
    useLog,
  );
  const yLabels = yTickValues.map(formatTick);
  const left = Math.ceil(Math.max(fontPx * 2, ...yLabels.map(measure)) + 2 * pad);
  const x = scaleLinear()
    .domain([x0, x1 === x0 ? x0 + 1 : x1])
    .range([left, right]);
  const xLabelWidth = opts.xLabelWidth ?? 0;
  // Leave room at the right end for the axis name.
  const xTicks = x
    .ticks(Math.max(2, Math.floor((right - left) / (fontPx * 6))))
    .map((v) => ({ v, px: x(v), label: formatTick(v) }))
    .filter((t) => t.px + measure(t.label) / 2 < right - xLabelWidth - pad);
  const yTicks = yTickValues.map((v, k) => ({ v, px: y(v), label: yLabels[k] }));
  const points = pts.map(({ s, p }) => {
    const xy = new Float64Array(p.length * 2);
    for (let k = 0; k < p.length; k++) {
      xy[2 * k] = x(p[k][0]);
      xy[2 * k + 1] = y(p[k][1]);
    }
    return { id: s.id, dots: !!s.dots, xy };
  });
  let hl: ChartLayout['hline'] = null;
  if (hline && Number.isFinite(hline.y)) {
    const py = y(hline.y);
    hl = {
      py,
      labelY: py - fontPx * 0.9 < top ? py + fontPx * 1.1 : py - fontPx * 0.35,
      label: hline.label,
    };
  }
  return {
    width,
    height,
    left,
    right,
    top,
    bottom,
    xTicks,
    yTicks,
    points,
    hline: hl,
    log: useLog,
  };
}

/**
 * The ticks to label, at least `minGap` pixels apart (large type on a projector, a short
 * chart). On a log axis 1, 5 and 2 times a power of ten come first, in that order; other
 * values only when fewer than two of those fall in the range, rounder ones first (3 before
 * 2.4).
 */
export function thinTicks(
  candidates: number[],
  px: (v: number) => number,
  minGap: number,
  log: boolean,
): number[] {
  // The exact mantissa (2.4 is not a "2"), and how many digits it needs.
  const mantissa = (v: number) => +(v / 10 ** Math.floor(Math.log10(v))).toPrecision(6);
  const digits = (m: number) => String(m).replace('.', '').replace(/^0+/, '').length;
  const rank = (v: number) => {
    if (!log || v <= 0) return 0;
    const m = mantissa(v);
    return m === 1 ? 0 : m === 5 ? 1 : m === 2 ? 2 : 2 + digits(m);
  };
  const preferred = candidates.filter((v) => rank(v) < 3);
  const pool = log && preferred.length < 2 ? candidates : preferred;
  const ordered = [...pool].sort((a, b) => rank(a) - rank(b) || a - b);
  const kept: number[] = [];
  for (const v of ordered) {
    const p = px(v);
    if (kept.every((k) => Math.abs(px(k) - p) >= minGap)) kept.push(v);
  }
  return kept.sort((a, b) => a - b);
}

/** Colours and type of a chart, from its CSS (so themes and projector mode apply). */
export interface ChartStyle {
  font: string;
  fontPx: number;
  text: string;
  muted: string;
  grid: string;
  clip: string;
  /** The chart's background (halo behind labels drawn over the series). */
  background: string;
  /** Stroke colour per series id; `base` is drawn dashed. */
  series: Record<string, string>;
}

/** Draws a laid-out chart on a context already scaled to CSS pixels. */
export function drawChart(
  ctx: CanvasRenderingContext2D,
  l: ChartLayout,
  xLabel: string,
  st: ChartStyle,
): void {
  ctx.clearRect(0, 0, l.width, l.height);
  ctx.font = st.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = st.grid;
  ctx.fillStyle = st.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  for (const t of l.yTicks) {
    const py = Math.round(t.px) + 0.5;
    ctx.moveTo(l.left, py);
    ctx.lineTo(l.right, py);
  }
  ctx.stroke();
  const pad = st.fontPx * 0.4;
  for (const t of l.yTicks) ctx.fillText(t.label, l.left - pad, t.px);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  const xTextY = l.height - st.fontPx * 0.35;
  for (const t of l.xTicks) ctx.fillText(t.label, t.px, xTextY);
  ctx.textAlign = 'right';
  ctx.fillText(xLabel, l.right, xTextY);
  if (l.hline) {
    ctx.strokeStyle = st.clip;
    ctx.setLineDash([5, 3]);
    ctx.beginPath();
    ctx.moveTo(l.left, l.hline.py);
    ctx.lineTo(l.right, l.hline.py);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(l.left - 4, l.top - 4, l.right - l.left + 8, l.bottom - l.top + 8);
  ctx.clip();
  for (const s of l.points) {
    const color = st.series[s.id] ?? st.text;
    const xy = s.xy;
    if (s.dots) {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (let k = 0; k < xy.length; k += 2) {
        ctx.moveTo(xy[k] + 3, xy[k + 1]);
        ctx.arc(xy[k], xy[k + 1], 3, 0, 2 * Math.PI);
      }
      ctx.fill();
    } else {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.setLineDash(s.id === 'base' ? [4, 3] : []);
      ctx.beginPath();
      for (let k = 0; k < xy.length; k += 2) {
        if (k === 0) ctx.moveTo(xy[k], xy[k + 1]);
        else ctx.lineTo(xy[k], xy[k + 1]);
      }
      ctx.stroke();
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
  if (l.hline) {
    // Over the series, with a halo in the background colour, so a busy line never hides it.
    ctx.textAlign = 'right';
    ctx.textBaseline = 'alphabetic';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 4;
    ctx.strokeStyle = st.background;
    ctx.strokeText(l.hline.label, l.right, l.hline.labelY);
    ctx.fillStyle = st.clip;
    ctx.fillText(l.hline.label, l.right, l.hline.labelY);
  }
}
