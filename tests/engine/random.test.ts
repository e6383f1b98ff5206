import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine';

describe('Rng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(sa);
    expect(sa.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
  });

  it('restores a saved state', () => {
    const a = new Rng(3);
    a.uniform();
    const st = a.getState();
    const next = [a.uniform(), a.uniform()];
    const b = new Rng(99);
    b.setState(st);
    expect([b.uniform(), b.uniform()]).toEqual(next);
  });

  it('has the right moments for uniform, normal and Bernoulli draws', () => {
    const r = new Rng(1);
    const n = 20000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let sb = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(-2, 2);
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      su += u;
      const z = r.normal(1, 3);
      sn += z;
      sn2 += (z - 1) * (z - 1);
      if (r.bernoulli(0.3)) sb++;
    }
    expect(lo).toBeGreaterThanOrEqual(-2);
    expect(hi).toBeLessThan(2);
    expect(Math.abs(su / n)).toBeLessThan(0.05);
    expect(Math.abs(sn / n - 1)).toBeLessThan(0.1);
    expect(Math.sqrt(sn2 / n)).toBeGreaterThan(2.85);
    expect(Math.sqrt(sn2 / n)).toBeLessThan(3.15);
    expect(sb / n).toBeGreaterThan(0.28);
    expect(sb / n).toBeLessThan(0.32);
  });

  it('draws float32-exact unit values (24 random bits)', () => {
    const r = new Rng(5);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(Math.fround(u)).toBe(u);
    }
  });
});
