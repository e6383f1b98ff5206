/**
 * The equations panel's model, pure: for a cell kind, the TeX of every line
 * the engine runs (with `\htmlData` slots where numbers go), and for the
 * engine's `stepTerms` output, the value of every slot. No number is computed
 * here: each slot reads one field of `StepTerms`.
 *
 * Notation (the course's, as `src/engine/types.ts`): LSTM gates i f g o, cell
 * state c, hidden state h; GRU gates r z n; the previous step's states are
 * hPrev/cPrev, written h_{t-1}/c_{t-1} (h_{t+1}/c_{t+1} in a reverse direction,
 * which runs from the end of the sequence). Weight names follow PyTorch
 * (`W_{ii}`, `W_{hi}`, `b_{ii}`, `b_{hi}`, ...).
 */
import type { CellKind, Direction, Quantity } from '../../engine/types';
import type { Language } from '../../i18n';
import { slotTex, slotText, type NumberRole } from '../../viz/format';
import type { SlotKey } from '../shared/slot-values';

export { slotValues, type SlotKey } from '../shared/slot-values';

/** Digits after the decimal point of every number in the equations. */
export const EQ_DIGITS = 4;

/** A number slot: which field of the terms it shows and how it sits in the formula. */
export interface Slot {
  key: SlotKey;
  role: NumberRole;
}
/** A piece of the numeric side: literal TeX or a slot. */
export type Part = string | Slot;

/**
 * A part that ends one `= ...` formula and starts the next: the panel renders
 * each as its own formula so a narrow screen wraps between them.
 */
export const BREAK = '\n';

export interface EquationLine {
  /** Gate symbol, or `c` / `h` for the state update lines. */
  id: Quantity;
  /** The formula in symbols (static TeX). */
  symbolic: string;
  /** The same formula with the engine's numbers, as parts. */
  numeric: Part[];
}

export interface TemplateOptions {
  cell: CellKind;
  bias: boolean;
  direction: Direction;
}

const s = (key: SlotKey, role: NumberRole = 'lead'): Slot => ({ key, role });

const ACT_TEX: Record<'sigmoid' | 'tanh' | 'relu', string> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  relu: '\\operatorname{ReLU}',
};

/** The gates each cell computes, in PyTorch's row order (RNN: its one pre-activation `h`). */
export function gatesOf(cell: CellKind): Quantity[] {
  switch (cell) {
    case 'lstm':
      return ['i', 'f', 'g', 'o'];
    case 'gru':
    case 'gru-textbook':
      return ['r', 'z', 'n'];
    default:
      return ['h'];
  }
}

function activationOf(cell: CellKind, gate: Quantity): keyof typeof ACT_TEX {
  if (cell === 'rnn-relu') return 'relu';
  if (cell === 'rnn-tanh') return 'tanh';
  return gate === 'g' || gate === 'n' ? 'tanh' : 'sigmoid';
}

/**
 * The lines of a cell, matching the engine (and PyTorch):
 * - RNN: h_t = act(W_ih x_t + b_ih + W_hh hPrev + b_hh)
 * - LSTM: i f g o = σ/tanh(W_i* x_t + b_i* + W_h* hPrev + b_h*); c = f⊙cPrev + i⊙g; h = o⊙tanh(c)
 * - GRU (PyTorch): r z as LSTM gates; n = tanh(W_in x + b_in + r⊙(W_hn hPrev + b_hn)); h = (1-z)⊙n + z⊙hPrev
 * - GRU (textbook): n = tanh(W_in x + b_in + W_hn (r⊙hPrev) + b_hn); h = (1-z)⊙hPrev + z⊙n
 */
