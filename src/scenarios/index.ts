/**
 * Presets: data only (cell, seed, sizes, input), shared by the app's preset
 * menu and the tests. Titles and descriptions live in the `scenarios` i18n
 * area under the preset's id.
 */
import type { CellKind } from '../engine/types';
import type { InputMode } from '../store/input-parse';

export interface Scenario {
  id: string;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
  inputMode: InputMode;
  inputText: string;
}

/** `n` steps of sin(2πt/period), 4 decimals, one per line. */
function sineLines(n: number, period: number, phase = 0): string {
  return Array.from({ length: n }, (_, t) =>
    Math.sin((2 * Math.PI * t) / period + phase).toFixed(4),
  ).join('\n');
}

/** Two channels: a sine and a square wave, comma-separated. */
function twoChannels(n: number): string {
  return Array.from({ length: n }, (_, t) => {
    const s = Math.sin((2 * Math.PI * t) / 12).toFixed(3);
    const q = Math.floor(t / 6) % 2 === 0 ? '1' : '-1';
    return `${s}, ${q}`;
  }).join('\n');
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'hello-lstm',
    cell: 'lstm',
    hiddenSize: 4,
    numLayers: 1,
    bidirectional: false,
    seed: 42,
    inputMode: 'char',
    inputText: 'hello world',
  },
  {
    id: 'words-gru',
    cell: 'gru',
    hiddenSize: 6,
    numLayers: 1,
    bidirectional: false,
    seed: 7,
    inputMode: 'word',
    inputText: 'the cat sat on the mat and the dog sat on the log',
  },
  {
    id: 'textbook-gru',
    cell: 'gru-textbook',
    hiddenSize: 4,
    numLayers: 1,
    bidirectional: false,
    seed: 7,
    inputMode: 'char',
    inputText: 'abcabcabc',
  },
  {
    id: 'sine-rnn',
    cell: 'rnn-tanh',
    hiddenSize: 5,
    numLayers: 1,
    bidirectional: false,
    seed: 3,
    inputMode: 'numeric',
    inputText: sineLines(24, 12),
  },
  {
    id: 'two-channels-lstm',
    cell: 'lstm',
    hiddenSize: 6,
    numLayers: 2,
    bidirectional: true,
    seed: 11,
    inputMode: 'numeric',
    inputText: twoChannels(36),
  },
  {
    id: 'relu-counting',
    cell: 'rnn-relu',
    hiddenSize: 4,
    numLayers: 1,
    bidirectional: false,
    seed: 5,
    inputMode: 'numeric',
    inputText: '1\n1\n1\n1\n1\n1\n1\n1\n0\n0\n0\n0',
  },
  {
    id: 'long-sine',
    cell: 'lstm',
    hiddenSize: 16,
    numLayers: 1,
    bidirectional: false,
    seed: 1,
    inputMode: 'numeric',
    inputText: sineLines(2000, 50),
  },
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
