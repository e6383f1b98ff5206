/// <reference lib="webworker" />
// The worker entry: a few lines forwarding to the pure host (tests drive the host directly).
import { installBrowserKernels } from '../wasm/browser';
import { createEngineHost } from './engine-host';
import type { ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// WebAssembly SIMD kernels when the browser has them (several times faster), else the scalar
// kernels. Commands wait until that choice is made (a local fetch and compile, started with
// the worker), so every run of a session uses the same kernels: the two paths agree with
// PyTorch to 1e-7, not bit for bit, and a reload or a link must show the same numbers.
const kernelsReady: Promise<unknown> = installBrowserKernels().catch(() => undefined);

const host = createEngineHost((msg, transfer) => self.postMessage(msg, transfer ?? []));

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data?.type === 'crashForTest') {
    // An uncaught error, so the client's crash recovery is exercised for real.
    setTimeout(() => {
      throw new Error('crashForTest');
    });
    return;
  }
  const msg = e.data;
  // Chained on one promise: messages keep their order.
  void kernelsReady.then(() => host.handle(msg));
};

export {};
