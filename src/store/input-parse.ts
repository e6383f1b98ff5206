/**
 * Reading what the user typed into a sequence the engine can run.
 *
 * - `char` / `word`: tokens (code points, or runs of non-space), a vocabulary in
 *   order of first appearance, and one-hot features over it. With imported
 *   weights the feature width is fixed (`inputSize`): a token whose index is not
 *   below it is an error naming the token.
 * - `numeric`: one time step per line, comma-separated values. Text made only of
 *   such lines (two or more lines, or a comma) is read as numbers in every mode.
 *
 * Errors are plain data (`code` + params) that the UI translates; parsing never
 * throws and never produces NaN.
 */
import { MAX_STEPS } from '../worker/protocol';

export type InputMode = 'char' | 'word' | 'numeric';
export const INPUT_MODES: readonly InputMode[] = ['char', 'word', 'numeric'];

export type InputIssue =
  | { code: 'empty' }
  | { code: 'too-long'; steps: number; limit: number }
  | { code: 'unknown-token'; token: string; position: number; index: number; inputSize: number }
  | { code: 'not-in-vocabulary'; token: string; position: number; size: number }
  | { code: 'not-a-number'; line: number; text: string }
  | { code: 'ragged'; line: number; count: number; expected: number }
  | { code: 'width-mismatch'; count: number; expected: number };

