import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Direction, Quantity } from '../../engine/types';
import type { Language } from '../../i18n';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import {
  selectLang,
  selectQuantities,
  selectTotalT,
  selectTraceT,
  traceValue,
} from '../../store/selectors';
import { formatNumber } from '../../viz/format';
import { PanelSection } from '../shared/PanelSection';
import { useElementSize } from '../shared/hooks';
import { layerKeys, tokenLabel } from '../shared/labels';
import { HeatmapController, type TimeWindow } from './heatmap-controller';
import { HeatmapLegends } from './HeatmapLegends';
import { TimeAxis } from './TimeAxis';
import { clampWindow, followStep, panWindow, zoomWindow } from './time-window';

const selectNumLayersOfTrace = (s: AppState) => s.trace?.meta.spec.numLayers ?? 0;
const selectBidirOfTrace = (s: AppState) => s.trace?.meta.spec.bidirectional ?? false;
const selectH = (s: AppState) => s.trace?.meta.H ?? 0;

/** One line of the announcement: quantity, step (token), unit, exact value. */
function describeCell(
  s: AppState,
  key: string,
  q: Quantity,
  t: number,
  unit: number,
  lang: Language,
  tr: (k: string, o?: Record<string, unknown>) => string,
) {
  const v = traceValue(s, key, q, t, unit);
  return tr('panels.heatmap.cellValue', {
    quantity: tr(`panels.quantity.${q}`),
    symbol: q,
    step: t + 1,
    token: tokenLabel(s.trace?.tokens ?? [], t),
    unit: unit + 1,
    value: v === null ? '–' : formatNumber(v, lang, 4),
  });
}

/**
 * "Gate heatmaps": one canvas per quantity and per layer/direction, time
 * across and units down, drawn by a {@link HeatmapController} outside React.
 * React renders only the frame (rows, axis, legends), re-rendering when the
 * model shape, the received length or the zoom window changes, never per step.
 */
