/**
 * onnxruntime-web peer (wasm execution provider, one thread, forward only): the fastest
 * recurrent forward a web page can get off the shelf. Runs the one-node model of
 * bench/onnx-model.ts, built from our model's weights, so it computes exactly our function.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { LayerParams } from '../../src/engine';
import { buildOnnxRecurrentModel } from '../onnx-model';
import type { OnnxCell } from '../onnx-model';

/** Points onnxruntime-web at its wasm files in node_modules (a file path), one thread. */
export function initOrt(): void {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  ort.env.wasm.wasmPaths = join(dist, '/');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

export interface OrtForward {
  run: () => Promise<void>;
  /** The hidden states `[T, 1, B, H]` of one run. */
  output: () => Promise<Float32Array>;
}

export async function ortForward(
  cell: OnnxCell,
  dims: { T: number; B: number; I: number; H: number },
  x: Float32Array,
  lp: LayerParams,
): Promise<OrtForward> {
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const zeros = new Float32Array(G * dims.H);
  const bytes = buildOnnxRecurrentModel(cell, dims, {
    weightIh: lp.wih,
    weightHh: lp.whh,
    biasIh: lp.bih ?? zeros,
    biasHh: lp.bhh ?? zeros,
  });
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const feeds = { X: new ort.Tensor('float32', x, [dims.T, dims.B, dims.I]) };
  return {
    run: async () => {
      await session.run(feeds);
    },
    output: async () => {
      const out = await session.run(feeds);
      return out.Y.data as Float32Array;
    },
  };
}
