/**
 * Installing the WebAssembly SIMD kernels into the engine, with the scalar kernels as the
 * fallback: where WebAssembly SIMD is missing (or the module fails to load) the engine keeps
 * its scalar kernels and gives the same results, only slower.
 */
import { scalarKernels, setKernels } from '../engine';
import type { Kernels } from '../engine';
import { createSimdKernelsAsync, simdSupported } from './simd';

export { SimdKernels, createSimdKernels, createSimdKernelsAsync, simdSupported } from './simd';

/**
 * Loads the SIMD kernels with `loadBytes` (e.g. a fetch of the built `kernels.wasm`) and
 * makes them the engine's kernels; returns the kernels in force afterwards (the scalar ones
 * when SIMD is unsupported, `supported` is false, or loading fails; `onError` hears why).
 */
export async function installBestKernels(
  loadBytes: () => Promise<BufferSource>,
  options: { supported?: boolean; onError?: (err: unknown) => void } = {},
): Promise<Kernels> {
  const supported = options.supported ?? simdSupported();
  let chosen: Kernels = scalarKernels;
  if (supported) {
    try {
      chosen = await createSimdKernelsAsync(await loadBytes());
    } catch (err) {
      options.onError?.(err);
    }
  }
  setKernels(chosen);
  return chosen;
}
