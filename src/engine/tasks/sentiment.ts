/**
 * Sentiment classification, many-to-one: read a sentence word by word, answer at its last
 * word (readout mode `last`), cross-entropy over the classes `neg`, `pos`.
 *
 * Words are lower-cased NFC tokens (Vietnamese syllables count as words, as they are
 * written). The vocabulary is built from the training sentences only; index 0 is `<unk>`
 * for a word never seen in training, so the held-out score is honest. A sentence of n
 * words is a one-hot sequence `[n, V]`; a batch pads them to the longest with `lengths`
 * (the engine stops each one at its own end), and batches are bucketed by length so they
 * carry little padding.
 */
import { EngineError } from '../errors';
import type { Model } from '../model';
import { Rng } from '../random';
import { forward } from '../unroll';
import { bucketByLength, padSequences, shuffleInPlace } from './batching';
import { classAccuracy, collectClasses, evalForward, numOption, taskError } from './common';
import { classificationReport, confusionMatrix } from './metrics';
import { words } from './text';
import type { Task, TaskBatch, TaskInfo } from './types';

export const SENTIMENT_LABELS = ['neg', 'pos'] as const;

export interface LabelledSentence {
  /** Index in `SENTIMENT_LABELS`. */
  label: number;
  text: string;
  /** 1-based line in the source file. */
  line: number;
}

/**
 * Parses `label<TAB>sentence` lines (`#` comments and blank lines skipped).
 * @throws EngineError `DATASET_LINE` naming the line: no tab, unknown label, no words.
 */
export function parseLabelledTsv(text: string, dataset = 'sentiment TSV'): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const tab = raw.indexOf('\t');
    if (tab < 0) {
      throw new EngineError('DATASET_LINE', {
        dataset,
        line: i + 1,
        problem: `expected "label<TAB>sentence", found no tab in "${raw.slice(0, 40)}"`,
      });
    }
    const label = raw.slice(0, tab).trim().toLowerCase();
    const k = (SENTIMENT_LABELS as readonly string[]).indexOf(label);
    if (k < 0) {
      throw new EngineError('DATASET_LINE', {
        dataset,
        line: i + 1,
        problem: `label "${label}" is not one of ${SENTIMENT_LABELS.join(', ')}`,
      });
    }
    const sentence = raw.slice(tab + 1).trim();
    if (words(sentence).length === 0) {
      throw new EngineError('DATASET_LINE', {
        dataset,
        line: i + 1,
        problem: 'the sentence has no words',
      });
    }
    out.push({ label: k, text: sentence, line: i + 1 });
  }
  if (out.length < 4) {
    throw new EngineError('DATASET_INVALID', {
      dataset,
      problem: `at least 4 labelled sentences are needed, found ${out.length}`,
    });
  }
  return out;
}

export interface SentimentOptions {
  id?: string;
  examples: LabelledSentence[];
  /** Held-out fraction per class, in [0.1, 0.5] (default 0.25). */
  validationFraction?: number;
  /** Seed of the train/held-out split (default 1). */
  splitSeed?: number;
  /**
   * Sentences come in consecutive pairs (a positive one and its negative twin, as in the
   * shipped sets): the split keeps each pair on one side (default false: stratified by class).
   */
  pairs?: boolean;
}

export interface SentimentTask extends Task {
  readonly vocab: string[];
  readonly train: LabelledSentence[];
  readonly heldOut: LabelledSentence[];
  /** One-hot `[n, V]` of a sentence's words (unknown words map to `<unk>`). */
  encode(sentence: string): Float32Array;
  /** The model's class probabilities for one sentence, and the words it has never seen. */
  classify(
    model: Model,
    sentence: string,
  ): { probs: number[]; label: (typeof SENTIMENT_LABELS)[number]; unknownWords: string[] };
}

