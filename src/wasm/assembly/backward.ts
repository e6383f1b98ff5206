// Gatescope WebAssembly SIMD kernels, training side: the whole-layer backward through time
// and the optimizers' parameter updates (re-exported by kernels.ts, built with it).
//
// Same conventions as kernels.ts: byte pointers into this module's memory (the JS side,
// src/wasm/simd.ts, lays the operands out), row-major float32, PyTorch weight layout
// ([G*H, in]), time-major sequences ([T, B, n]), f32x4 lanes with scalar tails.
//
// `layerBackward` is the exact backward of src/engine/bptt.ts + src/engine/cells for one
// layer and direction, in one call: the time loop (gate gradients, dL/dhPrev through W_hh,
// padded steps, truncation), then the weight and input gradients as three big products.

import { gemmXN } from './kernels';
import { tanhV } from './math';

// ---------------------------------------------------------------------------------------
// tanh (the LSTM backward needs tanh(c)): the forward's own (math.ts).

@inline
function tanhBS(x: f32): f32 {
  // The scalar tail goes through lane 0 of the vector form: same result as the lanes.
  return f32x4.extract_lane(tanhV(f32x4.splat(x)), 0);
}

// ---------------------------------------------------------------------------------------
// Whole-layer backward.
//
// The operands are described by a block of i32 words at `desc` (written by simd.ts; the
// word indices below are mirrored there as BW_*). Sizes and flags:
//   cell     0 LSTM, 1 GRU (PyTorch), 2 GRU (textbook), 3 RNN tanh, 4 RNN relu
//   T, B, I, H, reverse (walk t = 0 .. T-1 in processing order of the `_reverse` direction),
//   trunc    truncated-BPTT window k (0: full BPTT), ldOut (row stride of dOut in floats)
// Pointers (0 = absent):
//   lengths  i32 [B] valid steps per sequence
//   x [T, B, I], wih [G*H, I], whh [G*H, H], h0 / c0 [B, H]
//   q0..q5   the forward trace [T, B, H]: LSTM i f g o c h; GRU r z n h; RNN h pre
//   ghn      PyTorch GRU: W_hn hPrev + b_hn [T, B, H]
//   dOut     dL/d(this layer's output), this direction's half: row (t*B+b) at
//            dOut + 4*(t*B+b)*ldOut, H floats
//   carryH / carryC  [B, H]: in dL/dh_N, dL/dc_N; out dL/dh0, dL/dc0
//   dLdh     out [T, B, H] total dL/dh_t (0 at padded steps)
//   dP       scratch [T, B, G*H]: dL/d(input-side pre-activation) = dL/d(proj)
//   dG       scratch [T, B, G*H]: dL/d(recurrent term) (= dP except for the PyTorch GRU)
//   hPrev    scratch [T, B, H]; rh scratch [T, B, H] (textbook GRU: r * hPrev)
//   dhPrev, dcPrev, drh  scratch [B, H]
//   gwih, gwhh, gbih, gbhh, dIn   accumulated (+=): weight gradients and dL/dx [T, B, I]
//                                 (dIn 0: not wanted, skipped)
//   dGt      scratch [G*H, min(256, T*B)]: blocks of dG (and dP) transposed

const W_CELL = 0;
const W_T = 1;
const W_B = 2;
const W_I = 3;
const W_H = 4;
const W_REV = 5;
const W_TRUNC = 6;
const W_LDOUT = 7;
const W_LENGTHS = 8;
const W_X = 9;
const W_WIH = 10;
const W_WHH = 11;
const W_H0 = 12;
const W_C0 = 13;
const W_Q0 = 14; // .. 19
const W_GHN = 20;
const W_DOUT = 21;
const W_CARRYH = 22;
const W_CARRYC = 23;
const W_DLDH = 24;
const W_DP = 25;
const W_DG = 26;
const W_HPREV = 27;
const W_RH = 28;
const W_DHPREV = 29;
const W_DCPREV = 30;
const W_DRH = 31;
const W_GWIH = 32;
const W_GWHH = 33;
const W_GBIH = 34;
const W_GBHH = 35;
const W_DIN = 36;
const W_DGT = 37; // 38 words in all

