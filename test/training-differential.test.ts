/**
 * Native training engine vs the TypeScript reference on random configurations (every preset model, four
 * clusters, two chips, random layouts, schedules, recompute, ZeRO, precisions, overlaps): statuses identical,
 * every output within a relative difference of 1e-9. Also checks the reference on the configurations a search
 * enumerates. Skipped, with the reason, until the native addon exports the training entry point
 * (evaluateTraining); once it does, this test holds the port to the reference.
 */
import { getTrainingEngine, OUTPUT_FIELD_COUNT, OUTPUT_FIELDS, allocateTrainingOutputs } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { randomTrainingBatch } from '../packages/core/test/training-fixtures.js';

const CONFIGS = 12_000;

function nativeTraining(): string | null {
  try {
    getTrainingEngine('native');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

const unavailable = nativeTraining();

function relativeDifference(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe('native training engine vs TypeScript reference', () => {
  it('the random batch exercises the model (most rows evaluate)', () => {
    const batch = randomTrainingBatch(20261129, CONFIGS);
    const out = allocateTrainingOutputs(CONFIGS);
    getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, out);
    let evaluated = 0;
    for (let row = 0; row < CONFIGS; row += 1) if (out[row * OUTPUT_FIELD_COUNT] <= 1) evaluated += 1;
    expect(evaluated).toBeGreaterThan(CONFIGS * 0.7);
  });

  it.skipIf(unavailable !== null)(`agrees on ${CONFIGS} random configurations to 1e-9 ${unavailable ? `(skipped: ${unavailable})` : ''}`, () => {
    const batch = randomTrainingBatch(20261129, CONFIGS);
    const native = allocateTrainingOutputs(CONFIGS);
    const reference = allocateTrainingOutputs(CONFIGS);
    getTrainingEngine('native').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, native, { threads: 2 });
    getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, reference);
    let worst = 0;
    for (let row = 0; row < CONFIGS; row += 1) {
      const o = row * OUTPUT_FIELD_COUNT;
      expect(native[o], `status of configuration ${row}`).toBe(reference[o]);
      for (let f = 1; f < OUTPUT_FIELD_COUNT; f += 1) {
        const difference = relativeDifference(native[o + f], reference[o + f]);
        worst = Math.max(worst, difference);
        if (difference > 1e-9) expect.fail(`${OUTPUT_FIELDS[f]}[${row}]: native ${native[o + f]} vs reference ${reference[o + f]}`);
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
