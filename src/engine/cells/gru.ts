/**
 * GRU in PyTorch / cuDNN form (`nn.GRU`), gate rows r, z, n:
 *   r = σ(W_ir x + b_ir + W_hr hPrev + b_hr)
 *   z = σ(W_iz x + b_iz + W_hz hPrev + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn hPrev + b_hn))
 *   h = (1 - z) * n + z * hPrev
 * The reset gate scales the recurrent term after the product, so all three
 * gate rows share one fused mat-vec over `[3H, H]`.
 */
import { recurrentBackward, recurrentForward, recurrentWeightGrads, sigmoid, tanh } from './common';
import type { CellImpl, CellRun } from './types';

function forwardStep(run: CellRun, t: number): void {
  const { B, H, proj, gh, hState, valid } = run;
  const ghn = run.ghn as Float32Array;
  const GH = 3 * H;
  recurrentForward(run, hState, 0, GH);
  const pr = run.pre.r as Float32Array,
    pz = run.pre.z as Float32Array,
    pn = run.pre.n as Float32Array;
  const ar = run.act.r as Float32Array,
    az = run.act.z as Float32Array,
    an = run.act.n as Float32Array,
    ah = run.act.h as Float32Array;
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    if (!valid[b]) {
      for (let j = 0; j < H; j++) {
        pr[tr + j] = pz[tr + j] = pn[tr + j] = 0;
        ar[tr + j] = az[tr + j] = an[tr + j] = ah[tr + j] = ghn[tr + j] = 0;
      }
      continue;
    }
    const p = (t * B + b) * GH;
    const q = b * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const xr = proj[p + j] + gh[q + j];
      const xz = proj[p + H + j] + gh[q + H + j];
      const r = sigmoid(xr),
        z = sigmoid(xz);
      const hn = gh[q + 2 * H + j];
      const xn = proj[p + 2 * H + j] + r * hn;
      const n = tanh(xn);
      const h = (1 - z) * n + z * hState[s + j];
      hState[s + j] = h;
      pr[tr + j] = xr;
      pz[tr + j] = xz;
      pn[tr + j] = xn;
      ar[tr + j] = r;
      az[tr + j] = z;
      an[tr + j] = n;
      ah[tr + j] = h;
      ghn[tr + j] = hn;
    }
  }
}

/**
 * dn̂ = dh (1-z)(1-n²);  dẑ = dh (hPrev - n) z(1-z);  dr̂ = dn̂ · (W_hn hPrev + b_hn) · r(1-r);
 * input side gets dn̂, the recurrent n rows get r·dn̂; dhPrev = dh·z + dGh · W_hh.
 */
function backwardStep(run: CellRun, t: number): void {
  const { B, H, dh, hPrev, dProj, dGh, dhPrev } = run;
  const ghn = run.ghn as Float32Array;
  const GH = 3 * H;
  const ar = run.act.r as Float32Array,
    az = run.act.z as Float32Array,
    an = run.act.n as Float32Array;
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    const p = (t * B + b) * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = ar[tr + j],
        z = az[tr + j],
        n = an[tr + j];
      const d = dh[s + j];
      const dn = d * (1 - z) * (1 - n * n);
      const dz = d * (hPrev[tr + j] - n) * z * (1 - z);
      const dr = dn * ghn[tr + j] * r * (1 - r);
      dProj[p + j] = dGh[p + j] = dr;
      dProj[p + H + j] = dGh[p + H + j] = dz;
      dProj[p + 2 * H + j] = dn;
      dGh[p + 2 * H + j] = dn * r;
      dhPrev[s + j] = d * z;
    }
  }
  recurrentBackward(run, t, 0, GH, dhPrev);
}

function weightGrads(run: CellRun): void {
  recurrentWeightGrads(run, run.hPrev, 0, 3 * run.H);
}

export const gruCell: CellImpl = { forwardStep, backwardStep, weightGrads };