@inline
function word(desc: usize, w: i32): i32 {
  return load<i32>(desc + (<usize>w << 2));
}

@inline
function ptr(desc: usize, w: i32): usize {
  return <usize>load<i32>(desc + (<usize>w << 2));
}

@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

function zeroF(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * col[j] += sum over rows r < R of A[r, j] (A [R, N], row stride lda floats). Rows outer:
 * A is read once, in order (column-outer would read a new cache line per addition), while
 * the sums (N floats) stay in L1.
 */
function colSums(R: i32, N: i32, A: usize, lda: i32, col: usize): void {
  const N4 = N & ~3;
  for (let r = 0; r < R; r++) {
    const row = at(A, r * lda);
    let j = 0;
    for (; j < N4; j += 4) {
      const o = <usize>j << 2;
      v128.store(col + o, f32x4.add(v128.load(col + o), v128.load(row + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(col + o, load<f32>(col + o) + load<f32>(row + o));
    }
  }
}

/**
 * Backward of one layer and direction (see the descriptor above). Per step t, in reverse
 * processing order, for each sequence b:
 *   padded (t >= lengths[b]): every gradient of the row is 0 and the carry is kept;
 *   else dh = dOut[t, b] + carryH[b], dc = carryC[b], hPrev = h0 (first step) or h[t -+ 1],
 *   the cell's step backward (src/engine/cells) gives dP[t, b], dG[t, b], dhPrev, dcPrev,
 *   and the carry becomes (dhPrev, dcPrev), or 0 where truncation cuts (position % k == 0).
 * Then gW_hh += dGᵀ hPrev, gb_hh += Σ dG, gW_ih += dPᵀ x, gb_ih += Σ dP, dIn += dP W_ih.
 */
export function layerBackward(desc: usize): void {
  const cell = word(desc, W_CELL);
  const T = word(desc, W_T);
  const B = word(desc, W_B);
  const I = word(desc, W_I);
  const H = word(desc, W_H);
  const reverse = word(desc, W_REV) != 0;
  const k = word(desc, W_TRUNC);
  const ldOut = word(desc, W_LDOUT);
  const lengths = ptr(desc, W_LENGTHS);
  const whh = ptr(desc, W_WHH);
  const h0 = ptr(desc, W_H0);
  const hT = cell == 0 ? ptr(desc, W_Q0 + 5) : cell <= 2 ? ptr(desc, W_Q0 + 3) : ptr(desc, W_Q0);
  const dOut = ptr(desc, W_DOUT);
  const carryH = ptr(desc, W_CARRYH);
  const carryC = ptr(desc, W_CARRYC);
  const dLdh = ptr(desc, W_DLDH);
  const dP = ptr(desc, W_DP);
  const dG = ptr(desc, W_DG);
  const hPrev = ptr(desc, W_HPREV);
  const dhPrev = ptr(desc, W_DHPREV);
  const dcPrev = ptr(desc, W_DCPREV);
  const G = cell == 0 ? 4 : cell <= 2 ? 3 : 1;
  const GH = G * H;
  const H4 = H & ~3;

  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    // 1. dh, dLdh, hPrev for every row; padded rows zeroed.
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      const len = load<i32>(at(lengths, b));
      if (t >= len) {
        zeroF(at(dLdh, row * H), H);
        zeroF(at(hPrev, row * H), H);
        zeroF(at(dP, row * GH), GH);
        if (dG != dP) zeroF(at(dG, row * GH), GH);
        continue;
      }
      const first = reverse ? t == len - 1 : t == 0;
      const src = first ? at(h0, b * H) : at(hT, (reverse ? row + B : row - B) * H);
      const dst = at(hPrev, row * H);
      const dh = at(dLdh, row * H);
      const up = at(dOut, row * ldOut);
      const ch = at(carryH, b * H);
      let j = 0;
      for (; j < H4; j += 4) {
        const o = <usize>j << 2;
        v128.store(dh + o, f32x4.add(v128.load(up + o), v128.load(ch + o)));
        v128.store(dst + o, v128.load(src + o));
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        store<f32>(dh + o, load<f32>(up + o) + load<f32>(ch + o));
        store<f32>(dst + o, load<f32>(src + o));
      }
    }
    // 2. The cell's step backward.
    zeroF(dhPrev, B * H);
    if (cell == 0) lstmStep(desc, t, B, H);
    else if (cell == 1) gruStep(desc, t, B, H);
    else if (cell == 2) gruTextbookStep(desc, t, B, H);
    else rnnStep(desc, t, B, H, cell == 4);
    // dhPrev += dG[t] W_hh (the textbook GRU does its own, in two parts).
    if (cell != 2) gemmXN(B, H, GH, at(dG, t * B * GH), GH, 1, whh, H, dhPrev, H);
    // 3. Carry to the previous step, or cut at a truncation boundary.
    for (let b = 0; b < B; b++) {
      const len = load<i32>(at(lengths, b));
      if (t >= len) continue;
      const pos = reverse ? len - 1 - t : t;
      const o = <usize>(b * H) << 2;
      if (k > 0 && pos > 0 && pos % k == 0) {
        zeroF(carryH + o, H);
        if (cell == 0) zeroF(carryC + o, H);
      } else {
        memory.copy(carryH + o, dhPrev + o, <usize>H << 2);
        if (cell == 0) memory.copy(carryC + o, dcPrev + o, <usize>H << 2);
      }
    }
  }

  // 4. Weight gradients and dL/dx, all T*B rows at once. The weight gradients sum over the
  // T*B rows, in blocks of KBLOCK rows: each block of dG is transposed into dGt [G*H, KBLOCK]
  // (so each output row's multipliers are contiguous: the strided form reads a new cache line
  // per multiply-add) and used at once, while it and the hPrev / x block are still in cache.
  const TB = T * B;
  const dGt = ptr(desc, W_DGT);
  const gwhh = ptr(desc, W_GWHH);
  const gbhh = ptr(desc, W_GBHH);
  const gwih = ptr(desc, W_GWIH);
  const x = ptr(desc, W_X);
  const rh = ptr(desc, W_RH);
  if (gbhh != 0) colSums(TB, GH, dG, GH, gbhh);
  const gbih = ptr(desc, W_GBIH);
  if (gbih != 0) colSums(TB, GH, dP, GH, gbih);
  for (let k0 = 0; k0 < TB; k0 += KBLOCK) {
    const kc = min(KBLOCK, TB - k0);
    transpose(kc, GH, at(dG, k0 * GH), dGt);
    if (cell == 2) {
      gemmXN(2 * H, H, kc, dGt, kc, 1, at(hPrev, k0 * H), H, gwhh, H);
      gemmXN(H, H, kc, at(dGt, 2 * H * kc), kc, 1, at(rh, k0 * H), H, at(gwhh, 2 * H * H), H);
    } else {
      gemmXN(GH, H, kc, dGt, kc, 1, at(hPrev, k0 * H), H, gwhh, H);
    }
    if (dP != dG) transpose(kc, GH, at(dP, k0 * GH), dGt);
    gemmXN(GH, I, kc, dGt, kc, 1, at(x, k0 * I), I, gwih, I);
  }
  const dIn = ptr(desc, W_DIN);
  if (dIn != 0) gemmXN(TB, I, GH, dP, GH, 1, ptr(desc, W_WIH), I, dIn, I);
}

/**
 * Rows per block of the weight-gradient products (`layerBackward` step 4); simd.ts sizes the
 * dGt scratch as min(KBLOCK, T*B) x G*H floats.
 */
const KBLOCK = 256;

/** dst[n, r] = src[r, n]: src [R, N] to dst [N, R], 4 x 4 blocks through f32x4 shuffles. */
function transpose(R: i32, N: i32, src: usize, dst: usize): void {
  const R4 = R & ~3;
  const N4 = N & ~3;
  let r = 0;
  for (; r < R4; r += 4) {
    const s0 = at(src, r * N);
    const s1 = at(src, (r + 1) * N);
    const s2 = at(src, (r + 2) * N);
    const s3 = at(src, (r + 3) * N);
    let n = 0;
    for (; n < N4; n += 4) {
      const o = <usize>n << 2;
      const a0 = v128.load(s0 + o);
      const a1 = v128.load(s1 + o);
      const a2 = v128.load(s2 + o);
      const a3 = v128.load(s3 + o);
      const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
      const d = at(dst, n * R + r);
      const dr = <usize>R << 2;
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + dr, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * dr, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * dr, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; n < N; n++) {
      for (let i = 0; i < 4; i++) {
        store<f32>(at(dst, n * R + r + i), load<f32>(at(src, (r + i) * N + n)));
      }
    }
  }
  for (; r < R; r++) {
    for (let n = 0; n < N; n++) store<f32>(at(dst, n * R + r), load<f32>(at(src, r * N + n)));
  }
}

/**
 * LSTM step t (src/engine/cells/lstm.ts), tc = tanh(c):
 *   dc_t = dc + dh o (1 - tc²);  dî = dc_t g i(1-i);  df̂ = dc_t cPrev f(1-f);
 *   dĝ = dc_t i (1-g²);  dô = dh tc o(1-o);  dcPrev = dc_t f;  dP = dG = [dî df̂ dĝ dô].
 */
function lstmStep(desc: usize, t: i32, B: i32, H: i32): void {
  const lengths = ptr(desc, W_LENGTHS);
  const reverse = word(desc, W_REV) != 0;
  const aI = ptr(desc, W_Q0);
  const aF = ptr(desc, W_Q0 + 1);
  const aG = ptr(desc, W_Q0 + 2);
  const aO = ptr(desc, W_Q0 + 3);
  const cT = ptr(desc, W_Q0 + 4);
  const c0 = ptr(desc, W_C0);
  const dLdh = ptr(desc, W_DLDH);
  const carryC = ptr(desc, W_CARRYC);
  const dP = ptr(desc, W_DP);
  const dcPrev = ptr(desc, W_DCPREV);
  const GH = 4 * H;
  const hq = <usize>H << 2;
  const H4 = H & ~3;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const row = t * B + b;
    const len = load<i32>(at(lengths, b));
    if (t >= len) {
      zeroF(at(dcPrev, b * H), H);
      continue;
    }
    const first = reverse ? t == len - 1 : t == 0;
    const cp = first ? at(c0, b * H) : at(cT, (reverse ? row + B : row - B) * H);
    const r = <usize>(row * H) << 2;
    const dh = dLdh + r;
    const dc = carryC + (<usize>(b * H) << 2);
    const g0 = at(dP, row * GH);
    const dcp = at(dcPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      const i = v128.load(aI + r + o);
      const f = v128.load(aF + r + o);
      const g = v128.load(aG + r + o);
      const og = v128.load(aO + r + o);
      const tc = tanhV(v128.load(cT + r + o));
      const d = v128.load(dh + o);
      const dct = f32x4.add(
        v128.load(dc + o),
        f32x4.mul(f32x4.mul(d, og), f32x4.sub(one, f32x4.mul(tc, tc))),
      );
      const di = f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)));
      const df = f32x4.mul(f32x4.mul(dct, v128.load(cp + o)), f32x4.mul(f, f32x4.sub(one, f)));
      const dg = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)));
      const dO = f32x4.mul(f32x4.mul(d, tc), f32x4.mul(og, f32x4.sub(one, og)));
      v128.store(dcp + o, f32x4.mul(dct, f));
      v128.store(g0 + o, di);
      v128.store(g0 + hq + o, df);
      v128.store(g0 + 2 * hq + o, dg);
      v128.store(g0 + 3 * hq + o, dO);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(aI + r + o);
      const f = load<f32>(aF + r + o);
      const g = load<f32>(aG + r + o);
      const og = load<f32>(aO + r + o);
      const tc = tanhBS(load<f32>(cT + r + o));
      const d = load<f32>(dh + o);
      const dct = load<f32>(dc + o) + d * og * (1 - tc * tc);
      store<f32>(dcp + o, dct * f);
      store<f32>(g0 + o, dct * g * (i * (1 - i)));
      store<f32>(g0 + hq + o, dct * load<f32>(cp + o) * (f * (1 - f)));
      store<f32>(g0 + 2 * hq + o, dct * i * (1 - g * g));
      store<f32>(g0 + 3 * hq + o, d * tc * (og * (1 - og)));
    }
  }
}

