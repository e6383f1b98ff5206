import { useTranslation } from 'react-i18next';
import { useId } from 'react';
import type { Quantity } from '../engine/types';
import { useAppStore } from '../store';
import {
  selectDirection,
  selectHover,
  selectLang,
  selectLayer,
  selectLayerKey,
  selectQuantities,
  selectT,
  selectTotalT,
  selectTraceMeta,
  selectTraceT,
  traceValue,
} from '../store/selectors';
import { formatNumber } from '../viz/format';

/**
 * "Values at this step": every quantity (gates, c, h) of every unit of the
 * selected layer and direction at the current step, 4 decimals. It is also
 * the screen-reader view of the whole visualisation.
 */
export function Inspector() {
  const { t: tr } = useTranslation();
  const meta = useAppStore(selectTraceMeta);
  const t = useAppStore(selectT);
  const total = useAppStore(selectTotalT);
  const layer = useAppStore(selectLayer);
  const direction = useAppStore(selectDirection);
  const key = useAppStore(selectLayerKey);
  const quantities = useAppStore(selectQuantities);
  const lang = useAppStore(selectLang);
  const hover = useAppStore(selectHover);
  // Re-render when new steps arrive (the arrays are read below, by reference).
  useAppStore(selectTraceT);
  useAppStore((s) => s.traceVersion);
  const setLayer = useAppStore((s) => s.setLayer);
  const setDirection = useAppStore((s) => s.setDirection);
  const setHover = useAppStore((s) => s.setHover);
  const layerId = useId();
  const dirId = useId();

  const state = useAppStore.getState();
  const H = meta?.H ?? 0;
  const layers = meta?.spec.numLayers ?? 1;
  const bidi = meta?.spec.bidirectional ?? false;
  const layerLabel = tr(
    direction === 1 ? 'player.inspector.layerReverse' : 'player.inspector.layerForward',
    {
      n: layer + 1,
    },
  );

  return (
    <section className="panel inspector" aria-labelledby={`${layerId}-h`}>
      <div className="inspector-head">
        <h2 id={`${layerId}-h`}>{tr('player.inspector.title')}</h2>
        {layers > 1 && (
          <span className="field-inline">
            <label htmlFor={layerId}>{tr('player.inspector.layer')}</label>
            <select id={layerId} value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
              {Array.from({ length: layers }, (_, l) => (
                <option key={l} value={l}>
                  {tr('player.inspector.layerN', { n: l + 1 })}
                </option>
              ))}
            </select>
          </span>
        )}
        {bidi && (
          <span className="field-inline">
            <label htmlFor={dirId}>{tr('player.inspector.direction')}</label>
            <select
              id={dirId}
              value={direction}
              onChange={(e) => setDirection(e.target.value === '1' ? 1 : 0)}
            >
              <option value={0}>{tr('player.inspector.forward')}</option>
              <option value={1}>{tr('player.inspector.reverse')}</option>
            </select>
          </span>
        )}
      </div>
      {!meta ? (
        <p className="empty-state">{tr('player.inspector.empty')}</p>
      ) : (
        // Scrolls sideways on narrow screens: focusable so keyboard users can scroll it too
        // (axe `scrollable-region-focusable`); a labelled region is the documented pattern.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="table-scroll" role="region" aria-labelledby={`${layerId}-h`} tabIndex={0}>
          <p id={`${layerId}-d`} className="inspector-summary">
            {tr('player.inspector.summary', { t: t + 1, T: total, layer: layerLabel })}
          </p>
          <table
            className="values-table"
            aria-describedby={`${layerId}-d`}
            onMouseLeave={() => setHover(null)}
          >
            <caption className="visually-hidden">{tr('player.inspector.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{tr('player.inspector.unit')}</th>
                {quantities.map((q) => (
                  <th
                    scope="col"
                    key={q}
                    className={hover?.quantity === q ? 'is-hover' : undefined}
                  >
                    <span className="q-symbol">{q}</span>{' '}
                    <span className="q-name">{tr(`player.quantities.${q}`)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: H }, (_, unit) => (
                <tr key={unit} className={hover?.unit === unit ? 'is-hover' : undefined}>
                  <th scope="row">{tr('player.inspector.unitN', { n: unit + 1 })}</th>
                  {quantities.map((q: Quantity) => {
                    const v = traceValue(state, key, q, t, unit);
                    return (
                      <td
                        key={q}
                        data-quantity={q}
                        data-unit={unit}
                        onMouseEnter={() => setHover({ t, unit, quantity: q })}
                      >
                        {v === null ? tr('player.inspector.notYet') : formatNumber(v, lang, 4)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
