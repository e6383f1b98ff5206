/**
 * Parameter formulas and counts, written out per cell so a learner can check them by hand.
 *
 * For one layer, one direction, G gate blocks (1 RNN, 3 GRU, 4 LSTM), input size I, hidden
 * size H, both PyTorch biases (b_ih and b_hh):
 *   params = G·(H·I + H·H + 2·H)
 * and a readout of O outputs adds O·(D·H + 1). Stacked layers see D·H inputs, a
 * bidirectional layer counts twice. This file evaluates the formula itself (independently of
 * `paramCount`, so a test can hold the two against each other and against the reference
 * state_dict shapes).
 */
import { gateCount } from '../types';
import type { CellKind, ModelSpec } from '../types';

/** One term of the formula: a symbolic text and its value for the current spec. */
export interface FormulaTerm {
  /** Symbolic, ASCII-safe: `4*(H*I + H*H + 2*H)`. */
  symbolic: string;
  /** The same with the numbers in: `4*(16*6 + 16*16 + 2*16)`. */
  numeric: string;
  value: number;
}

export interface ParamFormula {
  /** Every term (layers, directions, readout) in state_dict order. */
  terms: FormulaTerm[];
  /** `terms` joined: `4*(H*I + H*H + 2*H) + O*(H + 1)`. */
  symbolic: string;
  numeric: string;
  /** The sum of the terms' values. */
  total: number;
}

/**
 * The parameter formula of `spec` with its exact count (see the file comment). Without
 * biases the `2*H` term is left out; for layer k > 0 the input is `D*H`.
 */
export function paramFormula(spec: ModelSpec): ParamFormula {
  const G = gateCount(spec.cell);
  const H = spec.hiddenSize;
  const D = spec.bidirectional ? 2 : 1;
  const terms: FormulaTerm[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const inSym = l === 0 ? 'I' : D === 2 ? '2*H' : 'H';
    const inVal = l === 0 ? spec.inputSize : D * H;
    const biasSym = spec.bias ? ' + 2*H' : '';
    const biasNum = spec.bias ? ` + 2*${H}` : '';
    const mult = D === 2 ? `2*${G}` : `${G}`;
    const inNum = l === 0 ? String(inVal) : D === 2 ? `2*${H}` : String(H);
    const value = D * G * (H * inVal + H * H + (spec.bias ? 2 * H : 0));
    terms.push({
      symbolic: `${mult}*(H*${inSym} + H*H${biasSym})`,
      numeric: `${mult}*(${H}*${inNum} + ${H}*${H}${biasNum})`,
      value,
    });
  }
  if (spec.readout) {
    const O = spec.readout.outputSize;
    const dh = D === 2 ? '2*H' : 'H';
    const dhNum = D === 2 ? `2*${H}` : String(H);
    terms.push({
      symbolic: `O*(${dh} + 1)`,
      numeric: `${O}*(${dhNum} + 1)`,
      value: O * (D * H + 1),
    });
  }
  return {
    terms,
    symbolic: terms.map((t) => t.symbolic).join(' + '),
    numeric: terms.map((t) => t.numeric).join(' + '),
    total: terms.reduce((a, t) => a + t.value, 0),
  };
}

/**
 * The hidden size in [1, maxH] whose parameter count is closest to `target` for `cell`,
 * everything else as in `spec` (the "equal parameter budget" fairness rule). Ties go to the
 * smaller H. Counting is monotone in H, so a linear scan over at most `maxH` sizes is cheap.
 */
export function hiddenForBudget(
  spec: ModelSpec,
  cell: CellKind,
  target: number,
  maxH = 512,
): number {
  let best = 1;
  let bestDiff = Infinity;
  for (let H = 1; H <= maxH; H++) {
    const n = paramFormula({ ...spec, cell, hiddenSize: H }).total;
    const diff = Math.abs(n - target);
    if (diff < bestDiff) {
      best = H;
      bestDiff = diff;
    }
    if (n > target) break;
  }
  return best;
}