/**
 * PyTorch GRU step t (src/engine/cells/gru.ts):
 *   dn̂ = dh (1-z)(1-n²);  dẑ = dh (hPrev - n) z(1-z);  dr̂ = dn̂ ghn r(1-r);
 *   dP = [dr̂ dẑ dn̂], dG = [dr̂ dẑ r dn̂], dhPrev = dh z (+ dG W_hh by the caller).
 */
function gruStep(desc: usize, t: i32, B: i32, H: i32): void {
  const lengths = ptr(desc, W_LENGTHS);
  const aR = ptr(desc, W_Q0);
  const aZ = ptr(desc, W_Q0 + 1);
  const aN = ptr(desc, W_Q0 + 2);
  const ghn = ptr(desc, W_GHN);
  const dLdh = ptr(desc, W_DLDH);
  const hPrev = ptr(desc, W_HPREV);
  const dP = ptr(desc, W_DP);
  const dG = ptr(desc, W_DG);
  const dhPrev = ptr(desc, W_DHPREV);
  const GH = 3 * H;
  const hq = <usize>H << 2;
  const H4 = H & ~3;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const row = t * B + b;
    if (t >= load<i32>(at(lengths, b))) continue;
    const r = <usize>(row * H) << 2;
    const p0 = at(dP, row * GH);
    const q0 = at(dG, row * GH);
    const dhp = at(dhPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      const rg = v128.load(aR + r + o);
      const z = v128.load(aZ + r + o);
      const n = v128.load(aN + r + o);
      const d = v128.load(dLdh + r + o);
      const dn = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dz = f32x4.mul(
        f32x4.mul(d, f32x4.sub(v128.load(hPrev + r + o), n)),
        f32x4.mul(z, f32x4.sub(one, z)),
      );
      const dr = f32x4.mul(f32x4.mul(dn, v128.load(ghn + r + o)), f32x4.mul(rg, f32x4.sub(one, rg)));
      v128.store(p0 + o, dr);
      v128.store(q0 + o, dr);
      v128.store(p0 + hq + o, dz);
      v128.store(q0 + hq + o, dz);
      v128.store(p0 + 2 * hq + o, dn);
      v128.store(q0 + 2 * hq + o, f32x4.mul(dn, rg));
      v128.store(dhp + o, f32x4.mul(d, z));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const rg = load<f32>(aR + r + o);
      const z = load<f32>(aZ + r + o);
      const n = load<f32>(aN + r + o);
      const d = load<f32>(dLdh + r + o);
      const dn = d * (1 - z) * (1 - n * n);
      const dz = d * (load<f32>(hPrev + r + o) - n) * (z * (1 - z));
      const dr = dn * load<f32>(ghn + r + o) * (rg * (1 - rg));
      store<f32>(p0 + o, dr);
      store<f32>(q0 + o, dr);
      store<f32>(p0 + hq + o, dz);
      store<f32>(q0 + hq + o, dz);
      store<f32>(p0 + 2 * hq + o, dn);
      store<f32>(q0 + 2 * hq + o, dn * rg);
      store<f32>(dhp + o, d * z);
    }
  }
}

