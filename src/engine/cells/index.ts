import type { CellKind } from '../types';
import { gruCell } from './gru';
import { gruTextbookCell } from './gru-textbook';
import { lstmCell } from './lstm';
import { rnnReluCell, rnnTanhCell } from './rnn';
import type { CellImpl } from './types';

export type { CellImpl, CellRun } from './types';
export { sigmoid, tanh } from './common';

/** The step implementation of every cell kind. */
export const CELLS: Record<CellKind, CellImpl> = {
  'rnn-tanh': rnnTanhCell,
  'rnn-relu': rnnReluCell,
  lstm: lstmCell,
  gru: gruCell,
  'gru-textbook': gruTextbookCell,
};
