import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  Rng,
  TASK_CATALOG,
  TrainingRun,
  accuracy,
  bucketByLength,
  buildCharVocab,
  classificationReport,
  confusionMatrix,
  createAddingTask,
  createBracketTask,
  createCharLmTask,
  createCopyTask,
  createForecastTask,
  createModel,
  createRecallTask,
  createSentimentTask,
  defaultHyperparams,
  generateText,
  hyperparamIssues,
  mae,
  mape,
  modelSpecFor,
  padSequences,
  paddingWaste,
  parseLabelledTsv,
  parseSeriesCsv,
  perplexity,
  perplexityFromLoss,
  rmse,
  syntheticSeries,
  trainConfigFor,
  validateHyperparams,
} from '../../src/engine';

const dataset = (name: string): string =>
  readFileSync(new URL(`../../public/datasets/${name}`, import.meta.url), 'utf8');

function engineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('metrics, by hand', () => {
  it('accuracy, confusion matrix, precision/recall/F1', () => {
    // truth 0 0 0 1 1 2, pred 0 1 0 1 2 2
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 1, 0, 1, 2, 2];
    expect(accuracy(pred, truth)).toBeCloseTo(4 / 6, 12);
    const cm = confusionMatrix(pred, truth, 3);
    expect(cm).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    const r = classificationReport(cm);
    // class 0: P = 2/2, R = 2/3, F1 = 0.8; class 1: P = 1/2, R = 1/2, F1 = 0.5;
    // class 2: P = 1/2, R = 1/1, F1 = 2/3.
    expect(r.perClass[0].precision).toBeCloseTo(1, 12);
    expect(r.perClass[0].recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0].f1).toBeCloseTo(0.8, 12);
    expect(r.perClass[1].f1).toBeCloseTo(0.5, 12);
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(r.perClass.map((c) => c.support)).toEqual([3, 2, 1]);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('a class never predicted has precision 0, not NaN', () => {
    const r = classificationReport(confusionMatrix([0, 0], [0, 1], 2));
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass[0].precision).toBeCloseTo(0.5, 12);
  });

  it('perplexity', () => {
    // p = 1/2, 1/4, 1/8: mean NLL = (1 + 2 + 3) ln 2 / 3 = 2 ln 2, perplexity 4.
    expect(perplexity([0.5, 0.25, 0.125])).toBeCloseTo(4, 10);
    expect(perplexityFromLoss(2 * Math.LN2)).toBeCloseTo(4, 10);
    // A uniform guess over V symbols has perplexity V.
    expect(perplexity([0.1, 0.1, 0.1])).toBeCloseTo(10, 10);
    expect(() => perplexity([0])).toThrow(/probability 0 must be in \(0, 1\]/);
  });

  it('MAE, RMSE, MAPE with zeros handled explicitly', () => {
    const truth = [2, 0, 4, -5];
    const pred = [3, 1, 2, -5];
    expect(mae(pred, truth)).toBeCloseTo((1 + 1 + 2 + 0) / 4, 12);
    expect(rmse(pred, truth)).toBeCloseTo(Math.sqrt((1 + 1 + 4 + 0) / 4), 12);
    // The zero truth is skipped: (|1/2| + |2/4| + 0) / 3 = 1/3 -> 33.33 %.
    const m = mape(pred, truth);
    expect(m.value).toBeCloseTo(100 / 3, 10);
    expect(m.used).toBe(3);
    expect(m.skipped).toBe(1);
    expect(mape([1, 2], [0, 0])).toEqual({ value: null, used: 0, skipped: 2 });
  });

  it('refuses mismatched or non-finite input', () => {
    expect(() => mae([1], [1, 2])).toThrow(/same length/);
    expect(() => rmse([Number.NaN], [1])).toThrow(/not finite/);
    expect(() => confusionMatrix([3], [0], 2)).toThrow(/not a class in \[0, 1\]/);
  });
});

