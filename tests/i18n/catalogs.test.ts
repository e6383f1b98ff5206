import { describe, expect, it } from 'vitest';
import { detectLanguage, LANGUAGES, loadCatalogs } from '../../src/i18n';

function flatten(obj: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
    }
  } else {
    out.set(prefix, obj);
  }
  return out;
}

const placeholders = (s: unknown) =>
  typeof s === 'string' ? [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort() : [];

describe('i18n catalogs', () => {
  const catalogs = loadCatalogs();
  const en = flatten(catalogs.en);
  const vi = flatten(catalogs.vi);

  it('has at least one area for every language', () => {
    for (const lang of LANGUAGES) expect(Object.keys(catalogs[lang]).length).toBeGreaterThan(0);
  });

  it('has every English key in Vietnamese', () => {
    expect([...en.keys()].filter((k) => !vi.has(k))).toEqual([]);
  });

  it('has every Vietnamese key in English', () => {
    expect([...vi.keys()].filter((k) => !en.has(k))).toEqual([]);
  });

  it('has no empty strings and the same {{placeholders}} in both languages', () => {
    for (const [k, v] of en) {
      expect(typeof v === 'string' && v.trim().length > 0, `en ${k} is empty`).toBe(true);
      expect(
        typeof vi.get(k) === 'string' && (vi.get(k) as string).trim().length > 0,
        `vi ${k} is empty`,
      ).toBe(true);
      expect(placeholders(vi.get(k)), `placeholders of ${k}`).toEqual(placeholders(v));
    }
  });
});

describe('detectLanguage', () => {
  it('reads ?lang= from the query, then the hash, then the browser', () => {
    expect(detectLanguage('?lang=vi', '', ['en-US'])).toBe('vi');
    expect(detectLanguage('', '#lang=vi&cell=lstm', ['en-US'])).toBe('vi');
    expect(detectLanguage('?lang=xx', '', ['vi-VN', 'en'])).toBe('vi');
    expect(detectLanguage('', '', ['fr-FR'])).toBe('en');
  });
});
