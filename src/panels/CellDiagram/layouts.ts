/**
 * The cell diagrams, drawn for this project as data: boxes for gates and
 * operations, and wires whose colour and width show a value. Coordinates are
 * in a 640 x 360 viewBox. `value` names a slot of the equation builder
 * (`<gate>.act`, `u.<field>`), so the diagram shows the engine's numbers.
 */
import type { CellKind, Quantity } from '../../engine/types';

export type Range = 'sigmoid' | 'tanh' | 'unbounded' | 'none';

export interface DiagramNode {
  id: string;
  kind: 'gate' | 'op' | 'in' | 'out';
  x: number;
  y: number;
  /** TeX-free label: a symbol (`σ`, `tanh`, `⊙`, `+`, `1−`) or a state name. */
  label: string;
  /** Secondary label under a gate's function (its symbol: `f`, `i`, ...). */
  symbol?: string;
  value?: string;
  range?: Range;
  /** Quantity a hover on this node points at (heatmap cell, equation line). */
  quantity?: Quantity;
  /** True for the previous step's state (hover points at step t-1 / t+1). */
  previous?: boolean;
}

export interface DiagramWire {
  id: string;
  points: [number, number][];
  value?: string;
  range: Range;
}

export interface DiagramLayout {
  nodes: DiagramNode[];
  wires: DiagramWire[];
}

const BUS_Y = 300;
/** Half the size of a gate box (the panel draws boxes of twice these). */
export const GATE_HALF_W = 42;
export const GATE_HALF_H = 28;

/** Branches from the [hPrev, x_t] bus up to each gate's bottom edge. */
function busBranches(xs: number[], gateY: number): DiagramWire[] {
  return xs.map((x, k) => ({
    id: `bus-${k}`,
    points: [
      [x, BUS_Y],
      [x, gateY + GATE_HALF_H],
    ],
    range: 'none',
  }));
}

function lstm(prev: string): DiagramLayout {
  const gy = 220;
  return {
    nodes: [
      {
        id: 'cPrev',
        kind: 'in',
        x: 40,
        y: 70,
        label: `c${prev}`,
        value: 'u.cPrev',
        range: 'unbounded',
        quantity: 'c',
        previous: true,
      },
      {
        id: 'hPrev',
        kind: 'in',
        x: 40,
        y: BUS_Y,
        label: `h${prev}`,
        value: 'u.hPrev',
        range: 'tanh',
        quantity: 'h',
        previous: true,
      },
      { id: 'x', kind: 'in', x: 120, y: 345, label: 'xₜ' },
      {
        id: 'f',
        kind: 'gate',
        x: 150,
        y: gy,
        label: 'σ',
        symbol: 'f',
        value: 'f.act',
        range: 'sigmoid',
        quantity: 'f',
      },
      {
        id: 'i',
        kind: 'gate',
        x: 250,
        y: gy,
        label: 'σ',
        symbol: 'i',
        value: 'i.act',
        range: 'sigmoid',
        quantity: 'i',
      },
      {
        id: 'g',
        kind: 'gate',
        x: 350,
        y: gy,
        label: 'tanh',
        symbol: 'g',
        value: 'g.act',
        range: 'tanh',
        quantity: 'g',
      },
      {
        id: 'o',
        kind: 'gate',
        x: 450,
        y: gy,
        label: 'σ',
        symbol: 'o',
        value: 'o.act',
        range: 'sigmoid',
        quantity: 'o',
      },
      { id: 'mulF', kind: 'op', x: 150, y: 70, label: '⊙' },
      { id: 'add', kind: 'op', x: 350, y: 70, label: '+' },
      { id: 'mulIG', kind: 'op', x: 350, y: 140, label: '⊙' },
      { id: 'tanhC', kind: 'op', x: 545, y: 140, label: 'tanh' },
      { id: 'mulO', kind: 'op', x: 545, y: 220, label: '⊙' },
      {
        id: 'c',
        kind: 'out',
        x: 600,
        y: 70,
        label: 'cₜ',
        value: 'u.c',
        range: 'unbounded',
        quantity: 'c',
      },
      {
        id: 'h',
        kind: 'out',
        x: 600,
        y: BUS_Y,
        label: 'hₜ',
        value: 'u.h',
        range: 'tanh',
        quantity: 'h',
      },
    ],
    wires: [
      {
        id: 'bus',
        points: [
          [40, BUS_Y],
          [450, BUS_Y],
        ],
        value: 'u.hPrev',
        range: 'tanh',
      },
      {
        id: 'x',
        points: [
          [120, 335],
          [120, BUS_Y],
        ],
        range: 'none',
      },
      ...busBranches([150, 260, 350, 440], gy),
      {
        id: 'cPrev',
        points: [
          [40, 70],
          [150, 70],
        ],
        value: 'u.cPrev',
        range: 'unbounded',
      },
      {
        id: 'f',
        points: [
          [150, gy - GATE_HALF_H],
          [150, 70],
        ],
        value: 'f.act',
        range: 'sigmoid',
      },
      {
        id: 'fc',
        points: [
          [150, 70],
          [350, 70],
        ],
        value: 'u.fcPrev',
        range: 'unbounded',
      },
      {
        id: 'i',
        points: [
          [250, gy - GATE_HALF_H],
          [250, 140],
          [350, 140],
        ],
        value: 'i.act',
        range: 'sigmoid',
      },
      {
        id: 'g',
        points: [
          [350, gy - GATE_HALF_H],
          [350, 140],
        ],
        value: 'g.act',
        range: 'tanh',
      },
      {
        id: 'ig',
        points: [
          [350, 140],
          [350, 70],
        ],
        value: 'u.ig',
        range: 'unbounded',
      },
      {
        id: 'c',
        points: [
          [350, 70],
          [600, 70],
        ],
        value: 'u.c',
        range: 'unbounded',
      },
      {
        id: 'c2',
        points: [
          [545, 70],
          [545, 140],
        ],
        value: 'u.c',
        range: 'unbounded',
      },
      {
        id: 'tanhC',
        points: [
          [545, 140],
          [545, 220],
        ],
        value: 'u.tanhC',
        range: 'tanh',
      },
      {
        id: 'o',
        points: [
          [450, gy],
          [545, 220],
        ],
        value: 'o.act',
        range: 'sigmoid',
      },
      {
        id: 'h',
        points: [
          [545, 220],
          [545, BUS_Y],
          [600, BUS_Y],
        ],
        value: 'u.h',
        range: 'tanh',
      },
    ],
  };
}