describe('datasets and parsing', () => {
  it('shipped texts are NFC and non-trivial', () => {
    for (const name of [
      'alice-ch1.txt',
      'truyen-kieu-1-56.txt',
      'sentiment-en.tsv',
      'sentiment-vi.tsv',
    ]) {
      const t = dataset(name);
      expect(t.normalize('NFC')).toBe(t);
    }
    const kieu = dataset('truyen-kieu-1-56.txt').trim().split('\n');
    expect(kieu).toHaveLength(56);
    expect(kieu[0]).toBe('Trăm năm trong cõi người ta,');
    expect(dataset('alice-ch1.txt')).toMatch(
      /^CHAPTER I\.\nDown the Rabbit-Hole\n\nAlice was beginning/,
    );
  });

  it('sunspots CSV: 309 years, 1700-2008', () => {
    const s = parseSeriesCsv(dataset('sunspots-yearly.csv'));
    expect(s.y).toHaveLength(309);
    expect(s.x[0]).toBe(1700);
    expect(s.x[308]).toBe(2008);
    expect(s.y[s.x.indexOf(1957)]).toBeCloseTo(190.2, 6);
  });

  it('a bad CSV line is named', () => {
    const e = engineError(() => parseSeriesCsv('year,value\n1,2\n2,abc\n3,4', 'pasted'));
    expect(e.code).toBe('DATASET_LINE');
    expect(e.message).toBe('pasted, line 3: "abc" is not a finite number.');
    expect(() => parseSeriesCsv('1,2,3\n', 'x')).toThrow(/line 1: expected "label,value"/);
  });

  it('a bad TSV line is named', () => {
    expect(() => parseLabelledTsv('pos\tgood\nneg bad\n', 'mine')).toThrow(
      /mine, line 2: expected "label<TAB>sentence"/,
    );
    expect(() => parseLabelledTsv('# c\npos\tgood\nmeh\tok\n', 'mine')).toThrow(
      /mine, line 3: label "meh" is not one of neg, pos/,
    );
  });

  it('sentiment sets are balanced pairs', () => {
    for (const lang of ['en', 'vi']) {
      const ex = parseLabelledTsv(dataset(`sentiment-${lang}.tsv`));
      expect(ex.length).toBeGreaterThanOrEqual(60);
      for (let i = 0; i < ex.length; i += 2) {
        expect([ex[i].label, ex[i + 1].label]).toEqual([1, 0]);
      }
    }
  });

  it('Vietnamese letters are single NFC code points in the vocabulary', () => {
    // "ệ" typed as e + combining dot below + combining circumflex.
    const v = buildCharVocab('Vie\u0323\u0302t');
    expect(v.chars).toContain('ệ');
    expect(v.chars).toHaveLength(4);
  });
});

describe('padding and bucketing', () => {
  it('pads time-major with lengths and mask', () => {
    const p = padSequences([new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6])], 2);
    expect(p.T).toBe(2);
    expect(Array.from(p.lengths)).toEqual([2, 1]);
    // [T, B, I]: t0 = (1,2) (5,6); t1 = (3,4) (0,0).
    expect(Array.from(p.input)).toEqual([1, 2, 5, 6, 3, 4, 0, 0]);
    expect(Array.from(p.mask)).toEqual([1, 1, 1, 0]);
  });

  it('buckets cover every index once and pad less than random batches', () => {
    const rng = new Rng(3);
    const lengths = Array.from({ length: 64 }, () => 1 + rng.int(30));
    const batches = bucketByLength(lengths, 8, new Rng(1));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const random: number[][] = [];
    for (let i = 0; i < 64; i += 8) random.push(Array.from({ length: 8 }, (_, k) => i + k));
    expect(paddingWaste(lengths, batches)).toBeLessThan(paddingWaste(lengths, random) / 3);
  });
});