export function equationTemplate({ cell, bias, direction }: TemplateOptions): EquationLine[] {
  const prev = direction === 1 ? 't+1' : 't-1';
  const hPrev = `h_{${prev}}`;
  const cPrev = `c_{${prev}}`;
  const lines: EquationLine[] = [];
  const isRnn = cell === 'rnn-tanh' || cell === 'rnn-relu';

  for (const gate of gatesOf(cell)) {
    const act = ACT_TEX[activationOf(cell, gate)];
    // PyTorch's parameter names: W_{i<gate>} / W_{h<gate>}; an RNN's are W_{ih} / W_{hh}.
    const wi = isRnn ? 'W_{ih}' : `W_{i${gate}}`;
    const wh = isRnn ? 'W_{hh}' : `W_{h${gate}}`;
    const bi = isRnn ? 'b_{ih}' : `b_{i${gate}}`;
    const bh = isRnn ? 'b_{hh}' : `b_{h${gate}}`;
    const lhs = isRnn ? 'h_t' : `${gate}_t`;
    const g = (f: string) => `${gate}.${f}`;

    let symbolic: string;
    let split: Part[];
    if (cell === 'gru' && gate === 'n') {
      symbolic = `${lhs} = \\tanh\\left(${wi} x_t${bias ? ` + ${bi}` : ''} + r_t \\odot \\left(${wh} ${hPrev}${bias ? ` + ${bh}` : ''}\\right)\\right)`;
      split = [
        s(g('wx')),
        ...(bias ? [' ', s(g('bih'), 'term')] : []),
        ' + ',
        s(g('reset'), 'factor'),
        ' \\cdot \\left(',
        s(g('wh')),
        ...(bias ? [' ', s(g('bhh'), 'term')] : []),
        '\\right)',
      ];
    } else {
      const rec =
        cell === 'gru-textbook' && gate === 'n'
          ? `${wh} \\left(r_t \\odot ${hPrev}\\right)`
          : `${wh} ${hPrev}`;
      symbolic = `${lhs} = ${act}\\left(${wi} x_t${bias ? ` + ${bi}` : ''} + ${rec}${bias ? ` + ${bh}` : ''}\\right)`;
      split = [
        s(g('wx')),
        ...(bias ? [' ', s(g('bih'), 'term')] : []),
        ' ',
        s(g('wh'), 'term'),
        ...(bias ? [' ', s(g('bhh'), 'term')] : []),
      ];
    }
    lines.push({
      id: gate,
      symbolic,
      numeric: [
        `${act}\\left(`,
        ...split,
        '\\right)',
        BREAK,
        `${act}\\left(`,
        s(g('pre')),
        '\\right) = ',
        s(g('act')),
      ],
    });
  }

  if (cell === 'lstm') {
    lines.push({
      id: 'c',
      symbolic: `c_t = f_t \\odot ${cPrev} + i_t \\odot g_t`,
      numeric: [
        s('f.act'),
        ' \\cdot ',
        s('u.cPrev', 'factor'),
        ' + ',
        s('i.act'),
        ' \\cdot ',
        s('g.act', 'factor'),
        BREAK,
        s('u.fcPrev'),
        ' ',
        s('u.ig', 'term'),
        ' = ',
        s('u.c'),
      ],
    });
    lines.push({
      id: 'h',
      symbolic: 'h_t = o_t \\odot \\tanh\\left(c_t\\right)',
      numeric: [
        s('o.act'),
        ' \\cdot \\tanh\\left(',
        s('u.c'),
        '\\right)',
        BREAK,
        s('o.act'),
        ' \\cdot ',
        s('u.tanhC', 'factor'),
        ' = ',
        s('u.h'),
      ],
    });
  } else if (cell === 'gru') {
    lines.push({
      id: 'h',
      symbolic: `h_t = \\left(1 - z_t\\right) \\odot n_t + z_t \\odot ${hPrev}`,
      numeric: [
        '\\left(1 - ',
        s('z.act'),
        '\\right) \\cdot ',
        s('n.act', 'factor'),
        ' + ',
        s('z.act'),
        ' \\cdot ',
        s('u.hPrev', 'factor'),
        BREAK,
        s('u.oneMinusZN'),
        ' ',
        s('u.zHPrev', 'term'),
        ' = ',
        s('u.h'),
      ],
    });
  } else if (cell === 'gru-textbook') {
    lines.push({
      id: 'h',
      symbolic: `h_t = \\left(1 - z_t\\right) \\odot ${hPrev} + z_t \\odot n_t`,
      numeric: [
        '\\left(1 - ',
        s('z.act'),
        '\\right) \\cdot ',
        s('u.hPrev', 'factor'),
        ' + ',
        s('z.act'),
        ' \\cdot ',
        s('n.act', 'factor'),
        BREAK,
        s('u.oneMinusZHPrev'),
        ' ',
        s('u.zN', 'term'),
        ' = ',
        s('u.h'),
      ],
    });
  }
  return lines;
}

