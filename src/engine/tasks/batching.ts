/**
 * Variable-length data: padding with lengths and masks, and bucketing by length.
 *
 * Padding: sequences of lengths T_b are stacked time-major into `[Tmax, B, I]` with zeros
 * after each end; `lengths[b] = T_b` tells the engine where each one stops (the forward
 * leaves the state untouched after it and the losses skip those steps), and the mask marks
 * the real steps for the metrics.
 *
 * Bucketing: sorting examples by length before cutting batches keeps the padding small
 * (a batch of lengths 3 and 40 computes 80 steps for 43 real ones); the order of examples
 * inside a bucket and the order of the batches are shuffled by the seeded `Rng`.
 */
import { EngineError } from '../errors';
import type { Rng } from '../random';

export interface PaddedBatch {
  /** `[Tmax, B, inputSize]`, zeros after each sequence's end. */
  input: Float32Array;
  T: number;
  B: number;
  lengths: Int32Array;
  /** `[Tmax, B]`, 1 for t < lengths[b]. */
  mask: Uint8Array;
}

/**
 * Stacks sequences, each `[T_b, inputSize]` row-major (length a multiple of inputSize,
 * T_b >= 1), into one padded time-major batch.
 */
export function padSequences(sequences: ArrayLike<number>[], inputSize: number): PaddedBatch {
  const B = sequences.length;
  if (B === 0) {
    throw new EngineError('DATASET_INVALID', { dataset: 'padSequences', problem: 'no sequences' });
  }
  const lengths = new Int32Array(B);
  let T = 0;
  for (let b = 0; b < B; b++) {
    const n = sequences[b].length / inputSize;
    if (!Number.isInteger(n) || n < 1) {
      throw new EngineError('DATASET_INVALID', {
        dataset: 'padSequences',
        problem: `sequence ${b} has ${sequences[b].length} values, not a positive multiple of inputSize ${inputSize}`,
      });
    }
    lengths[b] = n;
    if (n > T) T = n;
  }
  const input = new Float32Array(T * B * inputSize);
  const mask = new Uint8Array(T * B);
  for (let b = 0; b < B; b++) {
    const seq = sequences[b];
    for (let t = 0; t < lengths[b]; t++) {
      mask[t * B + b] = 1;
      const o = (t * B + b) * inputSize;
      for (let k = 0; k < inputSize; k++) input[o + k] = seq[t * inputSize + k];
    }
  }
  return { input, T, B, lengths, mask };
}

/** Fisher-Yates shuffle in place with the seeded generator. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/**
 * Groups example indices into batches of at most `batchSize` with similar lengths: indices
 * are shuffled, sorted by length (stable, so equal lengths stay shuffled), cut into
 * consecutive batches, and the batches shuffled. Every index appears exactly once.
 */
export function bucketByLength(
  lengths: ArrayLike<number>,
  batchSize: number,
  rng: Rng,
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EngineError('DATASET_INVALID', {
      dataset: 'bucketByLength',
      problem: `batchSize must be an integer >= 1, got ${batchSize}`,
    });
  }
  const order = shuffleInPlace(
    Array.from({ length: lengths.length }, (_, i) => i),
    rng,
  );
  order.sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return shuffleInPlace(batches, rng);
}

/** Padding steps a set of batches computes beyond the real steps (to show what bucketing saves). */
export function paddingWaste(lengths: ArrayLike<number>, batches: number[][]): number {
  let waste = 0;
  for (const batch of batches) {
    let max = 0;
    for (const i of batch) if (lengths[i] > max) max = lengths[i];
    for (const i of batch) waste += max - lengths[i];
  }
  return waste;
}
