import 'katex/dist/katex.min.css';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StepTerms } from '../../engine';
import type { CellKind, Direction } from '../../engine/types';
import { i18next, type Language } from '../../i18n';
import { useAppStore } from '../../store';
import type { AppState } from '../../store';
import { selectDirection, selectLayer, selectT, selectUnit } from '../../store/selectors';
import { formatNumber } from '../../viz/format';
import { rafThrottle } from '../../viz/raf';
import { PanelSection } from '../shared/PanelSection';
import { tokenLabel } from '../shared/labels';
import {
  equationTemplate,
  EQ_DIGITS,
  latexDocument,
  lineTexWithSlots,
  slotDisplay,
  slotQuantity,
  slotValues,
  type EquationLine,
  type Slot,
  type SlotKey,
} from './equation-builder';
import { termsAt } from '../shared/terms-source';
import { renderTex, warmTex } from './katex-cache';

const selectTraceCell = (s: AppState): CellKind | null => s.trace?.meta.spec.cell ?? null;
const selectTraceBias = (s: AppState) => s.trace?.meta.spec.bias ?? true;
const selectHasParams = (s: AppState) => s.params !== null;

const CELL_KINDS: readonly CellKind[] = ['lstm', 'gru', 'gru-textbook', 'rnn-tanh', 'rnn-relu'];

/** Every formula the panel can show, the model's cell kind first (about 190 TeX strings). */
function allFormulas(first: CellKind): string[] {
  const out: string[] = [];
  for (const cell of [first, ...CELL_KINDS.filter((c) => c !== first)])
    for (const bias of [true, false])
      for (const direction of [0, 1] as Direction[])
        for (const line of equationTemplate({ cell, bias, direction })) {
          const tex = lineTexWithSlots(line);
          out.push(tex.symbolic, ...tex.numeric);
        }
  return out;
}

/** The current terms for the store's selection (engine numbers), or null. */
function currentTerms(s: AppState): StepTerms | null {
  return termsAt(s.trace, s.traceT, s.params, {
    layer: selectLayer(s),
    direction: selectDirection(s),
    t: selectT(s),
    unit: selectUnit(s),
  });
}

/** Screen-reader summary of the lines: each gate's value and its pre-activation parts. */
function summarize(
  lines: readonly EquationLine[],
  values: ReadonlyMap<SlotKey, number>,
  lang: Language,
) {
  const tr = i18next.t.bind(i18next);
  const f = (k: SlotKey) => formatNumber(values.get(k) ?? NaN, lang, EQ_DIGITS);
  return lines
    .map((l) => {
      const name = tr(`panels.quantity.${l.id}`);
      if (values.has(`${l.id}.pre`)) {
        return tr('panels.equations.summaryGate', {
          name,
          symbol: l.id,
          value: f(`${l.id}.act`),
          pre: f(`${l.id}.pre`),
          wx: f(`${l.id}.wx`),
          wh: f(`${l.id}.wh`),
          bih: f(`${l.id}.bih`),
          bhh: f(`${l.id}.bhh`),
        });
      }
      return tr('panels.equations.summaryState', { name, symbol: l.id, value: f(`u.${l.id}`) });
    })
    .join(' ');
}

/** "Step 3 (token e), unit 2, layer 1 forward": re-renders on step changes only (small). */
const EquationContext = memo(function EquationContext() {
  const { t } = useTranslation();
  const step = useAppStore(selectT);
  const unit = useAppStore(selectUnit);
  const layer = useAppStore(selectLayer);
  const direction = useAppStore(selectDirection);
  const token = useAppStore((s) => tokenLabel(s.trace?.tokens ?? [], step));
  return (
    <p className="eq-context">
      {t('panels.equations.context', {
        step: step + 1,
        token,
        unit: unit + 1,
        layer: t(direction ? 'panels.layerReverse' : 'panels.layerForward', { layer: layer + 1 }),
      })}
    </p>
  );
});

/**
 * "Equations": the formulas the engine runs for the current cell, each
 * rendered once by KaTeX with `\htmlData` holes; every frame only the holes'
 * text changes (the engine's `stepTerms` numbers for the selected step and unit).
 */
