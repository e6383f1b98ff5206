/**
 * Helpers shared by the tasks: one-hot encoding, forward passes for evaluation, and the
 * classification scoring of a trace against a batch's targets and mask.
 */
import { EngineError } from '../errors';
import { crossEntropyLoss } from '../loss';
import type { Model } from '../model';
import type { Trace } from '../types';
import { forward } from '../unroll';
import { argmax } from './metrics';
import type { TaskBatch } from './types';

/** Writes a one-hot vector of `size` at `offset` with a 1 at `k`. */
export function setOneHot(out: Float32Array, offset: number, size: number, k: number): void {
  out.fill(0, offset, offset + size);
  out[offset + k] = 1;
}

/** The forward of `model` on `batch` in evaluation mode (no dropout). */
export function evalForward(model: Model, batch: TaskBatch): Trace {
  return forward(model, batch.input, { B: batch.B, lengths: batch.lengths, training: false });
}

/** Predictions and truths at the scored positions (mask 1) of a classification batch. */
export function collectClasses(
  trace: Trace,
  batch: TaskBatch,
  pred: number[],
  truth: number[],
): void {
  const y = trace.readout;
  const r = trace.spec.readout;
  if (!y || !r) throw new EngineError('NO_READOUT', { what: 'task evaluation' });
  const O = r.outputSize;
  const rows = trace.readoutSteps * trace.B;
  for (let row = 0; row < rows; row++) {
    if (!batch.mask[row]) continue;
    pred.push(argmax(y, row * O, O));
    truth.push(batch.target[row]);
  }
}

/** Accuracy of the last forward at the scored positions (0 when nothing is scored). */
export function classAccuracy(trace: Trace, batch: TaskBatch): number {
  const pred: number[] = [];
  const truth: number[] = [];
  collectClasses(trace, batch, pred, truth);
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) hit++;
  return pred.length > 0 ? hit / pred.length : 0;
}

/** Sum of cross-entropy terms (nats) and their count over a batch, padding excluded. */
export function crossEntropySum(trace: Trace, batch: TaskBatch): { sum: number; count: number } {
  const r = crossEntropyLoss(trace, batch.target);
  return { sum: r.loss * r.count, count: r.count };
}

export function taskError(task: string, field: string, expected: string, actual: unknown): never {
  throw new EngineError('TASK_CONFIG', {
    task,
    field,
    expected,
    actual: typeof actual === 'string' ? JSON.stringify(actual) : String(actual),
  });
}

/** An integer option in [min, max] (or the default when absent). */
export function intOption(
  task: string,
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    taskError(task, field, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

/** A number option in [min, max] (or the default when absent). */
export function numOption(
  task: string,
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    taskError(task, field, `a number in [${min}, ${max}]`, v);
  }
  return v;
}
