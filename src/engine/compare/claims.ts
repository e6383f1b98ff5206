/**
 * The course's qualitative claims, as data, and the rule that marks where a measurement
 * disagrees. Each claim ranks the three families by the row's measure (1 = lowest); equal
 * ranks mean "about the same" and accept any measured order between those two.
 */
import type { CellKind } from '../types';

export type Family = 'rnn' | 'lstm' | 'gru';

export function familyOf(cell: CellKind): Family {
  return cell === 'lstm' ? 'lstm' : cell === 'gru' || cell === 'gru-textbook' ? 'gru' : 'rnn';
}

export const CLAIM_ROWS = ['params', 'macs', 'speed', 'memory', 'gradient', 'result'] as const;
export type ClaimRow = (typeof CLAIM_ROWS)[number];

export interface Claim {
  row: ClaimRow;
  /** i18n key (area `compare`) of the claim's sentence. */
  textKey: string;
  /** Claimed rank of each family by the row's measure, 1 = lowest. Equal ranks: "about the same". */
  rank: Record<Family, number>;
}

/**
 * What courses print (e.g. "LSTM has about 4x the parameters of an RNN, GRU 3x"; "RNNs train
 * fastest"; "RNNs suffer vanishing gradients, LSTM/GRU fix it"; "LSTM and GRU remember
 * longer").
 */
export const CLAIMS: Record<ClaimRow, Claim> = {
  params: { row: 'params', textKey: 'claim.params', rank: { rnn: 1, gru: 2, lstm: 3 } },
  macs: { row: 'macs', textKey: 'claim.macs', rank: { rnn: 1, gru: 2, lstm: 3 } },
  // Measured as steps per second: the fastest has the highest value.
  speed: { row: 'speed', textKey: 'claim.speed', rank: { lstm: 1, gru: 2, rnn: 3 } },
  memory: { row: 'memory', textKey: 'claim.memory', rank: { rnn: 1, gru: 2, lstm: 2 } },
  // Measured as the slope of log10 ||dL/dh|| (more negative = vanishes faster).
  gradient: { row: 'gradient', textKey: 'claim.gradient', rank: { rnn: 1, gru: 2, lstm: 2 } },
  // Measured as the task metric (accuracy).
  result: { row: 'result', textKey: 'claim.result', rank: { rnn: 1, gru: 2, lstm: 2 } },
};

/**
 * Which cells disagree with the claim, given one measured value per cell (same order as
 * `cells`). For every pair the claim orders (different ranks), a cell disagrees when the
 * measurement puts the pair the other way round or cannot tell them apart (within
 * `tolerance`, relative). Pairs with equal claimed ranks accept any order. Unknown (null,
 * NaN) values never disagree.
 */
export function disagreements(
  row: ClaimRow,
  cells: readonly CellKind[],
  values: readonly (number | null)[],
  tolerance = 0.05,
): boolean[] {
  const claim = CLAIMS[row];
  const fam = cells.map(familyOf);
  return cells.map((_, i) => {
    const vi = values[i];
    if (vi === null || Number.isNaN(vi)) return false;
    return cells.some((__, j) => {
      const vj = values[j];
      if (j === i || vj === null || Number.isNaN(vj)) return false;
      const ci = claim.rank[fam[i]];
      const cj = claim.rank[fam[j]];
      if (ci === cj) return false;
      const tie = Math.abs(vi - vj) <= tolerance * Math.max(Math.abs(vi), Math.abs(vj));
      if (tie) return true;
      return ci < cj ? vi > vj : vi < vj;
    });
  });
}
