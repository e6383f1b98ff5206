/**
 * Messages between the page and the comparison worker (kept apart from the main engine
 * worker: a long sweep never delays the player). Two discriminated unions and a version
 * checked on `ready`; every streamed message carries the `runId` of its comparison.
 */
import type { CompareConfig, CompareEvent } from '../engine/compare';

export const COMPARE_PROTOCOL_VERSION = 1;

export type ToCompare =
  /** Start a comparison (a running one is cancelled first). */
  | { type: 'start'; id: number; runId: number; config: Partial<CompareConfig> }
  /** Stop the running comparison between two chunks. */
  | { type: 'cancel'; id: number }
  | { type: 'dispose'; id: number };

export type CompareErrorCode = 'config-invalid' | 'run-failed' | 'bad-message';

export interface CompareErrorInfo {
  code: CompareErrorCode;
  /** English, exact (names the key and its range for `config-invalid`). */
  message: string;
}

export type FromCompare =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'ok'; id: number }
  | ({ type: 'error'; id?: number; runId?: number } & CompareErrorInfo)
  | { type: 'event'; runId: number; event: CompareEvent }
  | { type: 'cancelled'; runId: number };

export type CompareEmit = (msg: FromCompare, transfer?: Transferable[]) => void;
