/**
 * The tasks the app offers, as data: id, the shipped dataset it reads (a file name under
 * `public/datasets/`, fetched by the worker from the app's own origin; null for generated
 * tasks), how to build it from that file's text, and the hyperparameters and step budget
 * its pretrained presets use (`npm run pretrain`, `public/presets/index.json`).
 */
import type { Hyperparams } from '../hyperparams';
import type { CurriculumConfig } from '../train-loop';
import { createCharLmTask } from './charlm';
import { taskError } from './common';
import { createAddingTask, createBracketTask, createCopyTask, createRecallTask } from './probes';
import { createSentimentTask, parseLabelledTsv } from './sentiment';
import { createForecastTask, parseSeriesCsv, syntheticSeries } from './series';
import type { Task } from './types';

export interface TaskEntry {
  id: string;
  /** File under `public/datasets/` whose text `build` needs, or null. */
  dataset: string | null;
  build(data: string | null): Task;
  /** How the presets of this task are trained (the UI may start from the same). */
  preset: {
    hyper: Partial<Hyperparams>;
    steps: number;
    curriculum?: CurriculumConfig;
  };
}

function need(id: string, data: string | null): string {
  if (data === null) taskError(id, 'dataset', 'the text of its dataset file', 'null');
  return data;
}

const common: Partial<Hyperparams> = {
  optimizer: 'adam',
  clipMode: 'norm',
  clipThreshold: 1,
  forgetBias: 1,
  seed: 1,
};

export const TASK_CATALOG: readonly TaskEntry[] = [
  {
    id: 'char-lm-en',
    dataset: 'alice-ch1.txt',
    build: (d) => createCharLmTask({ id: 'char-lm-en', text: need('char-lm-en', d), seqLen: 24 }),
    preset: { hyper: { ...common, hiddenSize: 24, batchSize: 8, learningRate: 0.01 }, steps: 120 },
  },
  {
    id: 'char-lm-vi',
    dataset: 'truyen-kieu-1-56.txt',
    build: (d) =>
      createCharLmTask({
        id: 'char-lm-vi',
        text: need('char-lm-vi', d),
        seqLen: 24,
        validationFraction: 0.15,
      }),
    preset: { hyper: { ...common, hiddenSize: 24, batchSize: 8, learningRate: 0.01 }, steps: 120 },
  },
  {
    id: 'forecast-synthetic',
    dataset: null,
    build: () =>
      createForecastTask({
        id: 'forecast-synthetic',
        series: syntheticSeries({ seed: 7 }),
        seqLen: 24,
      }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 16, learningRate: 0.01 }, steps: 200 },
  },
  {
    id: 'forecast-sunspots',
    dataset: 'sunspots-yearly.csv',
    build: (d) =>
      createForecastTask({
        id: 'forecast-sunspots',
        series: parseSeriesCsv(need('forecast-sunspots', d), 'sunspots-yearly.csv'),
        seqLen: 24,
        validationFraction: 0.15,
      }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 16, learningRate: 0.01 }, steps: 200 },
  },
  {
    id: 'recall',
    dataset: null,
    build: () => createRecallTask({ delay: 20, symbols: 4, distractors: true }),
    preset: {
      hyper: { ...common, hiddenSize: 16, batchSize: 32, learningRate: 0.02, forgetBias: 3 },
      steps: 150,
      curriculum: { start: 1, threshold: 0.9 },
    },
  },
  {
    id: 'copy',
    dataset: null,
    build: () => createCopyTask({ symbols: 4, length: 3, delay: 6 }),
    preset: { hyper: { ...common, hiddenSize: 24, batchSize: 32, learningRate: 0.02 }, steps: 200 },
  },
  {
    id: 'adding',
    dataset: null,
    build: () => createAddingTask({ length: 12 }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 32, learningRate: 0.01 }, steps: 250 },
  },
  {
    id: 'brackets',
    dataset: null,
    build: () => createBracketTask({ length: 24, maxDepth: 4 }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 16, learningRate: 0.02 }, steps: 200 },
  },
  {
    id: 'sentiment-en',
    dataset: 'sentiment-en.tsv',
    build: (d) =>
      createSentimentTask({
        id: 'sentiment-en',
        examples: parseLabelledTsv(need('sentiment-en', d), 'sentiment-en.tsv'),
        pairs: true,
      }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 8, learningRate: 0.02 }, steps: 150 },
  },
  {
    id: 'sentiment-vi',
    dataset: 'sentiment-vi.tsv',
    build: (d) =>
      createSentimentTask({
        id: 'sentiment-vi',
        examples: parseLabelledTsv(need('sentiment-vi', d), 'sentiment-vi.tsv'),
        pairs: true,
      }),
    preset: { hyper: { ...common, hiddenSize: 16, batchSize: 8, learningRate: 0.02 }, steps: 150 },
  },
];

/** The catalog entry of `id`. @throws EngineError `TASK_CONFIG` naming the known ids. */
export function taskEntry(id: string): TaskEntry {
  const e = TASK_CATALOG.find((t) => t.id === id);
  if (!e) taskError('catalog', 'id', `one of ${TASK_CATALOG.map((t) => t.id).join(', ')}`, id);
  return e;
}