/**
 * Textbook GRU step t (src/engine/cells/gru-textbook.ts):
 *   dn̂ = dh z (1-n²);  dẑ = dh (n - hPrev) z(1-z);  d(r hPrev) = dn̂ W_hn;
 *   dr̂ = d(r hPrev) hPrev r(1-r);  dhPrev = dh (1-z) + d(r hPrev) r + [dr̂ dẑ] W_hh[r, z];
 *   dP = dG = [dr̂ dẑ dn̂]; rh[t] = r hPrev (the n rows' weight gradient multiplies it).
 */
function gruTextbookStep(desc: usize, t: i32, B: i32, H: i32): void {
  const lengths = ptr(desc, W_LENGTHS);
  const aR = ptr(desc, W_Q0);
  const aZ = ptr(desc, W_Q0 + 1);
  const aN = ptr(desc, W_Q0 + 2);
  const whh = ptr(desc, W_WHH);
  const dLdh = ptr(desc, W_DLDH);
  const hPrev = ptr(desc, W_HPREV);
  const rh = ptr(desc, W_RH);
  const dP = ptr(desc, W_DP);
  const dhPrev = ptr(desc, W_DHPREV);
  const drh = ptr(desc, W_DRH);
  const GH = 3 * H;
  const hq = <usize>H << 2;
  const H4 = H & ~3;
  const one = f32x4.splat(1.0);
  const tb = t * B;
  for (let b = 0; b < B; b++) {
    const row = tb + b;
    const r = <usize>(row * H) << 2;
    // Padded rows: rh is 0 (hPrev is 0 there), dP already zeroed by the caller.
    if (t >= load<i32>(at(lengths, b))) {
      zeroF(rh + r, H);
      continue;
    }
    const p0 = at(dP, row * GH);
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      const z = v128.load(aZ + r + o);
      const n = v128.load(aN + r + o);
      const hp = v128.load(hPrev + r + o);
      const d = v128.load(dLdh + r + o);
      v128.store(
        p0 + 2 * hq + o,
        f32x4.mul(f32x4.mul(d, z), f32x4.sub(one, f32x4.mul(n, n))),
      );
      v128.store(
        p0 + hq + o,
        f32x4.mul(f32x4.mul(d, f32x4.sub(n, hp)), f32x4.mul(z, f32x4.sub(one, z))),
      );
      v128.store(rh + r + o, f32x4.mul(v128.load(aR + r + o), hp));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const z = load<f32>(aZ + r + o);
      const n = load<f32>(aN + r + o);
      const hp = load<f32>(hPrev + r + o);
      const d = load<f32>(dLdh + r + o);
      store<f32>(p0 + 2 * hq + o, d * z * (1 - n * n));
      store<f32>(p0 + hq + o, d * (n - hp) * (z * (1 - z)));
      store<f32>(rh + r + o, load<f32>(aR + r + o) * hp);
    }
  }
  // drh = dP[t][:, n] W_hn
  zeroF(drh, B * H);
  gemmXN(B, H, H, at(dP, tb * GH + 2 * H), GH, 1, at(whh, 2 * H * H), H, drh, H);
  for (let b = 0; b < B; b++) {
    const row = tb + b;
    if (t >= load<i32>(at(lengths, b))) continue;
    const r = <usize>(row * H) << 2;
    const p0 = at(dP, row * GH);
    const g = at(drh, b * H);
    const dhp = at(dhPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      const rg = v128.load(aR + r + o);
      const z = v128.load(aZ + r + o);
      const gv = v128.load(g + o);
      v128.store(
        p0 + o,
        f32x4.mul(f32x4.mul(gv, v128.load(hPrev + r + o)), f32x4.mul(rg, f32x4.sub(one, rg))),
      );
      v128.store(
        dhp + o,
        f32x4.add(f32x4.mul(v128.load(dLdh + r + o), f32x4.sub(one, z)), f32x4.mul(gv, rg)),
      );
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const rg = load<f32>(aR + r + o);
      const z = load<f32>(aZ + r + o);
      const gv = load<f32>(g + o);
      store<f32>(p0 + o, gv * load<f32>(hPrev + r + o) * (rg * (1 - rg)));
      store<f32>(dhp + o, load<f32>(dLdh + r + o) * (1 - z) + gv * rg);
    }
  }
  gemmXN(B, H, 2 * H, at(dP, tb * GH), GH, 1, whh, H, dhPrev, H);
}

