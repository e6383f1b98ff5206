/** Seeded builders shared by the engine tests (models, inputs, cotangents). */
import { Rng, createModel, directions } from '../../src/engine';
import type { CellKind, Model, ModelSpec, ReadoutSpec } from '../../src/engine';

export interface SmallSpec {
  cell: CellKind;
  inputSize?: number;
  hiddenSize?: number;
  numLayers?: number;
  bidirectional?: boolean;
  bias?: boolean;
  readout?: ReadoutSpec | null;
  dropout?: number;
}

export function spec(s: SmallSpec): ModelSpec {
  return {
    cell: s.cell,
    inputSize: s.inputSize ?? 3,
    hiddenSize: s.hiddenSize ?? 4,
    numLayers: s.numLayers ?? 1,
    bidirectional: s.bidirectional ?? false,
    bias: s.bias ?? true,
    readout: s.readout ?? null,
    ...(s.dropout !== undefined ? { dropout: s.dropout } : {}),
  };
}

/**
 * A model with weights U(-0.8, 0.8): larger than PyTorch's default so gates
 * leave their linear regime and a wrong derivative shows.
 */
export function model(s: ModelSpec, seed = 1): Model {
  const m = createModel(s, { seed });
  new Rng(seed + 100).fillUniform(m.params, -0.8, 0.8);
  return m;
}

export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  return new Rng(seed).fillUniform(new Float32Array(n), lo, hi);
}

/** Number of hidden-state values [numLayers*D, B, H]. */
export function stateSize(s: ModelSpec, B: number): number {
  return s.numLayers * directions(s) * B * s.hiddenSize;
}

export const ALL_CELLS: CellKind[] = ['rnn-tanh', 'rnn-relu', 'lstm', 'gru', 'gru-textbook'];
