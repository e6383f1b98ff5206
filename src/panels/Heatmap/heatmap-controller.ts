import type { Quantity } from '../../engine/types';
import type { AppState } from '../../store';
import type { Hover } from '../../store/selection-slice';
import { domainFor, maxAbs, scaleFor, type Domain } from '../../viz/color';
import { get2d } from '../../viz/canvas';
import { drawHeatmap, traceWindowLayout } from '../../viz/draw-heatmap';
import { HEATMAP_REDRAW_MEASURE, measured } from '../../viz/perf';
import { rafThrottle } from '../../viz/raf';

/** The visible time window shared by every heatmap of the panel: steps `[t0, t0 + span)`. */
export interface TimeWindow {
  t0: number;
  span: number;
}

/** One heatmap canvas pair the controller draws: the data layer and an overlay for cursor and marks. */
export interface HeatmapView {
  layerKey: string;
  quantity: Quantity;
  data: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
}

interface ViewState extends HeatmapView {
  scratch: HTMLCanvasElement | null;
  /** What the scratch canvas holds: trace identity, window start, columns drawn, domain. */
  drawnTrace: unknown;
  drawnT0: number;
  drawnCols: number;
  drawnDomain: Domain | null;
  /** Running max |value| of the received steps (domain of `c`), and how far it was scanned. */
  absMax: number;
  scanned: number;
  scannedTrace: unknown;
  /** Bumped on every write to the scratch canvas. */
  gen: number;
  /** Size, window and scratch generation the data canvas was composited for. */
  composited: string;
}

type Store = {
  getState: () => AppState;
  subscribe: (listener: (s: AppState, prev: AppState) => void) => () => void;
};

/** Colours of the overlay marks: a dark line under a light one reads on every palette entry. */
const MARK_DARK = 'rgba(0, 0, 0, 0.9)';
const MARK_LIGHT = 'rgba(255, 255, 255, 0.95)';

/**
 * Draws every heatmap of the panel outside React. It subscribes to the store
 * transiently and redraws at most once per animation frame, all views in one
 * measured pass (`gatescope:heatmaps-redraw`):
 * - the data layer is rebuilt through `drawHeatmap` only when the trace, the
 *   window, the size or the domain changed (streamed steps draw only the new
 *   columns);
 * - the overlay (step cursor, selected cell, hovered cell) is cheap and is what
 *   scrubbing redraws.
 */
export class HeatmapController {
  private views = new Set<ViewState>();
  private window: TimeWindow = { t0: 0, span: 1 };
  private widthCss = 0;
  private heightCss = 0;
  private dpr = 1;
  private unsubscribe: () => void;
  private frame = rafThrottle(() => this.redraw());
  /** Milliseconds of the last redraw pass (shown nowhere; read by tests). */
  lastRedrawMs = 0;
  /** Max |value| over every view drawn on a data-derived domain (`c`): one domain for all layers. */
  private sharedAbsMax = 0;
  private domainListeners = new Set<(absMax: number) => void>();

  constructor(private store: Store) {
    this.unsubscribe = store.subscribe((s, prev) => {
      if (
        s.trace !== prev.trace ||
        s.traceVersion !== prev.traceVersion ||
        s.traceT !== prev.traceT ||
        s.t !== prev.t ||
        s.unit !== prev.unit ||
        s.layer !== prev.layer ||
        s.direction !== prev.direction ||
        s.quantity !== prev.quantity ||
        s.hover !== prev.hover ||
        s.theme !== prev.theme
      )
        this.frame.schedule();
    });
  }

  register(view: HeatmapView): () => void {
    const st: ViewState = {
      ...view,
      scratch: null,
      drawnTrace: null,
      drawnT0: -1,
      drawnCols: 0,
      drawnDomain: null,
      absMax: 0,
      scanned: 0,
      scannedTrace: null,
      gen: 0,
      composited: '',
    };
    this.views.add(st);
    this.frame.schedule();
    return () => {
      this.views.delete(st);
    };
  }

  setWindow(w: TimeWindow) {
    if (w.t0 === this.window.t0 && w.span === this.window.span) return;
    this.window = { t0: w.t0, span: Math.max(1, w.span) };
    this.frame.schedule();
  }

  setSize(widthCss: number, heightCss: number, dpr = globalThis.devicePixelRatio || 1) {
    if (widthCss === this.widthCss && heightCss === this.heightCss && dpr === this.dpr) return;
    this.widthCss = widthCss;
    this.heightCss = heightCss;
    this.dpr = dpr;
    this.frame.schedule();
  }

  /** Redraw now if a frame is pending (tests; before a screenshot). */
  flush() {
    this.frame.flush();
  }

