/**
 * The JS side of the WebAssembly SIMD kernels (source: src/wasm/assembly/kernels.ts, built by
 * `npm run build:wasm` into src/wasm/build/kernels.wasm).
 *
 * `SimdKernels` implements the engine's `Kernels` interface (so it plugs in with
 * `setKernels`) plus `forwardLayer`, the fast path that runs a whole layer's time loop
 * inside WebAssembly (one call per layer and direction instead of one per step).
 *
 * Memory: the module owns one linear memory used as a bump arena, reset by every call.
 * Engine arrays live in the JS heap, so inputs are copied in and results copied out; for the
 * per-layer fast path that is O(T * B * (I + quantities * H)), small beside the products.
 */
import { scalarKernels } from '../engine/kernels';
import type { LayerForwardArgs, LayerKernels } from '../engine/kernels/layer';
import type { Quantity } from '../engine/types';

/** A minimal module using one v128 instruction: `WebAssembly.validate` says whether SIMD exists. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

/** Whether this runtime has WebAssembly with the fixed-width SIMD proposal (f32x4). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

interface KernelExports {
  memory: WebAssembly.Memory;
  gemmNT(...args: number[]): void;
  gemmXN(...args: number[]): void;
  bareMatvecLoop(steps: number, N: number, K: number, W: number, v: number, y: number): number;
  lstmForward(...args: number[]): void;
  gruForward(...args: number[]): void;
  rnnForward(...args: number[]): void;
  packCols(N: number, K1: number, W1: number, K2: number, W2: number, dst: number): void;
}

/**
 * Whether a product is worth copying into wasm memory: enough multiply-adds in all, and
 * several per copied value (a B = 1 mat-vec does one per weight, so it stays scalar;
 * whole layers go through `forwardLayer` instead).
 */
function worthCopying(M: number, N: number, K: number, copied: number): boolean {
  const macs = M * N * K;
  return macs >= 32 * 1024 && macs >= 6 * copied;
}

function need(arr: Partial<Record<Quantity, Float32Array>>, q: Quantity): Float32Array {
  const a = arr[q];
  if (!a) throw new Error(`simd forwardLayer: the trace has no array for quantity "${q}"`);
  return a;
}

/** Floats spanned by a row-major block of `rows` x `cols` with leading dimension `ld`. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** The SIMD kernel set: the engine's `Kernels` plus the whole-layer fast path. */
export class SimdKernels implements LayerKernels {
  readonly name = 'wasm-simd';
  /** Layers run through `forwardLayer` so far (tests check the fast path really ran). */
  layerCalls = 0;
  private readonly ex: KernelExports;
  private f32: Float32Array;
  private top = 0;
  /** Start of the arena: above AssemblyScript's static data. */
  private readonly base: number;

  constructor(instance: WebAssembly.Instance) {
    this.ex = instance.exports as unknown as KernelExports;
    this.base = 64 * 1024;
    this.f32 = new Float32Array(this.ex.memory.buffer);
  }

  // --- arena --------------------------------------------------------------------------