export function createSentimentTask(options: SentimentOptions): SentimentTask {
  const id = options.id ?? 'sentiment';
  const frac = numOption(id, 'validationFraction', options.validationFraction, 0.25, 0.1, 0.5);
  const rng = new Rng(options.splitSeed ?? 1);
  const train: LabelledSentence[] = [];
  const heldOut: LabelledSentence[] = [];
  if (options.pairs ?? false) {
    // Consecutive sentences are twins (same topic, opposite sentiment): hold out whole
    // pairs, or the model would score a held-out sentence by its twin's label.
    const ex = options.examples;
    if (ex.length % 2 !== 0)
      taskError(id, 'examples', 'an even number of sentences (pairs)', `${ex.length}`);
    const pairs = shuffleInPlace(
      Array.from({ length: ex.length / 2 }, (_, i) => i),
      rng,
    );
    const k = Math.max(1, Math.round(pairs.length * frac));
    pairs.forEach((p, j) => (j < k ? heldOut : train).push(ex[2 * p], ex[2 * p + 1]));
  } else {
    for (let c = 0; c < SENTIMENT_LABELS.length; c++) {
      const items = shuffleInPlace(
        options.examples.filter((e) => e.label === c),
        rng,
      );
      const k = Math.round(items.length * frac);
      if (items.length < 2 || k < 1) {
        taskError(
          id,
          'examples',
          `at least 2 sentences labelled ${SENTIMENT_LABELS[c]}`,
          `${items.length}`,
        );
      }
      heldOut.push(...items.slice(0, k));
      train.push(...items.slice(k));
    }
  }
  const vocab = ['<unk>', ...[...new Set(train.flatMap((e) => words(e.text)))].sort()];
  const index = new Map(vocab.map((w, i) => [w, i]));
  const V = vocab.length;
  const encode = (sentence: string): Float32Array => {
    const ws = words(sentence);
    const out = new Float32Array(Math.max(1, ws.length) * V);
    ws.forEach((w, t) => (out[t * V + (index.get(w) ?? 0)] = 1));
    if (ws.length === 0) out[0] = 1;
    return out;
  };
  const trainSeqs = train.map((e) => encode(e.text));
  const trainLengths = trainSeqs.map((s) => s.length / V);
  const info: TaskInfo = {
    id,
    kind: 'sentiment',
    inputSize: V,
    outputSize: SENTIMENT_LABELS.length,
    readoutMode: 'last',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: false,
    metric: 'accuracy',
    higherIsBetter: true,
    seqLen: Math.max(...trainLengths),
    symbols: [...SENTIMENT_LABELS],
    curriculum: null,
  };
  const batchOf = (seqs: Float32Array[], labels: number[]): TaskBatch => {
    const p = padSequences(seqs, V);
    return {
      input: p.input,
      target: Float32Array.from(labels),
      T: p.T,
      B: p.B,
      lengths: p.lengths,
      mask: new Uint8Array(p.B).fill(1),
    };
  };
  let queue: number[][] = [];
  let queueB = 0;
  const sample = (r: Rng, B: number): TaskBatch => {
    const size = Math.min(B, train.length);
    if (queue.length === 0 || queueB !== size) {
      queue = bucketByLength(trainLengths, size, r);
      queueB = size;
    }
    const idx = queue.pop() as number[];
    return batchOf(
      idx.map((i) => trainSeqs[i]),
      idx.map((i) => train[i].label),
    );
  };
  let cached: TaskBatch[] | null = null;
  const validation = (): TaskBatch[] => {
    cached ??= [
      batchOf(
        heldOut.map((e) => encode(e.text)),
        heldOut.map((e) => e.label),
      ),
    ];
    return cached;
  };
  return {
    info,
    vocab,
    train,
    heldOut,
    encode,
    classify: (model, sentence) => {
      const x = encode(sentence);
      const probs = Array.from(forward(model, x, { B: 1 }).probs as Float32Array);
      const k = probs[1] > probs[0] ? 1 : 0;
      return {
        probs,
        label: SENTIMENT_LABELS[k],
        unknownWords: words(sentence).filter((w) => !index.has(w)),
      };
    },
    sample,
    validation,
    batchScore: (trace, batch) => classAccuracy(trace, batch),
    evaluate: (model: Model) => {
      const pred: number[] = [];
      const truth: number[] = [];
      for (const b of validation()) collectClasses(evalForward(model, b), b, pred, truth);
      const report = classificationReport(confusionMatrix(pred, truth, SENTIMENT_LABELS.length));
      return {
        primary: report.accuracy,
        values: {
          accuracy: report.accuracy,
          macroF1: report.macro.f1,
          f1Neg: report.perClass[0].f1,
          f1Pos: report.perClass[1].f1,
        },
        confusion: report.confusion,
        perClass: report.perClass,
      };
    },
  };
}