export function HeatmapPanel() {
  const { t } = useTranslation();
  const numLayers = useAppStore(selectNumLayersOfTrace);
  const bidirectional = useAppStore(selectBidirOfTrace);
  const quantities = useAppStore(selectQuantities);
  const H = useAppStore(selectH);
  const total = useAppStore(selectTotalT);
  const received = useAppStore(selectTraceT);
  const lang = useAppStore(selectLang);

  const controller = useMemo(() => new HeatmapController(useAppStore), []);
  useEffect(() => () => controller.destroy(), [controller]);

  // The zoom window, remembered with the trace length it was made for: a new length shows all steps.
  const [win, setWinState] = useState<TimeWindow & { total: number }>({
    t0: 0,
    span: 1,
    total: -1,
  });
  const setWin = useCallback(
    (f: TimeWindow | ((w: TimeWindow) => TimeWindow)) =>
      setWinState((prev) => {
        const T = useAppStore.getState().trace?.meta.T ?? 1;
        const base = prev.total === T ? prev : { t0: 0, span: T, total: T };
        const next = typeof f === 'function' ? f(base) : f;
        return next === base ? prev : { ...next, total: T };
      }),
    [],
  );
  const view = useMemo(
    () => clampWindow(win.total === total ? win : { t0: 0, span: total }, total),
    [win, total],
  );
  useEffect(() => controller.setWindow(view), [controller, view]);

  // Keep the step cursor in view while playing or scrubbing (a state change only when it leaves).
  useEffect(
    () =>
      useAppStore.subscribe((s, prev) => {
        if (s.t === prev.t) return;
        setWin((w) => {
          const c = clampWindow(w, s.trace?.meta.T ?? 1);
          const n = followStep(c, s.t, s.trace?.meta.T ?? 1);
          return n === c ? w : n;
        });
      }),
    [setWin],
  );

  const [plotEl, setPlotEl] = useState<HTMLDivElement | null>(null);
  const size = useElementSize(plotEl);
  useEffect(() => controller.setSize(size.width, size.height), [controller, size]);

  const [announcement, setAnnouncement] = useState('');
  const tooltipRef = useRef<HTMLDivElement | null>(null);

  const zoom = useCallback(
    (factor: number, anchor?: number) =>
      setWin((w) => {
        const c = clampWindow(w, total);
        const a = anchor ?? Math.min(Math.max(useAppStore.getState().t, c.t0), c.t0 + c.span - 1);
        return zoomWindow(c, factor, a, total);
      }),
    [total, setWin],
  );
  const pan = useCallback(
    (delta: number) => setWin((w) => panWindow(clampWindow(w, total), delta, total)),
    [total, setWin],
  );

  const groups = layerKeys(numLayers, bidirectional);
  const hasTrace = numLayers > 0 && H > 0;

  return (
    <PanelSection id="heatmaps" title={t('panels.titles.heatmaps')}>
      {!hasTrace ? (
        <p className="empty-state">{t('panels.noTrace')}</p>
      ) : (
        <div className="heatmap-panel" style={{ '--units': H } as React.CSSProperties}>
          <div
            className="heatmap-toolbar"
            role="toolbar"
            aria-label={t('panels.heatmap.zoomTools')}
          >
            <button type="button" onClick={() => zoom(0.5)} disabled={view.span <= 4}>
              {t('panels.heatmap.zoomIn')}
            </button>
            <button type="button" onClick={() => zoom(2)} disabled={view.span >= total}>
              {t('panels.heatmap.zoomOut')}
            </button>
            <button
              type="button"
              onClick={() => setWin({ t0: 0, span: total })}
              disabled={view.span >= total}
            >
              {t('panels.heatmap.showAll')}
            </button>
            <span className="heatmap-window">
              {t('panels.heatmap.window', {
                from: view.t0 + 1,
                to: Math.min(view.t0 + view.span, total),
                total,
                received,
              })}
            </span>
          </div>
          <HeatmapLegends quantities={quantities} controller={controller} />
          {groups.map((g, gi) => (
            <div
              key={g.key}
              className="heatmap-group"
              role="group"
              aria-label={t(g.direction ? 'panels.layerReverse' : 'panels.layerForward', {
                layer: g.layer + 1,
              })}
            >
              {groups.length > 1 && (
                <h3 className="heatmap-group-title">
                  {t(g.direction ? 'panels.layerReverse' : 'panels.layerForward', {
                    layer: g.layer + 1,
                  })}
                </h3>
              )}
              {quantities.map((q, qi) => (
                <HeatmapRow
                  key={q}
                  controller={controller}
                  layerKey={g.key}
                  layer={g.layer}
                  direction={g.direction}
                  quantity={q}
                  plotRef={gi === 0 && qi === 0 ? setPlotEl : undefined}
                  lang={lang}
                  view={view}
                  total={total}
                  zoom={zoom}
                  pan={pan}
                  announce={setAnnouncement}
                  tooltipRef={tooltipRef}
                />
              ))}
            </div>
          ))}
          <TimeAxis window={view} width={size.width} />
          <div ref={tooltipRef} className="heatmap-tooltip" role="tooltip" hidden />
          <p className="visually-hidden" aria-live="polite">
            {announcement}
          </p>
        </div>
      )}
    </PanelSection>
  );
}

interface RowProps {
  controller: HeatmapController;
  layerKey: string;
  layer: number;
  direction: Direction;
  quantity: Quantity;
  plotRef?: (el: HTMLDivElement | null) => void;
  lang: Language;
  view: TimeWindow;
  total: number;
  zoom: (factor: number, anchor?: number) => void;
  pan: (delta: number) => void;
  announce: (text: string) => void;
  tooltipRef: React.RefObject<HTMLDivElement | null>;
}

