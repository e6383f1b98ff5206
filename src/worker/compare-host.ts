/**
 * The comparison behind the worker boundary, as a pure message handler (tests and the
 * in-thread fallback drive it without a Worker). It steps the engine's `compareJob`
 * generator, posts each event, and yields to the event loop after every progress event (a
 * chunk of a few training steps), so `cancel` and a newer `start` are heard within a chunk.
 */
import { EngineError } from '../engine';
import { compareJob, validateCompareConfig } from '../engine/compare';
import { COMPARE_PROTOCOL_VERSION, type CompareEmit, type ToCompare } from './compare-protocol';

export interface CompareHost {
  /** Handle one command; a `start` resolves when its run ended (finished, cancelled or failed). */
  handle(msg: ToCompare): Promise<void>;
  dispose(): void;
}

export interface CompareHostOptions {
  /** Millisecond clock (default `performance.now`). */
  now?: () => number;
  /** How to yield between chunks (default: a macrotask). */
  yieldBetweenChunks?: () => Promise<void>;
}

const macrotask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Creates the host and announces `ready` through `emit`. */
export function createCompareHost(
  emit: CompareEmit,
  options: CompareHostOptions = {},
): CompareHost {
  const now = options.now ?? (() => performance.now());
  const pause = options.yieldBetweenChunks ?? macrotask;
  /** runId of the comparison allowed to continue; anything else stops at its next yield. */
  let current = 0;
  let disposed = false;

  emit({ type: 'ready', protocolVersion: COMPARE_PROTOCOL_VERSION });

  async function run(runId: number, config: Parameters<typeof compareJob>[0]): Promise<void> {
    try {
      for (const event of compareJob(config, now)) {
        if (current !== runId || disposed) {
          emit({ type: 'cancelled', runId });
          return;
        }
        if (event.kind === 'states') emit({ type: 'event', runId, event }, [event.h.buffer]);
        else emit({ type: 'event', runId, event });
        if (event.kind === 'progress') await pause();
      }
    } catch (e) {
      emit({
        type: 'error',
        runId,
        code: 'run-failed',
        message: e instanceof Error ? e.message : String(e),
      });
    }
  }

  return {
    async handle(msg) {
      if (disposed) return;
      switch (msg.type) {
        case 'start': {
          try {
            validateCompareConfig(msg.config);
          } catch (e) {
            const message = e instanceof EngineError || e instanceof Error ? e.message : String(e);
            emit({ type: 'error', id: msg.id, runId: msg.runId, code: 'config-invalid', message });
            return;
          }
          current = msg.runId;
          emit({ type: 'ok', id: msg.id });
          await run(msg.runId, msg.config);
          return;
        }
        case 'cancel':
          current = 0;
          emit({ type: 'ok', id: msg.id });
          return;
        case 'dispose':
          disposed = true;
          current = 0;
          emit({ type: 'ok', id: msg.id });
          return;
        default:
          emit({
            type: 'error',
            code: 'bad-message',
            message: `Unknown message type ${JSON.stringify((msg as { type?: unknown }).type)}.`,
          });
      }
    },
    dispose() {
      disposed = true;
      current = 0;
    },
  };
}
