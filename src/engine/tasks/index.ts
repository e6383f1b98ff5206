/** Training tasks and their metrics (pure: no DOM, no Node modules). */
export * from './types';
export * from './metrics';
export { padSequences, bucketByLength, shuffleInPlace, paddingWaste } from './batching';
export type { PaddedBatch } from './batching';
export { normalizeText, buildCharVocab, encodeChars, codePoints, words } from './text';
export type { CharVocab } from './text';
export { createCharLmTask, generateText } from './charlm';
export type { CharLmOptions, CharLmTask, GenerateOptions } from './charlm';
export { createForecastTask, syntheticSeries, parseSeriesCsv } from './series';
export type { ForecastOptions, ForecastTask, Series, SyntheticSeriesOptions } from './series';
export { createRecallTask, createCopyTask, createAddingTask, createBracketTask } from './probes';
export type { RecallOptions, CopyOptions, AddingOptions, BracketOptions } from './probes';
export { createSentimentTask, parseLabelledTsv, SENTIMENT_LABELS } from './sentiment';
export type { SentimentOptions, SentimentTask, LabelledSentence } from './sentiment';
export { TASK_CATALOG, taskEntry } from './catalog';
export type { TaskEntry } from './catalog';