/** RNN step t (src/engine/cells/rnn.ts): dP = dG = dh (1 - h²) (tanh) or dh [pre > 0] (relu). */
function rnnStep(desc: usize, t: i32, B: i32, H: i32, relu: bool): void {
  const lengths = ptr(desc, W_LENGTHS);
  const hT = ptr(desc, W_Q0);
  const pre = ptr(desc, W_Q0 + 1);
  const dLdh = ptr(desc, W_DLDH);
  const dP = ptr(desc, W_DP);
  const H4 = H & ~3;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    const row = t * B + b;
    if (t >= load<i32>(at(lengths, b))) continue;
    const r = <usize>(row * H) << 2;
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      const d = v128.load(dLdh + r + o);
      if (relu) {
        v128.store(dP + r + o, v128.and(d, f32x4.gt(v128.load(pre + r + o), zero)));
      } else {
        const h = v128.load(hT + r + o);
        v128.store(dP + r + o, f32x4.mul(d, f32x4.sub(one, f32x4.mul(h, h))));
      }
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const d = load<f32>(dLdh + r + o);
      if (relu) {
        store<f32>(dP + r + o, load<f32>(pre + r + o) > 0 ? d : 0);
      } else {
        const h = load<f32>(hT + r + o);
        store<f32>(dP + r + o, d * (1 - h * h));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Parameter updates (src/engine/optimizers, torch.optim semantics). Parameters and gradients
// are float32 [n]; the optimizer state is float64 [n] (as the JS optimizers keep it) and
// every operation is done in float64 in the same order as the JS loops, so the results are
// the same bits: only the lanes differ (f64x2, two parameters per iteration).

@inline
function loadP(p: usize, i: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>i << 2)));
}

