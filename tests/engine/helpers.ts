import { expect } from 'vitest';

/**
 * The one closeness check of the engine tests: every |actual[i] - expected[i]| must be at most
 * `tol * max(1, max_j |expected[j]|)` (absolute, scaled by the largest reference magnitude, as
 * the targets are stated). Fails naming `label`, the first bad index and both values.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  label: string,
): void {
  if (actual.length !== expected.length) {
    expect.fail(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const bound = tol * scale;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= bound)) {
      expect.fail(
        `${label}: index ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${bound} = ${tol} x ${scale})`,
      );
    }
  }
}

/** Largest |actual[i] - expected[i]| / max(1, max|expected|), to report worst deviations. */
export function scaledMaxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  return worst;
}
