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
import type { LayerBackwardArgs, LayerForwardArgs, LayerKernels } from '../engine/kernels/layer';
import type { ParamUpdater, UpdateRule } from '../engine/kernels';
import type { TraceArenaKernels } from '../engine/kernels/arena';
import type { CellKind, ModelSpec, Quantity } from '../engine/types';

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
 * Arena floats one `backwardLayer` call needs besides the trace arrays it reads (those are
 * copied in unless they already live in the kernels' memory): input, weights, states, dL/d
 * output, the gate-gradient buffers, hPrev, dL/dh, weight gradients and dL/dx, with padding.
 * A trace arena whose scratch has this much room lets the backward read the trace in place.
 */
export function backwardScratchFloats(
  cell: CellKind,
  T: number,
  B: number,
  I: number,
  H: number,
  dOutStride: number,
): number {
  const G = cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
  const GH = G * H;
  const TB = T * B;
  const TBH = TB * H;
  const BH = B * H;
  // dP, dG (PyTorch GRU only: else dG is dP) and a block of 256 rows transposed.
  const gateBuffers = TB * GH * (cell === 'gru' ? 2 : 1) + Math.min(256, TB) * GH;
  const hBuffers = TBH * (cell === 'gru-textbook' ? 3 : 2);
  return (
    2 * TB * I +
    2 * GH * (I + H) +
    2 * GH +
    9 * BH +
    B +
    64 +
    span(TB, H, dOutStride) +
    gateBuffers +
    hBuffers +
    16 * 40
  );
}

/** The training exports (src/wasm/assembly/backward.ts). */
interface TrainExports {
  memory: WebAssembly.Memory;
  layerBackward(desc: number): void;
  adamUpdate(...args: number[]): void;
  sgdUpdate(...args: number[]): void;
  rmspropUpdate(...args: number[]): void;
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

/**
 * Scratch floats one `forwardLayer` call needs in its arena, trace arrays not included: the
 * input, the weights and their packed copy, biases, states, the input projection and a step.
 */
function layerScratch(cell: CellKind, T: number, B: number, I: number, H: number): number {
  const G = cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
  const GH = G * H;
  return T * B * I + 2 * GH * (I + H) + 2 * GH + 2 * B * H + T * B * GH + B * GH + B * H + 64 * 24;
}

/** Where a workspace's trace arrays live: another instance of the module, with its own memory. */
interface TraceArena {
  ex: KernelExports;
  f32: Float32Array;
  /** Byte offset of the scratch area, above the trace arrays. */
  scratch: number;
  scratchFloats: number;
}

/** Floats spanned by a row-major block of `rows` x `cols` with leading dimension `ld`. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** The SIMD kernel set: the engine's `Kernels` plus the whole-layer fast path. */
export class SimdKernels implements LayerKernels, TraceArenaKernels {
  readonly name = 'wasm-simd';
  /** Layers run through `forwardLayer` so far (tests check the fast path really ran). */
  layerCalls = 0;
  private ex: KernelExports;
  private f32: Float32Array;
  private top = 0;
  /** Start of the arena: above AssemblyScript's static data. */
  private base: number;
  /** Trace arenas by their memory's buffer (never grown, so the key stays valid). */
  private readonly arenas = new WeakMap<ArrayBufferLike, TraceArena>();

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
    if (bytes > have) {
      // Growing a trace arena's memory would detach the workspace's trace arrays.
      if (this.arenas.has(this.ex.memory.buffer))
        throw new Error(`simd: a trace arena is ${bytes - have} bytes short`);
      this.ex.memory.grow(Math.ceil((bytes - have) / 65536));
    }
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
    this.inArenaOf(need(a.act, 'h'), layerScratch(cell, T, B, I, H), () => this.forwardIn(a));
  }

  /**
   * Runs `fn` on the instance whose memory holds `arr` (a trace arena), its scratch above the
   * trace, when that scratch has room for `floats`; else on this instance (`fn` then copies
   * the trace arrays in or out).
   */
  private inArenaOf<R>(arr: Float32Array, floats: number, fn: () => R): R {
    const own = this.arenas.get(arr.buffer);
    if (!own || own.scratchFloats < floats) return fn();
    const { ex, f32, base } = this;
    this.ex = own.ex;
    this.f32 = own.f32;
    this.base = own.scratch;
    try {
      return fn();
    } finally {
      this.ex = ex;
      this.f32 = f32;
      this.base = base;
    }
  }

  /**
   * A `traceArena` for `TraceArenaKernels`: a new instance of the module whose memory holds
   * the trace arrays and, above them, the scratch of the largest layer call of (spec, T, B).
   * Sized once and never grown, so the views stay valid. Null without the compiled module or
   * when the memory cannot be had (the engine then allocates ordinary arrays).
   */
  traceArena(spec: ModelSpec, T: number, B: number, floats: number): Float32Array | null {
    if (!this.module) return null;
    const H = spec.hiddenSize;
    const DH = (spec.bidirectional ? 2 : 1) * H;
    const I = Math.max(spec.inputSize, DH);
    // Room for the largest forward or backward call of any layer: both then run in place.
    const scratchFloats = Math.max(
      layerScratch(spec.cell, T, B, I, H),
      backwardScratchFloats(spec.cell, T, B, I, H, DH),
    );
    const base = 64 * 1024;
    const scratch = base + Math.ceil(floats / 16) * 64;
    let ex: KernelExports;
    try {
      ex = new WebAssembly.Instance(this.module, {}).exports as unknown as KernelExports;
      const bytes = scratch + scratchFloats * 4 + 64 * 64;
      const have = ex.memory.buffer.byteLength;
      if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null;
    }
    const f32 = new Float32Array(ex.memory.buffer);
    this.arenas.set(ex.memory.buffer, { ex, f32, scratch, scratchFloats });
    return f32.subarray(base >> 2, (base >> 2) + floats);
  }

  /** `forwardLayer` on the current instance; trace arrays in its memory are written in place. */
  private forwardIn(a: LayerForwardArgs): void {
    const { cell, T, B, I, H } = a;
    const G = cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
    const GH = G * H;
    const TBH = T * B * H;
    const mem = this.ex.memory.buffer;
    const inPlace = (dst: Float32Array | null | undefined) => !!dst && dst.buffer === mem;
    const dests = [...Object.values(a.act), ...Object.values(a.pre), a.ghn];
    const copied = dests.filter((d) => d && !inPlace(d)).length;
    this.reset(layerScratch(cell, T, B, I, H) + copied * (TBH + 16));
    const px = this.put(a.x, 0, T * B * I);
    const pwih = this.put(a.wih, 0, GH * I);
    const pwhh = this.put(a.whh, 0, GH * H);
    const ph0 = this.put(a.h0, 0, B * H);
    const rev = a.reverse ? 1 : 0;
    const P = this.alloc(T * B * GH);
    const S = this.alloc(B * GH);
    // A trace array's pointer: itself when it lives in this memory, else scratch copied out.
    const place = (dst: Float32Array | null | undefined): number =>
      dst && inPlace(dst) ? dst.byteOffset : this.alloc(TBH);
    const out = (p: number, dst: Float32Array) => {
      if (!inPlace(dst)) dst.set(this.get(p, TBH));
    };
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
        const names: Quantity[] = ['i', 'f', 'g', 'o'];
        const dst = [
          ...names.map((n) => need(a.pre, n)),
          ...names.map((n) => need(a.act, n)),
          need(a.act, 'c'),
          need(a.act, 'h'),
        ];
        const q = dst.map(place);
        this.ex.lstmForward(T, B, I, H, rev, px, pwih, pwhh, pwhhp, pb, ph0, pc0, P, S, ...q);
        dst.forEach((d, k) => out(q[k], d));
        final(q[9], a.hN);
        if (a.cN) final(q[8], a.cN);
      } else {
        const pre = place(need(a.pre, 'h'));
        const h = place(need(a.act, 'h'));
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
    const names: Quantity[] = ['r', 'z', 'n'];
    const dst = [
      ...names.map((n) => need(a.pre, n)),
      ...names.map((n) => need(a.act, n)),
      need(a.act, 'h'),
    ];
    const q = dst.map(place);
    const ghn = textbook ? 0 : place(a.ghn);
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
    dst.forEach((d, k) => out(q[k], d));
    if (!textbook && a.ghn) out(ghn, a.ghn);
    final(q[6], a.hN);
  }

  private zeros(n: number): number {
    const p = this.alloc(n);
    this.get(p, n).fill(0);
    return p;
  }

  // --- training: whole-layer backward and parameter updates --------------------------------

  /** Layers run through `backwardLayer` and updates run through an updater (tests check them). */
  backwardCalls = 0;
  updateCalls = 0;
  /** The compiled module (set by the factories): each optimizer's updater is an instance of it. */
  module: WebAssembly.Module | null = null;

  /**
   * Runs one layer and direction's backward through time inside WebAssembly (`layerBackward`
   * in src/wasm/assembly/backward.ts): operands copied in once, dL/dh, the carries, the
   * weight gradients and dL/dx copied out once. Any lengths and truncation window.
   */
  backwardLayer(a: LayerBackwardArgs): boolean {
    const { cell, T, B, I, H } = a;
    const floats = backwardScratchFloats(cell, T, B, I, H, a.dOutStride);
    return this.inArenaOf(need(a.act, 'h'), floats, () => this.backwardIn(a));
  }

  /** `backwardLayer` on the current instance; trace arrays in its memory are read in place. */
  private backwardIn(a: LayerBackwardArgs): boolean {
    const { cell, T, B, I, H } = a;
    const G = cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru-textbook' ? 3 : 1;
    const GH = G * H;
    const TB = T * B;
    const TBH = TB * H;
    const BH = B * H;
    const quantities: Quantity[] =
      cell === 'lstm'
        ? ['i', 'f', 'g', 'o', 'c', 'h']
        : cell === 'gru' || cell === 'gru-textbook'
          ? ['r', 'z', 'n', 'h']
          : ['h'];
    const relu = cell === 'rnn-relu';
    // Trace arrays already in this memory (a trace arena) are read in place, not copied.
    const mem = this.ex.memory.buffer;
    const traced = [
      ...quantities.map((q) => need(a.act, q)),
      ...(relu ? [need(a.pre, 'h')] : []),
      ...(cell === 'gru' && a.ghn ? [a.ghn] : []),
    ];
    const copied = traced.filter((arr) => arr.buffer !== mem).length;
    try {
      this.reset(backwardScratchFloats(cell, T, B, I, H, a.dOutStride) + copied * (TBH + 16));
    } catch (err) {
      // The memory cannot grow that far: decline, nothing changed (bptt runs its step loop).
      if (err instanceof RangeError) return false;
      throw err;
    }
    this.backwardCalls++;
    const place = (arr: Float32Array): number =>
      arr.buffer === mem ? arr.byteOffset : this.put(arr, 0, TBH);
    const CELL_ID = { lstm: 0, gru: 1, 'gru-textbook': 2, 'rnn-tanh': 3, 'rnn-relu': 4 };
    const words = new Int32Array(38);
    words[0] = CELL_ID[cell];
    words[1] = T;
    words[2] = B;
    words[3] = I;
    words[4] = H;
    words[5] = a.reverse ? 1 : 0;
    words[6] = a.truncate;
    words[7] = a.dOutStride;
    const pl = this.alloc(B);
    new Int32Array(this.ex.memory.buffer, pl, B).set(a.lengths.subarray(0, B));
    words[8] = pl;
    words[9] = this.put(a.x, 0, TB * I);
    words[10] = this.put(a.wih, 0, GH * I);
    words[11] = this.put(a.whh, 0, GH * H);
    words[12] = this.put(a.h0, 0, BH);
    words[13] = cell === 'lstm' ? (a.c0 ? this.put(a.c0, 0, BH) : this.zeros(BH)) : 0;
    quantities.forEach((q, i) => (words[14 + i] = place(need(a.act, q))));
    if (relu) words[15] = place(need(a.pre, 'h'));
    if (cell === 'gru') {
      if (!a.ghn) throw new Error('simd backwardLayer: the GRU trace has no ghn array');
      words[20] = place(a.ghn);
    }
    words[21] = this.put(a.dOut, a.dOutOffset, span(TB, H, a.dOutStride));
    const pch = this.put(a.carryH, 0, BH);
    const pcc = a.carryC ? this.put(a.carryC, 0, BH) : this.zeros(BH);
    words[22] = pch;
    words[23] = pcc;
    words[24] = this.alloc(TBH);
    words[25] = this.alloc(TB * GH);
    words[26] = cell === 'gru' ? this.alloc(TB * GH) : words[25];
    words[27] = this.alloc(TBH);
    words[28] = cell === 'gru-textbook' ? this.alloc(TBH) : 0;
    words[29] = this.alloc(BH);
    words[30] = this.alloc(BH);
    words[31] = this.alloc(BH);
    const pgwih = this.put(a.gwih, 0, GH * I);
    const pgwhh = this.put(a.gwhh, 0, GH * H);
    const pgbih = a.gbih ? this.put(a.gbih, 0, GH) : 0;
    const pgbhh = a.gbhh ? this.put(a.gbhh, 0, GH) : 0;
    const pdin = a.dIn ? this.put(a.dIn, 0, TB * I) : 0;
    words[32] = pgwih;
    words[33] = pgwhh;
    words[34] = pgbih;
    words[35] = pgbhh;
    words[36] = pdin;
    words[37] = this.alloc(Math.min(256, TB) * GH);
    const desc = this.alloc(words.length);
    new Int32Array(this.ex.memory.buffer, desc, words.length).set(words);
    (this.ex as unknown as TrainExports).layerBackward(desc);
    a.dLdh.set(this.get(words[24], TBH));
    a.carryH.set(this.get(pch, BH));
    if (a.carryC) a.carryC.set(this.get(pcc, BH));
    a.gwih.set(this.get(pgwih, GH * I));
    a.gwhh.set(this.get(pgwhh, GH * H));
    if (a.gbih) a.gbih.set(this.get(pgbih, GH));
    if (a.gbhh) a.gbhh.set(this.get(pgbhh, GH));
    if (a.dIn) a.dIn.set(this.get(pdin, TB * I));
    return true;
  }

  /**
   * A parameter updater for `size` parameters with `slots` float64 state arrays, in a fresh
   * instance of this module (its own memory, sized once and never grown: the state views stay
   * valid, and the kernels' arena never moves them). Null without the module or memory.
   */
  createUpdater(size: number, slots: number): ParamUpdater | null {
    if (!this.module) return null;
    let ex: TrainExports;
    try {
      ex = new WebAssembly.Instance(this.module, {}).exports as unknown as TrainExports;
      const bytes = 64 * 1024 + (2 * 4 + slots * 8) * size + 16 * (slots + 2);
      const have = ex.memory.buffer.byteLength;
      if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null;
    }
    const buf = ex.memory.buffer;
    const align = (n: number) => Math.ceil(n / 16) * 16;
    const pp = 64 * 1024;
    const pg = pp + align(size * 4);
    const ps = pg + align(size * 4);
    const state = Array.from(
      { length: slots },
      (_, i) => new Float64Array(buf, ps + i * align(size * 8), size),
    );
    const f32 = new Float32Array(buf);
    const p = state.map((_, i) => ps + i * align(size * 8));
    const update = (r: UpdateRule, params: Float32Array, grads: Float32Array): void => {
      this.updateCalls++;
      f32.set(params, pp >> 2);
      f32.set(grads, pg >> 2);
      if (r.name === 'adam') {
        ex.adamUpdate(
          size,
          pp,
          pg,
          p[0],
          p[1],
          r.b1,
          r.b2,
          r.eps,
          r.weightDecay,
          r.stepSize,
          r.bc2Sqrt,
        );
      } else if (r.name === 'sgd') {
        const nesterov = r.nesterov ? 1 : 0;
        ex.sgdUpdate(
          size,
          pp,
          pg,
          p[0],
          r.lr,
          r.momentum,
          r.dampening,
          nesterov,
          r.weightDecay,
          r.first ? 1 : 0,
        );
      } else {
        const centered = r.centered ? 1 : 0;
        ex.rmspropUpdate(
          size,
          pp,
          pg,
          p[0],
          p[1],
          p[2],
          r.lr,
          r.alpha,
          r.eps,
          r.weightDecay,
          r.momentum,
          centered,
        );
      }
      params.set(f32.subarray(pp >> 2, (pp >> 2) + size));
    };
    return { state, update };
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
  const kernels = new SimdKernels(new WebAssembly.Instance(module, {}));
  kernels.module = module;
  return kernels;
}

/** Asynchronous variant (main thread of a browser, where large synchronous compiles are refused). */
export async function createSimdKernelsAsync(bytes: BufferSource): Promise<SimdKernels> {
  const { instance, module } = await WebAssembly.instantiate(bytes, {});
  const kernels = new SimdKernels(instance);
  kernels.module = module;
  return kernels;
}
