import { describe, expect, it } from 'vitest';
import { createModel, forward, isCellKind } from '../../src/engine';
import { SCENARIOS } from '../../src/scenarios';
import { parseInput, toFeatures } from '../../src/store/input-parse';
import { LIMITS } from '../../src/store/limits';

describe('scenarios', () => {
  it('have unique ids', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
  });

  for (const sc of SCENARIOS) {
    it(`${sc.id}: valid settings, input without issues, runs in the engine`, () => {
      expect(isCellKind(sc.cell)).toBe(true);
      expect(sc.hiddenSize).toBeGreaterThanOrEqual(LIMITS.hiddenSize.min);
      expect(sc.hiddenSize).toBeLessThanOrEqual(LIMITS.hiddenSize.max);
      expect(sc.numLayers).toBeLessThanOrEqual(LIMITS.numLayers.max);
      const parsed = parseInput(sc.inputText, sc.inputMode);
      expect(parsed.issues).toEqual([]);
      const model = createModel(
        {
          cell: sc.cell,
          inputSize: parsed.inputSize,
          hiddenSize: sc.hiddenSize,
          numLayers: sc.numLayers,
          bidirectional: sc.bidirectional,
          bias: true,
        },
        { seed: sc.seed },
      );
      const trace = forward(model, toFeatures(parsed));
      expect(trace.T).toBe(parsed.T);
      expect(trace.output.every(Number.isFinite)).toBe(true);
    });
  }
});