@inline
function storeP(p: usize, i: i32, v: v128): void {
  v128.store64_lane(p + (<usize>i << 2), f32x4.demote_f64x2_zero(v), 0);
}

@inline
function at8(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/**
 * Adam, one step (g = grad + wd p when wd != 0):
 *   m = m + (1-b1)(g - m);  v = v b2 + (1-b2) g g;  p -= (stepSize m) / (sqrt(v) / bc2Sqrt + eps)
 * with stepSize = lr / (1 - b1^t) and bc2Sqrt = sqrt(1 - b2^t) computed by the caller.
 */
export function adamUpdate(
  n: i32, p: usize, g: usize, m: usize, v: usize,
  b1: f64, b2: f64, eps: f64, wd: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  const c1 = f64x2.splat(1 - b1);
  const vb2 = f64x2.splat(b2);
  const c2 = f64x2.splat(1 - b2);
  const ve = f64x2.splat(eps);
  const vwd = f64x2.splat(wd);
  const vs = f64x2.splat(stepSize);
  const vbc = f64x2.splat(bc2Sqrt);
  const decay = wd != 0;
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const pv = loadP(p, i);
    let gv = loadP(g, i);
    if (decay) gv = f64x2.add(gv, f64x2.mul(vwd, pv));
    const m0 = v128.load(at8(m, i));
    const mi = f64x2.add(m0, f64x2.mul(c1, f64x2.sub(gv, m0)));
    const vi = f64x2.add(f64x2.mul(v128.load(at8(v, i)), vb2), f64x2.mul(f64x2.mul(c2, gv), gv));
    v128.store(at8(m, i), mi);
    v128.store(at8(v, i), vi);
    const den = f64x2.add(f64x2.div(f64x2.sqrt(vi), vbc), ve);
    storeP(p, i, f64x2.sub(pv, f64x2.div(f64x2.mul(vs, mi), den)));
  }
  for (; i < n; i++) {
    const pv = <f64>load<f32>(p + (<usize>i << 2));
    let gv = <f64>load<f32>(g + (<usize>i << 2));
    if (decay) gv += wd * pv;
    const m0 = load<f64>(at8(m, i));
    const mi = m0 + (1 - b1) * (gv - m0);
    const vi = load<f64>(at8(v, i)) * b2 + (1 - b2) * gv * gv;
    store<f64>(at8(m, i), mi);
    store<f64>(at8(v, i), vi);
    store<f32>(p + (<usize>i << 2), <f32>(pv - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)));
  }
}

