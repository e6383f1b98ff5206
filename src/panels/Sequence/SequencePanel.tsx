import { memo, useEffect, useRef } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Quantity } from '../../engine/types';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import { selectStripQuantity } from '../../store/panel-selectors';
import {
  selectLang,
  selectLayerKey,
  selectQuantities,
  selectT,
  selectUnit,
} from '../../store/selectors';
import { cssColor, domainFor, scaleFor, textColorOn } from '../../viz/color';
import { formatNumber } from '../../viz/format';
import { rafThrottle } from '../../viz/raf';
import { PanelSection } from '../shared/PanelSection';
import { QuantitySelect } from '../shared/QuantitySelect';
import { tokenLabel } from '../shared/labels';
import { afterFrame, measureStrip, stripScrollTarget, type StripGeometry } from './strip-scroll';

const selectTraceT = (s: AppState) => s.traceT;

/**
 * The strip shows one page of steps at a time, the page holding the current
 * step: 2000 token buttons re-rendered while a long trace streams in cost
 * hundreds of milliseconds of main thread; a page of 200 costs a tenth.
 */
export const STRIP_PAGE = 200;
const selectStripPage = (s: AppState) => Math.floor(selectT(s) / STRIP_PAGE);
const selectHasTrace = (s: AppState) => s.trace !== null;

/**
 * "Sequence": the input tokens, each coloured by the selected unit's value of
 * a chosen quantity (as LSTMVis does for text), the current step marked;
 * clicking a token goes to that step. The token list re-renders when the
 * colours change (unit, quantity, layer, new steps), never per step: the
 * current mark moves by toggling one attribute.
 */
export function SequencePanel() {
  const { t } = useTranslation();
  const hasTrace = useAppStore(selectHasTrace);
  const quantity = useAppStore(selectStripQuantity);
  const quantities = useAppStore(selectQuantities);
  const setStripQuantity = useAppStore((s) => s.setStripQuantity);
  const unit = useAppStore(selectUnit);
  return (
    <PanelSection id="sequence" title={t('panels.titles.sequence')}>
      {!hasTrace ? (
        <p className="empty-state">{t('panels.noTrace')}</p>
      ) : (
        <>
          <div className="panel-controls">
            <QuantitySelect
              label={t('panels.sequence.colourBy')}
              value={quantity}
              options={quantities}
              onChange={setStripQuantity}
            />
            <span>{t('panels.sequence.unit', { unit: unit + 1 })}</span>
          </div>
          <TokenStrip quantity={quantity} unit={unit} />
        </>
      )}
    </PanelSection>
  );
}

