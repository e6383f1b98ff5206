import { beforeEach, describe, expect, it } from 'vitest';
import { defaultHyperparams } from '../../src/engine';
import { resetStore, useAppStore } from '../../src/store';
import { selectIssueOf, selectLatestEval } from '../../src/store/training-selectors';

describe('training slice', () => {
  beforeEach(() => resetStore());

  it('appends streamed steps into growing arrays by reference, keeping every value', () => {
    const s = useAppStore.getState();
    const n = 700;
    const step = Float32Array.from({ length: n }, (_, k) => k + 1);
    const loss = Float32Array.from({ length: n }, (_, k) => 1 / (k + 1));
    s.appendTrainSteps({ step, loss, gradNorm: loss, score: loss }, 1, 3);
    s.appendTrainSteps({ step: [701], loss: [0.5], gradNorm: [2], score: [0] }, 1, 4);
    const h = useAppStore.getState().history;
    expect(h.n).toBe(701);
    expect(h.loss.length).toBeGreaterThanOrEqual(701);
    expect(h.step[699]).toBe(700);
    expect(h.loss[700]).toBe(0.5);
    expect(useAppStore.getState().curriculumLevel).toBe(4);
  });

  it('a new session starts the history over from its info', () => {
    const s = useAppStore.getState();
    s.appendTrainSteps({ step: [1], loss: [1], gradNorm: [1], score: [1] }, null, null);
    s.setTimelineStep(10);
    s.startTrainingSession({
      task: {
        id: 'recall',
        kind: 'recall',
        inputSize: 6,
        outputSize: 4,
        readoutMode: 'last',
        loss: 'cross-entropy',
        allowedLosses: ['cross-entropy'],
        targetKind: 'class',
        causal: false,
        metric: 'accuracy',
        higherIsBetter: true,
        seqLen: 22,
        symbols: [],
        curriculum: null,
      },
      hyper: { ...defaultHyperparams(), clipMode: 'norm', clipThreshold: 2 },
      spec: {
        cell: 'lstm',
        inputSize: 6,
        hiddenSize: 8,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      },
      paramCount: 1,
      step: 0,
      snapshots: [0],
    });
    s.addTrainEval({
      step: 0,
      valLoss: 1.4,
      metrics: { primary: 0.25, values: { accuracy: 0.25 } },
    });
    const st = useAppStore.getState();
    expect(st.history.n).toBe(0);
    expect(st.timelineStep).toBeNull();
    expect(st.clipThreshold).toBe(2);
    expect(selectLatestEval(st)?.valLoss).toBe(1.4);
    expect(st.trainingStatus).toBe('ready');
  });

  it('keeps the refused keys so each field can show its issue', () => {
    useAppStore.getState().setTrainRefusal({
      code: 'bad-hyperparams',
      message: 'm',
      issues: [
        { key: 'learningRate', expected: 'a number in [0.000001, 1]', actual: '5', message: 'm' },
      ],
    });
    const st = useAppStore.getState();
    expect(selectIssueOf('learningRate')(st)?.actual).toBe('5');
    expect(selectIssueOf('batchSize')(st)).toBeNull();
    expect(st.trainingStatus).toBe('error');
  });
});
