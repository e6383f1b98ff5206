/// <reference lib="webworker" />
// The comparison worker entry: a few lines forwarding to the pure host.
import { createCompareHost } from './compare-host';
import type { ToCompare } from './compare-protocol';

declare const self: DedicatedWorkerGlobalScope;

const host = createCompareHost((msg, transfer) => self.postMessage(msg, transfer ?? []));

self.onmessage = (e: MessageEvent<ToCompare>) => {
  void host.handle(e.data);
};

export {};
