/**
 * Loads the SIMD kernels in Node (tests, benchmark, scripts): reads
 * src/wasm/build/kernels.wasm, compiling it from source first when it is missing or older
 * than its AssemblyScript source (so a run straight after editing the source is never stale).
 * Not for the browser bundle: see `browser.ts`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimdKernels, simdSupported } from './simd';
import type { SimdKernels } from './simd';

const SOURCE = fileURLToPath(new URL('./assembly/kernels.ts', import.meta.url));
const OUTPUT = fileURLToPath(new URL('./build/kernels.wasm', import.meta.url));

/** Whether the built binary is missing or older than its source (any file of assembly/). */
export function wasmIsStale(): boolean {
  if (!existsSync(OUTPUT)) return true;
  const built = statSync(OUTPUT).mtimeMs;
  const dir = dirname(SOURCE);
  return readdirSync(dir).some((f) => f.endsWith('.ts') && statSync(join(dir, f)).mtimeMs > built);
}

/** Builds when stale, then instantiates. Returns null when this Node has no WebAssembly SIMD. */
export async function loadSimdKernelsNode(): Promise<SimdKernels | null> {
  if (!simdSupported()) return null;
  if (wasmIsStale()) {
    const build = await import('./build-wasm.mjs');
    await build.buildWasm();
  }
  return createSimdKernels(readFileSync(OUTPUT));
}
