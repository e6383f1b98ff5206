/**
 * Browser / worker entry: the built kernels as a bundled asset (Vite's `?url`), fetched from
 * the app's own origin (no network beyond it), installed with the scalar fallback.
 */
import wasmUrl from './build/kernels.wasm?url';
import type { Kernels } from '../engine';
import { installBestKernels } from './index';

/** Installs the SIMD kernels into the engine when the browser supports them; see `installBestKernels`. */
export function installBrowserKernels(onError?: (err: unknown) => void): Promise<Kernels> {
  return installBestKernels(
    async () => {
      const res = await fetch(wasmUrl);
      if (!res.ok) throw new Error(`kernels.wasm: HTTP ${res.status} for ${wasmUrl}`);
      return res.arrayBuffer();
    },
    { onError },
  );
}
