import type { StepTerms } from '../../engine';

/** `<gate>.<field>` for gate terms, `u.<field>` for the state update. */
export type SlotKey = string;

/**
 * Every slot's value, read from the engine's terms: `<gate>.wx|bih|wh|bhh|reset|pre|act`
 * and `u.<field>` for each numeric field of the state update.
 */
export function slotValues(terms: StepTerms): Map<SlotKey, number> {
  const out = new Map<SlotKey, number>();
  for (const g of terms.gates) {
    out.set(`${g.gate}.wx`, g.wx);
    out.set(`${g.gate}.bih`, g.bih);
    out.set(`${g.gate}.wh`, g.wh);
    out.set(`${g.gate}.bhh`, g.bhh);
    if (g.reset !== null) out.set(`${g.gate}.reset`, g.reset);
    out.set(`${g.gate}.pre`, g.pre);
    out.set(`${g.gate}.act`, g.act);
  }
  for (const [k, v] of Object.entries(terms.update)) {
    if (typeof v === 'number') out.set(`u.${k}`, v);
  }
  return out;
}
