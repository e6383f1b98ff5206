/**
 * TensorFlow.js peers (`@tensorflow/tfjs-layers` on `-backend-wasm` and `-backend-cpu`), what a
 * web developer would pick for an LSTM. One thread: the wasm backend's single-threaded SIMD
 * binary (threads count 1), the cpu backend is plain JS.
 *
 * Weights: LSTM and RNN get our model's weights (Keras gate order i f c o is PyTorch's i f g o;
 * kernel = W_ihᵀ, bias = b_ih + b_hh), so they compute the same function. tf.layers.gru has no
 * `reset_after`, so its GRU is the reset-before form (same multiply-adds, other equation).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayerParams } from '../../src/engine';
import { toBatchMajor } from '../timing';

export type TfBackend = 'wasm' | 'cpu';
export type TfCell = 'lstm' | 'gru' | 'rnn-tanh';

let initialised = false;

/** Points the wasm backend at its binaries in node_modules (a file path) and one thread. */
export async function initTfjs(): Promise<void> {
  if (initialised) return;
  const require = createRequire(import.meta.url);
  const dist = dirname(
    require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  );
  setWasmPaths(join(dist, '/'));
  setThreadsCount(1);
  for (const b of ['wasm', 'cpu'] as const) {
    if (!(await tf.setBackend(b))) throw new Error(`tfjs backend ${b} failed to initialise`);
    await tf.ready();
  }
  initialised = true;
}

/** Makes `backend` current (not timed: the runner's `before`). */
export async function useBackend(backend: TfBackend): Promise<void> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

function recurrentLayer(cell: TfCell, H: number): tfl.layers.Layer {
  const common = {
    units: H,
    returnSequences: true,
    recurrentInitializer: 'glorotUniform' as const, // the default orthogonal one needs chained ops
  };
  // tf.layers' default recurrentActivation is hardSigmoid: PyTorch's (and ours) is sigmoid.
  return cell === 'lstm'
    ? tfl.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
    : cell === 'gru'
      ? tfl.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
      : tfl.layers.simpleRNN({ ...common, activation: 'tanh' });
}

/** Copies our layer's weights into the tf.layers layer (LSTM and RNN; GRU keeps its own). */
function setOurWeights(
  layer: tfl.layers.Layer,
  cell: TfCell,
  lp: LayerParams,
  I: number,
  H: number,
): void {
  if (cell === 'gru') return;
  const G = cell === 'lstm' ? 4 : 1;
  const bias = new Float32Array(G * H);
  if (lp.bih) bias.set(lp.bih);
  if (lp.bhh) for (let i = 0; i < G * H; i++) bias[i] += lp.bhh[i];
  layer.setWeights([
    tf.tensor2d(transpose(lp.wih, G * H, I), [I, G * H]),
    tf.tensor2d(transpose(lp.whh, G * H, H), [H, G * H]),
    tf.tensor1d(bias),
  ]);
}

export interface TfForward {
  run: () => Promise<void>;
  /** One forward's hidden states `[B, T, H]` (for the equivalence check). */
  output: () => Promise<Float32Array>;
}

/** W1 / W3: forward over `x` `[T, B, I]` (time-major, converted once), all T outputs. */
export function tfjsForward(
  cell: TfCell,
  dims: { T: number; B: number; I: number; H: number },
  x: Float32Array,
  lp: LayerParams,
): TfForward {
  const { T, B, I, H } = dims;
  const layer = recurrentLayer(cell, H);
  const xt = tf.tensor3d(toBatchMajor(x, T, B, I), [B, T, I]);
  tf.dispose(layer.apply(xt) as tf.Tensor); // builds the weights
  setOurWeights(layer, cell, lp, I, H);
  const once = () => tf.tidy(() => layer.apply(xt) as tf.Tensor);
  return {
    run: async () => {
      const y = once();
      await y.data();
      y.dispose();
    },
    output: async () => {
      const y = once();
      const d = (await y.data()) as Float32Array;
      y.dispose();
      return d;
    },
  };
}

/**
 * W2: one training step of recurrent layer + dense readout on every step, MSE against a
 * target, Adam (lr 1e-3): forward, backward through time and the update, as `Trainer.step`.
 */
export function tfjsTrainStep(
  cell: TfCell,
  dims: { T: number; B: number; I: number; H: number; O: number },
  x: Float32Array,
  target: Float32Array,
): () => Promise<void> {
  const { T, B, I, H, O } = dims;
  const rec = recurrentLayer(cell, H);
  const dense = tfl.layers.dense({ units: O });
  const xt = tf.tensor3d(toBatchMajor(x, T, B, I), [B, T, I]);
  const yt = tf.tensor3d(toBatchMajor(target, T, B, O), [B, T, O]);
  tf.dispose(dense.apply(rec.apply(xt)) as tf.Tensor);
  const vars = [...rec.trainableWeights, ...dense.trainableWeights].map(
    (w) => w.read() as tf.Variable,
  );
  const opt = tf.train.adam(1e-3);
  const loss = () =>
    tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(yt, dense.apply(rec.apply(xt)) as tf.Tensor);
  return async () => {
    const cost = opt.minimize(loss, true, vars);
    if (!cost) throw new Error('tfjs minimize returned no cost');
    await cost.data();
    cost.dispose();
  };
}
