import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  SAFETENSORS_DTYPES,
  SPEC_METADATA_KEY,
  bf16BitsToNumber,
  checkStateDict,
  createModel,
  exportSafetensors,
  exportStateDict,
  exportStateDictJson,
  f16BitsToNumber,
  importSafetensors,
  importStateDict,
  inferSpec,
  loadIntoModel,
  numberToBf16Bits,
  numberToF16Bits,
  parseSafetensors,
  parseStateDictJson,
  writeSafetensors,
} from '../../src/engine';
import type { ModelSpec, StateDict } from '../../src/engine';
import { expectClose } from './helpers';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'reference',
);
const readJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as Record<string, unknown>;

/** Builds a safetensors file from a header object (or raw header text) and data bytes. */
function build(header: unknown, data: ArrayLike<number>, headerLength?: number): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength ?? h.length, true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return b;
}

function u16Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setUint16(2 * i, x, true));
  return b;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
  throw new Error('expected an EngineError');
}

const f32 = (x: number): number => Math.fround(x);

describe('safetensors: reading', () => {
  it('reads the reference file written by the safetensors library', () => {
    const bytes = new Uint8Array(readFileSync(path.join(fixtures, 'st_lstm_f32.safetensors')));
    const file = parseSafetensors(bytes);
    expect(file.metadata).toEqual({ note: 'Net(rnn, fc) state_dict' });
    expect(Object.keys(file.tensors)).toHaveLength(10);
    expect(file.tensors['rnn.weight_ih_l0'].shape).toEqual([24, 3]);
    expect(file.tensors['fc.weight'].shape).toEqual([2, 6]);
    expect(file.dtypes['fc.bias']).toBe('F32');
    // The first value of fc.bias, read independently with a DataView at its data offset.
    const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const first = new DataView(bytes.buffer, bytes.byteOffset).getFloat32(8 + headerLen, true);
    expect(file.tensors['fc.bias'].data[0]).toBe(first);
  });

  it('decodes hand-built F16 bytes (normal, negative, subnormal, max)', () => {
    const bits = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555, 0x8000];
    const file = parseSafetensors(
      build({ a: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] } }, u16Bytes(bits)),
    );
    expect(Array.from(file.tensors.a.data)).toEqual([
      1,
      -2,
      2 ** -24,
      65504,
      f32(0.333251953125),
      -0,
    ]);
    expect(file.dtypes.a).toBe('F16');
  });

  it('decodes hand-built BF16 bytes (the high 16 bits of a float32)', () => {
    const bits = [0x3f80, 0xc040, 0x3dcd, 0x4049];
    const file = parseSafetensors(
      build({ b: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, u16Bytes(bits)),
    );
    expect(Array.from(file.tensors.b.data)).toEqual([1, -3, 0.10009765625, 3.140625]);
  });

  it('reads F64 and rounds to float32', () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setFloat64(0, 0.1, true);
    new DataView(b.buffer).setFloat64(8, -2.5, true);
    const file = parseSafetensors(
      build({ d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, b),
    );
    expect(Array.from(file.tensors.d.data)).toEqual([f32(0.1), -2.5]);
  });

  it('copies unaligned data (header length not a multiple of 4)', () => {
    const header = JSON.stringify({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } });
    const odd = header + ' '.repeat(header.length % 2 === 0 ? 1 : 0); // odd length
    const bytes = build(odd, f32Bytes([1.5, -2.25, 3]));
    expect((8 + odd.length) % 4).not.toBe(0);
    // Also from a view starting at an odd byte offset of a larger buffer.
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    for (const b of [bytes, big.subarray(3)]) {
      expect(Array.from(parseSafetensors(b).tensors.x.data)).toEqual([1.5, -2.25, 3]);
    }
  });

  it('accepts empty tensors and headers padded with spaces', () => {
    const header = `${JSON.stringify({
      e: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] },
      v: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    })}      `;
    const file = parseSafetensors(build(header, f32Bytes([7])));
    expect(file.tensors.e.data.length).toBe(0);
    expect(file.tensors.v.data[0]).toBe(7);
  });
});

