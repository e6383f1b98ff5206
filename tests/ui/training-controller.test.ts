import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultHyperparams } from '../../src/engine';
import { resetStore, useAppStore } from '../../src/store';
import {
  createTrainingController,
  type TrainingController,
} from '../../src/ui/training/training-controller';
import type { EngineClient, TrainingListener } from '../../src/worker/engine-client';
import type { TrainingInfo } from '../../src/worker/protocol';

const info: TrainingInfo = {
  task: {
    id: 'recall',
    kind: 'recall',
    inputSize: 3,
    outputSize: 2,
    readoutMode: 'last',
    loss: 'cross-entropy',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: 'class',
    causal: false,
    metric: 'accuracy',
    higherIsBetter: true,
    seqLen: 10,
    symbols: ['A', 'B'],
    curriculum: null,
  },
  hyper: defaultHyperparams(),
  spec: {
    cell: 'lstm',
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 1,
    bidirectional: false,
    bias: true,
  },
  paramCount: 10,
  step: 0,
  snapshots: [0],
};

/** A client whose training events the test sends itself (the controller's only input). */
function fakeClient() {
  const listeners = new Set<TrainingListener>();
  let finish: (r: { status: 'paused'; step: number }) => void = () => undefined;
  const client = {
    onTraining(l: TrainingListener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    train() {
      return { runId: 1, done: new Promise((r) => (finish = r)) };
    },
    // The view after the loop is not this test's subject: it never arrives.
    viewTraining: () => new Promise(() => undefined),
  } as unknown as EngineClient;
  const emitStep = (step: number, snapshots: number[]) => {
    for (const l of listeners) {
      l.metrics?.({
        type: 'trainMetrics',
        runId: 1,
        step: Float32Array.of(step),
        loss: Float32Array.of(1 / step),
        gradNorm: Float32Array.of(0.5),
        score: Float32Array.of(0.5),
        clipThreshold: 1,
        level: null,
      });
      l.progress?.({ type: 'trainProgress', runId: 1, step, maxSteps: 0, msPerStep: 2, snapshots });
    }
  };
  const emitEval = (step: number) => {
    for (const l of listeners) {
      l.evaluation?.({
        type: 'trainEval',
        runId: 1,
        step,
        valLoss: 1 / step,
        metrics: { primary: 0.5, values: { accuracy: 0.5 } },
      });
    }
  };
  return {
    client,
    emitStep,
    emitEval,
    finish: (step: number) => finish({ status: 'paused', step }),
  };
}

const flushed = () => new Promise((r) => setTimeout(r, 400));

describe('training controller', () => {
  let controller: TrainingController;
  let fake: ReturnType<typeof fakeClient>;
  beforeEach(() => {
    resetStore();
    fake = fakeClient();
    controller = createTrainingController({
      client: () => fake.client,
      fetchBytes: () => Promise.reject(new Error('no files in this test')),
    });
    useAppStore.getState().startTrainingSession(info);
  });
  afterEach(() => controller.stop());

  it('streams steps to the store a few times a second, and holds snapshot steps until the loop stops', async () => {
    const versions: number[] = [];
    const off = useAppStore.subscribe((s, p) => {
      if (s.trainVersion !== p.trainVersion) versions.push(s.trainVersion);
    });
    void controller.train();
    expect(useAppStore.getState().trainingStatus).toBe('training');
    for (let k = 1; k <= 20; k++) fake.emitStep(k, k >= 10 ? [0, 10] : [0]);
    await flushed();
    let s = useAppStore.getState();
    // All 20 steps arrived in one batch: one chart update, not one per message.
    expect(s.history.n).toBe(20);
    expect(s.trainStep).toBe(20);
    expect(versions).toHaveLength(1);
    // The timeline keeps its list while the loop runs.
    expect(s.snapshots).toEqual([0]);

    fake.emitStep(21, [0, 10, 20]);
    fake.finish(21);
    await new Promise((r) => setTimeout(r, 0));
    off();
    s = useAppStore.getState();
    expect(s.trainingStatus).toBe('paused');
    expect(s.history.n).toBe(21);
    expect(s.snapshots).toEqual([0, 10, 20]);
  });

  it('sends validation records at most once a second while training, all of them at the end', async () => {
    void controller.train();
    fake.emitStep(1, [0]);
    fake.emitEval(1);
    await flushed();
    expect(useAppStore.getState().evals.map((e) => e.step)).toEqual([1]);
    // Within the second: steps arrive, validation waits (it re-rendered the metrics table).
    fake.emitStep(2, [0]);
    fake.emitEval(2);
    await flushed();
    expect(useAppStore.getState().history.n).toBe(2);
    expect(useAppStore.getState().evals.map((e) => e.step)).toEqual([1]);
    fake.emitStep(3, [0]);
    fake.emitEval(3);
    fake.finish(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(useAppStore.getState().evals.map((e) => e.step)).toEqual([1, 2, 3]);
  });
});
