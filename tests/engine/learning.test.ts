/**
 * Learning, not just running: seeded runs of the engine's own training driver on the
 * project's tasks, each a few seconds on one core, with generous thresholds.
 *
 * Budgets and what was measured when these were written (2026-11-28):
 * - recall of 1 of 8 symbols (chance 0.125) after a delay of 20 steps filled with random
 *   distracting symbols, validated at delay 20 on 256 fixed sequences. Same budget and
 *   settings for both cells: H = 16, batch 32, Adam, clip norm 1, curriculum from delay 1
 *   (+2 when the smoothed batch accuracy passes 0.9), 100 steps, validation every 25 steps.
 *   Per cell only what a course tunes per cell: the LSTM's forget-gate bias 3 and learning
 *   rate 0.02; the tanh RNN gets the best of a learning-rate sweep (0.005, 0.01, 0.02, 0.05).
 *   - LSTM, lr 0.02, seeds 1-10: 0.99-1.00 at step 100 (0.94-1.00 by step 50). GRU, seeds
 *     1-5: 1.00 at step 100.
 *   - tanh RNN, best accuracy anywhere in the run, seeds 1-10: lr 0.005 max 0.33 (mean
 *     0.21), 0.01 max 0.59 (0.25), 0.02 max 0.66 (0.34), 0.05 max 0.68 (0.24); with H = 32
 *     (about as many weights as the LSTM), lr 0.01 and 0.02, seeds 1-5: max 0.62. At lr
 *     0.02 its curriculum reaches delay 20 in every run (at 0.005 it stalls near delay 5):
 *     it solves short delays and does not carry the symbol reliably through 20 distracting
 *     steps. Some runs score far below chance (0.00-0.05), likely because the symbol is
 *     still in h but the readout was fitted at a shorter delay and reads it as another one.
 *   - Honest limit: a contrast of speed and reliability within the budget, not of
 *     impossibility. Given 300 steps, 2 of 32 RNN runs (8 seeds x 4 rates) reached 0.95
 *     (0.95 and 0.99) and 8 passed 0.8. With 4 symbols (chance 0.25) the RNN's best reached
 *     0.98 in 100 steps (1 run of 20), which is why the test uses 8. The numbers move a
 *     little whenever the kernels' summation order changes; the thresholds leave room.
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

/** Validation accuracies (every 25 steps, all at delay 20) and the curriculum's last delay. */
function recallRun(
  cell: CellKind,
  seed: number,
  learningRate: number,
): { acc: number[]; level: number | null } {
  const run = new TrainingRun({
    task: createRecallTask({ delay: 20, symbols: 8, distractors: true }),
    hyper: {
      cell,
      hiddenSize: 16,
      batchSize: 32,
      learningRate,
      clipMode: 'norm',
      clipThreshold: 1,
      // The forget gate's bias only exists in the LSTM (ignored by the other cells).
      forgetBias: 3,
      seed,
    },
    curriculum: { start: 1, threshold: 0.9 },
    evalEvery: 25,
    maxSteps: 100,
  });
  run.runChunk(100);
  expect(run.status).toBe('finished');
  return { acc: run.evals.map((e) => e.metrics.primary), level: run.level };
}

const SEEDS = [1, 2, 3, 4, 5];

describe('learning', { timeout: 180_000 }, () => {
  it('LSTM recalls 1 of 8 symbols after 20 distracting steps: >= 95% in 100 steps, seeds 1-5', () => {
    for (const seed of SEEDS) {
      const { acc, level } = recallRun('lstm', seed, 0.02);
      expect(level).toBe(20);
      expect(acc.at(-1), `LSTM seed ${seed}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('the tanh RNN, same budget, at its best learning rate, stays far below it', () => {
    const means: number[] = [];
    for (const lr of [0.005, 0.01, 0.02, 0.05]) {
      // Best accuracy anywhere in each run, not just at its end.
      const best = SEEDS.map((seed) => Math.max(...recallRun('rnn-tanh', seed, lr).acc));
      for (const b of best) expect(b, `RNN lr ${lr}`).toBeLessThan(0.8);
      means.push(best.reduce((a, b) => a + b, 0) / best.length);
    }
    // Measured: means 0.19-0.49 over seeds 1-5; chance is 0.125, the LSTM's worst 0.99.
    expect(Math.max(...means)).toBeLessThan(0.6);
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
