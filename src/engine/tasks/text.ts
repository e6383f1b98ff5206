/**
 * Text helpers: Unicode normalisation and character vocabularies.
 *
 * Texts are normalised to NFC, so a Vietnamese letter with its marks ("ệ") is one code
 * point however it was typed (precomposed, or "e" + U+0323 + U+0302), and the vocabulary
 * has one entry per letter. A byte-order mark is dropped and line ends become "\n".
 */

/** NFC, no BOM, "\n" line ends. */
export function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .normalize('NFC');
}

/** The characters (code points) of `text`, in order. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

export interface CharVocab {
  /** Sorted by code point; index = class id. */
  chars: string[];
  index: Map<string, number>;
}

/** A vocabulary of the distinct code points of `text` (normalised to NFC), sorted. */
export function buildCharVocab(text: string): CharVocab {
  const chars = [...new Set(codePoints(normalizeText(text)))].sort(
    (a, b) => a.codePointAt(0)! - b.codePointAt(0)!,
  );
  return { chars, index: new Map(chars.map((c, i) => [c, i])) };
}

/**
 * Class ids of `text`'s characters; an unknown character returns its position in `unknown`
 * and the ids stop there (the caller names it in its error).
 */
export function encodeChars(
  vocab: CharVocab,
  text: string,
): { ids: Int32Array; unknown: { char: string; position: number } | null } {
  const cps = codePoints(text);
  const ids = new Int32Array(cps.length);
  for (let i = 0; i < cps.length; i++) {
    const k = vocab.index.get(cps[i]);
    if (k === undefined) return { ids: ids.subarray(0, i), unknown: { char: cps[i], position: i } };
    ids[i] = k;
  }
  return { ids, unknown: null };
}

/** Lower-case words (letters, digits, apostrophes inside words) of an NFC text. */
export function words(text: string): string[] {
  return (
    normalizeText(text)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? []
  );
}