/** Every slot of a template (for tests and for filling the DOM). */
export function slotsOf(lines: readonly EquationLine[]): Slot[] {
  return lines.flatMap((l) => l.numeric.filter((p): p is Slot => typeof p !== 'string'));
}

/** The quantity a slot belongs to (for hover linking): its gate, or c/h for the update. */
export function slotQuantity(key: SlotKey): { quantity: Quantity; previous: boolean } {
  const [head, field] = key.split('.');
  if (head !== 'u') return { quantity: head as Quantity, previous: false };
  if (field === 'cPrev') return { quantity: 'c', previous: true };
  if (field === 'hPrev') return { quantity: 'h', previous: true };
  if (field === 'c' || field === 'fcPrev' || field === 'ig')
    return { quantity: 'c', previous: false };
  return { quantity: 'h', previous: false };
}

/**
 * TeX of a line for rendering once, as two formulas (symbols, then `= numbers`)
 * so narrow screens can wrap between them. Numbers are `\htmlData{slot=...}`
 * holes, filled later with {@link slotDisplay} without re-rendering.
 */
export function lineTexWithSlots(line: EquationLine): { symbolic: string; numeric: string[] } {
  const chunks: string[] = [''];
  for (const p of line.numeric) {
    if (p === BREAK) chunks.push('');
    else
      chunks[chunks.length - 1] +=
        typeof p === 'string'
          ? p
          : // Braces make the hole an ordinary atom, so KaTeX puts operator spacing outside it.
            `{\\htmlData{slot=${p.key}, role=${p.role}, q=${slotQuantity(p.key).quantity}}{0}}`;
  }
  return { symbolic: line.symbolic, numeric: chunks.map((c) => `= ${c}`) };
}

/** TeX of a line with its numbers written in, sign-folded, in the reader's decimal style. */
export function lineTexWithValues(
  line: EquationLine,
  values: ReadonlyMap<SlotKey, number>,
  lang: Language,
): string {
  const numeric = line.numeric
    .map((p) =>
      p === BREAK
        ? ' = '
        : typeof p === 'string'
          ? p
          : slotTex(valueOf(values, p.key), p.role, lang, EQ_DIGITS),
    )
    .join('');
  return `${line.symbolic} = ${numeric}`;
}

/** The text a slot shows (plain text, sign-folded, decimal comma in Vietnamese). */
export function slotDisplay(
  slot: Slot,
  values: ReadonlyMap<SlotKey, number>,
  lang: Language,
): string {
  const text = slotText(valueOf(values, slot.key), slot.role, lang, EQ_DIGITS);
  // A term carries its operator: space it as KaTeX spaces a binary operator (U+2005, about 0.25em).
  return slot.role === 'term' ? `\u2005${text.replace(' ', '\u2005')}` : text;
}

/** A whole set of lines as one LaTeX `aligned` block (what "Copy as LaTeX" puts on the clipboard). */
export function latexDocument(
  lines: readonly EquationLine[],
  values: ReadonlyMap<SlotKey, number>,
  lang: Language,
): string {
  const rows = lines.map((l) => {
    const t = lineTexWithValues(l, values, lang);
    const eq = t.indexOf('=');
    return `  ${t.slice(0, eq).trim()} &= ${t.slice(eq + 1).trim()}`;
  });
  return `\\begin{aligned}\n${rows.join(' \\\\\n')}\n\\end{aligned}`;
}

function valueOf(values: ReadonlyMap<SlotKey, number>, key: SlotKey): number {
  const v = values.get(key);
  // A slot the terms do not carry is a template bug: show it as NaN, never as a plausible 0.
  return v === undefined ? NaN : v;
}
