import { act, fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultHyperparams } from '../../src/engine';
import { initI18n } from '../../src/i18n';
import { downsample, layoutChart } from '../../src/panels/Training/chart-layout';
import { TrainingPanel } from '../../src/panels/Training/TrainingPanel';
import { resetStore, useAppStore } from '../../src/store';
import type { TaskMetrics } from '../../src/engine';
import type { TrainingInfo } from '../../src/worker/protocol';

const info = (
  kind: 'recall' | 'forecast',
): TrainingInfo & { valLoss: number; metrics: TaskMetrics } => ({
  task: {
    id: kind,
    kind,
    inputSize: 3,
    outputSize: kind === 'recall' ? 2 : 1,
    readoutMode: 'last',
    loss: kind === 'recall' ? 'cross-entropy' : 'mse',
    allowedLosses: ['cross-entropy', 'mse'],
    targetKind: kind === 'recall' ? 'class' : 'value',
    causal: false,
    metric: kind === 'recall' ? 'accuracy' : 'mae',
    higherIsBetter: kind === 'recall',
    seqLen: 10,
    symbols: kind === 'recall' ? ['A', 'B'] : [],
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
  snapshots: [0, 10, 20],
  valLoss: 0.7,
  metrics:
    kind === 'recall'
      ? {
          primary: 0.75,
          values: { accuracy: 0.75, macroF1: 0.7 },
          confusion: [
            [5, 1],
            [2, 4],
          ],
        }
      : {
          primary: 1.5,
          values: { mae: 1.5, rmse: 2, mape: 12, baselineMae: 2.5 },
          forecast: {
            x: [0, 1, 2],
            truth: [1, 2, 3],
            prediction: [1, 2.5, 2.8],
            baseline: [0, 1, 2],
          },
        },
});

/** A session, then its first validation (as the controller does after showing the trace). */
function start(i: ReturnType<typeof info>) {
  const s = useAppStore.getState();
  s.startTrainingSession(i);
  s.addTrainEval({ step: 0, valLoss: i.valLoss, metrics: i.metrics });
}

describe('training panel', () => {
  beforeEach(() => {
    resetStore();
    initI18n('en');
  });

  it('draws loss and gradient norm with the clipping threshold, and the confusion matrix', () => {
    act(() => {
      const s = useAppStore.getState();
      start(info('recall'));
      s.appendTrainSteps(
        { step: [1, 2, 3], loss: [0.9, 0.6, 0.4], gradNorm: [2, 1.5, 0.5], score: [0.2, 0.5, 0.7] },
        1,
        null,
      );
      s.touchTraining();
    });
    render(<TrainingPanel />);
    expect(
      screen.getByRole('img', {
        name: /At step 3 the training loss is 0.4 and the validation loss 0.7/,
      }),
    ).toBeInTheDocument();
    const grad = screen.getByRole('img', {
      name: /latest gradient norm is 0.5; clipping threshold 1/,
    });
    // Charts are canvases drawn outside React (their layout is tested below).
    expect(grad.tagName).toBe('CANVAS');
    const table = screen.getByRole('table', { name: /Confusion matrix/ });
    expect(table.querySelectorAll('td.tr-diag')).toHaveLength(2);
    expect(screen.getByText('0.75')).toBeInTheDocument();
  });

  it('shows MAE, RMSE, MAPE and the forecast against the truth', () => {
    act(() => start(info('forecast')));
    render(<TrainingPanel />);
    expect(screen.getByText('MAPE (%)')).toBeInTheDocument();
    expect(screen.getByText('RMSE')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Forecast MAE 1.5 against 2.5 for repeating the last value.',
      }),
    ).toBeInTheDocument();
  });

  it('the timeline slider picks a snapshot step', () => {
    act(() => start(info('recall')));
    render(<TrainingPanel />);
    const slider = screen.getByRole('slider', { name: 'Training timeline' });
    fireEvent.change(slider, { target: { value: '1' } });
    expect(useAppStore.getState().timelineStep).toBe(10);
    fireEvent.click(screen.getByRole('button', { name: 'Current weights' }));
    expect(useAppStore.getState().timelineStep).toBeNull();
  });

  it('downsamples long histories into bucket means, skipping non-finite values', () => {
    const xs = Float32Array.from({ length: 1000 }, (_, k) => k);
    const ys = Float32Array.from({ length: 1000 }, (_, k) => (k === 5 ? Number.NaN : 1));
    const pts = downsample(xs, ys, 1000, 100);
    expect(pts).toHaveLength(100);
    expect(pts.every((p) => p[1] === 1)).toBe(true);
    expect(pts[0][0]).toBeCloseTo((0 + 1 + 2 + 3 + 4 + 6 + 7 + 8 + 9) / 9);
  });

  it('lays a chart out: log ticks at 1, 2, 5 only, points inside the plot, the clip line placed', () => {
    const xs = [1, 2, 3, 4];
    const l = layoutChart(
      {
        series: [
          { id: 'grad', xs, ys: [8, 2, 0.5, 0.3], n: 4 },
          { id: 'val', xs: [2], ys: [1], n: 1, dots: true },
        ],
        hline: { y: 1, label: 'clip 1' },
      },
      { width: 360, height: 170, fontPx: 12, log: true },
    );
    expect(l.log).toBe(true);
    expect(l.yTicks.length).toBeGreaterThan(1);
    for (const t of l.yTicks) expect([1, 2, 5]).toContain(Number(t.v.toExponential(0)[0]));
    const grad = l.points[0].xy;
    expect(grad).toHaveLength(8);
    for (let k = 0; k < grad.length; k += 2) {
      expect(grad[k]).toBeGreaterThanOrEqual(l.left);
      expect(grad[k]).toBeLessThanOrEqual(l.right);
      expect(grad[k + 1]).toBeGreaterThanOrEqual(l.top);
      expect(grad[k + 1]).toBeLessThanOrEqual(l.bottom);
    }
    // Higher values sit higher (smaller y); the threshold 1 lies between 2 and 0.5.
    expect(grad[1]).toBeLessThan(grad[3]);
    expect(l.hline!.py).toBeGreaterThan(grad[3]);
    expect(l.hline!.py).toBeLessThan(grad[5]);
    expect(l.points[1].dots).toBe(true);
    // x ticks never run into the axis name at the right end.
    for (const t of l.xTicks) expect(t.px).toBeLessThan(l.right);
  });

  it('falls back to a linear axis when a value is not positive, and survives empty data', () => {
    const l = layoutChart(
      { series: [{ id: 'train', xs: [0, 1], ys: [-1, 2], n: 2 }] },
      { width: 300, height: 150, fontPx: 10, log: true },
    );
    expect(l.log).toBe(false);
    const empty = layoutChart(
      { series: [{ id: 'train', xs: [], ys: [], n: 0 }] },
      {
        width: 300,
        height: 150,
        fontPx: 10,
      },
    );
    expect(empty.points[0].xy).toHaveLength(0);
    expect(empty.yTicks.every((t) => Number.isFinite(t.px))).toBe(true);
  });

  it('keeps log tick labels apart (projector type) and labels a narrow range with two ticks', () => {
    const wide = layoutChart(
      { series: [{ id: 'grad', xs: [1, 2], ys: [0.01, 1], n: 2 }] },
      { width: 480, height: 150, fontPx: 18, log: true },
    );
    const gaps = wide.yTicks.slice(1).map((t, k) => Math.abs(t.px - wide.yTicks[k].px));
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(18 * 1.3);
    expect(wide.yTicks.map((t) => t.v)).toEqual(expect.arrayContaining([0.01, 0.1, 1]));
    // A loss between 0.03 and 0.05 fills the height instead of a fifth of a decade.
    const narrow = layoutChart(
      { series: [{ id: 'train', xs: [1, 2], ys: [0.03, 0.05], n: 2 }] },
      { width: 360, height: 170, fontPx: 12, log: true },
    );
    expect(narrow.yTicks.length).toBeGreaterThanOrEqual(2);
    const ys = narrow.points[0].xy;
    expect(Math.abs(ys[1] - ys[3])).toBeGreaterThan(0.6 * (narrow.bottom - narrow.top));
  });

  it('labels a loss between 1.8 and 3.2 across its range (2.4 is not a "2")', () => {
    const l = layoutChart(
      { series: [{ id: 'train', xs: [1, 2], ys: [1.8, 3.2], n: 2 }] },
      { width: 360, height: 170, fontPx: 12, log: true },
    );
    const vs = l.yTicks.map((t) => t.v);
    expect(vs).toContain(2);
    expect(vs).toContain(3);
    expect(Math.max(...vs)).toBeGreaterThanOrEqual(3);
  });
});