function gru(prev: string, textbook: boolean): DiagramLayout {
  const gy = 230;
  const nodes: DiagramNode[] = [
    {
      id: 'hPrev',
      kind: 'in',
      x: 40,
      y: 70,
      label: `h${prev}`,
      value: 'u.hPrev',
      range: 'tanh',
      quantity: 'h',
      previous: true,
    },
    { id: 'x', kind: 'in', x: 90, y: 345, label: 'xₜ' },
    {
      id: 'r',
      kind: 'gate',
      x: 140,
      y: gy,
      label: 'σ',
      symbol: 'r',
      value: 'r.act',
      range: 'sigmoid',
      quantity: 'r',
    },
    {
      id: 'z',
      kind: 'gate',
      x: 250,
      y: gy,
      label: 'σ',
      symbol: 'z',
      value: 'z.act',
      range: 'sigmoid',
      quantity: 'z',
    },
    {
      id: 'n',
      kind: 'gate',
      x: 430,
      y: gy,
      label: 'tanh',
      symbol: 'n',
      value: 'n.act',
      range: 'tanh',
      quantity: 'n',
    },
    // PyTorch: (1-z) weighs n and z weighs hPrev; textbook: the other way round.
    { id: 'oneMinus', kind: 'op', x: textbook ? 250 : 330, y: textbook ? 140 : 150, label: '1−' },
    { id: 'mulHPrev', kind: 'op', x: 250, y: 70, label: '⊙' },
    { id: 'mulN', kind: 'op', x: 430, y: 150, label: '⊙' },
    { id: 'add', kind: 'op', x: 520, y: 70, label: '+' },
    {
      id: 'h',
      kind: 'out',
      x: 600,
      y: 70,
      label: 'hₜ',
      value: 'u.h',
      range: 'tanh',
      quantity: 'h',
    },
  ];
  const wires: DiagramWire[] = [
    {
      id: 'hPrevDown',
      points: [
        [40, 70],
        [40, BUS_Y],
        [textbook ? 250 : 430, BUS_Y],
      ],
      value: 'u.hPrev',
      range: 'tanh',
    },
    {
      id: 'x',
      points: [
        [90, 335],
        [90, BUS_Y],
      ],
      range: 'none',
    },
    ...busBranches(textbook ? [140, 250] : [140, 250, 430], gy),
    {
      id: 'hPrev',
      points: [
        [40, 70],
        [250, 70],
      ],
      value: 'u.hPrev',
      range: 'tanh',
    },
    {
      id: 'n',
      points: [
        [430, gy - GATE_HALF_H],
        [430, 150],
      ],
      value: 'n.act',
      range: 'tanh',
    },
    {
      id: 'nPart',
      points: [
        [430, 150],
        [520, 150],
        [520, 70],
      ],
      value: textbook ? 'u.zN' : 'u.oneMinusZN',
      range: 'tanh',
    },
    {
      id: 'hPart',
      points: [
        [250, 70],
        [520, 70],
      ],
      value: textbook ? 'u.oneMinusZHPrev' : 'u.zHPrev',
      range: 'tanh',
    },
    {
      id: 'h',
      points: [
        [520, 70],
        [600, 70],
      ],
      value: 'u.h',
      range: 'tanh',
    },
  ];
  if (textbook) {
    wires.push(
      {
        id: 'z',
        points: [
          [250, gy - GATE_HALF_H],
          [250, 140],
        ],
        value: 'z.act',
        range: 'sigmoid',
      },
      {
        id: 'oneMinusOut',
        points: [
          [250, 140],
          [250, 70],
        ],
        range: 'none',
      },
      {
        id: 'zN',
        points: [
          [250, 190],
          [330, 190],
          [330, 150],
          [430, 150],
        ],
        value: 'z.act',
        range: 'sigmoid',
      },
    );
    // Reset gates hPrev before W_hn: r ⊙ hPrev feeds n (x_t reaches n on its own wire).
    nodes.push({ id: 'mulR', kind: 'op', x: 430, y: BUS_Y, label: '⊙' });
    wires.push(
      {
        id: 'r',
        points: [
          [140, gy - GATE_HALF_H],
          [140, 175],
          [480, 175],
          [480, BUS_Y],
          [430, BUS_Y],
        ],
        value: 'r.act',
        range: 'sigmoid',
      },
      {
        id: 'busR',
        points: [
          [250, BUS_Y],
          [430, BUS_Y],
        ],
        value: 'u.hPrev',
        range: 'tanh',
      },
      {
        id: 'rh',
        points: [
          [430, BUS_Y],
          [430, gy + GATE_HALF_H],
        ],
        range: 'none',
      },
      {
        id: 'xN',
        points: [
          [110, 345],
          [530, 345],
          [530, gy],
          [430 + GATE_HALF_W, gy],
        ],
        range: 'none',
      },
    );
  } else {
    wires.push(
      {
        id: 'z',
        points: [
          [250, gy - GATE_HALF_H],
          [250, 70],
        ],
        value: 'z.act',
        range: 'sigmoid',
      },
      {
        id: 'zOne',
        points: [
          [250, 190],
          [330, 190],
          [330, 150],
        ],
        value: 'z.act',
        range: 'sigmoid',
      },
      {
        id: 'oneMinusOut',
        points: [
          [330, 150],
          [430, 150],
        ],
        range: 'none',
      },
      // Reset scales the recurrent term inside n: r ⊙ (W_hn hPrev + b_hn).
      {
        id: 'r',
        points: [
          [140, gy - GATE_HALF_H],
          [140, 175],
          [370, 175],
          [370, gy],
          [430 - GATE_HALF_W, gy],
        ],
        value: 'r.act',
        range: 'sigmoid',
      },
    );
  }
  return { nodes, wires };
}

