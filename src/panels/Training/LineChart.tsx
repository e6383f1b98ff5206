import { useEffect, useRef } from 'react';
import { get2d } from '../../viz/canvas';
import { rafThrottle } from '../../viz/raf';
import { drawChart, layoutChart, type ChartData, type ChartStyle } from './chart-layout';

interface Props {
  title: string;
  xLabel: string;
  /** Legend entries, one per series id (static: the legend is DOM, drawn once). */
  legend: { id: string; label: string }[];
  log?: boolean;
  /** Reads the current data; called on every draw (keep it cheap, no React state). */
  read: () => ChartData;
  /**
   * Calls `redraw` whenever the data changed (a store subscription). Without it the chart
   * draws after each render of its parent only.
   */
  subscribe?: (redraw: () => void) => () => void;
}

/** At most one screen-reader summary update per this many ms while data streams in. */
const SUMMARY_MS = 1000;

function readStyle(canvas: HTMLCanvasElement): ChartStyle {
  const cs = getComputedStyle(canvas);
  const v = (name: string) => cs.getPropertyValue(name).trim();
  const fontPx = parseFloat(cs.fontSize) || 12;
  const text = cs.color || '#000';
  const muted = v('--text-muted') || text;
  return {
    font: `${cs.fontSize} ${cs.fontFamily}`,
    fontPx,
    text,
    muted,
    grid: v('--border') || muted,
    clip: v('--tr-clip') || text,
    background: v('--surface') || v('--bg') || 'transparent',
    series: {
      train: v('--tr-train') || text,
      pred: v('--tr-train') || text,
      val: v('--tr-val') || text,
      grad: v('--tr-grad') || text,
      truth: text,
      base: muted,
    },
  };
}

/**
 * A small line chart on a canvas. Drawing happens outside React: the store subscription
 * (or a render of the parent) asks for a draw, coalesced to one per task, and only the
 * canvas changes, so a redraw costs no style, layout or page paint (the SVG version's
 * re-render, relayout and repaint were most of the long tasks while training).
 */
export function LineChart({ title, xLabel, legend, log, read, subscribe }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const readRef = useRef(read);
  const xLabelRef = useRef(xLabel);
  const requestRef = useRef<(() => void) | null>(null);
  useEffect(() => {
    readRef.current = read;
    xLabelRef.current = xLabel;
  });

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let style: ChartStyle | null = null;
    let width = 0;
    let height = 0;
    let queued = false;
    // Label widths by text: tick labels repeat from draw to draw (measureText was a third of
    // a draw). Cleared with the style.
    const widths = new Map<string, number>();
    // The summary follows at most once a second (a trailing update brings the last values).
    let summaryAt = -Infinity;
    let summaryTimer: ReturnType<typeof setTimeout> | null = null;
    const updateSummary = () => {
      summaryTimer = null;
      summaryAt = performance.now();
      const text = readRef.current().summary();
      if (canvas.getAttribute('aria-label') !== text) canvas.setAttribute('aria-label', text);
    };
    const draw = () => {
      queued = false;
      const data = readRef.current();
      if (performance.now() - summaryAt >= SUMMARY_MS) updateSummary();
      else summaryTimer ??= setTimeout(updateSummary, SUMMARY_MS);
      if (width === 0 || height === 0) return;
      const ctx = get2d(canvas);
      if (!ctx) return;
      style ??= readStyle(canvas);
      const dpr = globalThis.devicePixelRatio || 1;
      const bw = Math.max(1, Math.round(width * dpr));
      const bh = Math.max(1, Math.round(height * dpr));
      if (canvas.width !== bw) canvas.width = bw;
      if (canvas.height !== bh) canvas.height = bh;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = style.font;
      const measure = (s: string) => {
        let w = widths.get(s);
        if (w === undefined) {
          w = ctx.measureText(s).width;
          if (widths.size > 500) widths.clear();
          widths.set(s, w);
        }
        return w;
      };
      const layout = layoutChart(data, {
        width,
        height,
        fontPx: style.fontPx,
        log,
        xLabelWidth: measure(xLabelRef.current),
        measure,
      });
      drawChart(ctx, layout, xLabelRef.current, style);
    };
    // On the next animation frame, not in the task that changed the store: that task's frame
    // already lays out and paints the status line and metrics, and splitting the work keeps
    // each frame shorter (a flush measured 11 ms of CPU with both in one frame).
    const frame = rafThrottle(draw);
    const request = () => {
      if (queued) return;
      queued = true;
      frame.schedule();
    };
    requestRef.current = request;
    const cleanups: (() => void)[] = [];
    if (typeof ResizeObserver === 'function') {
      // The canvas's CSS size comes from the stylesheet (width 100%, an aspect ratio), so
      // drawing never changes layout; only the bitmap follows the box.
      const ro = new ResizeObserver((entries) => {
        const box = entries[0]?.contentRect;
        if (!box) return;
        width = box.width;
        height = box.height;
        request();
      });
      ro.observe(canvas);
      cleanups.push(() => ro.disconnect());
    }
    if (typeof MutationObserver === 'function') {
      // Theme, projector mode and language change the colours and type: read them again.
      const mo = new MutationObserver(() => {
        style = null;
        widths.clear();
        summaryAt = -Infinity;
        request();
      });
      mo.observe(document.documentElement, { attributes: true });
      cleanups.push(() => mo.disconnect());
    }
    const mq = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (mq) {
      const onScheme = () => {
        style = null;
        request();
      };
      mq.addEventListener('change', onScheme);
      cleanups.push(() => mq.removeEventListener('change', onScheme));
    }
    if (subscribe) cleanups.push(subscribe(request));
    request();
    return () => {
      requestRef.current = null;
      frame.cancel();
      if (summaryTimer) clearTimeout(summaryTimer);
      for (const c of cleanups) c();
    };
  }, [subscribe, log]);

  // After a render of the parent: static charts have new data; live charts draw from their
  // subscription and need a render's draw only for another language (labels, summary).
  const drawnFor = useRef<string | null>(null);
  useEffect(() => {
    if (subscribe && drawnFor.current === xLabel) return;
    drawnFor.current = xLabel;
    requestRef.current?.();
  });

  return (
    <figure className="tr-chart">
      <figcaption className="tr-chart-title">{title}</figcaption>
      <canvas ref={canvasRef} className="tr-canvas" role="img" aria-label={read().summary()} />
      <ul className="tr-legend">
        {legend.map((s) => (
          <li key={s.id}>
            <span className={`tr-swatch tr-${s.id}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
