import { LUT_SIZE, type ColorLut, type Domain } from './color';

/**
 * Where cell (row, col) of the picture sits in a flat array:
 * `values[offset + row * rowStride + col * colStride]`.
 * Row-major `[rows, cols]` is `{ offset: 0, rowStride: cols, colStride: 1 }`.
 */
export interface HeatmapLayout {
  offset: number;
  rowStride: number;
  colStride: number;
}

/**
 * Layout of a visible window of a time-major trace `[T, B, H]` drawn with
 * time on the x axis (columns `t0 .. t0+cols-1`) and units on the y axis
 * (rows `0 .. H-1`), for batch item `b`:
 * value(t, b, u) = `data[(t * B + b) * H + u]`.
 */
export function traceWindowLayout(t0: number, b: number, B: number, H: number): HeatmapLayout {
  return { offset: (t0 * B + b) * H, rowStride: 1, colStride: B * H };
}

/** Minimal surface of a 2D context that {@link drawHeatmap} needs (real or test double). */
export interface ImageDataTarget {
  createImageData(width: number, height: number): ImageData;
  putImageData(image: ImageData, dx: number, dy: number): void;
}

/**
 * Paint `rows x cols` values into one `ImageData` (one pixel per cell) through
 * a 256-entry lookup table: the value is clamped to `domain`, quantised to
 * `floor((v - lo) / (hi - lo) * 256)` and the packed colour written with one
 * `Uint32Array` store. NaN cells get the table's NaN colour. Cells outside
 * `values` (a window past the end of a trace still streaming) are transparent.
 *
 * Pure: touches only `target` (an `ImageData`, or a context it creates one on
 * and puts it at (0, 0)). Returns the `ImageData` written.
 */
export function drawHeatmap(
  target: ImageData | ImageDataTarget,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  lut: ColorLut,
  domain: Domain,
  layout: HeatmapLayout = { offset: 0, rowStride: cols, colStride: 1 },
): ImageData {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(
      `drawHeatmap: rows and cols must be non-negative integers, got ${rows} x ${cols}`,
    );
  }
  const isImage = 'data' in target && 'width' in target;
  const image = isImage ? target : target.createImageData(Math.max(cols, 1), Math.max(rows, 1));
  if (image.width < cols || image.height < rows) {
    throw new RangeError(
      `drawHeatmap: ImageData is ${image.width} x ${image.height}, needs at least ${cols} x ${rows}`,
    );
  }
  const out = new Uint32Array(image.data.buffer, image.data.byteOffset, image.data.byteLength >> 2);
  const table = lut.packed;
  const nan = lut.nanPacked;
  const lo = domain[0];
  const span = domain[1] - domain[0];
  const scale = span > 0 ? LUT_SIZE / span : 0;
  const mid = LUT_SIZE >> 1;
  const last = LUT_SIZE - 1;
  const n = values.length;
  const width = image.width;
  const { offset, rowStride, colStride } = layout;

  for (let r = 0; r < rows; r++) {
    let src = offset + r * rowStride;
    let dst = r * width;
    for (let c = 0; c < cols; c++, src += colStride, dst++) {
      if (src < 0 || src >= n) {
        out[dst] = 0;
        continue;
      }
      const v = values[src];
      if (v !== v) {
        out[dst] = nan;
        continue;
      }
      let k = scale === 0 ? mid : Math.floor((v - lo) * scale);
      if (k < 0) k = 0;
      else if (k > last) k = last;
      out[dst] = table[k];
    }
  }
  if (!isImage) target.putImageData(image, 0, 0);
  return image;
}
