/// <reference lib="webworker" />
// The worker entry: a few lines forwarding to the pure host (tests drive the host directly).
import { installBrowserKernels } from '../wasm/browser';
import { createEngineHost } from './engine-host';
import type { ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// WebAssembly SIMD kernels when the browser has them (same results, several times faster
// training); the scalar kernels stay in force until they load or if they fail.
void installBrowserKernels();

const host = createEngineHost((msg, transfer) => self.postMessage(msg, transfer ?? []));

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data?.type === 'crashForTest') {
    // An uncaught error, so the client's crash recovery is exercised for real.
    setTimeout(() => {
      throw new Error('crashForTest');
    });
    return;
  }
  void host.handle(e.data);
};

export {};
