/**
 * The terms of one unit's equations at one step, as the equations panel shows
 * them, computed by the engine from the model and a trace (so the panel never
 * re-derives a number). Works on a copied trace too (it needs only the trace's
 * arrays: layer inputs, h0/c0 and the activations).
 *
 * For gate row k of unit j (row = k*H + j):
 *   wx  = W_ih[row, :] · x_t          bih = b_ih[row]
 *   wh  = W_hh[row, :] · hPrev        bhh = b_hh[row]
 *   pre = wx + bih + wh + bhh                       (LSTM, RNN, GRU r and z)
 *   pre = wx + bih + r * (wh + bhh)                 (GRU n, PyTorch: `reset` = r)
 *   pre = wx + bih + W_hn[j, :] · (r ∘ hPrev) + bhh (GRU n, textbook: that product is `wh`)
 */
import { EngineError } from './errors';
import { directions } from './model';
import type { Model } from './model';
import { GATES } from './types';
import type { CellKind, Direction, Quantity, Trace } from './types';

export interface GateTerms {
  gate: Quantity;
  /** Input term W_ih x (row of this gate and unit). */
  wx: number;
  /** Input bias b_ih (0 without bias). */
  bih: number;
  /** Recurrent term W_hh hPrev (textbook GRU n: W_hn (r ∘ hPrev)). */
  wh: number;
  /** Recurrent bias b_hh (0 without bias). */
  bhh: number;
  /** PyTorch GRU n only: the reset gate r that scales (wh + bhh); null otherwise. */
  reset: number | null;
  /** Pre-activation and activation as recorded in the trace. */
  pre: number;
  act: number;
}

/** The state update, per cell (every number from the engine). */
export type UpdateTerms =
  | {
      cell: 'lstm';
      hPrev: number;
      cPrev: number;
      /** f * cPrev */
      fcPrev: number;
      /** i * g */
      ig: number;
      c: number;
      tanhC: number;
      /** o * tanh(c) */
      h: number;
    }
  | {
      cell: 'gru';
      hPrev: number;
      /** (1 - z) * n */
      oneMinusZN: number;
      /** z * hPrev */
      zHPrev: number;
      h: number;
    }
  | {
      cell: 'gru-textbook';
      hPrev: number;
      /** (1 - z) * hPrev */
      oneMinusZHPrev: number;
      /** z * n */
      zN: number;
      h: number;
    }
  | { cell: 'rnn-tanh' | 'rnn-relu'; hPrev: number; h: number };

export interface StepTerms {
  cell: CellKind;
  key: string;
  layer: number;
  direction: Direction;
  t: number;
  b: number;
  unit: number;
  /** False at a padded step (t >= lengths[b]): every number is 0. */
  valid: boolean;
  /** One entry per gate in `GATES[cell]` order; RNN: one entry `h`. */
  gates: GateTerms[];
  update: UpdateTerms;
}

export interface StepTermsQuery {
  layer: number;
  direction: Direction;
  t: number;
  b: number;
  unit: number;
}

function checkIndex(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new EngineError('STEP_OUT_OF_RANGE', { name, max, actual: String(v) });
  }
}

/** Every term of unit `unit`'s equations at step t of sequence b (see the file comment). */
export function stepTerms(model: Model, trace: Trace, q: StepTermsQuery): StepTerms {
  const spec = model.spec;
  const H = spec.hiddenSize;
  const D = directions(spec);
  const { T, B } = trace;
  checkIndex('layer', q.layer, spec.numLayers - 1);
  checkIndex('direction', q.direction, D - 1);
  checkIndex('t', q.t, T - 1);
  checkIndex('b', q.b, B - 1);
  checkIndex('unit', q.unit, H - 1);
  const { layer, direction, t, b, unit } = q;
  const idx = layer * D + direction;
  const lp = model.layers[idx];
  const lt = trace.layers[idx];
  const cell = spec.cell;
  const len = trace.lengths[b];
  const valid = t < len;
  const tr = (t * B + b) * H;

  // hPrev (and cPrev) as the step saw them.
  const first = direction === 0 ? t === 0 : t === len - 1;
  const so = idx * B * H + b * H;
  const prevOff = direction === 0 ? tr - B * H : tr + B * H;
  const hArr = first ? trace.h0 : (lt.act.h as Float32Array);
  const hOff = first ? so : prevOff;
  const cArr = first ? trace.c0 : (lt.act.c ?? null);

  const inSize = lp.inSize;
  const X = trace.layerInputs[layer];
  const xOff = (t * B + b) * inSize;
  const gateNames: readonly Quantity[] =
    cell === 'rnn-tanh' || cell === 'rnn-relu' ? ['h'] : GATES[cell];
  const gates: GateTerms[] = [];
  const rAct = lt.act.r;
  for (let k = 0; k < gateNames.length; k++) {
    const gate = gateNames[k];
    const row = k * H + unit;
    let wx = 0;
    let wh = 0;
    if (valid) {
      for (let c = 0; c < inSize; c++) wx += lp.wih[row * inSize + c] * X[xOff + c];
      const textbookN = cell === 'gru-textbook' && gate === 'n';
      for (let c = 0; c < H; c++) {
        const hp = hArr[hOff + c];
        const v = textbookN && rAct ? rAct[tr + c] * hp : hp;
        wh += lp.whh[row * H + c] * v;
      }
    }
    const bih = valid && lp.bih ? lp.bih[row] : 0;
    const bhh = valid && lp.bhh ? lp.bhh[row] : 0;
    const preArr = lt.pre[gate];
    const actArr = lt.act[gate];
    gates.push({
      gate,
      wx,
      bih,
      wh,
      bhh,
      reset: cell === 'gru' && gate === 'n' ? (valid && rAct ? rAct[tr + unit] : 0) : null,
      pre: preArr ? preArr[tr + unit] : 0,
      act: actArr ? actArr[tr + unit] : 0,
    });
  }
  const a = (qty: Quantity): number => {
    const arr = lt.act[qty];
    return arr ? arr[tr + unit] : 0;
  };
  const hPrev = valid ? hArr[hOff + unit] : 0;
  let update: UpdateTerms;
  switch (cell) {
    case 'lstm': {
      const cPrev = valid && cArr ? cArr[hOff + unit] : 0;
      const c = a('c');
      update = {
        cell,
        hPrev,
        cPrev,
        fcPrev: a('f') * cPrev,
        ig: a('i') * a('g'),
        c,
        tanhC: valid ? Math.tanh(c) : 0,
        h: a('h'),
      };
      break;
    }
    case 'gru':
      update = {
        cell,
        hPrev,
        oneMinusZN: valid ? (1 - a('z')) * a('n') : 0,
        zHPrev: a('z') * hPrev,
        h: a('h'),
      };
      break;
    case 'gru-textbook':
      update = {
        cell,
        hPrev,
        oneMinusZHPrev: valid ? (1 - a('z')) * hPrev : 0,
        zN: a('z') * a('n'),
        h: a('h'),
      };
      break;
    default:
      update = { cell, hPrev, h: a('h') };
  }
  return { cell, key: lt.key, layer, direction, t, b, unit, valid, gates, update };
}
