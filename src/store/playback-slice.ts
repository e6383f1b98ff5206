import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import { DEFAULTS } from './limits';

/**
 * The current step `t` is 0-based (the URL and the UI say `t + 1`). It may
 * point past the received steps while a trace is still arriving (a link asked
 * for step 40): `selectT` clamps it to what exists.
 */
export interface PlaybackData {
  t: number;
  playing: boolean;
  /** Steps per second while playing. */
  speed: number;
}
export interface PlaybackActions {
  setT: (t: number) => void;
  stepForward: () => void;
  stepBack: () => void;
  firstStep: () => void;
  lastStep: () => void;
  play: () => void;
  pause: () => void;
  togglePlay: () => void;
  setSpeed: (speed: number) => void;
}
export type PlaybackSlice = PlaybackData & PlaybackActions;

export const initialPlayback = (): PlaybackData => ({
  t: 0,
  playing: false,
  speed: DEFAULTS.speed,
});

/** Last valid step index given what arrived (0 when nothing did). */
const lastIndex = (s: AppState) => Math.max(0, s.traceT - 1);
const clampT = (s: AppState, t: number) => Math.min(Math.max(0, Math.round(t)), lastIndex(s));

export const createPlaybackSlice: StateCreator<AppState, [], [], PlaybackSlice> = (set, get) => ({
  ...initialPlayback(),
  setT: (t) => set({ t: clampT(get(), t) }),
  stepForward: () => set({ t: clampT(get(), Math.min(get().t, lastIndex(get())) + 1) }),
  stepBack: () => set({ t: clampT(get(), Math.min(get().t, lastIndex(get())) - 1) }),
  firstStep: () => set({ t: 0 }),
  lastStep: () => set({ t: lastIndex(get()) }),
  play: () => {
    const s = get();
    // Playing from the last step starts over, as media players do.
    if (s.traceT > 0 && s.t >= lastIndex(s)) set({ t: 0, playing: true });
    else set({ playing: s.traceT > 0 });
  },
  pause: () => set({ playing: false }),
  togglePlay: () => (get().playing ? get().pause() : get().play()),
  setSpeed: (speed) => set({ speed }),
});
