import { useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store';
import { formatNumber } from '../viz/format';
import { PlayerIcon } from './PlayerIcons';
import { displayToken } from '../store/input-parse';
import { SPEEDS } from '../store/limits';
import {
  selectEngineMode,
  selectPlaying,
  selectRunStatus,
  selectSpeed,
  selectT,
  selectTotalT,
  selectTraceT,
} from '../store/selectors';

/** Keys typed into these go to the control, not to the player. */
function isTextEntry(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) {
    // A range slider handles arrows/Home/End itself; buttons and checkboxes do not take arrows.
    return !['button', 'checkbox', 'radio', 'file', 'submit', 'reset'].includes(el.type);
  }
  return false;
}

/** Space play/pause, Left/Right step, Home/End first/last, when focus is not in a text field. */
function usePlayerKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTextEntry(e.target)) return;
      const s = useAppStore.getState();
      // Space on a focused button, checkbox or link is that control's own click.
      const activatable =
        e.target instanceof HTMLElement &&
        e.target.closest('button, input, a[href], summary, [role="button"]') !== null;
      switch (e.key) {
        case ' ':
          if (activatable) return;
          s.togglePlay();
          break;
        case 'ArrowRight':
          s.pause();
          s.stepForward();
          break;
        case 'ArrowLeft':
          s.pause();
          s.stepBack();
          break;
        case 'Home':
          s.pause();
          s.firstStep();
          break;
        case 'End':
          s.pause();
          s.lastStep();
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** Advance one step per 1/speed seconds while playing; stop at the last received step. */
function usePlaybackLoop(playing: boolean, speed: number) {
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => {
      const s = useAppStore.getState();
      if (s.t >= s.traceT - 1) {
        // Still receiving: wait for more steps; otherwise the end.
        if (s.runStatus !== 'running') s.pause();
        return;
      }
      s.stepForward();
    }, 1000 / speed);
    return () => clearInterval(id);
  }, [playing, speed]);
}

/** Play, pause, step, scrub: the current step `t` of the store. */
export function Player() {
  const { t: tr } = useTranslation();
  const t = useAppStore(selectT);
  const traceT = useAppStore(selectTraceT);
  const total = useAppStore(selectTotalT);
  const playing = useAppStore(selectPlaying);
  const speed = useAppStore(selectSpeed);
  const runStatus = useAppStore(selectRunStatus);
  const engineMode = useAppStore(selectEngineMode);
  const computeMs = useAppStore((s) => s.computeMs);
  const token = useAppStore((s) => s.trace?.tokens[selectT(s)]);
  // Numeric input: the step's values (a few, 3 decimals), as a string so the selector is stable.
  const values = useAppStore((s) => {
    const tr = s.trace;
    if (!tr || tr.tokens.length > 0 || s.traceT === 0) return null;
    const I = tr.meta.spec.inputSize;
    const row = tr.input.subarray(selectT(s) * I, selectT(s) * I + Math.min(I, 8));
    return Array.from(row, (v) => formatNumber(v, s.lang, 3)).join(', ') + (I > 8 ? ', …' : '');
  });
  const a = useAppStore.getState();
  const speedId = useId();
  const sliderId = useId();
  usePlayerKeys();
  usePlaybackLoop(playing, speed);

  const has = traceT > 0;
  const status = has ? tr('player.status', { t: t + 1, T: total }) : tr('player.statusEmpty');
  const atStart = t <= 0;
  const atEnd = t >= traceT - 1;

  return (
    <section className="panel player" aria-label={tr('player.region')}>
      <div className="player-buttons">
        <button
          type="button"
          onClick={() => a.firstStep()}
          disabled={!has || atStart}
          aria-label={tr('player.firstStep')}
          title={tr('player.firstStep')}
        >
          <PlayerIcon name="first" />
        </button>
        <button
          type="button"
          onClick={() => {
            a.pause();
            a.stepBack();
          }}
          disabled={!has || atStart}
          aria-label={tr('player.stepBack')}
          title={tr('player.stepBack')}
        >
          <PlayerIcon name="back" />
        </button>
        <button
          type="button"
          className="player-play"
          onClick={() => a.togglePlay()}
          disabled={!has}
          aria-label={playing ? tr('player.pause') : tr('player.play')}
          title={playing ? tr('player.pause') : tr('player.play')}
        >
          <PlayerIcon name={playing ? 'pause' : 'play'} />
        </button>
        <button
          type="button"
          onClick={() => {
            a.pause();
            a.stepForward();
          }}
          disabled={!has || atEnd}
          aria-label={tr('player.stepForward')}
          title={tr('player.stepForward')}
        >
          <PlayerIcon name="forward" />
        </button>
        <button
          type="button"
          onClick={() => a.lastStep()}
          disabled={!has || atEnd}
          aria-label={tr('player.lastStep')}
          title={tr('player.lastStep')}
        >
          <PlayerIcon name="last" />
        </button>
        <p className="player-status" role="status" aria-live="polite" aria-atomic="true">
          {status}
        </p>
      </div>
      <div className="player-slider">
        <label htmlFor={sliderId}>{tr('player.timeStep')}</label>
        <input
          id={sliderId}
          type="range"
          min={1}
          max={Math.max(1, traceT)}
          step={1}
          value={has ? t + 1 : 1}
          disabled={!has}
          aria-valuetext={status}
          onChange={(e) => a.setT(Number(e.target.value) - 1)}
        />
        <label htmlFor={speedId}>{tr('player.speed')}</label>
        <select id={speedId} value={speed} onChange={(e) => a.setSpeed(Number(e.target.value))}>
          {SPEEDS.map((n) => (
            <option key={n} value={n}>
              {tr('player.speedValue', { n })}
            </option>
          ))}
        </select>
      </div>
      <p className="player-meta">
        {token !== undefined && (
          <span className="player-token">
            {tr('player.tokenAt', { token: displayToken(token) })}
          </span>
        )}
        {values !== null && (
          <span className="player-token">{tr('player.valuesAt', { values })}</span>
        )}
        {runStatus === 'running' && traceT < total && (
          <span>{tr('player.receiving', { done: traceT, total })}</span>
        )}
        <span className="player-engine">
          {engineMode === 'in-thread' ? tr('player.engine.inThread') : tr('player.engine.worker')}
          {computeMs !== null && ` · ${tr('player.engine.computed', { ms: computeMs.toFixed(1) })}`}
        </span>
      </p>
      <p className="player-keys">{tr('player.keys')}</p>
    </section>
  );
}
