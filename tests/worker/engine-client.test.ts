import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/engine/types';
import {
  createEngineClient,
  EngineClientError,
  type EngineClient,
  type TraceFrameMsg,
  type WorkerLike,
} from '../../src/worker/engine-client';
import { createEngineHost } from '../../src/worker/engine-host';
import type { ErrorInfo, FromWorker, InputPayload, ToWorker } from '../../src/worker/protocol';

/**
 * A "worker" made of a real MessageChannel: the host listens on port1, the
 * client talks to port2. `crash()` fires the error event a real Worker fires
 * on an uncaught exception.
 */
function channelWorker(log: { created: number; received: ToWorker[][] }) {
  const { port1, port2 } = new MessageChannel();
  const received: ToWorker[] = [];
  log.received.push(received);
  log.created++;
  const host = createEngineHost((msg, transfer) =>
    port1.postMessage(msg, (transfer ?? []) as ArrayBuffer[]),
  );
  port1.on('message', (msg: ToWorker) => {
    received.push(msg);
    void host.handle(msg);
  });
  const w: WorkerLike & { crash(): void; port: MessagePort } = {
    onmessage: null,
    onerror: null,
    port: port2,
    postMessage: (msg, transfer) => port2.postMessage(msg, transfer as ArrayBuffer[]),
    terminate: () => {
      host.dispose();
      port1.close();
      port2.close();
    },
    crash: () => w.onerror?.(new Event('error')),
  };
  port2.on('message', (data: FromWorker) => w.onmessage?.({ data } as MessageEvent<FromWorker>));
  return w;
}

const spec: ModelSpec = {
  cell: 'gru',
  inputSize: 2,
  hiddenSize: 3,
  numLayers: 1,
  bidirectional: false,
  bias: true,
};
const input = (T: number, I = 2): InputPayload => ({
  T,
  B: 1,
  inputSize: I,
  data: Float32Array.from({ length: T * I }, (_, k) => Math.cos(k)),
});

let client: EngineClient | null = null;
afterEach(() => client?.dispose());

describe('engine client over a MessageChannel', () => {
  it('checks the protocol, answers typed promises and streams frames of the run', async () => {
    const log = { created: 0, received: [] as ToWorker[][] };
    const frames: TraceFrameMsg[] = [];
    client = createEngineClient({
      createWorker: () => channelWorker(log),
      listener: { frame: (f) => frames.push(f) },
    });
    await client.ready;
    expect(client.mode).toBe('worker');
    const conf = await client.configure({ kind: 'seeded', spec, seed: 9 });
    expect(conf.spec.cell).toBe('gru');
    expect(conf.params.weight_ih_l0.shape).toEqual([9, 2]);
    expect(await client.setInput(input(30))).toBe(30);
    const run = client.runForward();
    const res = await run.done;
    expect(res).toMatchObject({ runId: run.runId, T: 30 });
    expect(frames.at(-1)?.t1).toBe(30);
    // Request ids are unique and increasing.
    const ids = log.received[0].map((m) => m.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects with the worker error code and message', async () => {
    const log = { created: 0, received: [] as ToWorker[][] };
    client = createEngineClient({ createWorker: () => channelWorker(log), listener: {} });
    const err = await client
      .configure({ kind: 'seeded', spec: { ...spec, numLayers: 99 }, seed: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineClientError);
    expect((err as EngineClientError).code).toBe('bad-spec');
    expect((err as EngineClientError).message).toContain('numLayers');
  });

  it('drops frames of a run once a newer run started', async () => {
    const log = { created: 0, received: [] as ToWorker[][] };
    const frames: TraceFrameMsg[] = [];
    client = createEngineClient({
      createWorker: () => channelWorker(log),
      listener: { frame: (f) => frames.push(f) },
    });
    await client.configure({ kind: 'seeded', spec: { ...spec, hiddenSize: 32 }, seed: 1 });
    await client.setInput(input(2000));
    const first = client.runForward();
    const second = client.runForward();
    const [a, b] = await Promise.allSettled([first.done, second.done]);
    expect(b.status).toBe('fulfilled');
    // The first either finished before the second started, or was cancelled.
    if (a.status === 'rejected') expect((a.reason as EngineClientError).code).toBe('cancelled');
    expect(frames.every((f) => f.runId === second.runId)).toBe(true);
    expect(frames.at(-1)?.t1).toBe(2000);
  });

  it('restarts a crashed worker with the last good configuration and input', async () => {
    const log = { created: 0, received: [] as ToWorker[][] };
    const workers: ReturnType<typeof channelWorker>[] = [];
    const errors: ErrorInfo[] = [];
    let restarted = 0;
    client = createEngineClient({
      createWorker: () => {
        const w = channelWorker(log);
        workers.push(w);
        return w;
      },
      listener: { error: (e) => errors.push(e), restarted: () => restarted++ },
    });
    await client.configure({ kind: 'seeded', spec, seed: 4 });
    await client.setInput(input(5));
    // A configure that fails is not "good": the restart replays the earlier one.
    await client
      .configure({ kind: 'seeded', spec: { ...spec, hiddenSize: -1 }, seed: 4 })
      .catch(() => undefined);
    const pendingRun = client.runForward().done.catch((e: unknown) => e);
    workers[0].crash();
    const crashErr = await pendingRun;
    expect(crashErr).toBeInstanceOf(EngineClientError);
    expect(errors.map((e) => e.code)).toContain('worker-crashed');
    expect(restarted).toBe(1);
    expect(log.created).toBe(2);
    const replay = log.received[1];
    for (let k = 0; k < 100 && replay.length < 2; k++) await new Promise((r) => setTimeout(r, 10));
    expect(replay.map((m) => m.type)).toEqual(['configure', 'setInput']);
    expect(replay[0]).toMatchObject({ source: { kind: 'seeded', seed: 4, spec } });
    // The new worker runs without a new configure.
    const res = await client.runForward().done;
    expect(res.T).toBe(5);
  });

  it('runs the host in this thread when there is no Worker', async () => {
    const frames: TraceFrameMsg[] = [];
    client = createEngineClient({
      createWorker: () => null,
      listener: { frame: (f) => frames.push(f) },
    });
    expect(client.mode).toBe('in-thread');
    await client.ready;
    await client.configure({ kind: 'seeded', spec, seed: 1 });
    await client.setInput(input(8));
    await client.runForward().done;
    expect(frames.at(-1)?.t1).toBe(8);
  });

  it('refuses to train before a training session exists', async () => {
    client = createEngineClient({ createWorker: () => null, listener: {} });
    await expect(client.train().done).rejects.toMatchObject({ code: 'no-training' });
  });
});