export interface ParsedInput {
  /** How the text was read (`numeric` also when auto-detected in char/word mode). */
  kind: 'tokens' | 'numeric';
  /** Number of time steps. */
  T: number;
  /** Feature width of each step. */
  inputSize: number;
  /** Tokens in order (empty for numeric input). */
  tokens: string[];
  /** Distinct tokens in order of first appearance (index = one-hot position). */
  vocabulary: string[];
  /** Numeric steps, `[T][inputSize]` (empty for tokens). */
  values: number[][];
  /** Empty when the input can run. */
  issues: InputIssue[];
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A line of comma-separated numbers, or null when any field is not a number. */
function numericLine(line: string): number[] | null {
  const fields = line.split(',').map((f) => f.trim());
  const out: number[] = [];
  for (const f of fields) {
    if (!NUMBER.test(f)) return null;
    const v = Number(f);
    if (!Number.isFinite(v)) return null; // 1e999 overflows to Infinity
    out.push(v);
  }
  return out;
}

/** True when the text is made only of numeric lines and looks like a series (2+ lines or a comma). */
export function looksNumeric(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  if (lines.length < 2 && !text.includes(',')) return false;
  return lines.every((l) => numericLine(l) !== null);
}

/** Split into tokens: code points for `char`, runs of non-whitespace for `word`. */
export function tokenize(text: string, mode: 'char' | 'word'): string[] {
  return mode === 'char' ? Array.from(text) : (text.match(/\S+/g) ?? []);
}

/**
 * Parse the text.
 * @param fixedInputSize the imported model's `inputSize`, or null when the
 *   model is built to fit the input.
 * @param fixedVocabulary the vocabulary the loaded weights were trained on (a pretrained
 *   character model: index = one-hot position), or null to number tokens by first
 *   appearance. A token outside it is a `not-in-vocabulary` issue naming the token.
 */
export function parseInput(
  text: string,
  mode: InputMode,
  fixedInputSize: number | null = null,
  limit: number = MAX_STEPS,
  fixedVocabulary: readonly string[] | null = null,
): ParsedInput {
  const numeric = mode === 'numeric' || looksNumeric(text);
  if (numeric) return parseNumeric(text, fixedInputSize, limit);
  const tokMode = mode === 'word' ? 'word' : 'char';
  return fixedVocabulary
    ? parseInVocabulary(text, tokMode, fixedVocabulary, limit)
    : parseTokens(text, tokMode, fixedInputSize, limit);
}

/** Tokens read against a fixed vocabulary (its order is the one-hot order the weights know). */
function parseInVocabulary(
  text: string,
  mode: 'char' | 'word',
  vocabulary: readonly string[],
  limit: number,
): ParsedInput {
  const tokens = tokenize(text, mode);
  const known = new Set(vocabulary);
  const issues: InputIssue[] = [];
  const reported = new Set<string>();
  tokens.forEach((tok, position) => {
    if (known.has(tok) || reported.has(tok)) return;
    reported.add(tok);
    issues.push({
      code: 'not-in-vocabulary',
      token: tok,
      position: position + 1,
      size: known.size,
    });
  });
  if (tokens.length === 0 || text.trim() === '') issues.unshift({ code: 'empty' });
  if (tokens.length > limit) issues.push({ code: 'too-long', steps: tokens.length, limit });
  return {
    kind: 'tokens',
    T: tokens.length,
    inputSize: vocabulary.length,
    tokens,
    vocabulary: [...vocabulary],
    values: [],
    issues,
  };
}

function parseTokens(
  text: string,
  mode: 'char' | 'word',
  fixedInputSize: number | null,
  limit: number,
): ParsedInput {
  const tokens = tokenize(text, mode);
  const vocabulary: string[] = [];
  const seen = new Map<string, number>();
  const issues: InputIssue[] = [];
  tokens.forEach((tok, position) => {
    let index = seen.get(tok);
    if (index === undefined) {
      index = vocabulary.length;
      seen.set(tok, index);
      vocabulary.push(tok);
      if (fixedInputSize !== null && index >= fixedInputSize) {
        issues.push({
          code: 'unknown-token',
          token: tok,
          position: position + 1,
          index,
          inputSize: fixedInputSize,
        });
      }
    }
  });
  if (tokens.length === 0 || text.trim() === '') issues.unshift({ code: 'empty' });
  if (tokens.length > limit) issues.push({ code: 'too-long', steps: tokens.length, limit });
  return {
    kind: 'tokens',
    T: tokens.length,
    inputSize: fixedInputSize ?? vocabulary.length,
    tokens,
    vocabulary,
    values: [],
    issues,
  };
}

function parseNumeric(text: string, fixedInputSize: number | null, limit: number): ParsedInput {
  const issues: InputIssue[] = [];
  const values: number[][] = [];
  let width: number | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const row = numericLine(raw);
    if (row === null) {
      issues.push({ code: 'not-a-number', line: i + 1, text: raw.trim().slice(0, 40) });
      return;
    }
    if (width === null) {
      width = row.length;
    } else if (row.length !== width) {
      issues.push({ code: 'ragged', line: i + 1, count: row.length, expected: width });
      return;
    }
    values.push(row);
  });
  if (values.length === 0 && issues.length === 0) issues.push({ code: 'empty' });
  if (width !== null && fixedInputSize !== null && width !== fixedInputSize) {
    issues.push({ code: 'width-mismatch', count: width, expected: fixedInputSize });
  }
  if (values.length > limit) issues.push({ code: 'too-long', steps: values.length, limit });
  return {
    kind: 'numeric',
    T: values.length,
    inputSize: fixedInputSize ?? width ?? 0,
    tokens: [],
    vocabulary: [],
    values,
    issues,
  };
}

/**
 * The features `[T, 1, inputSize]` of a parsed input that has no issues:
 * one-hot rows for tokens, the numbers as they are for numeric input.
 */
export function toFeatures(parsed: ParsedInput): Float32Array<ArrayBuffer> {
  const { T, inputSize } = parsed;
  const out = new Float32Array(T * inputSize);
  if (parsed.kind === 'numeric') {
    parsed.values.forEach((row, t) => out.set(row, t * inputSize));
  } else {
    const index = new Map(parsed.vocabulary.map((tok, i) => [tok, i]));
    parsed.tokens.forEach((tok, t) => {
      const k = index.get(tok) ?? -1;
      if (k >= 0 && k < inputSize) out[t * inputSize + k] = 1;
    });
  }
  return out;
}

/** How a token is shown in the vocabulary and the inspector (spaces and newlines made visible). */
export function displayToken(tok: string): string {
  if (tok === ' ') return '␣';
  if (tok === '\n') return '↵';
  if (tok === '\t') return '⇥';
  return tok;
}
