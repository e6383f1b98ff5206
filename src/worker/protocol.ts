/**
 * The messages between the main thread and the engine worker.
 *
 * Two discriminated unions, `ToWorker` (commands) and `FromWorker` (replies and
 * streamed events). Every command carries a request `id`; the worker answers it
 * with exactly one `ok` or `error` carrying the same id. Everything streamed
 * (trace frames, progress, metrics, paused) carries the `runId` the client gave
 * the run, so the client can drop what an older run still sends.
 *
 * Traces travel as transferable `Float32Array`s, time-major, never as JSON
 * arrays of numbers: one buffer per frame, holding one block `[steps, B, H]`
 * per (layer, direction, quantity, act/pre) in the order of `TraceMeta.blocks`.
 */
import type { ModelSpec, Quantity } from '../engine/types';

/** Bumped whenever a message changes shape; checked on `ready`. */
export const PROTOCOL_VERSION = 1;

/** Longest sequence the app accepts (steps). Documented in the UI and the README. */
export const MAX_STEPS = 2000;

/** Where a model's weights come from. */
export type ModelSource =
  | { kind: 'seeded'; spec: ModelSpec; seed: number }
  | {
      kind: 'weights';
      /** `state-dict-json`: PyTorch `state_dict` as `{name: {shape, data}}` or nested arrays. */
      format: 'state-dict-json' | 'safetensors';
      fileName: string;
      /** The file's bytes (UTF-8 JSON or safetensors). Cloned, never transferred: the client keeps them to restart a crashed worker. */
      bytes: ArrayBuffer;
      /**
       * What shapes cannot tell: a G = 3 model is PyTorch's `gru` unless this says
       * `gru-textbook`; a G = 1 model is `rnn-tanh` unless this says `rnn-relu`.
       */
      formOverride: 'gru-textbook' | 'rnn-relu' | null;
    };

/** A numeric sequence `[T, B, inputSize]`, time-major, row-major. */
export interface InputPayload {
  T: number;
  B: number;
  inputSize: number;
  data: Float32Array<ArrayBuffer>;
}

export type ToWorker =
  | { type: 'configure'; id: number; source: ModelSource }
  | { type: 'setInput'; id: number; input: InputPayload }
  | { type: 'runForward'; id: number; runId: number }
  | { type: 'train'; id: number; runId: number }
  | { type: 'pause'; id: number }
  | { type: 'step'; id: number; runId: number }
  | { type: 'dispose'; id: number }
  /** Test hook, handled by the worker entry only: throw an uncaught error so the client's crash recovery can be exercised. */
  | { type: 'crashForTest'; id: number };

/** One block of the trace: a quantity of one layer and direction, `[T, B, H]`. */
export interface TraceBlock {
  /** `l0`, `l0_reverse`, `l1`, ... (engine `layerKey`). */
  key: string;
  layer: number;
  direction: 0 | 1;
  quantity: Quantity;
  /** `act`: the activation (gate value, c, h); `pre`: its argument before sigmoid/tanh/relu. */
  kind: 'act' | 'pre';
}

/** The small description that travels with every frame. */
export interface TraceMeta {
  spec: ModelSpec;
  /** Total steps of the run (frames fill `[0, T)` progressively). */
  T: number;
  B: number;
  H: number;
  blocks: TraceBlock[];
}

/** What `configure` answers. */
export interface ConfigureResult {
  spec: ModelSpec;
  paramCount: number;
  /** For imported weights, the file name; for seeded models, null. */
  fileName: string | null;
  /** Parameters by PyTorch name, copied for the main thread (equations with live numbers). */
  params: Record<string, { shape: number[]; data: Float32Array<ArrayBuffer> }>;
}

/** What a finished `runForward` answers. */
export interface RunResult {
  runId: number;
  T: number;
  computeMs: number;
}

export type OkResult =
  | { kind: 'configure'; result: ConfigureResult }
  | { kind: 'setInput'; T: number }
  | { kind: 'run'; result: RunResult }
  | { kind: 'none' };

/** Stable error codes; the UI translates each into what, where, what to do. */
export type ErrorCode =
  | 'protocol-mismatch'
  | 'bad-message'
  | 'bad-spec'
  | 'bad-weights'
  | 'no-model'
  | 'no-input'
  | 'input-size-mismatch'
  | 'too-long'
  | 'engine-failed'
  | 'not-implemented'
  | 'cancelled'
  | 'worker-crashed'
  | 'disposed';

export interface ErrorInfo {
  code: ErrorCode;
  /** English, exact (for imported weights: the importer's own message). */
  message: string;
  details?: Record<string, string | number | boolean | null>;
}

export type FromWorker =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'ok'; id: number; ok: OkResult }
  | ({ type: 'error'; id?: number; runId?: number } & ErrorInfo)
  | {
      type: 'traceFrame';
      runId: number;
      meta: TraceMeta;
      /** Steps `[t0, t1)` of every block. */
      t0: number;
      t1: number;
      /** Block `k` is `data[k*(t1-t0)*B*H ...]`, `[t1-t0, B, H]`. */
      data: Float32Array<ArrayBuffer>;
    }
  | { type: 'progress'; runId: number; done: number; total: number }
  | { type: 'metrics'; runId: number; computeMs: number; steps: number; paramCount: number }
  | { type: 'paused'; runId: number };

/** Sends a message, with the buffers to transfer (postMessage's second argument). */
export type Emit = (msg: FromWorker, transfer?: Transferable[]) => void;
