import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  afterFrame,
  measureStrip,
  stripScrollTarget,
  type StripGeometry,
} from '../../src/panels/Sequence/strip-scroll';

/** A page of tokens starting at step `first`, each `w` px wide with a 2 px gap. */
function geometry(first: number, widths: number[], viewWidth: number): StripGeometry {
  const lefts = new Float64Array(widths.length);
  let x = 0;
  widths.forEach((w, k) => {
    lefts[k] = x;
    x += w + 2;
  });
  return { first, lefts, widths: Float64Array.from(widths), viewWidth, scrollWidth: x - 2 };
}

describe('stripScrollTarget', () => {
  const g = geometry(200, Array<number>(50).fill(30), 320); // content 1598 px wide

  it('leaves a visible step alone', () => {
    expect(stripScrollTarget(g, 200, 0)).toBeNull();
    // Step 209 spans 288..318: inside a 320 px view at scrollLeft 0.
    expect(stripScrollTarget(g, 209, 0)).toBeNull();
  });

  it('centres a step past the right edge, or before the left edge', () => {
    // Step 210 spans 320..350: off by 30 px; centred: 335 - 160 = 175.
    expect(stripScrollTarget(g, 210, 0)).toBe(175);
    // Step 205 spans 160..190, left of scrollLeft 400: centred 175 - 160 = 15.
    expect(stripScrollTarget(g, 205, 400)).toBe(15);
    // A partly hidden step counts as hidden.
    expect(stripScrollTarget(g, 205, 170)).toBe(15);
  });

  it('clamps to the scroll range at both ends', () => {
    expect(stripScrollTarget(g, 200, 500)).toBe(0);
    expect(stripScrollTarget(g, 249, 0)).toBe(1598 - 320);
  });

  it('uses each token its own width (tokens are words or characters)', () => {
    const words = geometry(0, [40, 120, 30, 200, 60], 150);
    // Token 3 spans 196..396: centred 296 - 75 = 221 (max 458 - 150 = 308).
    expect(stripScrollTarget(words, 3, 0)).toBe(221);
  });

  it('does nothing for a step on another page or an unlaid-out strip', () => {
    expect(stripScrollTarget(g, 199, 0)).toBeNull();
    expect(stripScrollTarget(g, 250, 0)).toBeNull();
    expect(stripScrollTarget({ ...g, viewWidth: 0 }, 230, 0)).toBeNull();
  });
});

describe('measureStrip', () => {
  it('reads token boxes relative to the scrolled content', () => {
    const list = document.createElement('ol');
    const rect = (left: number, width: number) => ({ left, width }) as DOMRect;
    vi.spyOn(list, 'getBoundingClientRect').mockReturnValue(rect(100, 300));
    Object.defineProperty(list, 'clientLeft', { value: 1 });
    Object.defineProperty(list, 'clientWidth', { value: 298 });
    Object.defineProperty(list, 'scrollWidth', { value: 900 });
    // jsdom does not scroll; pretend the strip is scrolled by 50 px.
    Object.defineProperty(list, 'scrollLeft', { value: 50 });
    [
      [51, 30],
      [83, 45],
    ].forEach(([left, width], k) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.dataset.t = String(400 + k);
      vi.spyOn(b, 'getBoundingClientRect').mockReturnValue(rect(left, width));
      li.append(b);
      list.append(li);
    });
    const m = measureStrip(list, 400);
    expect(m.first).toBe(400);
    // origin = 100 + 1 - 50 = 51
    expect([...m.lefts]).toEqual([0, 32]);
    expect([...m.widths]).toEqual([30, 45]);
    expect(m.viewWidth).toBe(298);
    expect(m.scrollWidth).toBe(900);
  });
});

describe('afterFrame', () => {
  afterEach(() => vi.useRealTimers());

  it('runs once after the next frame however often it is scheduled, and can be cancelled', () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'],
    });
    const fn = vi.fn();
    const a = afterFrame(fn);
    a.schedule();
    a.schedule();
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(40);
    expect(fn).toHaveBeenCalledTimes(1);
    a.schedule();
    a.cancel();
    vi.advanceTimersByTime(40);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