  destroy() {
    this.frame.cancel();
    this.unsubscribe();
    this.views.clear();
  }

  /** Step and unit under a point of a view, in CSS pixels from its top-left corner (null outside). */
  cellAt(x: number, y: number): { t: number; unit: number } | null {
    const s = this.store.getState();
    const tr = s.trace;
    if (!tr || this.widthCss <= 0 || this.heightCss <= 0) return null;
    const t = this.window.t0 + Math.floor((x / this.widthCss) * this.window.span);
    const unit = Math.floor((y / this.heightCss) * tr.meta.H);
    if (t < 0 || t >= s.traceT || unit < 0 || unit >= tr.meta.H) return null;
    return { t, unit };
  }

  /** Be told the shared max |c| whenever it changes (the legend shows it). */
  onDataDomain(cb: (absMax: number) => void): () => void {
    this.domainListeners.add(cb);
    cb(this.sharedAbsMax);
    return () => this.domainListeners.delete(cb);
  }

  private redraw() {
    const start = performance.now();
    measured(HEATMAP_REDRAW_MEASURE, () => {
      const s = this.store.getState();
      let m = 0;
      for (const v of this.views) m = Math.max(m, this.scanDomain(v, s));
      if (m !== this.sharedAbsMax) {
        this.sharedAbsMax = m;
        for (const cb of this.domainListeners) cb(m);
      }
      for (const v of this.views) this.drawView(v, s);
    });
    this.lastRedrawMs = performance.now() - start;
  }

  /** Scan the newly received steps of a data-domain view (`c`); returns its running max |value|. */
  private scanDomain(v: ViewState, s: AppState): number {
    const tr = s.trace;
    const values = tr?.layers[v.layerKey]?.[v.quantity];
    if (!tr || !values || scaleFor(v.quantity).domainMode !== 'symmetric-data') return 0;
    const received = Math.min(values.length, s.traceT * tr.meta.B * tr.meta.H);
    if (v.scannedTrace !== tr || v.scanned > received) {
      v.scannedTrace = tr;
      v.absMax = 0;
      v.scanned = 0;
    }
    if (v.scanned < received) {
      v.absMax = Math.max(v.absMax, maxAbs(values, v.scanned, received));
      v.scanned = received;
    }
    return v.absMax;
  }

