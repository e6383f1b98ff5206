import { describe, expect, it } from 'vitest';
import {
  buildHash,
  hashHasSettings,
  MAX_URL_INPUT,
  parseHash,
  type UrlSettings,
} from '../../src/store/url';

const settings: UrlSettings = {
  cell: 'gru-textbook',
  hiddenSize: 12,
  numLayers: 2,
  bidirectional: true,
  seed: 4294967295,
  inputText: 'xin chào & bye\n1, 2 #?=',
  inputMode: 'word',
  t: 6,
  lang: 'vi',
  preset: 'char-lm-vi-gru',
  weightsFile: 'my lstm (2).safetensors',
};

describe('URL contract', () => {
  it('writes `preset` only when a preset is shown; a bad id is reported', () => {
    const seeded = buildHash({ ...settings, preset: null, weightsFile: null });
    expect(seeded).not.toContain('preset');
    expect(seeded).not.toContain('weights');
    expect(parseHash(`#${seeded}`).settings.preset).toBeUndefined();
    expect(buildHash(settings)).toContain('preset=char-lm-vi-gru');
    expect(parseHash('#preset=recall-rnn-tanh').settings.preset).toBe('recall-rnn-tanh');
    const bad = parseHash('#cell=lstm&preset=nonsense-lstm');
    expect(bad.settings.preset).toBeUndefined();
    expect(bad.issues).toEqual([
      { key: 'preset', value: 'nonsense-lstm', expected: '<task>-<lstm|gru|rnn-tanh>' },
    ]);
    expect(hashHasSettings('#preset=char-lm-en-lstm')).toBe(true);
  });

  it('round-trips every key', () => {
    const hash = buildHash(settings);
    expect(hash).toContain('cell=gru-textbook');
    expect(hash).toContain('t=7'); // 1-based in the link
    expect(parseHash(`#${hash}`)).toEqual({ settings, issues: [] });
  });

  it('reads the documented forms', () => {
    const { settings: s, issues } = parseHash(
      '#cell=rnn-relu&hidden=1&layers=4&bidirectional=true&seed=0&tokens=char&t=1&input=abc&lang=en',
    );
    expect(issues).toEqual([]);
    expect(s).toEqual({
      cell: 'rnn-relu',
      hiddenSize: 1,
      numLayers: 4,
      bidirectional: true,
      seed: 0,
      inputMode: 'char',
      t: 0,
      inputText: 'abc',
      lang: 'en',
    });
  });

  it('reports each bad value by key and keeps it out of the settings', () => {
    const { settings: s, issues } = parseHash(
      '#cell=transformer&hidden=0&layers=x&bidirectional=maybe&seed=-1&tokens=bytes&t=0&lang=fr&input=ok',
    );
    expect(s).toEqual({ inputText: 'ok' });
    expect(issues.map((i) => i.key)).toEqual([
      'cell',
      'hidden',
      'layers',
      'bidirectional',
      'seed',
      'tokens',
      't',
      'lang',
    ]);
    expect(issues[1]).toEqual({ key: 'hidden', value: '0', expected: '1-64' });
    expect(parseHash('#hidden=65').issues[0]).toMatchObject({ key: 'hidden', value: '65' });
    expect(parseHash('#hidden=3.5').issues[0]).toMatchObject({ key: 'hidden' });
  });

  it('leaves long inputs out of links', () => {
    const long = { ...settings, inputText: 'a'.repeat(MAX_URL_INPUT + 1) };
    expect(parseHash(buildHash(long)).settings.inputText).toBeUndefined();
  });

  it('tells a settings hash from an in-page anchor', () => {
    expect(hashHasSettings('#main')).toBe(false);
    expect(hashHasSettings('#cell=lstm')).toBe(true);
  });
});
