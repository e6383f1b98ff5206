/**
 * Character language model: predict the next character (many-to-many, cross-entropy,
 * teacher forcing: the input at step t is the true character t, never the model's own
 * guess), and generate text by sampling with a temperature.
 *
 * The text (NFC) is split once: the first (1 - validationFraction) for training, the rest
 * held out. A training batch is B random windows of the training part:
 *   input  [T, B, V]  one-hot of characters s .. s+T-1
 *   target [T, B]     ids of characters s+1 .. s+T
 * Held-out perplexity = exp(mean cross-entropy in nats) over non-overlapping windows of
 * the held-out part; a model that knows nothing scores V (the vocabulary size), a unigram
 * model about exp(entropy of the character frequencies).
 */
import { EngineError } from '../errors';
import type { Model } from '../model';
import type { Rng } from '../random';
import { forward } from '../unroll';
import {
  collectClasses,
  crossEntropySum,
  evalForward,
  intOption,
  numOption,
  taskError,
} from './common';
import { perplexityFromLoss } from './metrics';
import { buildCharVocab, codePoints, encodeChars, normalizeText } from './text';
import type { CharVocab } from './text';
import type { SampleOptions, Task, TaskBatch, TaskInfo } from './types';

export interface CharLmOptions {
  /** Task id (default `char-lm`). */
  id?: string;
  /** The training text (any Unicode; normalised to NFC). */
  text: string;
  /** Steps per training window (default 32). */
  seqLen?: number;
  /** Held-out fraction at the end of the text, in [0.05, 0.5] (default 0.1). */
  validationFraction?: number;
  /** Most held-out windows scored (default 64). */
  validationWindows?: number;
}

export interface CharLmTask extends Task {
  readonly vocab: CharVocab;
  /** Ids of the training and held-out parts. */
  readonly trainIds: Int32Array;
  readonly heldOutIds: Int32Array;
  /** One-hot `[T, 1, V]` of a string (throws on a character outside the vocabulary). */
  encode(text: string): Float32Array;
}

export function createCharLmTask(options: CharLmOptions): CharLmTask {
  const id = options.id ?? 'char-lm';
  const text = normalizeText(options.text);
  const T0 = intOption(id, 'seqLen', options.seqLen, 32, 2, 500);
  const frac = numOption(id, 'validationFraction', options.validationFraction, 0.1, 0.05, 0.5);
  const maxWindows = intOption(id, 'validationWindows', options.validationWindows, 64, 1, 4096);
  const vocab = buildCharVocab(text);
  const V = vocab.chars.length;
  if (V < 2) taskError(id, 'text', 'a text with at least 2 distinct characters', `${V}`);
  const all = encodeChars(vocab, text).ids;
  const split = Math.floor(all.length * (1 - frac));
  const trainIds = all.slice(0, split);
  const heldOutIds = all.slice(split);
  if (trainIds.length < T0 + 2 || heldOutIds.length < 3) {
    taskError(
      id,
      'text',
      `at least ${Math.ceil((T0 + 2) / (1 - frac))} characters for seqLen ${T0}`,
      `${all.length} characters`,
    );
  }
  const info: TaskInfo = {
    id,
    kind: 'char-lm',
    inputSize: V,
    outputSize: V,
    readoutMode: 'every',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: true,
    metric: 'perplexity',
    higherIsBetter: false,
    seqLen: T0,
    symbols: vocab.chars,
    curriculum: null,
  };

  const windows = (ids: Int32Array, starts: number[], T: number): TaskBatch => {
    const B = starts.length;
    const input = new Float32Array(T * B * V);
    const target = new Float32Array(T * B);
    for (let b = 0; b < B; b++) {
      const s = starts[b];
      for (let t = 0; t < T; t++) {
        input[(t * B + b) * V + ids[s + t]] = 1;
        target[t * B + b] = ids[s + t + 1];
      }
    }
    return { input, target, T, B, lengths: null, mask: new Uint8Array(T * B).fill(1) };
  };

  const sample = (rng: Rng, B: number, o?: SampleOptions): TaskBatch => {
    const T = Math.min(intOption(id, 'seqLen', o?.seqLen, T0, 2, 500), trainIds.length - 1);
    const starts: number[] = [];
    for (let b = 0; b < B; b++) starts.push(rng.int(trainIds.length - T));
    return windows(trainIds, starts, T);
  };

  let cached: TaskBatch[] | null = null;
  const validation = (): TaskBatch[] => {
    if (!cached) {
      const T = Math.min(T0, heldOutIds.length - 1);
      const starts: number[] = [];
      for (let s = 0; s + T < heldOutIds.length && starts.length < maxWindows; s += T)
        starts.push(s);
      cached = [windows(heldOutIds, starts, T)];
    }
    return cached;
  };

  return {
    info,
    vocab,
    trainIds,
    heldOutIds,
    sample,
    validation,
    batchScore: (trace, batch) => {
      const { sum, count } = crossEntropySum(trace, batch);
      return Math.exp(sum / count);
    },
    evaluate: (model: Model) => {
      let sum = 0;
      let count = 0;
      const pred: number[] = [];
      const truth: number[] = [];
      for (const b of validation()) {
        const trace = evalForward(model, b);
        const r = crossEntropySum(trace, b);
        sum += r.sum;
        count += r.count;
        collectClasses(trace, b, pred, truth);
      }
      let hit = 0;
      for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) hit++;
      const ppl = perplexityFromLoss(sum / count);
      return {
        primary: ppl,
        values: {
          perplexity: ppl,
          bitsPerChar: sum / count / Math.LN2,
          accuracy: hit / pred.length,
          vocabSize: V,
        },
      };
    },
    encode: (s: string) => {
      const { ids, unknown } = encodeChars(vocab, normalizeText(s));
      if (unknown) {
        taskError(
          id,
          'text',
          `characters of the training text`,
          `"${unknown.char}" at position ${unknown.position}`,
        );
      }
      const out = new Float32Array(ids.length * V);
      for (let t = 0; t < ids.length; t++) out[t * V + ids[t]] = 1;
      return out;
    },
  };
}