/**
 * SGD, one step (g = grad + wd p when wd != 0): momentum 0: p -= lr g; otherwise
 * buf = g on the first step (`first` != 0), else momentum buf + (1 - dampening) g, and
 * p -= lr (nesterov ? g + momentum buf : buf).
 */
export function sgdUpdate(
  n: i32, p: usize, g: usize, buf: usize,
  lr: f64, momentum: f64, dampening: f64, nesterov: i32, wd: f64, first: i32,
): void {
  const decay = wd != 0;
  const mom = momentum != 0;
  const vwd = f64x2.splat(wd);
  const vlr = f64x2.splat(lr);
  const vm = f64x2.splat(momentum);
  const vd = f64x2.splat(1 - dampening);
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const pv = loadP(p, i);
    let gv = loadP(g, i);
    if (decay) gv = f64x2.add(gv, f64x2.mul(vwd, pv));
    if (mom) {
      const b = first ? gv : f64x2.add(f64x2.mul(vm, v128.load(at8(buf, i))), f64x2.mul(vd, gv));
      v128.store(at8(buf, i), b);
      gv = nesterov ? f64x2.add(gv, f64x2.mul(vm, b)) : b;
    }
    storeP(p, i, f64x2.sub(pv, f64x2.mul(vlr, gv)));
  }
  for (; i < n; i++) {
    const pv = <f64>load<f32>(p + (<usize>i << 2));
    let gv = <f64>load<f32>(g + (<usize>i << 2));
    if (decay) gv += wd * pv;
    if (mom) {
      const b = first ? gv : momentum * load<f64>(at8(buf, i)) + (1 - dampening) * gv;
      store<f64>(at8(buf, i), b);
      gv = nesterov ? gv + momentum * b : b;
    }
    store<f32>(p + (<usize>i << 2), <f32>(pv - lr * gv));
  }
}

