import type { CellKind } from '../engine/types';

/** Bounds of the model controls (also what URLs and saved sessions are checked against). */
export const LIMITS = {
  hiddenSize: { min: 1, max: 64 },
  numLayers: { min: 1, max: 4 },
  seed: { min: 0, max: 4294967295 },
} as const;

/** Playback speeds offered, in steps per second. */
export const SPEEDS = [1, 2, 4, 8, 16, 32] as const;

/** The defaults a first visit (and reset) start from. */
export const DEFAULTS = {
  cell: 'lstm' as CellKind,
  hiddenSize: 4,
  numLayers: 1,
  bidirectional: false,
  seed: 42,
  inputText: 'hello world',
  speed: 4,
};