/** One quantity of one layer/direction: label, data canvas, overlay canvas; pointer and keys. */
const HeatmapRow = memo(function HeatmapRow({
  controller,
  layerKey,
  layer,
  direction,
  quantity,
  plotRef,
  lang,
  view,
  total,
  zoom,
  pan,
  announce,
  tooltipRef,
}: RowProps) {
  const { t } = useTranslation();
  const dataRef = useRef<HTMLCanvasElement | null>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const ownRef = useRef<HTMLDivElement | null>(null);
  const drag = useRef<{ x: number; t0: number; moved: boolean } | null>(null);

  useEffect(() => {
    if (!dataRef.current || !overlayRef.current) return;
    return controller.register({
      layerKey,
      quantity,
      data: dataRef.current,
      overlay: overlayRef.current,
    });
  }, [controller, layerKey, quantity]);

  const setRef = useCallback(
    (el: HTMLDivElement | null) => {
      ownRef.current = el;
      plotRef?.(el);
    },
    [plotRef],
  );

  // Wheel zoom/pan needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const el = ownRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      const rect = el.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const anchor = view.t0 + ((e.clientX - rect.left) / rect.width) * view.span;
        zoom(e.deltaY > 0 ? 1.25 : 0.8, anchor);
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const d = e.shiftKey ? e.deltaY : e.deltaX;
        pan(Math.sign(d) * Math.max(1, Math.round(view.span / 10)));
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [view, zoom, pan]);

  const hideTooltip = () => {
    if (tooltipRef.current) tooltipRef.current.hidden = true;
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const d = drag.current;
    if (d && (d.moved || Math.abs(x - d.x) > 4)) {
      d.moved = true;
      const steps = Math.round(((d.x - x) / rect.width) * view.span);
      const target = clampWindow({ t0: d.t0 + steps, span: view.span }, total);
      pan(target.t0 - view.t0);
      hideTooltip();
      return;
    }
    const cell = controller.cellAt(x, y);
    const s = useAppStore.getState();
    if (!cell) {
      if (s.hover) s.setHover(null);
      hideTooltip();
      return;
    }
    const hv = s.hover;
    if (!hv || hv.t !== cell.t || hv.unit !== cell.unit || hv.quantity !== quantity)
      s.setHover({ t: cell.t, unit: cell.unit, quantity });
    const tip = tooltipRef.current;
    if (tip) {
      tip.textContent = describeCell(s, layerKey, quantity, cell.t, cell.unit, lang, t);
      tip.hidden = false;
      const host = tip.offsetParent?.getBoundingClientRect() ?? rect;
      tip.style.left = `${e.clientX - host.left + 12}px`;
      tip.style.top = `${e.clientY - host.top + 12}px`;
    }
  };

  const select = (tt: number, unit: number) => {
    // One store update for the selection, one for the step (clamped by the playback slice):
    // each update notifies every subscriber, so fewer is faster while scrubbing.
    useAppStore.setState({ layer, direction, quantity, unit });
    useAppStore.getState().setT(tt);
    const after = useAppStore.getState();
    announce(describeCell(after, layerKey, quantity, after.t, after.unit, lang, t));
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d?.moved) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const cell = controller.cellAt(e.clientX - rect.left, e.clientY - rect.top);
    if (cell) select(cell.t, cell.unit);
  };

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const s = useAppStore.getState();
    const H = s.trace?.meta.H ?? 1;
    const step = e.shiftKey ? 10 : 1;
    const curT = Math.min(s.t, Math.max(0, s.traceT - 1));
    const curU = Math.min(s.unit, H - 1);
    let handled = true;
    switch (e.key) {
      case 'ArrowLeft':
        select(curT - step, curU);
        break;
      case 'ArrowRight':
        select(curT + step, curU);
        break;
      case 'ArrowUp':
        select(curT, Math.max(0, curU - step));
        break;
      case 'ArrowDown':
        select(curT, Math.min(H - 1, curU + step));
        break;
      case 'Home':
        select(0, curU);
        break;
      case 'End':
        select(s.traceT - 1, curU);
        break;
      case '+':
      case '=':
        zoom(0.5);
        break;
      case '-':
      case '_':
        zoom(2);
        break;
      case '0':
        zoom(total / Math.max(1, view.span));
        break;
      case 'Enter':
      case ' ':
        select(curT, curU);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  const name = t(`panels.quantity.${quantity}`);
  return (
    <div className="heatmap-row">
      <div className="heatmap-label" aria-hidden="true">
        <span className="q-symbol" translate="no">
          {quantity}
        </span>
        <span className="q-name">{name}</span>
      </div>
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- see role below */}
      <div
        ref={setRef}
        className="heatmap-plot"
        // A 2D widget driven by arrow keys, with its own live announcements: the application role.
        role="application"
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        aria-label={t('panels.heatmap.plotLabel', {
          quantity: name,
          symbol: quantity,
          layer: t(direction ? 'panels.layerReverse' : 'panels.layerForward', {
            layer: layer + 1,
          }),
        })}
        aria-roledescription={t('panels.heatmap.roleDescription')}
        onPointerMove={onPointerMove}
        onPointerLeave={() => {
          drag.current = null;
          hideTooltip();
          const s = useAppStore.getState();
          if (s.hover) s.setHover(null);
        }}
        onPointerDown={(e) => {
          const rect = e.currentTarget.getBoundingClientRect();
          drag.current = { x: e.clientX - rect.left, t0: view.t0, moved: false };
        }}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
        onFocus={() => {
          const s = useAppStore.getState();
          announce(describeCell(s, layerKey, quantity, s.t, s.unit, lang, t));
        }}
      >
        <canvas ref={dataRef} className="heatmap-canvas" aria-hidden="true" />
        <canvas ref={overlayRef} className="heatmap-canvas heatmap-overlay" aria-hidden="true" />
      </div>
    </div>
  );
});