describe('safetensors: every malformed input names its problem', () => {
  const ok = { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } };
  const data = f32Bytes([1, 2, 3, 4]);

  it('file shorter than 8 bytes', () => {
    expect(() => parseSafetensors(new Uint8Array(5))).toThrow(
      'safetensors: the file is 5 bytes long; it needs at least 8 bytes (the header length).',
    );
  });

  it('header length out of bounds (too long, and beyond 2^32)', () => {
    const bytes = build(ok, data, 5000);
    expect(() => parseSafetensors(bytes)).toThrow(
      /header length 5000 is out of bounds: only \d+ bytes follow/,
    );
    const huge = build(ok, data);
    new DataView(huge.buffer).setUint32(4, 1, true);
    expect(codeOf(() => parseSafetensors(huge))).toBe('ST_HEADER_LENGTH');
  });

  it('header not JSON, not an object, bad UTF-8', () => {
    expect(() => parseSafetensors(build('{"w": [', []))).toThrow(/header is not valid: not JSON/);
    expect(() => parseSafetensors(build('[1, 2]', []))).toThrow(/must be a JSON object/);
    const bad = build('{"a":1}', []);
    bad[9] = 0xff;
    expect(() => parseSafetensors(bad)).toThrow(/not UTF-8/);
  });

  it('unknown dtype', () => {
    const bytes = build({ w: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data);
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: tensor `w` has unsupported dtype "I64"; supported: F32, F64, F16, BF16.',
    );
  });

  it('shape x dtype size differs from the byte count', () => {
    const bytes = build({ w: { dtype: 'F32', shape: [3, 2], data_offsets: [0, 16] } }, data);
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: tensor `w` has shape [3, 2] x F32 (4 bytes each) = 24 bytes, but its data_offsets [0, 16] hold 16 bytes.',
    );
  });

  it('offsets out of range, and a truncated file', () => {
    const bytes = build({ w: { dtype: 'F32', shape: [2, 4], data_offsets: [0, 32] } }, data);
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: tensor `w` has data_offsets [0, 32] out of range: the data section is 16 bytes.',
    );
    const ref = new Uint8Array(readFileSync(path.join(fixtures, 'st_lstm_f32.safetensors')));
    expect(() => parseSafetensors(ref.subarray(0, ref.length - 10))).toThrow(
      /tensor `rnn\.weight_ih_l1` has data_offsets \[1880, 2456\] out of range/,
    );
  });

  it('overlapping offsets', () => {
    const bytes = build(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      f32Bytes([1, 2, 3]),
    );
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: the data of tensors `a` [0, 8] and `b` [4, 12] overlap.',
    );
  });

  it('non-contiguous offsets: a gap, a late start, trailing bytes', () => {
    const gap = build(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      },
      f32Bytes([1, 2, 3]),
    );
    expect(() => parseSafetensors(gap)).toThrow(
      'safetensors: data offsets are not contiguous: bytes [4, 8) between tensors `a` and `b` belong to no tensor.',
    );
    const late = build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32Bytes([1, 2]));
    expect(() => parseSafetensors(late)).toThrow(/the first tensor `a` begins at byte 4, not 0/);
    const trailing = build(
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      f32Bytes([1, 2]),
    );
    expect(() => parseSafetensors(trailing)).toThrow(/4 bytes of the data section follow the last/);
  });

  it('non-finite values name the tensor and the index', () => {
    const bytes = build(ok, f32Bytes([1, 2, 3, Number.NaN]));
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: tensor `w` has a non-finite value (NaN) at flat index 3 (position [1, 1]).',
    );
    const inf = build(
      { h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } },
      u16Bytes([0x3c00, 0xfc00]),
    );
    expect(() => parseSafetensors(inf)).toThrow(
      /`h` has a non-finite value \(-Infinity\) at flat index 1/,
    );
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, 1e300, true);
    const big = build({ d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, b);
    expect(() => parseSafetensors(big)).toThrow(/1e\+300, beyond the float32 range/);
  });

  it('malformed entries', () => {
    const noShape = build({ w: { dtype: 'F32', data_offsets: [0, 16] } }, data);
    expect(() => parseSafetensors(noShape)).toThrow(/tensor `w` shape must be an array/);
    const badOffsets = build({ w: { dtype: 'F32', shape: [4], data_offsets: [0] } }, data);
    expect(() => parseSafetensors(badOffsets)).toThrow(/data_offsets must be two non-negative/);
    const badMeta = build({ __metadata__: { n: 1 }, ...ok }, data);
    expect(() => parseSafetensors(badMeta)).toThrow(/__metadata__.n must be a string/);
  });
});