const TokenStrip = memo(function TokenStrip({
  quantity,
  unit,
}: {
  quantity: Quantity;
  unit: number;
}) {
  const { t } = useTranslation();
  const key = useAppStore(selectLayerKey);
  const traceT = useAppStore(selectTraceT);
  const page = useAppStore(selectStripPage);
  const first = page * STRIP_PAGE;
  const last = Math.min(traceT, first + STRIP_PAGE);
  // Colours change only for steps that arrived on this page.
  useAppStore((s) => Math.min(s.traceT, last));
  useAppStore((s) => s.traceVersion);
  const lang = useAppStore(selectLang);
  const listRef = useRef<HTMLOListElement | null>(null);

  const s = useAppStore.getState();
  const tr = s.trace;
  const values = tr?.layers[key]?.[quantity];
  const H = tr?.meta.H ?? 1;
  const B = tr?.meta.B ?? 1;
  const sc = scaleFor(quantity);
  // c: symmetric domain from this unit's received values (so the strip uses its full range).
  let domain = domainFor(quantity);
  if (values && sc.domainMode === 'symmetric-data') {
    let m = 0;
    for (let k = 0; k < traceT; k++) m = Math.max(m, Math.abs(values[k * B * H + unit]));
    domain = domainFor(quantity, [m]);
  }

  const tokens = tr?.tokens;
  // Move the current-step mark and the roving tab stop without re-rendering the list, and keep
  // the mark visible by scrolling the strip only (never the page). Moving the mark writes two
  // attributes and reads no layout: the tokens' boxes are measured in a ResizeObserver callback
  // (once per page, again on a resize such as projector mode), which runs right after the
  // frame's own layout, so reading them there forces nothing; a step change then computes the
  // scroll from those boxes and writes it after the frame, only when the step left the view.
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    let geometry: StripGeometry | null = null;
    // Our own idea of the strip's scroll offset; null after the user scrolled it.
    let scrollLeft: number | null = null;
    let ownScroll = false;
    const scrollToStep = () => {
      if (!geometry) return;
      scrollLeft ??= list.scrollLeft;
      const target = stripScrollTarget(geometry, selectT(useAppStore.getState()), scrollLeft);
      if (target !== null && target !== scrollLeft) {
        ownScroll = true;
        list.scrollLeft = target;
        scrollLeft = target;
      }
    };
    const ro =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            geometry = measureStrip(list, first);
            scrollLeft = list.scrollLeft;
            scrollToStep();
          });
    const settle = afterFrame(() => {
      // Without ResizeObserver (old browsers, jsdom) measure here, once per page.
      if (!ro) geometry ??= measureStrip(list, first);
      scrollToStep();
    });
    const mark = () => {
      const step = selectT(useAppStore.getState());
      list
        .querySelectorAll<HTMLButtonElement>('button[aria-current], button[tabindex="0"]')
        .forEach((b) => {
          if (b.dataset.t === String(step)) return;
          b.removeAttribute('aria-current');
          b.tabIndex = -1;
        });
      const btn = list.querySelector<HTMLButtonElement>(`button[data-t="${step}"]`);
      if (btn) {
        // Unchanged attributes are not written: a tabindex write on the focused button makes the
        // browser recompute style at once (is it still focusable?), 2-4 ms a step.
        if (btn.getAttribute('tabindex') !== '0') btn.tabIndex = 0;
        if (btn.getAttribute('aria-current') !== 'step') btn.setAttribute('aria-current', 'step');
      }
      settle.schedule();
    };
    mark();
    const frame = rafThrottle(mark);
    const unsub = useAppStore.subscribe((st, prev) => {
      if (st.t !== prev.t || st.traceT !== prev.traceT) frame.schedule();
    });
    // The user scrolled the strip: read the offset again when the step next moves.
    const onScroll = () => {
      if (ownScroll) ownScroll = false;
      else scrollLeft = null;
    };
    list.addEventListener('scroll', onScroll, { passive: true });
    // The strip's width and its first and last tokens: a new page or new tokens re-run this
    // effect (a first observation always reports), type sizes change the list's height.
    if (ro) {
      ro.observe(list);
      if (list.firstElementChild) ro.observe(list.firstElementChild);
      if (list.lastElementChild) ro.observe(list.lastElementChild);
    }
    return () => {
      unsub();
      frame.cancel();
      settle.cancel();
      ro?.disconnect();
      list.removeEventListener('scroll', onScroll);
    };
  }, [first, last, tokens]);

  const onKeyDown = (e: ReactKeyboardEvent<HTMLOListElement>) => {
    const st = useAppStore.getState();
    const cur = selectT(st);
    const next =
      e.key === 'ArrowRight'
        ? cur + 1
        : e.key === 'ArrowLeft'
          ? cur - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? st.traceT - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    st.setT(next);
    // The step may be on another page, rendered on the next frame: focus it then. The new token
    // becomes the tab stop before it takes the focus and the old one loses it after (in the mark's
    // frame), so no tabindex changes on the focused element.
    const focusStep = () => {
      const btn = listRef.current?.querySelector<HTMLButtonElement>(
        `button[data-t="${selectT(useAppStore.getState())}"]`,
      );
      if (!btn || btn === document.activeElement) return;
      if (btn.getAttribute('tabindex') !== '0') btn.tabIndex = 0;
      // The strip scrolls itself after the frame; a default focus() would lay out and scroll the page.
      btn.focus({ preventScroll: true });
    };
    focusStep();
    requestAnimationFrame(focusStep);
  };

  const items = [];
  for (let step = first; step < last; step++) {
    const v = values ? values[step * B * H + unit] : NaN;
    const label = tokenLabel(tokens ?? [], step);
    items.push(
      <li key={step}>
        <button
          type="button"
          data-t={step}
          tabIndex={-1}
          className="token"
          style={{ background: cssColor(v, sc.lut, domain), color: textColorOn(v, sc.lut, domain) }}
          aria-label={t('panels.sequence.token', {
            step: step + 1,
            token: label,
            symbol: quantity,
            value: formatNumber(v, lang, 4),
          })}
          onClick={() => useAppStore.getState().setT(step)}
        >
          {label}
        </button>
      </li>,
    );
  }
  return (
    <>
      {traceT > STRIP_PAGE && (
        <p className="strip-range">
          {t('panels.sequence.range', { first: first + 1, last, total: traceT })}
        </p>
      )}
      {/* Arrow keys move between the token buttons (roving tab stop). */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
      <ol
        ref={listRef}
        className="token-strip"
        aria-label={t('panels.sequence.stripLabel')}
        onKeyDown={onKeyDown}
      >
        {items}
      </ol>
    </>
  );
});
