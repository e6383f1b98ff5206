/**
 * Elman RNN (PyTorch `nn.RNN`), one gate block:
 *   h = act(W_ih x + b_ih + W_hh hPrev + b_hh),  act = tanh or relu.
 * The trace records the pre-activation as `pre.h` and h as `act.h`.
 */
import { recurrentBackward, recurrentForward, recurrentWeightGrads, tanh } from './common';
import type { CellImpl, CellRun } from './types';

function makeForward(relu: boolean) {
  return function forwardStep(run: CellRun, t: number): void {
    const { B, H, proj, gh, hState, valid } = run;
    recurrentForward(run, hState, 0, H);
    const ph = run.pre.h as Float32Array;
    const ah = run.act.h as Float32Array;
    for (let b = 0; b < B; b++) {
      const tr = (t * B + b) * H;
      if (!valid[b]) {
        ph.fill(0, tr, tr + H);
        ah.fill(0, tr, tr + H);
        continue;
      }
      const p = (t * B + b) * H;
      const q = b * H;
      for (let j = 0; j < H; j++) {
        const x = proj[p + j] + gh[q + j];
        const h = relu ? (x > 0 ? x : 0) : tanh(x);
        ph[tr + j] = x;
        ah[tr + j] = h;
        hState[q + j] = h;
      }
    }
  };
}

/** dpre = dh * act'(pre): tanh' = 1 - h², relu' = [pre > 0]. */
function makeBackward(relu: boolean) {
  return function backwardStep(run: CellRun, t: number): void {
    const { B, H, dh, dProj, dGh, dhPrev } = run;
    const ah = run.act.h as Float32Array;
    const ph = run.pre.h as Float32Array;
    for (let b = 0; b < B; b++) {
      const tr = (t * B + b) * H;
      const s = b * H;
      for (let j = 0; j < H; j++) {
        const h = ah[tr + j];
        const d = relu ? (ph[tr + j] > 0 ? dh[s + j] : 0) : dh[s + j] * (1 - h * h);
        dProj[tr + j] = d;
        dGh[tr + j] = d;
        dhPrev[s + j] = 0;
      }
    }
    recurrentBackward(run, t, 0, H, dhPrev);
  };
}

function weightGrads(run: CellRun): void {
  recurrentWeightGrads(run, run.hPrev, 0, run.H);
}

export const rnnTanhCell: CellImpl = {
  forwardStep: makeForward(false),
  backwardStep: makeBackward(false),
  weightGrads,
};
export const rnnReluCell: CellImpl = {
  forwardStep: makeForward(true),
  backwardStep: makeBackward(true),
  weightGrads,
};