function rnn(prev: string, act: 'tanh' | 'ReLU'): DiagramLayout {
  return {
    nodes: [
      {
        id: 'hPrev',
        kind: 'in',
        x: 60,
        y: 130,
        label: `h${prev}`,
        value: 'u.hPrev',
        range: 'tanh',
        quantity: 'h',
        previous: true,
      },
      { id: 'x', kind: 'in', x: 60, y: 270, label: 'xₜ' },
      {
        id: 'h',
        kind: 'gate',
        x: 330,
        y: 200,
        label: act,
        symbol: 'h',
        value: 'h.act',
        range: 'tanh',
        quantity: 'h',
      },
      {
        id: 'hOut',
        kind: 'out',
        x: 590,
        y: 200,
        label: 'hₜ',
        value: 'u.h',
        range: 'tanh',
        quantity: 'h',
      },
    ],
    wires: [
      {
        id: 'hPrev',
        points: [
          [60, 130],
          [200, 130],
          [200, 200],
          [298, 200],
        ],
        value: 'u.hPrev',
        range: 'tanh',
      },
      {
        id: 'x',
        points: [
          [60, 270],
          [200, 270],
          [200, 200],
        ],
        range: 'none',
      },
      {
        id: 'h',
        points: [
          [362, 200],
          [590, 200],
        ],
        value: 'u.h',
        range: 'tanh',
      },
      {
        id: 'loop',
        points: [
          [470, 200],
          [470, 60],
          [60, 60],
          [60, 120],
        ],
        value: 'u.h',
        range: 'tanh',
      },
    ],
  };
}

/** The diagram of a cell kind; `direction` 1 labels the previous state `t+1`. */
export function diagramLayout(cell: CellKind, direction: 0 | 1): DiagramLayout {
  const prev = direction === 1 ? 'ₜ₊₁' : 'ₜ₋₁';
  switch (cell) {
    case 'lstm':
      return lstm(prev);
    case 'gru':
      return gru(prev, false);
    case 'gru-textbook':
      return gru(prev, true);
    case 'rnn-relu':
      return rnn(prev, 'ReLU');
    default:
      return rnn(prev, 'tanh');
  }
}
