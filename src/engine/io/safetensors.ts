/**
 * `.safetensors` reading and writing, pure (bytes in, bytes out: no DOM, no Node modules).
 *
 * Layout (https://github.com/huggingface/safetensors):
 * ```
 * [0, 8)          N, the header length, unsigned 64-bit little-endian
 * [8, 8 + N)      UTF-8 JSON: { "<name>": { "dtype", "shape", "data_offsets": [begin, end] },
 *                               "__metadata__"?: { "<key>": "<string>" } }
 * [8 + N, ...)    the data section; offsets are relative to its start
 * ```
 * Tensors are row-major little-endian. The reference library requires the tensors to tile the
 * data section exactly (sorted by offset: first begins at 0, each begins where the previous
 * ends, the last ends at the end of the file); so do we. Offsets need not be aligned, so every
 * value is copied out through a `DataView`, never viewed in place.
 */

import type { Tensor } from '../types';
import { EngineError } from '../errors';
import { decodeUtf8, encodeUtf8 } from './utf8';

/** The floating dtypes the engine reads; all are converted to float32 on load. */
export const SAFETENSORS_DTYPES = ['F32', 'F64', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

/** The decoded content of a `.safetensors` file. */
export interface SafetensorsFile {
  /** Tensors by name, in header order, converted to float32. */
  tensors: Record<string, Tensor>;
  /** The dtype each tensor had in the file. */
  dtypes: Record<string, SafetensorsDtype>;
  /** The optional `__metadata__` string map, or null when absent. */
  metadata: Record<string, string> | null;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary16 bits -> number (exact). */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number -> binary16 bits, via float32, rounding to nearest even (as torch's `.half()`). */
export function numberToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m * 2^-24; float32 value = M * 2^(exp - 150) with M = 1.mant.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** bfloat16 bits -> number (exact): the high 16 bits of a float32. */
export function bf16BitsToNumber(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0];
}

/** number -> bfloat16 bits, via float32, rounding to nearest even (as torch's `.bfloat16()`). */
export function numberToBf16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Flat row-major index -> multi-index, for error messages. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d];
    if (n > 0) {
      idx[d] = rest % n;
      rest = Math.floor(rest / n);
    }
  }
  return idx;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDtype(v: unknown): v is SafetensorsDtype {
  return typeof v === 'string' && (SAFETENSORS_DTYPES as readonly string[]).includes(v);
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a `.safetensors` file. Every floating dtype (F32, F64, F16, BF16) is converted to a
 * fresh float32 `Tensor` (F64 values are rounded to float32).
 *
 * @throws EngineError with a code `ST_*` naming the exact problem: the file is truncated,
 *   the header length is out of bounds, the header is not JSON, a dtype is unsupported, a
 *   shape does not match its byte count, offsets are out of range, overlap or leave gaps, or a
 *   value is not finite (with the tensor name and the index).
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) {
    throw new EngineError('ST_TRUNCATED', { actual: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (headerLength > bytes.length - 8) {
    throw new EngineError('ST_HEADER_LENGTH', {
      length: headerLength,
      available: bytes.length - 8,
    });
  }
  const text = decodeHeader(bytes, 8, 8 + headerLength);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new EngineError('ST_HEADER_JSON', {
      problem: `not JSON (${e instanceof Error ? e.message : String(e)})`,
    });
  }
  if (!isPlainObject(header)) {
    throw new EngineError('ST_HEADER_JSON', { problem: 'it must be a JSON object' });
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(raw);
      continue;
    }
    entries.push(parseEntry(name, raw, dataLength));
  }

  checkTiling(entries, dataLength);

  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, SafetensorsDtype> = {};
  for (const entry of entries) {
    tensors[entry.name] = { shape: entry.shape, data: decodeData(view, dataStart, entry) };
    dtypes[entry.name] = entry.dtype;
  }
  return { tensors, dtypes, metadata };
}

