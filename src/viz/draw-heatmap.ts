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

  // Walk the source in memory order: a time-major trace drawn time-across has
  // units contiguous, so go column by column (reads sequential, and a column's
  // writes stay in a few cache lines); otherwise row by row. Same pixels either way.
  const colMajor = Math.abs(rowStride) < Math.abs(colStride);
  const outer = colMajor ? cols : rows;
  const inner = colMajor ? rows : cols;
  const srcOuter = colMajor ? colStride : rowStride;
  const srcInner = colMajor ? rowStride : colStride;
  const dstOuter = colMajor ? 1 : width;
  const dstInner = colMajor ? width : 1;
  for (let a = 0; a < outer; a++) {
    let src = offset + a * srcOuter;
    let dst = a * dstOuter;
    for (let b = 0; b < inner; b++, src += srcInner, dst += dstInner) {
      if (src < 0 || src >= n) {
        out[dst] = 0;
        continue;
      }
      const v = values[src];
      if (v !== v) {
        out[dst] = nan;
        continue;
      }
      // Clamp in floating point first (a huge value must not wrap in `| 0`).
      const x = scale === 0 ? mid : (v - lo) * scale;
      out[dst] = table[x <= 0 ? 0 : x >= last ? last : x | 0];
    }
  }
  if (!isImage) target.putImageData(image, 0, 0);
  return image;
}