describe('task batches', () => {
  it('recall: store flag, blanks, recall flag, target = stored symbol', () => {
    const task = createRecallTask({ symbols: 3, delay: 4 });
    const b = task.sample(new Rng(1), 2);
    const I = 5;
    expect([b.T, b.B, b.input.length]).toEqual([6, 2, 6 * 2 * I]);
    for (let bb = 0; bb < 2; bb++) {
      const s = b.target[bb];
      expect(b.input[bb * I + s]).toBe(1);
      expect(b.input[bb * I + 3]).toBe(1);
      expect(b.input[(5 * 2 + bb) * I + 4]).toBe(1);
      for (let t = 1; t < 5; t++) {
        for (let k = 0; k < I; k++) expect(b.input[(t * 2 + bb) * I + k]).toBe(0);
      }
    }
    expect(task.sample(new Rng(1), 2, { level: 9 }).T).toBe(11);
  });

  it('copy: the copy phase repeats the symbols, only it is scored', () => {
    const task = createCopyTask({ symbols: 4, length: 3, delay: 2 });
    const b = task.sample(new Rng(5), 1);
    expect(b.T).toBe(8);
    for (let t = 0; t < 3; t++) {
      const shown = Array.from(b.input.subarray(t * 5, t * 5 + 4)).indexOf(1);
      expect(b.target[5 + t]).toBe(shown);
    }
    expect(Array.from(b.mask)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(b.input[4 * 5 + 4]).toBe(1);
  });

  it('adding: target is the sum of the two marked values', () => {
    const b = createAddingTask({ length: 10 }).sample(new Rng(2), 3);
    for (let bb = 0; bb < 3; bb++) {
      let sum = 0;
      let marks = 0;
      for (let t = 0; t < 10; t++) {
        if (b.input[(t * 3 + bb) * 2 + 1] === 1) {
          sum += b.input[(t * 3 + bb) * 2];
          marks++;
        }
      }
      expect(marks).toBe(2);
      expect(b.target[bb]).toBeCloseTo(sum, 6);
    }
  });

  it('brackets: target is the running depth, never below 0 or above max', () => {
    const b = createBracketTask({ length: 50, maxDepth: 3 }).sample(new Rng(4), 4);
    for (let bb = 0; bb < 4; bb++) {
      let depth = 0;
      for (let t = 0; t < 50; t++) {
        const o = (t * 4 + bb) * 3;
        if (b.input[o] === 1) depth++;
        if (b.input[o + 1] === 1) depth--;
        expect(depth).toBeGreaterThanOrEqual(0);
        expect(depth).toBeLessThanOrEqual(3);
        expect(b.target[t * 4 + bb]).toBe(depth);
      }
    }
  });

  it('char LM: target is the input shifted by one; held-out text is separate', () => {
    const task = createCharLmTask({ text: dataset('alice-ch1.txt'), seqLen: 8 });
    const b = task.sample(new Rng(1), 2);
    const V = task.info.inputSize;
    for (let t = 0; t < 7; t++) {
      for (let bb = 0; bb < 2; bb++) {
        const next = Array.from(
          b.input.subarray(((t + 1) * 2 + bb) * V, ((t + 1) * 2 + bb + 1) * V),
        ).indexOf(1);
        expect(b.target[t * 2 + bb]).toBe(next);
      }
    }
    expect(task.trainIds.length + task.heldOutIds.length).toBe(
      Array.from(dataset('alice-ch1.txt')).length,
    );
  });

  it('char LM: generation by temperature, greedy at 0, unknown prompt named', () => {
    const task = createCharLmTask({
      text: 'abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc',
      seqLen: 4,
    });
    const model = createModel(modelSpecFor({ ...defaultHyperparams(), hiddenSize: 4 }, task.info), {
      seed: 1,
    });
    const a = generateText(model, task, {
      prompt: 'ab',
      length: 10,
      temperature: 0,
      rng: new Rng(1),
    });
    const b = generateText(model, task, {
      prompt: 'ab',
      length: 10,
      temperature: 0,
      rng: new Rng(2),
    });
    expect(a).toHaveLength(10);
    expect(a).toBe(b);
    expect(() =>
      generateText(model, task, { prompt: 'xyz', length: 3, temperature: 1, rng: new Rng(1) }),
    ).toThrow(/x.{0,3} at position 0/);
    expect(() =>
      generateText(model, task, { prompt: 'ab', length: 3, temperature: -1, rng: new Rng(1) }),
    ).toThrow(/temperature` must be a number in \[0, 10\]/);
  });

  it('forecast: validation forecasts only from the past; baseline is the last value', () => {
    const task = createForecastTask({
      series: syntheticSeries({ seed: 1, length: 100 }),
      seqLen: 10,
    });
    const model = createModel(
      modelSpecFor({ ...defaultHyperparams(), hiddenSize: 4, loss: 'mse' }, task.info),
      {
        seed: 1,
      },
    );
    const m = task.evaluate(model);
    const f = m.forecast!;
    expect(f.x[0]).toBe(task.split);
    for (let k = 0; k < f.x.length; k++) {
      expect(f.baseline[k]).toBe(task.series.y[f.x[k] - 1]);
      expect(f.truth[k]).toBe(task.series.y[f.x[k]]);
    }
    expect(m.values.baselineMae).toBeCloseTo(mae(f.baseline, f.truth), 10);
  });

  it('sentiment: pairs stay together, unknown words map to <unk>', () => {
    const ex = parseLabelledTsv(dataset('sentiment-en.tsv'));
    const task = createSentimentTask({ examples: ex, pairs: true });
    const held = new Set(task.heldOut.map((e) => e.line));
    for (let i = 0; i < ex.length; i += 2)
      expect(held.has(ex[i].line)).toBe(held.has(ex[i + 1].line));
    const x = task.encode('zzzz good');
    expect(x[0]).toBe(1);
    const model = createModel(modelSpecFor({ ...defaultHyperparams(), hiddenSize: 4 }, task.info), {
      seed: 2,
    });
    const c = task.classify(model, 'A zzzz day');
    expect(c.probs).toHaveLength(2);
    expect(c.probs[0] + c.probs[1]).toBeCloseTo(1, 5);
    expect(c.unknownWords).toEqual(['zzzz']);
    const b = task.validation()[0];
    expect(b.B).toBe(task.heldOut.length);
    expect(Math.max(...b.lengths!)).toBe(b.T);
  });

  it('every catalog task builds, samples and evaluates', () => {
    for (const e of TASK_CATALOG) {
      const task = e.build(e.dataset ? dataset(e.dataset) : null);
      expect(task.info.id).toBe(e.id);
      const b = task.sample(new Rng(1), 3);
      expect(b.input.length).toBe(b.T * b.B * task.info.inputSize);
      const model = createModel(
        modelSpecFor({ ...defaultHyperparams(), hiddenSize: 4, loss: task.info.loss }, task.info),
        { seed: 1 },
      );
      expect(Number.isFinite(task.evaluate(model).primary)).toBe(true);
    }
  });
});

describe('hyperparameters', () => {
  it('defaults are valid and map to the engine configs', () => {
    const h = validateHyperparams({});
    expect(h).toEqual(defaultHyperparams());
    const c = trainConfigFor({
      ...h,
      clipMode: 'value',
      clipThreshold: 0.5,
      optimizer: 'sgd',
      momentum: 0.9,
    });
    expect(c.clipGradValue).toBe(0.5);
    expect(c.clipGradNorm).toBeNull();
    expect(c.optimizer).toEqual({ name: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0 });
    expect(trainConfigFor({ ...h, clipMode: 'off' }).clipGradNorm).toBeNull();
  });

  it('out-of-range values are refused with the valid range', () => {
    expect(() => validateHyperparams({ hiddenSize: 0 })).toThrow(
      'Hyperparameter `hiddenSize` must be an integer in [1, 512], got 0.',
    );
    expect(() => validateHyperparams({ learningRate: 5 })).toThrow(
      /learningRate` must be a number in \[0.000001, 1\]|learningRate` must be a number in \[1e-6, 1\]/,
    );
    expect(() => validateHyperparams({ clipMode: 'max' })).toThrow(
      /one of norm, value, off, got "max"/,
    );
    expect(() => validateHyperparams({ clipThreshold: 0 })).toThrow(/a number in \(0, 1000\]/);
    expect(() => validateHyperparams({ hiddenSze: 3 })).toThrow(/`hiddenSze` must be absent/);
    expect(() => validateHyperparams({ seqLen: 10, tbptt: 20 })).toThrow(
      /tbptt.*\[1, seqLen = 10\]/,
    );
    expect(() => validateHyperparams({ dropout: 0.3 })).toThrow(/0 with one layer/);
    expect(validateHyperparams({ dropout: 0.3, numLayers: 2 }).dropout).toBe(0.3);
  });

  it('lists every issue at once for a form', () => {
    const issues = hyperparamIssues({ hiddenSize: -1, batchSize: 1000, optimizer: 'adagrad' });
    expect(issues.map((i) => i.key)).toEqual(['hiddenSize', 'batchSize', 'optimizer']);
    expect(issues[1].expected).toBe('an integer in [1, 256]');
  });

  it('bidirectional is refused on causal tasks, a wrong loss on regression tasks', () => {
    const lm = createCharLmTask({ text: 'abcdefghij'.repeat(10), seqLen: 4 });
    expect(() => modelSpecFor({ ...defaultHyperparams(), bidirectional: true }, lm.info)).toThrow(
      /bidirectional` must be false for the task char-lm/,
    );
    const add = createAddingTask();
    expect(() =>
      modelSpecFor({ ...defaultHyperparams(), loss: 'cross-entropy' }, add.info),
    ).toThrow(/loss` must be one of mse for the task adding/);
  });
});

describe('training driver', () => {
  const task = createBracketTask({ length: 12, maxDepth: 2, validationSize: 16 });

  it('runs in chunks, records steps, snapshots and evaluations', () => {
    const run = new TrainingRun({
      task,
      hyper: { hiddenSize: 6, batchSize: 4, seed: 3 },
      snapshotEvery: 5,
      evalEvery: 10,
      maxSteps: 12,
    });
    const a = run.runChunk(7);
    expect(a.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(a.status).toBe('running');
    const b = run.runChunk(100);
    expect(b.steps).toHaveLength(5);
    expect(b.status).toBe('finished');
    expect(run.snapshots.map((s) => s.step)).toEqual([0, 5, 10]);
    expect(run.evals.map((e) => e.step)).toEqual([10]);
    const at5 = run.modelAt(5);
    expect(Array.from(at5.params)).toEqual(Array.from(run.snapshots[1].params));
    expect(Array.from(at5.params)).not.toEqual(Array.from(run.model.params));
    expect(() => run.modelAt(4)).toThrow(/one of 0, 5, 10/);
    run.restoreSnapshot(0);
    const fresh = new TrainingRun({ task, hyper: { hiddenSize: 6, batchSize: 4, seed: 3 } });
    expect(Array.from(run.model.params)).toEqual(Array.from(fresh.model.params));
    expect(() => run.restoreSnapshot(3)).toThrow(/one of 0, 5, 10/);
  });

  it('thins snapshots evenly past maxSnapshots', () => {
    const run = new TrainingRun({
      task,
      hyper: { hiddenSize: 3, batchSize: 2 },
      snapshotEvery: 1,
      maxSnapshots: 4,
    });
    run.runChunk(10);
    expect(run.snapshotInterval).toBe(4);
    expect(run.snapshots.map((s) => s.step)).toEqual([0, 4, 8]);
  });

  it('the same seed gives the same run', () => {
    const losses = (): number[] => {
      const run = new TrainingRun({ task, hyper: { hiddenSize: 5, batchSize: 3, seed: 9 } });
      return run.runChunk(4).steps.map((s) => s.loss);
    };
    expect(losses()).toEqual(losses());
  });

  it('stops at a deadline between steps', () => {
    const run = new TrainingRun({ task, hyper: { hiddenSize: 4, batchSize: 2 } });
    let clock = 0;
    // The clock is read before every step but the first: 0, 1, 2 go on, 3 stops the chunk.
    const r = run.runChunk(100, { at: 3, now: () => clock++ });
    expect(r.steps.length).toBe(4);
  });

  it('curriculum grows the level once the batch score passes the threshold', () => {
    const recall = createRecallTask({ symbols: 2, delay: 9 });
    const run = new TrainingRun({
      task: recall,
      hyper: { hiddenSize: 8, batchSize: 16, learningRate: 0.03, forgetBias: 2, seed: 1 },
      curriculum: { start: 1, threshold: 0.9 },
    });
    expect(run.level).toBe(1);
    const r = run.runChunk(150);
    const levels = r.steps.map((s) => s.level ?? 0);
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThanOrEqual(levels[i - 1]);
    expect(run.level).toBeGreaterThan(1);
    expect(run.level).toBeLessThanOrEqual(9);
    expect(() => new TrainingRun({ task: recall, hyper: {}, curriculum: { start: 0 } })).toThrow(
      /curriculum.start` must be an integer in \[1, 200\]/,
    );
  });

  it('a diverging run stops, says why, and keeps the last good weights', () => {
    const forecast = createForecastTask({
      series: syntheticSeries({ seed: 2, length: 120 }),
      seqLen: 8,
    });
    const run = new TrainingRun({
      task: forecast,
      hyper: {
        cell: 'rnn-tanh',
        hiddenSize: 8,
        batchSize: 4,
        optimizer: 'sgd',
        momentum: 0,
        learningRate: 1,
        clipMode: 'off',
        seed: 1,
      },
    });
    // Huge readout weights: the gradient overflows float32.
    run.model.views['fc.weight'].fill(1e30);
    const good = run.model.params.slice();
    const r = run.runChunk(10);
    expect(r.status).toBe('diverged');
    expect(r.steps).toHaveLength(0);
    expect(r.divergence?.reason).toBe('gradient-not-finite');
    expect(r.divergence?.advice[0]).toBe('clip-gradients');
    expect(r.divergence?.message).toMatch(/gradients exploded; turn on gradient clipping/);
    expect(Array.from(run.model.params)).toEqual(Array.from(good));
    expect(run.runChunk(5).steps).toHaveLength(0);
  });

  it('MSE on a classification task trains on one-hot targets', () => {
    const run = new TrainingRun({ task, hyper: { hiddenSize: 4, batchSize: 2, loss: 'mse' } });
    const r = run.runChunk(2);
    expect(r.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
  });
});
