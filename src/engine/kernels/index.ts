import type { Kernels } from './types';
import { scalarKernels } from './scalar';

export type { Kernels, ParamUpdater, UpdateRule } from './types';
export { scalarKernels } from './scalar';

let active: Kernels = scalarKernels;

/**
 * Replaces the kernels every cell uses from the next call on (the injection
 * point for a WebAssembly SIMD implementation). Pass `scalarKernels` to go back.
 */
export function setKernels(kernels: Kernels): void {
  active = kernels;
}

/** The kernels currently in use. */
export function getKernels(): Kernels {
  return active;
}
