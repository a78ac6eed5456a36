/**
 * Native engine vs TypeScript reference on random valid configurations: every output within a relative
 * difference of 1e-9 (the bound), statuses and chosen algorithm/protocol identical.
 * `npm test` builds the addon first, so a missing addon fails here rather than silently skipping.
 */
import { allocateOutputColumns, getEngine } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { randomBatch } from './helpers/random-batch.js';
/** The bytes of one view (columns may share a buffer). */
function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

const POINTS = 50_000;

function relativeDifference(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe('native engine vs TypeScript reference', () => {
  it(`agrees on ${POINTS} random configurations to 1e-9`, () => {
    const { packed, inputs } = randomBatch(POINTS, 40, 20261129);
    const native = allocateOutputColumns(POINTS);
    const reference = allocateOutputColumns(POINTS);
    getEngine('native').evaluate(packed, inputs, native, { threads: 2 });
    getEngine('reference').evaluate(packed, inputs, reference);
    let worst = 0;
    let okPoints = 0;
    for (let i = 0; i < POINTS; i += 1) {
      expect(native.status[i], `status of point ${i}`).toBe(reference.status[i]);
      expect(native.algo[i], `algo of point ${i}`).toBe(reference.algo[i]);
      expect(native.proto[i], `proto of point ${i}`).toBe(reference.proto[i]);
      if (reference.status[i] === 0) okPoints += 1;
      for (const column of ['timeS', 'algbwGBps', 'busbwGBps', 'scaleUpBytes', 'scaleOutBytes'] as const) {
        const difference = relativeDifference(native[column][i], reference[column][i]);
        worst = Math.max(worst, difference);
        if (difference > 1e-9) expect.fail(`${column}[${i}]: native ${native[column][i]} vs reference ${reference[column][i]}`);
      }
    }
    // The batch must exercise the model, not only its error paths.
    expect(okPoints).toBeGreaterThan(POINTS * 0.4);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('gives the same results on 1 thread and on all cores', () => {
    const { packed, inputs } = randomBatch(20_000, 5, 99);
    const one = allocateOutputColumns(20_000);
    const all = allocateOutputColumns(20_000);
    getEngine('native').evaluate(packed, inputs, one, { threads: 1 });
    getEngine('native').evaluate(packed, inputs, all, { threads: 0 });
    expect(bytesOf(one.timeS).equals(bytesOf(all.timeS))).toBe(true);
    expect(bytesOf(one.algo).equals(bytesOf(all.algo))).toBe(true);
  });

  it('runs off the main thread with progress, and stops when aborted', async () => {
    const { packed, inputs } = randomBatch(400_000, 5, 3);
    const outputs = allocateOutputColumns(400_000);
    const seen: number[] = [];
    await getEngine('native').evaluateAsync(packed, inputs, outputs, { onProgress: (done) => seen.push(done) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBe(400_000);
    const controller = new AbortController();
    controller.abort(new Error('cancelled by test'));
    await expect(getEngine('native').evaluateAsync(packed, inputs, outputs, { signal: controller.signal })).rejects.toThrow(/cancelled/);
    const big = randomBatch(2_000_000, 5, 4);
    const bigOut = allocateOutputColumns(2_000_000);
    const late = new AbortController();
    const pending = getEngine('native').evaluateAsync(big.packed, big.inputs, bigOut, {
      signal: late.signal,
      onProgress: () => late.abort(new Error('cancelled mid-run')),
    });
    await expect(pending).rejects.toThrow(/cancelled/);
  });
});
