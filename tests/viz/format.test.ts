import { describe, expect, it } from 'vitest';
import { formatNumber, MINUS, slotTex, slotText, texNumber } from '../../src/viz/format';

describe('number formatting', () => {
  it('uses a decimal comma in Vietnamese and a point in English', () => {
    expect(formatNumber(0.5, 'en', 2)).toBe('0.50');
    expect(formatNumber(0.5, 'vi', 2)).toBe('0,50');
    expect(texNumber(0.5, 'vi', 1)).toBe('0{,}5');
    expect(texNumber(-0.5, 'en', 1)).toBe('-0.5');
  });

  it('folds signs: + -0.1 reads - 0.1', () => {
    expect(slotText(-0.1, 'term', 'en', 1)).toBe(`${MINUS} 0.1`);
    expect(slotText(0.1, 'term', 'en', 1)).toBe('+ 0.1');
    expect(slotTex(-0.1, 'term', 'en', 1)).toBe('- 0.1');
    expect(slotTex(-0.1, 'term', 'vi', 1)).toBe('- 0{,}1');
    expect(slotText(-0.2, 'factor', 'en', 1)).toBe(`(${MINUS}0.2)`);
    expect(slotText(-0.2, 'lead', 'en', 1)).toBe(`${MINUS}0.2`);
  });

  it('prints no minus on a value that rounds to zero, and spells out NaN', () => {
    expect(formatNumber(-0.00001, 'en', 4)).toBe('0.0000');
    expect(formatNumber(NaN, 'en')).toBe('NaN');
    expect(texNumber(NaN, 'en')).toBe('\\mathrm{NaN}');
  });
});