describe('safetensors: writing', () => {
  const tensors = {
    'rnn.weight': { shape: [2, 3], data: Float32Array.from([0.1, -0.2, 0.3, 1.5, -2, 1e-3]) },
    bias: { shape: [2], data: Float32Array.from([65504, -1e-5]) },
  };

  it.each(SAFETENSORS_DTYPES.map((d) => [d]))('round-trips %s', (dtype) => {
    const bytes = writeSafetensors(tensors, { dtype, metadata: { by: 'gatescope' } });
    // Header padded with spaces to 8 bytes, as the reference library writes it.
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ by: 'gatescope' });
    expect(Object.keys(back.tensors)).toEqual(['rnn.weight', 'bias']);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(back.dtypes[name]).toBe(dtype);
      const expected = Array.from(t.data, (v) =>
        dtype === 'F16'
          ? f16BitsToNumber(numberToF16Bits(v))
          : dtype === 'BF16'
            ? bf16BitsToNumber(numberToBf16Bits(v))
            : v,
      );
      expect(Array.from(back.tensors[name].data)).toEqual(expected.map(f32));
    }
  });

  it('writes and reads UTF-8 names and metadata (Vietnamese, emoji)', () => {
    const bytes = writeSafetensors(
      { 'trọng_số.😀': { shape: [1], data: [2] } },
      { metadata: { ghi_chú: 'Mô hình LSTM đã huấn luyện' } },
    );
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ ghi_chú: 'Mô hình LSTM đã huấn luyện' });
    expect(Array.from(back.tensors['trọng_số.😀'].data)).toEqual([2]);
    // Byte-identical to TextEncoder's encoding of the same header.
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(JSON.parse(text)).toHaveProperty(['trọng_số.😀']);
  });

  it('rounds F16 and BF16 to nearest even, as torch', () => {
    // Values from numpy float16 / the float32 bit pattern.
    expect(numberToF16Bits(0.1)).toBe(0x2e66);
    expect(numberToF16Bits(65520)).toBe(0x7c00); // rounds to infinity
    expect(numberToF16Bits(3e-8)).toBe(0x0001); // subnormal
    expect(numberToF16Bits(2.98e-8)).toBe(0x0000);
    expect(numberToF16Bits(-0.0001)).toBe(0x868e);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(numberToBf16Bits(0.1)).toBe(0x3dcd);
    expect(numberToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(numberToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it('refuses non-finite values, overflow and bad shapes, naming the tensor', () => {
    expect(() =>
      writeSafetensors({ w: { shape: [2], data: [1, Number.POSITIVE_INFINITY] } }),
    ).toThrow(/cannot write tensor `w`: value Infinity at flat index 1/);
    expect(() => writeSafetensors({ w: { shape: [1], data: [70000] } }, { dtype: 'F16' })).toThrow(
      /value 70000 .* is not finite in F16/,
    );
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      /shape \[2, 2\] needs 4 values, got 3/,
    );
  });
});

const lstmSpec: ModelSpec = {
  cell: 'lstm',
  inputSize: 3,
  hiddenSize: 4,
  numLayers: 2,
  bidirectional: true,
  bias: true,
  readout: { outputSize: 2, mode: 'every' },
};

function withPrefix(sd: StateDict, prefix: string, readoutPrefix = 'fc.'): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) {
    out[k.startsWith('fc.') ? readoutPrefix + k.slice(3) : prefix + k] = v;
  }
  return out;
}

