import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { CELL_KINDS, sigmoid } from '../../src/engine';
import type { CellKind, Quantity } from '../../src/engine';
import {
  equationTemplate,
  latexDocument,
  lineTexWithSlots,
  lineTexWithValues,
  slotsOf,
  slotValues,
} from '../../src/panels/Equations/equation-builder';
import { termsAt } from '../../src/panels/shared/terms-source';
import { makeFixture } from './fixture-trace';

const KATEX = {
  output: 'html' as const,
  throwOnError: true,
  trust: (ctx: { command: string }) => ctx.command === '\\htmlData',
  strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : 'error'),
};

const actFn = (cell: CellKind, q: Quantity) =>
  cell === 'rnn-relu'
    ? (x: number) => Math.max(0, x)
    : cell === 'rnn-tanh' || q === 'g' || q === 'n'
      ? Math.tanh
      : sigmoid;

describe('equation builder: numbers are the engine trace', () => {
  for (const cell of CELL_KINDS) {
    it(`${cell}: every slot reads the trace (2 layers, bidirectional)`, () => {
      const f = makeFixture(cell, { T: 5, H: 3, layers: 2, bidirectional: true });
      const { T, H } = f.trace.meta;
      for (const layer of [0, 1])
        for (const direction of [0, 1] as const)
          for (let t = 0; t < T; t++)
            for (let unit = 0; unit < H; unit++) {
              const terms = termsAt(f.trace, T, f.params, { layer, direction, t, unit });
              expect(terms).not.toBeNull();
              const v = slotValues(terms!);
              const key = direction ? `l${layer}_reverse` : `l${layer}`;
              const act = f.trace.layers[key];
              const pre = f.trace.pre[key];
              const at = (a: Float32Array | undefined, tt: number) => a![tt * H + unit];
              for (const g of terms!.gates) {
                // Activation and pre-activation are exactly the trace's numbers.
                expect(v.get(`${g.gate}.act`)).toBe(at(act[g.gate], t));
                expect(v.get(`${g.gate}.pre`)).toBe(at(pre[g.gate], t));
                // The split adds up to the pre-activation the engine recorded.
                const sum =
                  g.reset === null
                    ? g.wx + g.bih + g.wh + g.bhh
                    : g.wx + g.bih + g.reset * (g.wh + g.bhh);
                expect(sum).toBeCloseTo(g.pre, 5);
                expect(actFn(cell, g.gate)(g.pre)).toBeCloseTo(g.act, 6);
              }
              expect(v.get('u.h')).toBe(at(act.h, t));
              const prevT = direction ? t + 1 : t - 1;
              const hPrev = prevT < 0 || prevT >= T ? 0 : at(act.h, prevT);
              expect(v.get('u.hPrev')).toBe(hPrev);
              if (cell === 'lstm') {
                expect(v.get('u.c')).toBe(at(act.c, t));
                const cPrev = prevT < 0 || prevT >= T ? 0 : at(act.c, prevT);
                expect(v.get('u.cPrev')).toBe(cPrev);
                expect(v.get('u.fcPrev')! + v.get('u.ig')!).toBeCloseTo(v.get('u.c')!, 6);
              }
              if (cell === 'gru')
                expect(v.get('u.oneMinusZN')! + v.get('u.zHPrev')!).toBeCloseTo(v.get('u.h')!, 6);
              if (cell === 'gru-textbook')
                expect(v.get('u.oneMinusZHPrev')! + v.get('u.zN')!).toBeCloseTo(v.get('u.h')!, 6);
            }
    });

    it(`${cell}: every slot of the template has a value, and KaTeX renders every line`, () => {
      const f = makeFixture(cell);
      const lines = equationTemplate({ cell, bias: true, direction: 0 });
      const terms = termsAt(f.trace, f.trace.meta.T, f.params, {
        layer: 0,
        direction: 0,
        t: 2,
        unit: 1,
      });
      const v = slotValues(terms!);
      for (const s of slotsOf(lines)) expect(v.has(s.key), s.key).toBe(true);
      for (const l of lines) {
        const tex = lineTexWithSlots(l);
        expect(() => katex.renderToString(tex.symbolic, KATEX)).not.toThrow();
        expect(tex.numeric.length).toBeGreaterThan(1);
        const html = tex.numeric.map((n) => katex.renderToString(n, KATEX)).join('');
        expect(html).toContain('data-slot=');
        for (const lang of ['en', 'vi'] as const)
          expect(() => katex.renderToString(lineTexWithValues(l, v, lang), KATEX)).not.toThrow();
      }
    });
  }

  it('writes the formulas the engine runs for each GRU form', () => {
    const py = equationTemplate({ cell: 'gru', bias: true, direction: 0 });
    const tb = equationTemplate({ cell: 'gru-textbook', bias: true, direction: 0 });
    expect(py.find((l) => l.id === 'n')!.symbolic).toContain(
      'r_t \\odot \\left(W_{hn} h_{t-1} + b_{hn}\\right)',
    );
    expect(tb.find((l) => l.id === 'n')!.symbolic).toContain(
      'W_{hn} \\left(r_t \\odot h_{t-1}\\right)',
    );
    expect(py.find((l) => l.id === 'h')!.symbolic).toBe(
      'h_t = \\left(1 - z_t\\right) \\odot n_t + z_t \\odot h_{t-1}',
    );
    expect(tb.find((l) => l.id === 'h')!.symbolic).toBe(
      'h_t = \\left(1 - z_t\\right) \\odot h_{t-1} + z_t \\odot n_t',
    );
    const lstm = equationTemplate({ cell: 'lstm', bias: true, direction: 1 });
    expect(lstm.map((l) => l.id)).toEqual(['i', 'f', 'g', 'o', 'c', 'h']);
    expect(lstm.find((l) => l.id === 'c')!.symbolic).toBe(
      'c_t = f_t \\odot c_{t+1} + i_t \\odot g_t',
    );
    const noBias = equationTemplate({ cell: 'rnn-relu', bias: false, direction: 0 });
    expect(noBias[0].symbolic).toBe(
      'h_t = \\operatorname{ReLU}\\left(W_{ih} x_t + W_{hh} h_{t-1}\\right)',
    );
  });

  it('folds signs and uses the Vietnamese decimal comma in the LaTeX copy', () => {
    const lines = equationTemplate({ cell: 'rnn-tanh', bias: true, direction: 0 });
    const v = new Map([
      ['h.wx', 0.5],
      ['h.bih', -0.1],
      ['h.wh', -0.25],
      ['h.bhh', 0.05],
      ['h.pre', 0.2],
      ['h.act', 0.1974],
    ]);
    const en = lineTexWithValues(lines[0], v, 'en');
    expect(en).toContain('0.5000 - 0.1000 - 0.2500 + 0.0500');
    expect(en).not.toMatch(/\+\s*-/);
    const vi = latexDocument(lines, v, 'vi');
    expect(vi).toContain('0{,}5000 - 0{,}1000 - 0{,}2500 + 0{,}0500');
    expect(vi).toMatch(/^\\begin\{aligned\}\n {2}h_t &= \\tanh/);
    expect(vi).not.toMatch(/\d\.\d/);
  });

  it('shows a slot the terms do not carry as NaN, never as 0', () => {
    const lines = equationTemplate({ cell: 'lstm', bias: true, direction: 0 });
    expect(lineTexWithValues(lines[0], new Map(), 'en')).toContain('\\mathrm{NaN}');
  });
});
