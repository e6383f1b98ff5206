import { describe, expect, it } from 'vitest';
import { DIVERGING_LUT, SEQUENTIAL_LUT, unpackRgba } from '../../src/viz/color';
import { drawHeatmap, traceWindowLayout } from '../../src/viz/draw-heatmap';

/** jsdom has ImageData only with the canvas package: a plain stand-in with the same fields. */
function image(width: number, height: number): ImageData {
  return {
    width,
    height,
    data: new Uint8ClampedArray(width * height * 4),
    colorSpace: 'srgb',
  };
}
function pixel(img: ImageData, x: number, y: number) {
  const k = (y * img.width + x) * 4;
  return [...img.data.subarray(k, k + 4)];
}
const entry = (lut: typeof SEQUENTIAL_LUT, k: number) => unpackRgba(lut.packed[k]);

describe('drawHeatmap', () => {
  it('writes each cell as the lookup-table entry of its value', () => {
    const img = image(3, 2);
    const values = [0, 0.5, 1, 0.25, 0.75, 0.999];
    drawHeatmap(img, values, 2, 3, SEQUENTIAL_LUT, [0, 1]);
    expect(pixel(img, 0, 0)).toEqual(entry(SEQUENTIAL_LUT, 0));
    expect(pixel(img, 1, 0)).toEqual(entry(SEQUENTIAL_LUT, 128));
    expect(pixel(img, 2, 0)).toEqual(entry(SEQUENTIAL_LUT, 255));
    expect(pixel(img, 0, 1)).toEqual(entry(SEQUENTIAL_LUT, 64));
    expect(pixel(img, 1, 1)).toEqual(entry(SEQUENTIAL_LUT, 192));
    expect(pixel(img, 2, 1)).toEqual(entry(SEQUENTIAL_LUT, 255));
  });

  it('clamps values outside the domain to the end entries', () => {
    const img = image(2, 1);
    drawHeatmap(img, [-5, 42], 1, 2, DIVERGING_LUT, [-1, 1]);
    expect(pixel(img, 0, 0)).toEqual(entry(DIVERGING_LUT, 0));
    expect(pixel(img, 1, 0)).toEqual(entry(DIVERGING_LUT, 255));
  });

  it('maps 0 of a diverging domain to the middle entry', () => {
    const img = image(1, 1);
    drawHeatmap(img, [0], 1, 1, DIVERGING_LUT, [-1, 1]);
    expect(pixel(img, 0, 0)).toEqual(entry(DIVERGING_LUT, 128));
  });

  it('draws NaN in the marked NaN colour, distinct from every table entry', () => {
    const img = image(2, 1);
    drawHeatmap(img, [NaN, 0.3], 1, 2, SEQUENTIAL_LUT, [0, 1]);
    expect(pixel(img, 0, 0)).toEqual([0, 0, 0, 255]);
    for (const lut of [SEQUENTIAL_LUT, DIVERGING_LUT]) {
      expect([...lut.packed]).not.toContain(lut.nanPacked);
    }
  });

  it('reads a visible window of a time-major [T, B, H] trace for one batch item', () => {
    const T = 5;
    const B = 2;
    const H = 3;
    const data = new Float32Array(T * B * H);
    // value(t, b, u) = t/10 + u/100 for b = 1, -1 for b = 0 (must never be read).
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++)
        for (let u = 0; u < H; u++) data[(t * B + b) * H + u] = b === 1 ? t / 10 + u / 100 : -1;
    const img = image(3, H);
    drawHeatmap(img, data, H, 3, SEQUENTIAL_LUT, [0, 1], traceWindowLayout(2, 1, B, H));
    for (let col = 0; col < 3; col++)
      for (let u = 0; u < H; u++) {
        const v = (2 + col) / 10 + u / 100;
        expect(pixel(img, col, u)).toEqual(entry(SEQUENTIAL_LUT, Math.floor(v * 256)));
      }
  });

  it('leaves cells past the end of the data transparent (a trace still streaming)', () => {
    const img = image(3, 1);
    drawHeatmap(img, [0.5], 1, 3, SEQUENTIAL_LUT, [0, 1]);
    expect(pixel(img, 0, 0)[3]).toBe(255);
    expect(pixel(img, 2, 0)).toEqual([0, 0, 0, 0]);
  });

  it('creates and puts an ImageData when given a context', () => {
    const puts: [ImageData, number, number][] = [];
    const ctx = {
      createImageData: (w: number, h: number) => image(w, h),
      putImageData: (img: ImageData, x: number, y: number) => puts.push([img, x, y]),
    };
    const out = drawHeatmap(ctx, [1, 0], 2, 1, SEQUENTIAL_LUT, [0, 1]);
    expect(puts).toHaveLength(1);
    expect(puts[0][0]).toBe(out);
    expect(pixel(out, 0, 1)).toEqual(entry(SEQUENTIAL_LUT, 0));
  });

  it('rejects an ImageData too small for the grid, naming both sizes', () => {
    expect(() => drawHeatmap(image(1, 1), [0, 0], 1, 2, SEQUENTIAL_LUT, [0, 1])).toThrow(
      /1 x 1, needs at least 2 x 1/,
    );
  });
});
