/**
 * An optional hook for kernel sets that keep their own memory (the WebAssembly SIMD kernels):
 * a workspace's trace arrays can live in that memory, so a whole-layer kernel writes the
 * trace in place instead of into scratch memory that is then copied out. For a W1 LSTM
 * (T = 1000, H = 128) that copy is 10 arrays of 128k values, about 5 MB per forward pass.
 *
 * The arrays are ordinary `Float32Array`s to everyone else (the cells, backward, the worker,
 * which copies them into transferable frames). They cannot be transferred themselves: their
 * buffer belongs to a WebAssembly memory. The engine never transfers workspace arrays.
 */
import type { ModelSpec } from '../types';
import type { Kernels } from './types';

/** A kernel set that can hold a workspace's trace arrays. */
export interface TraceArenaKernels extends Kernels {
  /**
   * A zero-filled array of `floats` values for the trace arrays of a (spec, T, B) workspace,
   * valid for as long as the caller keeps it (its memory is never grown or reused), or null
   * when the kernels cannot provide one (the engine then allocates ordinary arrays).
   */
  traceArena(spec: ModelSpec, T: number, B: number, floats: number): Float32Array | null;
}

/** Whether `k` offers `traceArena`. */
export function hasTraceArena(k: Kernels): k is TraceArenaKernels {
  return typeof (k as Partial<TraceArenaKernels>).traceArena === 'function';
}
