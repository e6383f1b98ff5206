/**
 * The engine's vocabulary: cell kinds, specs, traces and the symbol glossary.
 *
 * Notation, used from the engine to the axis labels:
 * - LSTM gates `i f g o` (`g` is the candidate, so `c` is always the cell state);
 * - GRU gates `r z n` (`n` is the candidate);
 * - the previous step's states are `hPrev` / `cPrev`;
 * - data is time-major: a sequence is `[T, B, inputSize]`, row-major.
 * Parameter names and layouts are PyTorch's `state_dict` (`weight_ih_l0`, ...),
 * gate rows in PyTorch's order, so weights import without reshuffling.
 */

export const CELL_KINDS = ['rnn-tanh', 'rnn-relu', 'lstm', 'gru', 'gru-textbook'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export function isCellKind(v: unknown): v is CellKind {
  return typeof v === 'string' && (CELL_KINDS as readonly string[]).includes(v);
}

/** Gate rows of each cell, in PyTorch's order (rows `[k*H, (k+1)*H)` of `weight_ih`). */
export const GATES = {
  'rnn-tanh': [],
  'rnn-relu': [],
  lstm: ['i', 'f', 'g', 'o'],
  gru: ['r', 'z', 'n'],
  'gru-textbook': ['r', 'z', 'n'],
} as const satisfies Record<CellKind, readonly string[]>;

/** Every quantity the trace records per step and unit, in display order. */
export const QUANTITIES = {
  'rnn-tanh': ['h'],
  'rnn-relu': ['h'],
  lstm: ['i', 'f', 'g', 'o', 'c', 'h'],
  gru: ['r', 'z', 'n', 'h'],
  'gru-textbook': ['r', 'z', 'n', 'h'],
} as const satisfies Record<CellKind, readonly string[]>;

export type Quantity = 'i' | 'f' | 'g' | 'o' | 'c' | 'h' | 'r' | 'z' | 'n';

/** Which range each quantity lives in: sigmoid gates [0, 1], tanh quantities [-1, 1], unbounded otherwise. */
export const QUANTITY_RANGE: Record<Quantity, 'sigmoid' | 'tanh' | 'unbounded'> = {
  i: 'sigmoid',
  f: 'sigmoid',
  o: 'sigmoid',
  r: 'sigmoid',
  z: 'sigmoid',
  g: 'tanh',
  n: 'tanh',
  h: 'tanh',
  c: 'unbounded',
};

/** Number of gate blocks G in `weight_ih` (`[G*H, in]`): 1 for RNN, 4 for LSTM, 3 for GRU. */
export function gateCount(cell: CellKind): 1 | 3 | 4 {
  return cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
}

/** A linear readout on top of the last layer's output (`fc.weight` `[outputSize, D*H]`, `fc.bias`). */
export interface ReadoutSpec {
  outputSize: number;
  /** `every`: one output per step (many-to-many); `last`: only at the last valid step (many-to-one). */
  mode: 'every' | 'last';
}

/** A recurrent model: plain serializable data (it travels in URLs and messages). */
export interface ModelSpec {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  readout?: ReadoutSpec | null;
  /**
   * Dropout probability on the outputs of every layer but the last, in training
   * only (as `nn.LSTM(dropout=p)`); 0 or absent means none. In [0, 1).
   */
  dropout?: number;
}

/** 0 = forward in time, 1 = reverse (the `_reverse` parameters of a bidirectional layer). */
export type Direction = 0 | 1;

/** Layer/direction keys as in the reference traces: `l0`, `l0_reverse`, `l1`, ... */
export function layerKey(layer: number, direction: 0 | 1): string {
  return direction === 1 ? `l${layer}_reverse` : `l${layer}`;
}

/** A dense float tensor, row-major. Tensors of the engine are always float32. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Everything one layer and direction recorded during a forward pass. Every
 * array is time-major `[T, B, H]` (index `(t * B + b) * H + j`), one array per
 * quantity, so a heatmap reads one quantity contiguously. Steps after a
 * sequence's end (`t >= lengths[b]`) hold zeros.
 */
export interface LayerTrace {
  /** `l0`, `l0_reverse`, `l1`, ... (as the reference traces and `layerKey`). */
  key: string;
  layer: number;
  direction: Direction;
  /**
   * Activations: LSTM `i f g o c h`, GRU `r z n h`, RNN `h` (the quantities of
   * `QUANTITIES[cell]`).
   */
  act: Partial<Record<Quantity, Float32Array>>;
  /**
   * Pre-activations: LSTM `i f g o` (the arguments of sigmoid/tanh), GRU `r z n`
   * (for `n` the whole argument of tanh, reset term included), RNN `h` (the
   * argument of tanh/relu).
   */
  pre: Partial<Record<Quantity, Float32Array>>;
}

/**
 * A forward pass, owned by its workspace: the arrays are reused by the next
 * forward on the same workspace, so copy what must outlive it (e.g. before
 * transferring to another thread).
 */
export interface Trace {
  spec: ModelSpec;
  T: number;
  B: number;
  /** Valid steps per sequence, `[B]`; steps `t >= lengths[b]` are padding. */
  lengths: Int32Array;
  /** Whether dropout was active (training). */
  training: boolean;
  /** Copy of the input, `[T, B, inputSize]`. */
  input: Float32Array;
  /** Initial states `[numLayers*D, B, H]`, ordered l0, l0_reverse, l1, ... (`c0` LSTM only). */
  h0: Float32Array;
  c0: Float32Array | null;
  /**
   * The input each layer saw, `[T, B, in_l]`: layer 0 the input, layer l > 0 the
   * output of layer l - 1 after dropout (the same array as that output when no
   * dropout was applied).
   */
  layerInputs: Float32Array[];
  /** One entry per layer and direction, index `layer * D + direction`. */
  layers: LayerTrace[];
  /** Last layer's output `[T, B, D*H]` (forward half first), zeros after each sequence's end. */
  output: Float32Array;
  /** Final states `[numLayers*D, B, H]` at each sequence's last valid step (`cN` LSTM only). */
  hN: Float32Array;
  cN: Float32Array | null;
  /**
   * Readout outputs (logits), or null without a readout: `[T, B, O]` for mode
   * `every` (zeros after each sequence's end), `[B, O]` for mode `last` (at each
   * sequence's last valid step).
   */
  readout: Float32Array | null;
  /** Softmax of `readout` over its last axis, same shape (for classification views). */
  probs: Float32Array | null;
  /** Steps of `readout`: T for mode `every`, 1 for mode `last` (0 without readout). */
  readoutSteps: number;
  /**
   * The first place (in time-major order) where a hidden state stopped being a
   * finite number (an exploding ReLU RNN, weights too large), or null when every
   * state is finite: views report it instead of drawing NaN silently. Always
   * set by `forward` (optional only so hand-built traces stay valid).
   */
  nonFinite?: { key: string; t: number; b: number } | null;
}