describe('state_dict: spec inference', () => {
  it('reads every forward reference case spec from its shapes (cell hint for relu/textbook)', () => {
    const names = readdirSync(fixtures).filter((n) => n.endsWith('.json'));
    let checked = 0;
    for (const name of names) {
      const c = readJson(name);
      if (c.kind !== 'forward' && c.kind !== 'forward-external') continue;
      const spec = c.spec as ModelSpec;
      const sd = parseStateDictJson(c.stateDict);
      const inferred = inferSpec(sd);
      const base =
        spec.cell === 'rnn-relu' ? 'rnn-tanh' : spec.cell === 'gru-textbook' ? 'gru' : spec.cell;
      expect(inferred, name).toEqual({ ...spec, cell: base });
      expect(inferSpec(sd, { cell: spec.cell }), name).toEqual(spec);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('reads a train case (prefixes rnn. and fc.)', () => {
    const c = readJson('train_gru_ce_sgd_momentum.json');
    const sd = parseStateDictJson(c.initialStateDict);
    const imported = importStateDict(sd);
    expect(imported.spec).toEqual({
      cell: 'gru',
      inputSize: 4,
      hiddenSize: 5,
      numLayers: 1,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 4, mode: 'every' },
    });
    expect(imported.prefix).toBe('rnn.');
    expect(imported.readoutPrefix).toBe('fc.');
    expectClose(
      imported.model.views['fc.bias'],
      (c.initialStateDict as Record<string, { data: number[] }>)['fc.bias'].data,
      0,
      'fc.bias',
    );
  });

  it('reads the reference safetensors file', () => {
    const bytes = new Uint8Array(readFileSync(path.join(fixtures, 'st_lstm_f32.safetensors')));
    const { spec, metadata } = importSafetensors(bytes, { readoutMode: 'every' });
    expect(spec).toEqual({
      cell: 'lstm',
      inputSize: 3,
      hiddenSize: 6,
      numLayers: 2,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 2, mode: 'every' },
    });
    expect(metadata?.note).toBe('Net(rnn, fc) state_dict');
  });

  it.each([[''], ['rnn.'], ['lstm.'], ['model.lstm.'], ['encoder.layers.0.']])(
    'accepts the common prefix %j',
    (prefix) => {
      const model = createModel(lstmSpec, { seed: 3 });
      const sd = withPrefix(exportStateDict(model, { prefix: '' }), prefix, 'model.fc.');
      const imported = importStateDict(sd);
      expect(imported.spec).toEqual(lstmSpec);
      expect(imported.prefix).toBe(prefix);
      expect(imported.readoutPrefix).toBe('model.fc.');
      expectClose(imported.model.params, model.params, 0, `params under ${prefix}`);
    },
  );

  it('infers no bias, one direction, no readout', () => {
    const spec: ModelSpec = {
      cell: 'gru',
      inputSize: 2,
      hiddenSize: 3,
      numLayers: 3,
      bidirectional: false,
      bias: false,
    };
    const sd = exportStateDict(createModel(spec, { seed: 1 }));
    expect(Object.keys(sd)[0]).toBe('weight_ih_l0'); // no prefix without a readout
    expect(inferSpec(sd)).toEqual(spec);
    expect(inferSpec(sd, { cell: 'gru-textbook' }).cell).toBe('gru-textbook');
  });

  it('accepts nested lists as tensor.tolist() writes them', () => {
    const sd = parseStateDictJson({
      weight_ih_l0: [[0.5], [-0.5]],
      weight_hh_l0: [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
    });
    expect(sd.weight_hh_l0).toEqual({
      shape: [2, 2],
      data: Float32Array.from([0.1, 0.2, 0.3, 0.4]),
    });
    expect(inferSpec(sd, { cell: 'rnn-relu' })).toEqual({
      cell: 'rnn-relu',
      inputSize: 1,
      hiddenSize: 2,
      numLayers: 1,
      bidirectional: false,
      bias: false,
    });
  });
});

describe('state_dict: errors name the exact problem', () => {
  const model = createModel(lstmSpec, { seed: 5 });
  const base = (): StateDict => exportStateDict(model); // rnn. + fc.

  it('missing key', () => {
    const sd = base();
    delete sd['rnn.bias_hh_l1_reverse'];
    expect(() => importStateDict(sd)).toThrow(
      /state_dict is missing key `rnn\.bias_hh_l1_reverse` \(expected shape \[16\]\)/,
    );
    const noFcBias = base();
    delete noFcBias['fc.bias'];
    expect(() => importStateDict(noFcBias)).toThrow(
      /missing key `fc\.bias` \(expected shape \[2\]\)/,
    );
  });

  it('unexpected key', () => {
    const sd = { ...base(), 'rnn.weight_hr_l0': { shape: [1], data: new Float32Array(1) } };
    expect(() => importStateDict(sd)).toThrow(
      'state_dict has unexpected key `rnn.weight_hr_l0`: LSTM projections (proj_size) are not supported.',
    );
    const other = { ...base(), 'embedding.weight': { shape: [1], data: new Float32Array(1) } };
    expect(() => importStateDict(other)).toThrow(
      /unexpected key `embedding\.weight`: it is neither .* a linear readout must be saved as fc\.weight/,
    );
    const extraLayer = { ...base() };
    const spec1 = { ...lstmSpec, numLayers: 1 };
    expect(() => checkStateDict(extraLayer, spec1)).toThrow(
      /unexpected key `rnn\.weight_ih_l1`: the model has 1 layer/,
    );
  });

  it('expected versus actual shape', () => {
    const sd = base();
    sd['rnn.bias_ih_l1'] = { shape: [15], data: new Float32Array(15) };
    expect(() => importStateDict(sd)).toThrow(
      /state_dict key `rnn\.bias_ih_l1` has shape \[15\], expected \[16\] \(lstm, inputSize 3, hiddenSize 4, 2 layers, bidirectional, readout 2\)/,
    );
    const gru = exportStateDict(createModel({ ...lstmSpec, cell: 'gru' }));
    expect(() => importStateDict(gru, { cell: 'lstm' })).toThrow(
      /`rnn\.weight_hh_l0` has shape \[12, 4\], expected \[16, 4\] \(lstm with hidden size 4 has 4 gate blocks\)/,
    );
  });

  it('rows that fit no cell', () => {
    const sd = base();
    sd['rnn.weight_hh_l0'] = { shape: [8, 4], data: new Float32Array(32) };
    expect(() => importStateDict(sd)).toThrow(
      'state_dict key `rnn.weight_hh_l0` has 8 rows for hidden size 4: expected 4 (RNN), 12 (GRU) or 16 (LSTM).',
    );
  });

  it('inconsistent hidden sizes', () => {
    const sd = base();
    sd['rnn.weight_hh_l1'] = { shape: [20, 5], data: new Float32Array(100) };
    expect(() => importStateDict(sd)).toThrow(
      'state_dict has inconsistent hidden sizes: `rnn.weight_hh_l0` implies H = 4, `rnn.weight_hh_l1` implies H = 5.',
    );
  });

  it('mixed prefixes', () => {
    const sd = { ...base(), 'enc.weight_ih_l0': base()['rnn.weight_ih_l0'] };
    expect(() => importStateDict(sd)).toThrow(/mixes recurrent key prefixes `rnn\.` and `enc\.`/);
  });

  it('non-finite values with key and index', () => {
    const sd = base();
    const bad = sd['rnn.weight_hh_l0'].data.slice();
    bad[9] = Number.NaN;
    sd['rnn.weight_hh_l0'] = { shape: [16, 4], data: bad };
    expect(() => importStateDict(sd)).toThrow(
      'state_dict key `rnn.weight_hh_l0` has a non-finite value (NaN) at flat index 9 (position [2, 1]).',
    );
    expect(() => parseStateDictJson({ w: { shape: [2], data: [1, 1e39] } })).toThrow(
      'state_dict key `w` has a non-finite value (1e+39, beyond the float32 range) at flat index 1 (position [1]).',
    );
  });

  it('malformed JSON tensors', () => {
    expect(() => parseStateDictJson('{')).toThrow(/state_dict: not valid JSON/);
    expect(() => parseStateDictJson([])).toThrow(/expected an object/);
    expect(() => parseStateDictJson({ w: { shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      'state_dict key `w` must be a tensor {shape: [..], data: [..]}: shape [2, 2] needs 4 values, data has 3.',
    );
    expect(() => parseStateDictJson({ w: { shape: [2], data: [1, 'x'] } })).toThrow(
      /value at flat index 1 is string, not a number/,
    );
    expect(() => parseStateDictJson({ w: [[1, 2], [3]] })).toThrow(/ragged/);
  });

  it('a failed load leaves the model unchanged', () => {
    const target = createModel(lstmSpec, { seed: 9 });
    const before = target.params.slice();
    const sd = base();
    sd['fc.weight'] = { shape: [2, 8], data: Float32Array.from({ length: 16 }, () => Number.NaN) };
    expect(codeOf(() => loadIntoModel(target, sd))).toBe('SD_NON_FINITE');
    expectClose(target.params, before, 0, 'params after a failed load');
    loadIntoModel(target, base());
    expectClose(target.params, model.params, 0, 'params after a good load');
  });
});

describe('state_dict: export', () => {
  it('names keys as PyTorch does and round-trips through JSON and safetensors', () => {
    const model = createModel(lstmSpec, { seed: 11 });
    const json = exportStateDictJson(model);
    expect(Object.keys(json)).toEqual([
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'rnn.weight_ih_l0_reverse',
      'rnn.weight_hh_l0_reverse',
      'rnn.bias_ih_l0_reverse',
      'rnn.bias_hh_l0_reverse',
      'rnn.weight_ih_l1',
      'rnn.weight_hh_l1',
      'rnn.bias_ih_l1',
      'rnn.bias_hh_l1',
      'rnn.weight_ih_l1_reverse',
      'rnn.weight_hh_l1_reverse',
      'rnn.bias_ih_l1_reverse',
      'rnn.bias_hh_l1_reverse',
      'fc.weight',
      'fc.bias',
    ]);
    expect(json['rnn.weight_ih_l1'].shape).toEqual([16, 8]);
    const fromJson = importStateDict(parseStateDictJson(JSON.stringify(json)));
    expectClose(fromJson.model.params, model.params, 0, 'JSON round trip');

    const st = importSafetensors(
      exportSafetensors(model, { prefix: 'lstm.', metadata: { a: 'b' } }),
    );
    expect(st.prefix).toBe('lstm.');
    expect(st.metadata?.a).toBe('b');
    expectClose(st.model.params, model.params, 0, 'safetensors round trip');

    const half = importSafetensors(exportSafetensors(model, { dtype: 'BF16' }));
    expectClose(half.model.params, model.params, 2 ** -8, 'BF16 round trip');
  });

  it('records the spec in safetensors metadata, so the cell variant and readout mode survive', () => {
    const spec: ModelSpec = {
      cell: 'gru-textbook',
      inputSize: 2,
      hiddenSize: 3,
      numLayers: 1,
      bidirectional: false,
      bias: true,
      readout: { outputSize: 2, mode: 'last' },
    };
    const bytes = exportSafetensors(createModel(spec, { seed: 2 }));
    const back = importSafetensors(bytes);
    expect(back.spec).toEqual(spec);
    expect(JSON.parse(back.metadata?.[SPEC_METADATA_KEY] ?? '')).toEqual(spec);
    // Without the hint (as a file from PyTorch), shapes say GRU: the PyTorch form.
    const file = parseSafetensors(bytes);
    const plain = importSafetensors(writeSafetensors(file.tensors));
    expect(plain.spec.cell).toBe('gru');
    // Hand-edited metadata is advisory: a broken hint falls back to the shapes.
    const edited = importSafetensors(
      writeSafetensors(file.tensors, { metadata: { [SPEC_METADATA_KEY]: '{oops' } }),
    );
    expect(edited.spec.cell).toBe('gru');
    expect(importSafetensors(bytes, { cell: 'gru' }).spec.cell).toBe('gru');
  });
});
