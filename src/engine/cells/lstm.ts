/**
 * LSTM (PyTorch `nn.LSTM`), gate rows i, f, g, o:
 *   i = σ(W_ii x + b_ii + W_hi hPrev + b_hi)
 *   f = σ(W_if x + b_if + W_hf hPrev + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg hPrev + b_hg)
 *   o = σ(W_io x + b_io + W_ho hPrev + b_ho)
 *   c = f * cPrev + i * g
 *   h = o * tanh(c)
 * One fused mat-vec over the contiguous `[4H, H]` block gives all four gates.
 */
import { recurrentBackward, recurrentForward, recurrentWeightGrads, sigmoid, tanh } from './common';
import type { CellImpl, CellRun } from './types';

function forwardStep(run: CellRun, t: number): void {
  const { B, H, proj, gh, hState, valid } = run;
  const cState = run.cState as Float32Array;
  const GH = 4 * H;
  recurrentForward(run, hState, 0, GH);
  const pi = run.pre.i as Float32Array,
    pf = run.pre.f as Float32Array,
    pg = run.pre.g as Float32Array,
    po = run.pre.o as Float32Array;
  const ai = run.act.i as Float32Array,
    af = run.act.f as Float32Array,
    ag = run.act.g as Float32Array,
    ao = run.act.o as Float32Array,
    ac = run.act.c as Float32Array,
    ah = run.act.h as Float32Array;
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    if (!valid[b]) {
      for (let j = 0; j < H; j++) {
        pi[tr + j] = pf[tr + j] = pg[tr + j] = po[tr + j] = 0;
        ai[tr + j] = af[tr + j] = ag[tr + j] = ao[tr + j] = ac[tr + j] = ah[tr + j] = 0;
      }
      continue;
    }
    const p = (t * B + b) * GH;
    const q = b * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const xi = proj[p + j] + gh[q + j];
      const xf = proj[p + H + j] + gh[q + H + j];
      const xg = proj[p + 2 * H + j] + gh[q + 2 * H + j];
      const xo = proj[p + 3 * H + j] + gh[q + 3 * H + j];
      const i = sigmoid(xi),
        f = sigmoid(xf),
        g = tanh(xg),
        o = sigmoid(xo);
      const c = f * cState[s + j] + i * g;
      const h = o * tanh(c);
      cState[s + j] = c;
      hState[s + j] = h;
      pi[tr + j] = xi;
      pf[tr + j] = xf;
      pg[tr + j] = xg;
      po[tr + j] = xo;
      ai[tr + j] = i;
      af[tr + j] = f;
      ag[tr + j] = g;
      ao[tr + j] = o;
      ac[tr + j] = c;
      ah[tr + j] = h;
    }
  }
}

/**
 * With tc = tanh(c):  dc_t = dc + dh * o * (1 - tc²);
 * dô = dh * tc * o(1-o);  dî = dc_t * g * i(1-i);  df̂ = dc_t * cPrev * f(1-f);
 * dĝ = dc_t * i * (1-g²);  dcPrev = dc_t * f;  dhPrev = dGatesᵀ... through W_hh.
 */
function backwardStep(run: CellRun, t: number): void {
  const { B, H, dh, dc, cPrev, dProj, dGh, dhPrev, dcPrev } = run;
  const GH = 4 * H;
  const ai = run.act.i as Float32Array,
    af = run.act.f as Float32Array,
    ag = run.act.g as Float32Array,
    ao = run.act.o as Float32Array,
    ac = run.act.c as Float32Array;
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    const p = (t * B + b) * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const i = ai[tr + j],
        f = af[tr + j],
        g = ag[tr + j],
        o = ao[tr + j];
      const tc = tanh(ac[tr + j]);
      const dhj = dh[s + j];
      const dct = dc[s + j] + dhj * o * (1 - tc * tc);
      const di = dct * g * i * (1 - i);
      const df = dct * cPrev[s + j] * f * (1 - f);
      const dg = dct * i * (1 - g * g);
      const dO = dhj * tc * o * (1 - o);
      dcPrev[s + j] = dct * f;
      dhPrev[s + j] = 0;
      dProj[p + j] = dGh[p + j] = di;
      dProj[p + H + j] = dGh[p + H + j] = df;
      dProj[p + 2 * H + j] = dGh[p + 2 * H + j] = dg;
      dProj[p + 3 * H + j] = dGh[p + 3 * H + j] = dO;
    }
  }
  recurrentBackward(run, t, 0, GH, dhPrev);
}

function weightGrads(run: CellRun): void {
  recurrentWeightGrads(run, run.hPrev, 0, 4 * run.H);
}

export const lstmCell: CellImpl = { forwardStep, backwardStep, weightGrads };
