import { describe, expect, it } from 'vitest';
import { QUANTITY_RANGE, type Quantity } from '../../src/engine/types';
import {
  DIVERGING_LUT,
  LUT_SIZE,
  SEQUENTIAL_LUT,
  cssColor,
  domainFor,
  lutIndex,
  NAN_CSS,
  packRgba,
  scaleFor,
  unpackRgba,
} from '../../src/viz/color';

const SIGMOID: Quantity[] = ['i', 'f', 'o', 'r', 'z'];
const TANH: Quantity[] = ['g', 'n', 'h'];

describe('colour lookup tables', () => {
  it('are 256 packed RGBA entries, fully opaque', () => {
    for (const lut of [SEQUENTIAL_LUT, DIVERGING_LUT]) {
      expect(lut.packed).toBeInstanceOf(Uint32Array);
      expect(lut.packed.length).toBe(LUT_SIZE);
      expect(lut.css).toHaveLength(LUT_SIZE);
      for (const p of lut.packed) expect(unpackRgba(p)[3]).toBe(255);
    }
  });

  it('packs bytes so a Uint32Array write lays out R, G, B, A', () => {
    const u32 = new Uint32Array([packRgba(10, 20, 30, 40)]);
    expect([...new Uint8ClampedArray(u32.buffer)]).toEqual([10, 20, 30, 40]);
  });

  it('uses the sequential table on [0, 1] for every sigmoid gate', () => {
    for (const q of SIGMOID) {
      expect(QUANTITY_RANGE[q]).toBe('sigmoid');
      expect(scaleFor(q).lut).toBe(SEQUENTIAL_LUT);
      expect(scaleFor(q).lut.kind).toBe('sequential');
      expect(domainFor(q)).toEqual([0, 1]);
    }
  });

  it('uses the diverging table on [-1, 1] centred at 0 for tanh quantities', () => {
    for (const q of TANH) {
      expect(scaleFor(q).lut).toBe(DIVERGING_LUT);
      expect(domainFor(q)).toEqual([-1, 1]);
      expect(lutIndex(0, domainFor(q))).toBe(LUT_SIZE / 2);
    }
    // +-0.5 land the same number of entries either side of the middle one.
    expect(128 - lutIndex(-0.5, [-1, 1])).toBe(lutIndex(0.5, [-1, 1]) - 128);
  });

  it('diverging centre is near white and the ends are blue (negative) and red (positive)', () => {
    const [r0, , b0] = unpackRgba(DIVERGING_LUT.packed[0]);
    const [rm, gm, bm] = unpackRgba(DIVERGING_LUT.packed[128]);
    const [r1, , b1] = unpackRgba(DIVERGING_LUT.packed[255]);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(Math.min(rm, gm, bm)).toBeGreaterThan(230);
  });

  it('gives c a symmetric domain from the data max |c|', () => {
    expect(scaleFor('c').lut).toBe(DIVERGING_LUT);
    expect(domainFor('c', Float32Array.from([0.5, -3, 2, NaN]))).toEqual([-3, 3]);
    expect(lutIndex(0, domainFor('c', [2.5, -1]))).toBe(128);
  });

  it('clamps out-of-domain values to the ends and marks NaN', () => {
    expect(lutIndex(-7, [0, 1])).toBe(0);
    expect(lutIndex(7, [0, 1])).toBe(255);
    expect(lutIndex(1, [0, 1])).toBe(255);
    expect(lutIndex(NaN, [0, 1])).toBe(-1);
    expect(cssColor(NaN, SEQUENTIAL_LUT, [0, 1])).toBe(NAN_CSS);
    expect(cssColor(0, SEQUENTIAL_LUT, [0, 1])).toBe(SEQUENTIAL_LUT.css[0]);
  });
});