export interface GenerateOptions {
  /** Text to start from (at least one character, all in the vocabulary). */
  prompt: string;
  /** Characters to generate, in [1, 5000]. */
  length: number;
  /**
   * Softmax temperature τ in [0, 10]: p ∝ exp(logit / τ). τ < 1 sharpens (safer, more
   * repetitive), τ > 1 flattens (more surprising); τ = 0 always takes the most likely one.
   */
  temperature: number;
  rng: Rng;
}

/**
 * Generates text: the prompt is read by the model (teacher forcing), then each sampled
 * character is fed back as the next input. Returns the generated characters only.
 */
export function generateText(model: Model, task: CharLmTask, options: GenerateOptions): string {
  const id = task.info.id;
  const tau = numOption(id, 'temperature', options.temperature, 1, 0, 10);
  const n = intOption(id, 'length', options.length, 100, 1, 5000);
  const prompt = normalizeText(options.prompt);
  if (codePoints(prompt).length === 0) taskError(id, 'prompt', 'at least one character', '""');
  if (model.spec.bidirectional || model.spec.readout?.mode !== 'every') {
    throw new EngineError('TASK_CONFIG', {
      task: id,
      field: 'model',
      expected: 'a one-directional model with a readout on every step',
      actual: `${model.spec.bidirectional ? 'bidirectional' : 'one-directional'}, readout ${model.spec.readout?.mode ?? 'none'}`,
    });
  }
  const V = task.info.outputSize;
  let x = task.encode(prompt);
  const L = model.spec.numLayers;
  const H = model.spec.hiddenSize;
  let h0: Float32Array = new Float32Array(L * H);
  let c0: Float32Array | null = model.spec.cell === 'lstm' ? new Float32Array(L * H) : null;
  const out: string[] = [];
  const p = new Float64Array(V);
  for (let k = 0; k < n; k++) {
    const trace = forward(model, x, { B: 1, h0, c0 });
    const T = trace.T;
    const logits = (trace.readout as Float32Array).subarray((T - 1) * V, T * V);
    let next = 0;
    if (tau === 0) {
      for (let j = 1; j < V; j++) if (logits[j] > logits[next]) next = j;
    } else {
      let m = -Infinity;
      for (let j = 0; j < V; j++) m = Math.max(m, logits[j] / tau);
      let s = 0;
      for (let j = 0; j < V; j++) {
        p[j] = Math.exp(logits[j] / tau - m);
        s += p[j];
      }
      let u = options.rng.uniform() * s;
      next = V - 1;
      for (let j = 0; j < V; j++) {
        u -= p[j];
        if (u < 0) {
          next = j;
          break;
        }
      }
    }
    out.push(task.vocab.chars[next]);
    h0 = trace.hN.slice();
    c0 = trace.cN ? trace.cN.slice() : null;
    x = new Float32Array(V);
    x[next] = 1;
  }
  return out.join('');
}
