import type { Language } from '../i18n';

/** Typographic minus (U+2212): a hyphen reads as a dash next to numbers. */
export const MINUS = '\u2212';

/**
 * A number as plain text in the reader's language: Vietnamese uses a decimal
 * comma (`0,5`), English a point; negatives get a real minus sign; `NaN` and
 * infinities are spelled out so a broken value is visible, never hidden.
 */
export function formatNumber(v: number, lang: Language, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : `${MINUS}∞`;
  let s = Math.abs(v).toFixed(digits);
  // -0.00001 at 4 digits is 0.0000: no minus on a printed zero.
  const negative = v < 0 && /[1-9]/.test(s);
  if (lang === 'vi') s = s.replace('.', ',');
  return negative ? `${MINUS}${s}` : s;
}

/**
 * A number as TeX: `0{,}5` in Vietnamese (a bare comma would get list
 * spacing in math mode), `-0.5` in English.
 */
export function texNumber(v: number, lang: Language, digits = 4): string {
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  let s = Math.abs(v).toFixed(digits);
  const negative = v < 0 && /[1-9]/.test(s);
  if (lang === 'vi') s = s.replace('.', '{,}');
  return negative ? `-${s}` : s;
}

/** How a number sits in a formula. */
export type NumberRole =
  /** First term or a lone value: `−0.1`. */
  | 'lead'
  /** A term after others: the sign becomes the operator, `+ 0.1` / `− 0.1` (never `+ −0.1`). */
  | 'term'
  /** A factor of a product: negatives in parentheses, `0.5 · (−0.2)`. */
  | 'factor';

/** Plain-text number for a formula slot, with sign folding by role. */
export function slotText(v: number, role: NumberRole, lang: Language, digits = 4): string {
  const s = formatNumber(v, lang, digits);
  const negative = s.startsWith(MINUS);
  if (role === 'term') return negative ? `${MINUS} ${s.slice(1)}` : `+ ${s}`;
  if (role === 'factor' && negative) return `(${s})`;
  return s;
}

/** TeX for a formula number, with the same sign folding as {@link slotText}. */
export function slotTex(v: number, role: NumberRole, lang: Language, digits = 4): string {
  const s = texNumber(v, lang, digits);
  const negative = s.startsWith('-');
  if (role === 'term') return negative ? `- ${s.slice(1)}` : `+ ${s}`;
  if (role === 'factor' && negative) return `\\left(${s}\\right)`;
  return s;
}
