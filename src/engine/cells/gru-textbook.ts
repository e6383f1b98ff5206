/**
 * GRU as taught in courses (Cho et al. 2014), gate rows r, z, n:
 *   r = σ(W_ir x + b_ir + W_hr hPrev + b_hr)
 *   z = σ(W_iz x + b_iz + W_hz hPrev + b_hz)
 *   n = tanh(W_in x + b_in + W_hn (r * hPrev) + b_hn)
 *   h = (1 - z) * hPrev + z * n
 * The reset gate acts on hPrev before the product, so the n rows need a
 * second mat-vec after r is known (rows r, z stay fused).
 */
import { recurrentBackward, recurrentForward, recurrentWeightGrads, sigmoid, tanh } from './common';
import type { CellImpl, CellRun } from './types';

function forwardStep(run: CellRun, t: number): void {
  const { B, H, proj, gh, hState, valid, rh } = run;
  const GH = 3 * H;
  recurrentForward(run, hState, 0, 2 * H);
  const pr = run.pre.r as Float32Array,
    pz = run.pre.z as Float32Array,
    pn = run.pre.n as Float32Array;
  const ar = run.act.r as Float32Array,
    az = run.act.z as Float32Array,
    an = run.act.n as Float32Array,
    ah = run.act.h as Float32Array;
  for (let b = 0; b < B; b++) {
    const p = (t * B + b) * GH;
    const q = b * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(proj[p + j] + gh[q + j]);
      rh[s + j] = r * hState[s + j];
    }
  }
  recurrentForward(run, rh, 2 * H, H);
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    if (!valid[b]) {
      for (let j = 0; j < H; j++) {
        pr[tr + j] = pz[tr + j] = pn[tr + j] = 0;
        ar[tr + j] = az[tr + j] = an[tr + j] = ah[tr + j] = 0;
      }
      continue;
    }
    const p = (t * B + b) * GH;
    const q = b * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const xr = proj[p + j] + gh[q + j];
      const xz = proj[p + H + j] + gh[q + H + j];
      const xn = proj[p + 2 * H + j] + gh[q + 2 * H + j];
      const r = sigmoid(xr),
        z = sigmoid(xz),
        n = tanh(xn);
      const h = (1 - z) * hState[s + j] + z * n;
      hState[s + j] = h;
      pr[tr + j] = xr;
      pz[tr + j] = xz;
      pn[tr + j] = xn;
      ar[tr + j] = r;
      az[tr + j] = z;
      an[tr + j] = n;
      ah[tr + j] = h;
    }
  }
}

/**
 * dn̂ = dh z (1-n²);  dẑ = dh (n - hPrev) z(1-z);  d(r*hPrev) = dn̂ · W_hn;
 * dr̂ = d(r*hPrev) * hPrev * r(1-r);  dhPrev = dh (1-z) + d(r*hPrev) * r + dGh[r,z] · W_hh[r,z].
 */
function backwardStep(run: CellRun, t: number): void {
  const { B, H, dh, hPrev, dProj, dGh, dhPrev, rhAll, drh } = run;
  const GH = 3 * H;
  const ar = run.act.r as Float32Array,
    az = run.act.z as Float32Array,
    an = run.act.n as Float32Array;
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    const p = (t * B + b) * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const z = az[tr + j],
        n = an[tr + j];
      const d = dh[s + j];
      const dn = d * z * (1 - n * n);
      dProj[p + 2 * H + j] = dGh[p + 2 * H + j] = dn;
      dProj[p + H + j] = dGh[p + H + j] = d * (n - hPrev[tr + j]) * z * (1 - z);
      rhAll[tr + j] = ar[tr + j] * hPrev[tr + j];
      drh[s + j] = 0;
    }
  }
  recurrentBackward(run, t, 2 * H, H, drh);
  for (let b = 0; b < B; b++) {
    const tr = (t * B + b) * H;
    const p = (t * B + b) * GH;
    const s = b * H;
    for (let j = 0; j < H; j++) {
      const r = ar[tr + j],
        z = az[tr + j];
      const g = drh[s + j];
      const dr = g * hPrev[tr + j] * r * (1 - r);
      dProj[p + j] = dGh[p + j] = dr;
      dhPrev[s + j] = dh[s + j] * (1 - z) + g * r;
    }
  }
  recurrentBackward(run, t, 0, 2 * H, dhPrev);
}

function weightGrads(run: CellRun): void {
  recurrentWeightGrads(run, run.hPrev, 0, 2 * run.H);
  recurrentWeightGrads(run, run.rhAll, 2 * run.H, run.H);
}

export const gruTextbookCell: CellImpl = { forwardStep, backwardStep, weightGrads };
