import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import { QUANTITY_RANGE, type Quantity } from '../engine/types';

/** Number of entries of every colour lookup table. */
export const LUT_SIZE = 256;

/**
 * A colour lookup table: 256 RGBA colours packed for a `Uint32Array` view over
 * `ImageData.data` (so one write per pixel), plus the CSS strings for legends.
 */
export interface ColorLut {
  readonly name: string;
  readonly kind: 'sequential' | 'diverging';
  /** Packed in the platform's byte order: write straight into `new Uint32Array(imageData.data.buffer)`. */
  readonly packed: Uint32Array;
  /** `rgb(r, g, b)` of each entry, for legends and SVG fills. */
  readonly css: readonly string[];
  /** Packed colour for NaN / missing values (also in the platform's byte order). */
  readonly nanPacked: number;
}

/** NaN is drawn black: a colour neither table contains (cividis starts at dark blue, RdBu ends in dark blue/red). */
export const NAN_RGBA: readonly [number, number, number, number] = [0, 0, 0, 255];
export const NAN_CSS = 'rgb(0, 0, 0)';

/** True on little-endian platforms (all browsers in practice; checked once so big-endian still works). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([0x01020304]).buffer)[0] === 0x04;

/** Pack an RGBA byte quadruple so a `Uint32Array` write lays the bytes out as R, G, B, A in memory. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return LITTLE_ENDIAN
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** Unpack a colour written by {@link packRgba}, as `[r, g, b, a]`. */
export function unpackRgba(p: number): [number, number, number, number] {
  return LITTLE_ENDIAN
    ? [p & 255, (p >>> 8) & 255, (p >>> 16) & 255, p >>> 24]
    : [p >>> 24, (p >>> 16) & 255, (p >>> 8) & 255, p & 255];
}

/**
 * Build a 256-entry table from a d3 interpolator, once: entry k is the colour
 * at `k / 255`. Drawing then costs a table read per cell, never an interpolator call.
 */
export function buildLut(
  name: string,
  kind: ColorLut['kind'],
  interpolate: (t: number) => string,
): ColorLut {
  const packed = new Uint32Array(LUT_SIZE);
  const css: string[] = [];
  for (let k = 0; k < LUT_SIZE; k++) {
    const c = rgb(interpolate(k / (LUT_SIZE - 1)));
    const r = Math.round(c.r);
    const g = Math.round(c.g);
    const b = Math.round(c.b);
    packed[k] = packRgba(r, g, b, 255);
    css.push(`rgb(${r}, ${g}, ${b})`);
  }
  return { name, kind, packed, css, nanPacked: packRgba(...NAN_RGBA) };
}

/** Sequential, colour-vision safe: sigmoid gates on [0, 1]. */
export const SEQUENTIAL_LUT: ColorLut = buildLut('cividis', 'sequential', interpolateCividis);
/** Diverging, colour-vision safe, RdBu reversed (negative blue, zero white, positive red). */
export const DIVERGING_LUT: ColorLut = buildLut('RdBu (reversed)', 'diverging', (t) =>
  interpolateRdBu(1 - t),
);

/** A closed value interval `[lo, hi]` mapped onto the table's first..last entry. */
export type Domain = readonly [number, number];

/** How a quantity is coloured: which table and which domain. */
export interface QuantityScale {
  lut: ColorLut;
  /** `fixed`: the domain below; `symmetric-data`: `[-m, m]` with `m` the data's max |value|. */
  domainMode: 'fixed' | 'symmetric-data';
  domain: Domain;
}

/**
 * THE table of scales, keyed by the engine's `QUANTITY_RANGE`: sigmoid gates
 * sequential on [0, 1]; tanh quantities diverging on [-1, 1] centred at 0;
 * the unbounded cell state `c` diverging on a symmetric domain from the data.
 */
export const RANGE_SCALE: Record<'sigmoid' | 'tanh' | 'unbounded', QuantityScale> = {
  sigmoid: { lut: SEQUENTIAL_LUT, domainMode: 'fixed', domain: [0, 1] },
  tanh: { lut: DIVERGING_LUT, domainMode: 'fixed', domain: [-1, 1] },
  unbounded: { lut: DIVERGING_LUT, domainMode: 'symmetric-data', domain: [-1, 1] },
};

/** The scale of one quantity (`i f g o c h r z n`). */
export function scaleFor(q: Quantity): QuantityScale {
  return RANGE_SCALE[QUANTITY_RANGE[q]];
}

/** Largest finite |v| in `values` (0 when there is none). */
export function maxAbs(values: ArrayLike<number>, start = 0, end = values.length): number {
  let m = 0;
  for (let k = start; k < end; k++) {
    const a = Math.abs(values[k]);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/**
 * The domain to draw `q` with. For `c` (unbounded) it is `[-m, m]` with `m`
 * the data's max |c| (at least 1e-6 so an all-zero trace still has a domain).
 */
export function domainFor(q: Quantity, values?: ArrayLike<number>): Domain {
  const s = scaleFor(q);
  if (s.domainMode === 'fixed' || !values) return s.domain;
  const m = Math.max(maxAbs(values), 1e-6);
  return [-m, m];
}

/**
 * Table index of `v` in `domain`: clamped, `floor(frac * 256)`, so the domain's
 * midpoint (0 of a symmetric domain) lands on entry 128. Returns -1 for NaN.
 */
export function lutIndex(v: number, domain: Domain): number {
  if (Number.isNaN(v)) return -1;
  const [lo, hi] = domain;
  const span = hi - lo;
  let k = span > 0 ? Math.floor(((v - lo) / span) * LUT_SIZE) : LUT_SIZE >> 1;
  if (k < 0) k = 0;
  else if (k > LUT_SIZE - 1) k = LUT_SIZE - 1;
  return k;
}

/** CSS colour of `v` (legends, SVG fills, the sequence strip). */
export function cssColor(v: number, lut: ColorLut, domain: Domain): string {
  const k = lutIndex(v, domain);
  return k < 0 ? NAN_CSS : lut.css[k];
}

/** Black or white, whichever reads better on the table entry `v` maps to (relative luminance). */
export function textColorOn(v: number, lut: ColorLut, domain: Domain): '#000' | '#fff' {
  const k = lutIndex(v, domain);
  if (k < 0) return '#fff';
  const [r, g, b] = unpackRgba(lut.packed[k]).map((x) => {
    const c = x / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.179 ? '#000' : '#fff';
}