/**
 * RMSprop, one step (g = grad + wd p when wd != 0): s = alpha s + (1-alpha) g g;
 * centered: a = a + (1-alpha)(g - a), d = sqrt(s - a a) + eps, else d = sqrt(s) + eps;
 * momentum > 0: buf = momentum buf + g / d, p -= lr buf; else p -= (lr g) / d.
 */
export function rmspropUpdate(
  n: i32, p: usize, g: usize, square: usize, gradAvg: usize, buf: usize,
  lr: f64, alpha: f64, eps: f64, wd: f64, momentum: f64, centered: i32,
): void {
  const decay = wd != 0;
  const mom = momentum > 0;
  const vwd = f64x2.splat(wd);
  const va = f64x2.splat(alpha);
  const c = f64x2.splat(1 - alpha);
  const ve = f64x2.splat(eps);
  const vlr = f64x2.splat(lr);
  const vm = f64x2.splat(momentum);
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const pv = loadP(p, i);
    let gv = loadP(g, i);
    if (decay) gv = f64x2.add(gv, f64x2.mul(vwd, pv));
    const s = f64x2.add(f64x2.mul(v128.load(at8(square, i)), va), f64x2.mul(f64x2.mul(c, gv), gv));
    v128.store(at8(square, i), s);
    let d: v128;
    if (centered) {
      const a0 = v128.load(at8(gradAvg, i));
      const a = f64x2.add(a0, f64x2.mul(c, f64x2.sub(gv, a0)));
      v128.store(at8(gradAvg, i), a);
      d = f64x2.add(f64x2.sqrt(f64x2.sub(s, f64x2.mul(a, a))), ve);
    } else {
      d = f64x2.add(f64x2.sqrt(s), ve);
    }
    if (mom) {
      const b = f64x2.add(f64x2.mul(vm, v128.load(at8(buf, i))), f64x2.div(gv, d));
      v128.store(at8(buf, i), b);
      storeP(p, i, f64x2.sub(pv, f64x2.mul(vlr, b)));
    } else {
      storeP(p, i, f64x2.sub(pv, f64x2.div(f64x2.mul(vlr, gv), d)));
    }
  }
  for (; i < n; i++) {
    const pv = <f64>load<f32>(p + (<usize>i << 2));
    let gv = <f64>load<f32>(g + (<usize>i << 2));
    if (decay) gv += wd * pv;
    const s = load<f64>(at8(square, i)) * alpha + (1 - alpha) * gv * gv;
    store<f64>(at8(square, i), s);
    let d: f64;
    if (centered) {
      const a0 = load<f64>(at8(gradAvg, i));
      const a = a0 + (1 - alpha) * (gv - a0);
      store<f64>(at8(gradAvg, i), a);
      d = Math.sqrt(s - a * a) + eps;
    } else {
      d = Math.sqrt(s) + eps;
    }
    if (mom) {
      const b = momentum * load<f64>(at8(buf, i)) + gv / d;
      store<f64>(at8(buf, i), b);
      store<f32>(p + (<usize>i << 2), <f32>(pv - lr * b));
    } else {
      store<f32>(p + (<usize>i << 2), <f32>(pv - (lr * gv) / d));
    }
  }
}
