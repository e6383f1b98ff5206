import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import { parseInput, type InputMode, type ParsedInput } from './input-parse';
import { DEFAULTS } from './limits';

/** The text exactly as typed (never changed by errors), how to read it, and the result. */
export interface InputData {
  inputText: string;
  inputMode: InputMode;
  /** Derived from the two fields above and the imported model's inputSize. */
  parsed: ParsedInput;
}
export interface InputActions {
  setInputText: (text: string) => void;
  setInputMode: (mode: InputMode) => void;
  /** Parse again (after weights with a fixed inputSize came or went). */
  reparseInput: () => void;
}
export type InputSlice = InputData & InputActions;

export const initialInput = (): InputData => ({
  inputText: DEFAULTS.inputText,
  inputMode: 'char',
  parsed: parseInput(DEFAULTS.inputText, 'char'),
});

const fixedSize = (s: AppState) => s.imported?.spec.inputSize ?? null;
const fixedVocab = (s: AppState) => s.imported?.vocabulary ?? null;

/** Parse `text` for the model in use (a loaded model fixes the width, a preset the vocabulary). */
export const parseFor = (s: AppState, text: string, mode: InputMode): ParsedInput =>
  parseInput(text, mode, fixedSize(s), undefined, fixedVocab(s));

export const createInputSlice: StateCreator<AppState, [], [], InputSlice> = (set, get) => ({
  ...initialInput(),
  setInputText: (inputText) =>
    set({ inputText, parsed: parseFor(get(), inputText, get().inputMode) }),
  setInputMode: (inputMode) =>
    set({ inputMode, parsed: parseFor(get(), get().inputText, inputMode) }),
  reparseInput: () => set({ parsed: parseFor(get(), get().inputText, get().inputMode) }),
});
