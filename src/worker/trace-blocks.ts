/**
 * A trace as the protocol's frames carry it: its `[T, B, H]` arrays in a fixed order with the
 * block that names each one (per layer and direction, the activations in `QUANTITIES` order,
 * then the pre-activations). Used for the engine's runs and for training views alike.
 */
import { QUANTITIES, layerKey, type Quantity, type Trace } from '../engine';
import type { TraceBlock } from './protocol';

export function traceBlocks(trace: Trace): { blocks: TraceBlock[]; arrays: Float32Array[] } {
  const blocks: TraceBlock[] = [];
  const arrays: Float32Array[] = [];
  for (const lt of trace.layers) {
    const key = layerKey(lt.layer, lt.direction);
    const base = { key, layer: lt.layer, direction: lt.direction };
    for (const q of QUANTITIES[trace.spec.cell] as readonly Quantity[]) {
      const a = lt.act[q];
      if (a) {
        blocks.push({ ...base, quantity: q, kind: 'act' });
        arrays.push(a);
      }
    }
    for (const [q, a] of Object.entries(lt.pre) as [Quantity, Float32Array | undefined][]) {
      if (a) {
        blocks.push({ ...base, quantity: q, kind: 'pre' });
        arrays.push(a);
      }
    }
  }
  return { blocks, arrays };
}
