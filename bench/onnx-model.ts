/**
 * A one-node ONNX model (LSTM, GRU or RNN operator) built by hand, so the benchmark can run
 * onnxruntime-web on exactly the computation our engine does, without Python or a converter.
 *
 * The bytes are an ONNX `ModelProto` written with a tiny protobuf encoder: only the fields we
 * need (field numbers from onnx/onnx.proto3). Weights come in PyTorch's layout and are
 * reordered into ONNX's gate order:
 * - LSTM: PyTorch `i f g o` -> ONNX `i o f c`;
 * - GRU: PyTorch `r z n` -> ONNX `z r h`, with `linear_before_reset = 1` (PyTorch's form:
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)));
 * - RNN: one block, `Tanh`.
 */

/** The recurrent cells the benchmark compares (the ONNX operators have no textbook GRU). */
export type OnnxCell = 'lstm' | 'gru' | 'rnn-tanh';

/** PyTorch `state_dict` tensors of one layer, one direction. */
export interface OnnxLayerWeights {
  /** `[G*H, I]` */
  weightIh: Float32Array;
  /** `[G*H, H]` */
  weightHh: Float32Array;
  /** `[G*H]` */
  biasIh: Float32Array;
  /** `[G*H]` */
  biasHh: Float32Array;
}

// --- a minimal protobuf writer -------------------------------------------------------------

class PbWriter {
  private bytes: number[] = [];

  private varint(v: number): void {
    // Non-negative values only (sizes, enums, dims); up to 2^53 is exact in a double.
    let n = v;
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }

  private tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  bytesField(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  message(field: number, m: PbWriter): this {
    return this.bytesField(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const ONNX_FLOAT = 1;
const ATTR_INT = 2;

function tensorProto(name: string, dims: number[], data: Float32Array): PbWriter {
  const t = new PbWriter();
  for (const d of dims) t.int(1, d); // dims (unpacked repeated int64 is accepted by parsers)
  t.int(2, ONNX_FLOAT); // data_type
  t.string(8, name);
  // raw_data is little-endian float32: copy so a view with an offset is handled.
  t.bytesField(9, new Uint8Array(Float32Array.from(data).buffer));
  return t;
}

function valueInfo(name: string, dims: number[]): PbWriter {
  const shape = new PbWriter();
  for (const d of dims) shape.message(1, new PbWriter().int(1, d)); // dim { dim_value }
  const tensorType = new PbWriter().int(1, ONNX_FLOAT).message(2, shape);
  const type = new PbWriter().message(1, tensorType); // TypeProto.tensor_type
  return new PbWriter().string(1, name).message(2, type);
}

function intAttr(name: string, v: number): PbWriter {
  return new PbWriter().string(1, name).int(3, v).int(20, ATTR_INT);
}

// --- gate reordering ------------------------------------------------------------------------

/** ONNX block order expressed as indices into PyTorch's blocks. */
function onnxBlockOrder(cell: OnnxCell): number[] {
  switch (cell) {
    case 'lstm':
      return [0, 3, 1, 2]; // i o f c  from  i f g o
    case 'gru':
      return [1, 0, 2]; // z r h  from  r z n
    case 'rnn-tanh':
      return [0];
  }
}

/** Reorders the gate blocks of a `[G*H, cols]` (or `[G*H]`) tensor from PyTorch's to ONNX's order. */
function reorderBlocks(src: Float32Array, order: number[], blockLen: number): Float32Array {
  const out = new Float32Array(src.length);
  order.forEach((from, to) =>
    out.set(src.subarray(from * blockLen, (from + 1) * blockLen), to * blockLen),
  );
  return out;
}

/**
 * Builds an ONNX model with one recurrent node, input `X` `[T, B, I]` and output `Y`
 * `[T, 1, B, H]` (the hidden state of every step), weights as initializers.
 */
export function buildOnnxRecurrentModel(
  cell: OnnxCell,
  dims: { T: number; B: number; I: number; H: number },
  w: OnnxLayerWeights,
): Uint8Array {
  const { T, B, I, H } = dims;
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const expect = (what: string, got: number, want: number) => {
    if (got !== want)
      throw new Error(`buildOnnxRecurrentModel: ${what} has ${got} values, expected ${want}`);
  };
  expect('weightIh', w.weightIh.length, G * H * I);
  expect('weightHh', w.weightHh.length, G * H * H);
  expect('biasIh', w.biasIh.length, G * H);
  expect('biasHh', w.biasHh.length, G * H);
  const order = onnxBlockOrder(cell);
  const W = reorderBlocks(w.weightIh, order, H * I);
  const R = reorderBlocks(w.weightHh, order, H * H);
  const bias = new Float32Array(2 * G * H);
  bias.set(reorderBlocks(w.biasIh, order, H), 0);
  bias.set(reorderBlocks(w.biasHh, order, H), G * H);

  const opType = cell === 'lstm' ? 'LSTM' : cell === 'gru' ? 'GRU' : 'RNN';
  const node = new PbWriter();
  for (const input of ['X', 'W', 'R', 'B']) node.string(1, input);
  node.string(2, 'Y');
  node.string(3, 'rec');
  node.string(4, opType);
  node.message(5, intAttr('hidden_size', H));
  if (cell === 'gru') node.message(5, intAttr('linear_before_reset', 1));

  const graph = new PbWriter();
  graph.message(1, node);
  graph.string(2, 'gatescope_bench');
  graph.message(5, tensorProto('W', [1, G * H, I], W));
  graph.message(5, tensorProto('R', [1, G * H, H], R));
  graph.message(5, tensorProto('B', [1, 2 * G * H], bias));
  graph.message(11, valueInfo('X', [T, B, I]));
  graph.message(12, valueInfo('Y', [T, 1, B, H]));

  const model = new PbWriter();
  model.int(1, 8); // ir_version
  model.string(2, 'gatescope-bench');
  model.message(7, graph);
  model.message(8, new PbWriter().string(1, '').int(2, 14)); // opset_import: ai.onnx 14
  return model.finish();
}
