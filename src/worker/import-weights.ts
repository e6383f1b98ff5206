/**
 * Weights from a file, through the engine's importer (engine-io): the spec is
 * read from the tensor shapes; a GRU's form is the caller's choice.
 */
import type { Model } from '../engine/model';
import type { ModelSource } from './protocol';

/** Builds a model from a weights file; throws the importer's error (exact message) when refused. */
export function importWeights(source: Extract<ModelSource, { kind: 'weights' }>): Model {
  throw new Error(`Importing ${source.fileName} is not available yet (the importer is not wired).`);
}