function decodeHeader(bytes: Uint8Array, start: number, end: number): string {
  const text = decodeUtf8(bytes, start, end);
  if (text === null) throw new EngineError('ST_HEADER_JSON', { problem: 'not UTF-8 text' });
  return text;
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (!isPlainObject(raw)) {
    throw new EngineError('ST_HEADER_JSON', {
      problem: '__metadata__ must be an object of strings',
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') {
      throw new EngineError('ST_HEADER_JSON', {
        problem: `__metadata__.${k} must be a string, got ${typeof v}`,
      });
    }
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataLength: number): Entry {
  if (!isPlainObject(raw)) {
    throw new EngineError('ST_HEADER_JSON', {
      problem: `entry \`${name}\` must be an object {dtype, shape, data_offsets}`,
    });
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (!isDtype(dtype)) {
    throw new EngineError('ST_DTYPE', { name, dtype: JSON.stringify(dtype) ?? 'undefined' });
  }
  if (
    !Array.isArray(shape) ||
    !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new EngineError('ST_HEADER_JSON', {
      problem: `tensor \`${name}\` shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    });
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o): o is number => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new EngineError('ST_HEADER_JSON', {
      problem: `tensor \`${name}\` data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`,
    });
  }
  const [begin, end] = offsets;
  if (begin > end || end > dataLength) {
    throw new EngineError('ST_OFFSETS_RANGE', { name, begin, end, available: dataLength });
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = count * DTYPE_BYTES[dtype];
  if (expectedBytes !== end - begin) {
    throw new EngineError('ST_BYTE_COUNT', {
      name,
      shape: shape.join(', '),
      dtype,
      bytesPer: DTYPE_BYTES[dtype],
      expected: expectedBytes,
      begin,
      end,
      actual: end - begin,
    });
  }
  return { name, dtype, shape: shape.slice(), begin, end };
}

/** The tensors must tile the data section: no overlap, no gap, nothing left over. */
function checkTiling(entries: readonly Entry[], dataLength: number): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const entry of sorted) {
    if (entry.begin < cursor && previous) {
      throw new EngineError('ST_OFFSETS_OVERLAP', {
        first: previous.name,
        firstBegin: previous.begin,
        firstEnd: previous.end,
        second: entry.name,
        secondBegin: entry.begin,
        secondEnd: entry.end,
      });
    }
    if (entry.begin > cursor) {
      throw new EngineError('ST_OFFSETS_GAP', {
        problem: previous
          ? `bytes [${cursor}, ${entry.begin}) between tensors \`${previous.name}\` and \`${entry.name}\` belong to no tensor`
          : `the first tensor \`${entry.name}\` begins at byte ${entry.begin}, not 0`,
      });
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor !== dataLength) {
    throw new EngineError('ST_OFFSETS_GAP', {
      problem: `${dataLength - cursor} bytes of the data section follow the last tensor`,
    });
  }
}

function decodeData(view: DataView, dataStart: number, entry: Entry): Float32Array {
  const n = (entry.end - entry.begin) / DTYPE_BYTES[entry.dtype];
  const out = new Float32Array(n);
  const base = dataStart + entry.begin;
  for (let i = 0; i < n; i++) {
    let v: number;
    switch (entry.dtype) {
      case 'F32':
        v = view.getFloat32(base + 4 * i, true);
        break;
      case 'F64':
        v = view.getFloat64(base + 8 * i, true);
        break;
      case 'F16':
        v = f16BitsToNumber(view.getUint16(base + 2 * i, true));
        break;
      case 'BF16':
        v = bf16BitsToNumber(view.getUint16(base + 2 * i, true));
        break;
    }
    if (!Number.isFinite(v)) nonFinite(entry, i, String(v));
    out[i] = v;
    if (!Number.isFinite(out[i])) nonFinite(entry, i, `${v}, beyond the float32 range`);
  }
  return out;
}

function nonFinite(entry: Entry, index: number, what: string): never {
  throw new EngineError('ST_NON_FINITE', {
    name: entry.name,
    value: what,
    index,
    position: unravelIndex(index, entry.shape).join(', '),
  });
}

/** What `writeSafetensors` accepts per tensor: a shape and row-major values. */
export interface TensorLike {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export interface WriteSafetensorsOptions {
  /** Storage dtype for every tensor (default F32). F16/BF16 round to nearest even. */
  dtype?: SafetensorsDtype;
  /** Optional `__metadata__` string map. */
  metadata?: Record<string, string>;
}

/**
 * Writes tensors (in the given key order) as a `.safetensors` file, loadable by
 * `safetensors.torch.load_file`. The header is padded with spaces to a multiple of 8 bytes,
 * as the reference library does, so F32/F64 data of the written file is aligned.
 *
 * @throws EngineError `ST_WRITE` when a shape does not match its data length or a value is not
 *   finite (or overflows the chosen dtype).
 */
export function writeSafetensors(
  tensors: Record<string, TensorLike>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  const size = DTYPE_BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = { ...options.metadata };
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === '__metadata__') {
      throw new EngineError('ST_WRITE', { name, problem: 'the name is reserved for metadata' });
    }
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new EngineError('ST_WRITE', {
        name,
        problem: `shape [${t.shape.join(', ')}] needs ${count} values, got ${t.data.length}`,
      });
    }
    header[name] = { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + count * size] };
    offset += count * size;
  }
  let headerBytes = encodeUtf8(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const { data, shape } = tensors[name];
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) writeNonFinite(name, shape, i, String(v), dtype);
      switch (dtype) {
        case 'F32':
          view.setFloat32(pos, v, true);
          if (!Number.isFinite(view.getFloat32(pos, true)))
            writeNonFinite(name, shape, i, String(v), dtype);
          break;
        case 'F64':
          view.setFloat64(pos, v, true);
          break;
        case 'F16': {
          const bits = numberToF16Bits(v);
          if ((bits & 0x7c00) === 0x7c00) writeNonFinite(name, shape, i, String(v), dtype);
          view.setUint16(pos, bits, true);
          break;
        }
        case 'BF16': {
          const bits = numberToBf16Bits(v);
          if ((bits & 0x7f80) === 0x7f80) writeNonFinite(name, shape, i, String(v), dtype);
          view.setUint16(pos, bits, true);
          break;
        }
      }
      pos += size;
    }
  }
  return out;
}

function writeNonFinite(
  name: string,
  shape: readonly number[],
  index: number,
  value: string,
  dtype: SafetensorsDtype,
): never {
  throw new EngineError('ST_WRITE', {
    name,
    problem: `value ${value} at flat index ${index} (position [${unravelIndex(index, shape).join(', ')}]) is not finite in ${dtype}`,
  });
}
