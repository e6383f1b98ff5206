import { describe, expect, it } from 'vitest';
import { looksNumeric, parseInput, toFeatures, tokenize } from '../../src/store/input-parse';

describe('input parsing', () => {
  it('reads characters with a vocabulary in order of first appearance, one-hot', () => {
    const p = parseInput('abca', 'char');
    expect(p).toMatchObject({ kind: 'tokens', T: 4, inputSize: 3, vocabulary: ['a', 'b', 'c'] });
    expect(p.issues).toEqual([]);
    expect(Array.from(toFeatures(p))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('reads words split on whitespace', () => {
    expect(tokenize('the  cat\nsat the', 'word')).toEqual(['the', 'cat', 'sat', 'the']);
    expect(parseInput('the cat the', 'word').vocabulary).toEqual(['the', 'cat']);
  });

  it('reads numeric lines as numbers, in numeric mode and when the text is only numbers', () => {
    const text = '0.5, -1\n\n1e-2, +3\n';
    for (const mode of ['numeric', 'char', 'word'] as const) {
      const p = parseInput(text, mode);
      expect(p.kind).toBe('numeric');
      expect(p.values).toEqual([
        [0.5, -1],
        [0.01, 3],
      ]);
      expect(p.inputSize).toBe(2);
    }
    expect(Array.from(toFeatures(parseInput(text, 'numeric')))).toEqual(
      Array.from(Float32Array.of(0.5, -1, 0.01, 3)),
    );
    // A lone number is a sentence in char mode ("2024" is four characters), a step in numeric mode.
    expect(looksNumeric('2024')).toBe(false);
    expect(parseInput('2024', 'char').T).toBe(4);
    expect(parseInput('2024', 'numeric').values).toEqual([[2024]]);
  });

  it('reports an empty sequence', () => {
    for (const mode of ['char', 'word', 'numeric'] as const) {
      expect(parseInput('  \n ', mode).issues.map((i) => i.code)).toContain('empty');
    }
  });

  it('reports a non-numeric line with its number and text', () => {
    const p = parseInput('1, 2\n3, four\n5, 6', 'numeric');
    expect(p.issues).toEqual([{ code: 'not-a-number', line: 2, text: '3, four' }]);
    // An overflowing number is not silently Infinity.
    expect(parseInput('1\n1e999', 'numeric').issues).toEqual([
      { code: 'not-a-number', line: 2, text: '1e999' },
    ]);
  });

  it('reports lines with a different number of values', () => {
    const p = parseInput('1, 2\n3\n4, 5, 6', 'numeric');
    expect(p.issues).toEqual([
      { code: 'ragged', line: 2, count: 1, expected: 2 },
      { code: 'ragged', line: 3, count: 3, expected: 2 },
    ]);
  });

  it('checks the width against imported weights', () => {
    expect(parseInput('1, 2\n3, 4', 'numeric', 3).issues).toEqual([
      { code: 'width-mismatch', count: 2, expected: 3 },
    ]);
    expect(parseInput('1, 2, 3', 'numeric', 3).issues).toEqual([]);
  });

  it('names a token beyond the imported inputSize', () => {
    const p = parseInput('hello', 'char', 3);
    expect(p.inputSize).toBe(3);
    expect(p.issues).toEqual([
      { code: 'unknown-token', token: 'o', position: 5, index: 3, inputSize: 3 },
    ]);
    expect(parseInput('heh', 'char', 3).issues).toEqual([]);
  });

  it('enforces the length limit', () => {
    expect(parseInput('ab'.repeat(1001), 'char').issues).toEqual([
      { code: 'too-long', steps: 2002, limit: 2000 },
    ]);
    expect(parseInput('x'.repeat(2000), 'char').issues).toEqual([]);
    const lines = Array.from({ length: 2001 }, () => '1').join('\n');
    expect(parseInput(lines, 'numeric').issues).toEqual([
      { code: 'too-long', steps: 2001, limit: 2000 },
    ]);
  });
});