  private drawView(v: ViewState, s: AppState) {
    const tr = s.trace;
    const wPx = Math.max(1, Math.round(this.widthCss * this.dpr));
    const hPx = Math.max(1, Math.round(this.heightCss * this.dpr));
    for (const c of [v.data, v.overlay]) {
      if (c.width !== wPx) c.width = wPx;
      if (c.height !== hPx) c.height = hPx;
    }
    const ctx = get2d(v.data);
    const octx = get2d(v.overlay);
    if (!ctx || !octx) return; // no canvas (jsdom): nothing to draw
    const values = tr?.layers[v.layerKey]?.[v.quantity];
    if (!tr || !values) {
      ctx.clearRect(0, 0, wPx, hPx);
      octx.clearRect(0, 0, wPx, hPx);
      return;
    }
    const { B, H } = tr.meta;
    const { t0, span } = this.window;
    const cols = Math.max(0, Math.min(span, s.traceT - t0));

    const domain =
      scaleFor(v.quantity).domainMode === 'symmetric-data'
        ? domainFor(v.quantity, [this.sharedAbsMax])
        : domainFor(v.quantity);
    const lut = scaleFor(v.quantity).lut;

    // Data layer: one pixel per (step, unit) in the scratch canvas, scaled onto the view.
    const sameBase =
      v.drawnTrace === tr &&
      v.drawnT0 === t0 &&
      v.drawnDomain !== null &&
      v.drawnDomain[0] === domain[0] &&
      v.drawnDomain[1] === domain[1] &&
      v.scratch !== null &&
      v.scratch.width >= span &&
      v.scratch.height === H;
    if (!sameBase || cols < v.drawnCols) {
      v.scratch = ensureScratch(v.scratch, span, H);
      if (!v.scratch) return;
      v.drawnCols = 0;
      v.gen++;
      get2d(v.scratch)?.clearRect(0, 0, v.scratch.width, v.scratch.height);
    }
    const sctx = v.scratch ? get2d(v.scratch) : null;
    if (!v.scratch || !sctx) return;
    if (cols > v.drawnCols) {
      const from = v.drawnCols;
      const n = cols - from;
      const img = sctx.createImageData(n, H);
      drawHeatmap(img, values, H, n, lut, domain, traceWindowLayout(t0 + from, 0, B, H));
      sctx.putImageData(img, from, 0);
      v.drawnCols = cols;
      v.gen++;
    }
    v.drawnTrace = tr;
    v.drawnT0 = t0;
    v.drawnDomain = domain;

    const key = `${wPx}x${hPx}|${span}|${t0}|${v.gen}`;
    if (v.composited !== key) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, wPx, hPx);
      const colPx = wPx / span;
      // Upscaled cells stay crisp blocks; when many steps share a pixel, smoothing averages them.
      ctx.imageSmoothingEnabled = colPx < 1 || hPx / H < 1;
      if (v.drawnCols > 0)
        ctx.drawImage(v.scratch, 0, 0, v.drawnCols, H, 0, 0, v.drawnCols * colPx, hPx);
      v.composited = key;
    }

    // Overlay: step cursor, selected cell, hovered cell.
    octx.setTransform(1, 0, 0, 1, 0, 0);
    octx.clearRect(0, 0, wPx, hPx);
    const colPx = wPx / span;
    const rowPx = hPx / H;
    const t = Math.min(Math.max(0, s.t), Math.max(0, s.traceT - 1));
    const lw = Math.max(1, Math.round(this.dpr));
    if (t >= t0 && t < t0 + span) {
      // The cursor outlines the current step's column from inside, so it stays visible at t = 0.
      const x = Math.round((t - t0) * colPx);
      const w = Math.max(Math.round(colPx), 3 * lw);
      octx.fillStyle = MARK_DARK;
      octx.fillRect(x, 0, lw, hPx);
      octx.fillRect(x + w - lw, 0, lw, hPx);
      if (w > 4 * lw) {
        octx.fillStyle = MARK_LIGHT;
        octx.fillRect(x + lw, 0, lw, hPx);
        octx.fillRect(x + w - 2 * lw, 0, lw, hPx);
      }
    }
    const selected = isSelectedView(s, v);
    const unit = Math.min(s.unit, H - 1);
    if (selected) markCell(octx, t, unit, t0, span, colPx, rowPx, lw);
    const hv: Hover | null = s.hover;
    if (
      hv &&
      (hv.quantity === null || hv.quantity === v.quantity) &&
      (hv.quantity !== null ? selectedLayer(s, v) : true)
    )
      markCell(octx, hv.t, Math.min(hv.unit, H - 1), t0, span, colPx, rowPx, lw, true);
  }
}

function selectedLayer(s: AppState, v: HeatmapView) {
  const D = s.trace?.meta.spec.bidirectional ? 2 : 1;
  const layer = Math.min(s.layer, (s.trace?.meta.spec.numLayers ?? 1) - 1);
  const dir = D === 2 ? s.direction : 0;
  return v.layerKey === (dir === 1 ? `l${layer}_reverse` : `l${layer}`);
}

function isSelectedView(s: AppState, v: HeatmapView) {
  return selectedLayer(s, v) && (s.quantity === null || s.quantity === v.quantity);
}

function markCell(
  ctx: CanvasRenderingContext2D,
  t: number,
  unit: number,
  t0: number,
  span: number,
  colPx: number,
  rowPx: number,
  lw: number,
  dashed = false,
) {
  if (t < t0 || t >= t0 + span) return;
  // The hovered cell is dashed, the selected one solid.
  ctx.setLineDash(dashed ? [3 * lw, 2 * lw] : []);
  // Drawn inside the cell (at least 6 px), dark then light, so no edge of the canvas clips it.
  const w = Math.max(colPx, 6 * lw);
  const h = Math.max(rowPx, 6 * lw);
  const x = Math.min(Math.max(0, (t - t0) * colPx + (colPx - w) / 2), ctx.canvas.width - w);
  const y = Math.min(Math.max(0, unit * rowPx + (rowPx - h) / 2), ctx.canvas.height - h);
  ctx.lineWidth = lw * 2;
  ctx.strokeStyle = MARK_DARK;
  ctx.strokeRect(x + lw, y + lw, w - 2 * lw, h - 2 * lw);
  ctx.lineWidth = lw;
  ctx.strokeStyle = MARK_LIGHT;
  ctx.strokeRect(x + 2.5 * lw, y + 2.5 * lw, w - 5 * lw, h - 5 * lw);
}

function ensureScratch(c: HTMLCanvasElement | null, w: number, h: number) {
  if (typeof document === 'undefined') return null;
  const canvas = c ?? document.createElement('canvas');
  if (canvas.width < w || canvas.height !== h) {
    canvas.width = Math.max(1, w);
    canvas.height = Math.max(1, h);
  }
  return get2d(canvas) ? canvas : null;
}