export function EquationsPanel() {
  const { t } = useTranslation();
  const cell = useAppStore(selectTraceCell);
  const bias = useAppStore(selectTraceBias);
  const direction = useAppStore(selectDirection);
  const hasParams = useAppStore(selectHasParams);
  const playing = useAppStore((s) => s.playing);

  const lines = useMemo(
    () => (cell ? equationTemplate({ cell, bias, direction }) : []),
    [cell, bias, direction],
  );

  // While the first trace is on its way (a preset loads, the worker runs), render the formulas
  // in idle time: the first trace's commit then only looks them up.
  useEffect(() => warmTex(allFormulas(useAppStore.getState().cell)), []);

  const containerRef = useRef<HTMLDivElement | null>(null);
  const summaryRef = useRef<HTMLParagraphElement | null>(null);
  const [copyStatus, setCopyStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [fallbackText, setFallbackText] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);

  // Render every formula once per template (cell, bias, direction) and session (cached by its TeX);
  // later frames only fill the holes.
  const rendered = useMemo(() => {
    try {
      return {
        html: lines.map((l) => {
          const tex = lineTexWithSlots(l);
          return {
            sym: renderTex(tex.symbolic),
            num: tex.numeric.map(renderTex),
          };
        }),
        error: null,
      };
    } catch (e) {
      return { html: [], error: e instanceof Error ? e.message : String(e) };
    }
  }, [lines]);
  const renderError = rendered.error;

  // Fill the holes with the engine's numbers, at most once per frame.
  useEffect(() => {
    const root = containerRef.current;
    if (!root || lines.length === 0) return;
    let lastLang = '';
    const fill = () => {
      const s = useAppStore.getState();
      const terms = currentTerms(s);
      setMissing(terms === null && s.trace !== null && s.traceT > 0);
      const values = terms ? slotValues(terms) : new Map<SlotKey, number>();
      const hq = s.hover?.quantity ?? null;
      const titles = lastLang !== s.lang;
      lastLang = s.lang;
      root.querySelectorAll<HTMLElement>('[data-slot]').forEach((el) => {
        // Name each number's role for mouse users (input term, recurrent term, ...).
        if (titles)
          el.title = i18next.t(`panels.equations.term.${(el.dataset.slot ?? '').split('.')[1]}`);
        const slot: Slot = {
          key: el.dataset.slot ?? '',
          role: (el.dataset.role ?? 'lead') as Slot['role'],
        };
        el.textContent = terms ? slotDisplay(slot, values, s.lang) : '…';
        el.classList.toggle('eq-hl', hq !== null && el.dataset.q === hq);
      });
      root.querySelectorAll<HTMLElement>('.eq-line').forEach((el) => {
        el.classList.toggle('eq-line-hl', hq !== null && el.dataset.q === hq);
      });
      if (summaryRef.current)
        summaryRef.current.textContent = terms ? summarize(lines, values, s.lang) : '';
    };
    const frame = rafThrottle(fill);
    fill();
    const unsub = useAppStore.subscribe((s, p) => {
      if (
        s.t !== p.t ||
        s.unit !== p.unit ||
        s.layer !== p.layer ||
        s.direction !== p.direction ||
        s.traceVersion !== p.traceVersion ||
        s.trace !== p.trace ||
        s.params !== p.params ||
        s.lang !== p.lang ||
        s.hover !== p.hover
      )
        frame.schedule();
    });
    return () => {
      unsub();
      frame.cancel();
    };
  }, [lines, rendered]);

  const onHover = (target: EventTarget | null) => {
    const el = (target as HTMLElement | null)?.closest?.<HTMLElement>('[data-slot]');
    const s = useAppStore.getState();
    if (!el?.dataset.slot) return;
    const { quantity, previous } = slotQuantity(el.dataset.slot);
    const step = selectT(s);
    const prevT = selectDirection(s) === 1 ? step + 1 : step - 1;
    const tt = previous ? prevT : step;
    if (tt < 0 || tt >= s.traceT) return;
    const unit = selectUnit(s);
    const hv = s.hover;
    if (!hv || hv.t !== tt || hv.unit !== unit || hv.quantity !== quantity)
      s.setHover({ t: tt, unit, quantity });
  };

  const copy = async () => {
    const s = useAppStore.getState();
    const terms = currentTerms(s);
    if (!terms) return;
    const text = latexDocument(lines, slotValues(terms), s.lang);
    try {
      await navigator.clipboard.writeText(text);
      setCopyStatus('copied');
      setFallbackText(null);
    } catch {
      // Clipboard blocked (iframe, insecure context): show the text to copy by hand.
      setCopyStatus('failed');
      setFallbackText(text);
    }
  };

  const isGru = cell === 'gru' || cell === 'gru-textbook';
  return (
    <PanelSection
      id="equations"
      title={t('panels.titles.equations')}
      actions={
        cell ? (
          <button type="button" onClick={() => void copy()} disabled={!hasParams}>
            {t('panels.equations.copy')}
          </button>
        ) : undefined
      }
    >
      {!cell ? (
        <p className="empty-state">{t('panels.noTrace')}</p>
      ) : (
        <>
          <EquationContext />
          <p className="eq-cell">{t(`panels.equations.cellName.${cell}`)}</p>
          {renderError && (
            <p className="error-message" role="alert">
              {t('panels.equations.renderError', { message: renderError })}
            </p>
          )}
          {missing && <p className="empty-state">{t('panels.equations.waitingParams')}</p>}
          <div
            ref={containerRef}
            className="equations"
            aria-hidden="true"
            lang="en"
            onPointerOver={(e) => onHover(e.target)}
            onPointerLeave={() => useAppStore.getState().setHover(null)}
          >
            {rendered.html.map((h, k) => (
              <div
                key={`${cell}-${lines[k].id}-${direction}`}
                className="eq-line"
                data-q={lines[k].id}
              >
                {/* KaTeX output of our own TeX; only \htmlData is trusted. */}
                <span className="eq-sym" dangerouslySetInnerHTML={{ __html: h.sym }} />
                {h.num.map((n, j) => (
                  <span key={j} className="eq-num" dangerouslySetInnerHTML={{ __html: n }} />
                ))}
              </div>
            ))}
          </div>
          <p ref={summaryRef} className="visually-hidden" aria-live={playing ? 'off' : 'polite'} />
          <p className="eq-legend">{t('panels.equations.legend')}</p>
          {isGru && (
            <aside className="eq-note" aria-label={t('panels.equations.gruNoteTitle')}>
              <h3>{t('panels.equations.gruNoteTitle')}</h3>
              <p>
                {t(
                  cell === 'gru'
                    ? 'panels.equations.gruNotePytorch'
                    : 'panels.equations.gruNoteTextbook',
                )}
              </p>
            </aside>
          )}
          <p className="copy-status" role="status">
            {copyStatus === 'copied'
              ? t('panels.equations.copied')
              : copyStatus === 'failed'
                ? t('panels.equations.copyFailed')
                : ''}
          </p>
          {fallbackText !== null && (
            <textarea
              className="latex-fallback"
              readOnly
              value={fallbackText}
              aria-label={t('panels.equations.latexText')}
              rows={6}
              onFocus={(e) => e.currentTarget.select()}
            />
          )}
        </>
      )}
    </PanelSection>
  );
}
