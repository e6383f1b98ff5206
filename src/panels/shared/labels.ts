import type { Direction } from '../../engine/types';

/** A token made readable as a label: spaces and line breaks get visible symbols. */
export function tokenLabel(tokens: readonly string[], t: number): string {
  const tok = tokens[t];
  if (tok === undefined) return String(t + 1);
  if (tok === ' ') return '␣';
  if (tok === '\n') return '↵';
  if (tok === '\t') return '⇥';
  return tok;
}

/** Layer/direction keys of a model, in display order: `l0`, `l0_reverse`, `l1`, ... */
export function layerKeys(numLayers: number, bidirectional: boolean) {
  const out: { key: string; layer: number; direction: Direction }[] = [];
  for (let l = 0; l < numLayers; l++) {
    out.push({ key: `l${l}`, layer: l, direction: 0 });
    if (bidirectional) out.push({ key: `l${l}_reverse`, layer: l, direction: 1 });
  }
  return out;
}
