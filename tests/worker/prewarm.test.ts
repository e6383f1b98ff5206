import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngineClient, prewarmEngineWorker } from '../../src/worker/engine-client';
import { createEngineHost } from '../../src/worker/engine-host';
import type { FromWorker, ToWorker } from '../../src/worker/protocol';

/** A stand-in for `Worker`: a host in this thread; a message sent with no handler set is lost, as from a real worker. */
class FakeWorker {
  static created = 0;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  private readonly host = createEngineHost((msg) =>
    queueMicrotask(() => this.onmessage?.({ data: msg } as MessageEvent<FromWorker>)),
  );
  constructor() {
    FakeWorker.created++;
  }
  postMessage(msg: ToWorker) {
    queueMicrotask(() => void this.host.handle(msg));
  }
  terminate() {
    this.host.dispose();
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('prewarmEngineWorker', () => {
  it('starts the worker before the client; the client takes it over with its `ready`', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.created = 0;
    prewarmEngineWorker();
    expect(FakeWorker.created).toBe(1);
    // The worker says `ready` before any client listens: it must not be lost.
    await new Promise((r) => setTimeout(r, 10));
    const client = createEngineClient({ listener: {} });
    await client.ready;
    expect(client.mode).toBe('worker');
    expect(FakeWorker.created).toBe(1);
    const res = await client.configure({
      kind: 'seeded',
      spec: {
        cell: 'gru',
        inputSize: 2,
        hiddenSize: 3,
        numLayers: 1,
        bidirectional: false,
        bias: true,
      },
      seed: 1,
    });
    expect(res.spec.hiddenSize).toBe(3);
    // A second client (a restart) gets a new worker, not the one taken.
    const second = createEngineClient({ listener: {} });
    await second.ready;
    expect(FakeWorker.created).toBe(2);
    client.dispose();
    second.dispose();
  });
});
