/**
 * Learning, not just running: seeded runs of the engine's own training driver on the
 * project's tasks, each a few seconds on one core, with generous thresholds.
 *
 * Budgets and what was measured when these were written (seed 1; seeds 2 and 3 in brackets):
 * - recall of 1 of 4 symbols after a delay of 20 steps filled with distracting symbols,
 *   H = 16, batch 32, Adam 0.02, clip norm 1, curriculum from delay 1 (+2 when the smoothed
 *   batch accuracy passes 0.9), forget-gate bias 3, 100 steps, validation at delay 20 every
 *   25 steps. Seeds 1, 2, 3: LSTM 0.97, 0.99, 1.00 at step 25 and 1.00 at step 100; tanh
 *   RNN best 0.75, 0.49, 0.61 (mean 0.62). Its curriculum reaches delay 20 too: it solves
 *   short delays but does not carry the symbol through 20 distracting steps. (Seeds 4 and 5:
 *   LSTM 1.00, RNN best 0.47 and 0.25; GRU 1.00 in all five by step 50.) The numbers move a
 *   little whenever the kernels' summation order changes; the thresholds leave room.
 * - forecasting the seeded synthetic series (trend + 2 seasons + noise), LSTM H = 16,
 *   150 steps: validation MAE 0.12 against 0.34 for the last-value baseline.
 * - character LM on the Alice excerpt (V = 62), LSTM H = 32, batch 8, T = 24, 150 steps:
 *   held-out perplexity 12.3 (62 untrained).
 * - sentiment, LSTM H = 16, batch 8, 150 steps: held-out accuracy 0.78 (en), 0.72 (vi),
 *   chance 0.5.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  TrainingRun,
  createCharLmTask,
  createForecastTask,
  createRecallTask,
  createSentimentTask,
  parseLabelledTsv,
  syntheticSeries,
} from '../../src/engine';
import type { CellKind } from '../../src/engine';

const dataset = (name: string): string =>
  readFileSync(new URL(`../../public/datasets/${name}`, import.meta.url), 'utf8');

function recallRun(cell: CellKind, seed: number): number[] {
  const run = new TrainingRun({
    task: createRecallTask({ delay: 20, symbols: 4, distractors: true }),
    hyper: {
      cell,
      hiddenSize: 16,
      batchSize: 32,
      learningRate: 0.02,
      clipMode: 'norm',
      clipThreshold: 1,
      forgetBias: 3,
      seed,
    },
    curriculum: { start: 1, threshold: 0.9 },
    evalEvery: 25,
    maxSteps: 100,
  });
  run.runChunk(100);
  expect(run.status).toBe('finished');
  // Every evaluation is at the full delay of 20, whatever the curriculum level.
  return run.evals.map((e) => e.metrics.primary);
}

describe('learning', { timeout: 180_000 }, () => {
  it('LSTM recalls a symbol after 20 distracting steps (>= 95% in 100 steps, seeds 1-3); the tanh RNN does not', () => {
    const seeds = [1, 2, 3];
    const rnnBest: number[] = [];
    for (const seed of seeds) {
      const lstm = recallRun('lstm', seed);
      expect(lstm[lstm.length - 1], `LSTM seed ${seed}`).toBeGreaterThanOrEqual(0.95);
      rnnBest.push(Math.max(...recallRun('rnn-tanh', seed)));
    }
    // Best accuracy anywhere in the run, not just at its end: far below the LSTM's.
    for (const best of rnnBest) expect(best).toBeLessThan(0.85);
    expect(rnnBest.reduce((a, b) => a + b, 0) / seeds.length).toBeLessThan(0.7);
  });

  it('the forecaster beats the last-value baseline on MAE', () => {
    const task = createForecastTask({ series: syntheticSeries({ seed: 7 }), seqLen: 24 });
    const run = new TrainingRun({
      task,
      hyper: { cell: 'lstm', hiddenSize: 16, batchSize: 16, learningRate: 0.01, seed: 1 },
    });
    const before = run.evaluate().values;
    run.runChunk(150);
    const m = run.evaluate().values;
    expect(before.mae).toBeGreaterThan(before.baselineMae);
    expect(m.mae).toBeLessThan(0.7 * m.baselineMae);
    expect(m.mape).toBeLessThan(m.baselineMape);
  });

  it("the character model's held-out perplexity drops well below the vocabulary size", () => {
    const task = createCharLmTask({ text: dataset('alice-ch1.txt'), seqLen: 24 });
    const V = task.info.inputSize;
    const run = new TrainingRun({
      task,
      hyper: { cell: 'lstm', hiddenSize: 32, batchSize: 8, learningRate: 0.01, seed: 1 },
    });
    const before = run.evaluate().primary;
    run.runChunk(150);
    const after = run.evaluate().primary;
    expect(before).toBeGreaterThan(0.8 * V);
    expect(after).toBeLessThan(V / 3);
  });

  for (const lang of ['en', 'vi']) {
    it(`sentiment (${lang}): held-out accuracy above chance`, () => {
      const task = createSentimentTask({
        examples: parseLabelledTsv(dataset(`sentiment-${lang}.tsv`)),
        pairs: true,
      });
      const run = new TrainingRun({
        task,
        hyper: { cell: 'lstm', hiddenSize: 16, batchSize: 8, learningRate: 0.02, seed: 1 },
      });
      run.runChunk(150);
      const m = run.evaluate();
      expect(m.values.accuracy).toBeGreaterThanOrEqual(0.65);
      expect(m.values.macroF1).toBeGreaterThan(0.55);
      expect(m.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(task.heldOut.length);
    });
  }
});