  /** Resets the arena and reserves room for `floats` values (grows the memory if needed). */
  private reset(floats: number): void {
    const bytes = this.base + floats * 4 + 64 * 64;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.f32.buffer !== this.ex.memory.buffer)
      this.f32 = new Float32Array(this.ex.memory.buffer);
    this.top = this.base;
  }

  /** A 64-byte aligned block of `floats` values; returns its byte pointer. */
  private alloc(floats: number): number {
    const p = this.top;
    this.top += (Math.ceil(floats / 16) * 16 || 16) * 4;
    return p;
  }

  private put(src: Float32Array, off = 0, len = src.length - off): number {
    const p = this.alloc(len);
    this.f32.set(src.subarray(off, off + len), p >> 2);
    return p;
  }

  private get(p: number, len: number): Float32Array {
    return this.f32.subarray(p >> 2, (p >> 2) + len);
  }

  // --- the engine's Kernels interface ----------------------------------------------------

  gemmNT(
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
  ): void {
    if (!worthCopying(M, N, K, span(M, K, lda) + span(N, K, ldb) + span(M, N, ldc))) {
      scalarKernels.gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      return;
    }
    const na = span(M, K, lda);
    const nb = span(N, K, ldb);
    const nc = span(M, N, ldc);
    this.reset(na + nb + nc + 48);
    const pa = this.put(A, aOff, na);
    const pb = this.put(B, bOff, nb);
    const pc = this.put(C, cOff, nc);
    this.ex.gemmNT(M, N, K, pa, lda, pb, ldb, pc, ldc, pc, ldc);
    this.copyBack(C, cOff, pc, M, N, ldc);
  }

  gemmNN(
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
  ): void {
    if (!worthCopying(M, N, K, span(M, K, lda) + span(K, N, ldb) + span(M, N, ldc))) {
      scalarKernels.gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      return;
    }
    const na = span(M, K, lda);
    const nb = span(K, N, ldb);
    const nc = span(M, N, ldc);
    this.reset(na + nb + nc + 48);
    const pa = this.put(A, aOff, na);
    const pb = this.put(B, bOff, nb);
    const pc = this.put(C, cOff, nc);
    this.ex.gemmXN(M, N, K, pa, lda, 1, pb, ldb, pc, ldc);
    this.copyBack(C, cOff, pc, M, N, ldc);
  }

  gemmTN(
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
  ): void {
    if (!worthCopying(M, N, K, span(K, M, lda) + span(K, N, ldb) + span(M, N, ldc))) {
      scalarKernels.gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      return;
    }
    const na = span(K, M, lda);
    const nb = span(K, N, ldb);
    const nc = span(M, N, ldc);
    this.reset(na + nb + nc + 48);
    const pa = this.put(A, aOff, na);
    const pb = this.put(B, bOff, nb);
    const pc = this.put(C, cOff, nc);
    this.ex.gemmXN(M, N, K, pa, 1, lda, pb, ldb, pc, ldc);
    this.copyBack(C, cOff, pc, M, N, ldc);
  }

  /** Copies the M x N block of C back (only its rows: the gaps of a wider `ldc` are untouched). */
  private copyBack(
    C: Float32Array,
    cOff: number,
    pc: number,
    M: number,
    N: number,
    ldc: number,
  ): void {
    if (ldc === N) {
      C.set(this.get(pc, M * N), cOff);
      return;
    }
    for (let m = 0; m < M; m++) C.set(this.get(pc + m * ldc * 4, N), cOff + m * ldc);
  }

  // --- the whole-layer fast path -----------------------------------------------------------

  /**
   * Runs one layer and direction over all T steps inside WebAssembly (every sequence full
   * length): writes every trace array of `act` / `pre`, `ghn` (PyTorch GRU) and the final
   * states. Equations as the engine's cells (src/engine/cells), gates in PyTorch order.
   */
  forwardLayer(a: LayerForwardArgs): void {
    this.layerCalls++;
    const { cell, T, B, I, H } = a;
    const G = cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
    const GH = G * H;
    const TBH = T * B * H;
    const nq = cell === 'lstm' ? 10 : cell === 'gru' ? 8 : cell === 'gru-textbook' ? 7 : 2;
    this.reset(
      T * B * I +
        2 * GH * (I + H) +
        2 * GH +
        2 * B * H +
        T * B * GH +
        B * GH +
        B * H +
        nq * TBH +
        64 * 20,
    );
    const px = this.put(a.x, 0, T * B * I);
    const pwih = this.put(a.wih, 0, GH * I);
    const pwhh = this.put(a.whh, 0, GH * H);
    const ph0 = this.put(a.h0, 0, B * H);
    const rev = a.reverse ? 1 : 0;
    const P = this.alloc(T * B * GH);
    const S = this.alloc(B * GH);
    const trace = (): number => this.alloc(TBH);
    const out = (p: number, dst: Float32Array) => dst.set(this.get(p, TBH));
    const lastStep = a.reverse ? 0 : T - 1;
    const final = (p: number, dst: Float32Array) =>
      dst.set(this.get(p + lastStep * B * H * 4, B * H));
    // One sequence: the recurrent weights packed for the column-form mat-vec.
    let pwhhp = 0;
    if (B === 1 && H % 4 === 0 && cell !== 'gru-textbook') {
      pwhhp = this.alloc(GH * (I + H));
      if (cell === 'gru') {
        this.ex.packCols(GH, I, pwih, 0, 0, pwhhp);
        this.ex.packCols(GH, H, pwhh, 0, 0, pwhhp + GH * I * 4);
      } else this.ex.packCols(GH, I, pwih, H, pwhh, pwhhp);
    }

    if (cell === 'lstm' || cell === 'rnn-tanh' || cell === 'rnn-relu') {
      // b_ih + b_hh folded into the input projection.
      const pb = this.alloc(GH);
      const bias = this.get(pb, GH);
      bias.fill(0);
      if (a.bih) for (let i = 0; i < GH; i++) bias[i] += a.bih[i];
      if (a.bhh) for (let i = 0; i < GH; i++) bias[i] += a.bhh[i];
      if (cell === 'lstm') {
        const pc0 = a.c0 ? this.put(a.c0, 0, B * H) : this.zeros(B * H);
        const q = Array.from({ length: 10 }, trace);
        this.ex.lstmForward(T, B, I, H, rev, px, pwih, pwhh, pwhhp, pb, ph0, pc0, P, S, ...q);
        const names: Quantity[] = ['i', 'f', 'g', 'o'];
        names.forEach((n, k) => out(q[k], need(a.pre, n)));
        names.forEach((n, k) => out(q[4 + k], need(a.act, n)));
        out(q[8], need(a.act, 'c'));
        out(q[9], need(a.act, 'h'));
        final(q[9], a.hN);
        if (a.cN) final(q[8], a.cN);
      } else {
        const pre = trace();
        const h = trace();
        const relu = cell === 'rnn-relu' ? 1 : 0;
        this.ex.rnnForward(T, B, I, H, rev, relu, px, pwih, pwhh, pwhhp, pb, ph0, P, pre, h);
        out(pre, need(a.pre, 'h'));
        out(h, need(a.act, 'h'));
        final(h, a.hN);
      }
      return;
    }
    // GRU: b_hn must stay inside r * (...), so the two biases stay apart.
    const pbih = a.bih ? this.put(a.bih, 0, GH) : this.zeros(GH);
    const pbhh = a.bhh ? this.put(a.bhh, 0, GH) : this.zeros(GH);
    const S2 = this.alloc(B * H);
    const textbook = cell === 'gru-textbook' ? 1 : 0;
    const q = Array.from({ length: 7 }, trace);
    const ghn = textbook ? 0 : trace();
    this.ex.gruForward(
      T,
      B,
      I,
      H,
      rev,
      textbook,
      px,
      pwih,
      pwhh,
      pwhhp,
      pbih,
      pbhh,
      ph0,
      P,
      S,
      S2,
      ...q,
      ghn,
    );
    const names: Quantity[] = ['r', 'z', 'n'];
    names.forEach((n, k) => out(q[k], need(a.pre, n)));
    names.forEach((n, k) => out(q[3 + k], need(a.act, n)));
    out(q[6], need(a.act, 'h'));
    if (!textbook && a.ghn) out(ghn, a.ghn);
    final(q[6], a.hN);
  }

  private zeros(n: number): number {
    const p = this.alloc(n);
    this.get(p, n).fill(0);
    return p;
  }

  // --- the benchmark's ceiling ------------------------------------------------------------

  /**
   * Times nothing itself: prepares W `[N, K]` and v `[K]` (seeded values) and returns a
   * function running `steps` bare SIMD mat-vecs y = W v in one call (the ceiling the
   * benchmark compares the engine with: same FLOPs as a layer's gate mat-vecs, no trace).
   */
  bareMatvec(steps: number, N: number, K: number): () => number {
    this.reset(2 * N * K + K + N + 64 * 5);
    const pw = this.alloc(N * K);
    const pp = this.alloc(N * K);
    const pv = this.alloc(K);
    const py = this.alloc(N);
    const w = this.get(pw, N * K);
    for (let i = 0; i < w.length; i++) w[i] = ((i * 2654435761) % 1000) / 1e5 - 0.005;
    this.get(pv, K).fill(0.5);
    this.ex.packCols(N, K, pw, 0, 0, pp);
    return () => this.ex.bareMatvecLoop(steps, N, K, pp, pv, py);
  }
}

/** Compiles and instantiates the kernels from the module's bytes (synchronous: workers, Node). */
export function createSimdKernels(bytes: BufferSource): SimdKernels {
  const module = new WebAssembly.Module(bytes);
  return new SimdKernels(new WebAssembly.Instance(module, {}));
}

/** Asynchronous variant (main thread of a browser, where large synchronous compiles are refused). */
export async function createSimdKernelsAsync(bytes: BufferSource): Promise<SimdKernels> {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return new SimdKernels(instance);
}
