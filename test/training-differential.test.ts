/**
 * Native training engine vs the TypeScript reference on random configurations (every preset model, four
 * clusters, two chips, random layouts, schedules, recompute, ZeRO, precisions, overlaps): statuses identical,
 * every output within a relative difference of 1e-9. Also on the configurations searches enumerate, across
 * thread counts, and the native entry points' validation and asynchronous variant. `npm test` builds the addon
 * first, so a missing addon (or one without the training entry point) fails here rather than silently skipping.
 */
import {
  AbortError,
  allocateTrainingOutputs,
  CLUSTER_FIELD_COUNT,
  enumerateLayouts,
  getTrainingEngine,
  loadCatalog,
  loadNativeBinding,
  resolveCluster,
  CHIP_FIELD_COUNT,
  LAYOUT_FIELD_COUNT,
  OUTPUT_FIELD_COUNT,
  OUTPUT_FIELDS,
  WORKLOAD_FIELD_COUNT,
  type TrainingNativeBinding,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { L } from '../packages/core/src/training/fields.js';
import { randomTrainingBatch } from '../packages/core/test/training-fixtures.js';

const CONFIGS = 12_000;

type Rows = [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];

/** The addon's training exports, the asynchronous variant included (engine.ts uses the synchronous one). */
interface TrainingBinding extends TrainingNativeBinding {
  readonly trainingAbiVersion: number;
  evaluateTraining(...args: [...Rows, number]): void;
  evaluateTrainingAsync(
    ...args: [...Rows, number, Int32Array | undefined, ((done: number, total: number) => void) | undefined]
  ): Promise<void>;
}

function binding(): TrainingBinding {
  return loadNativeBinding() as unknown as TrainingBinding;
}

function relativeDifference(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Statuses identical and every other output within 1e-9; returns the worst difference and the rows evaluated. */
function compare(native: Float64Array, reference: Float64Array, rows: number): { worst: number; evaluated: number } {
  let worst = 0;
  let evaluated = 0;
  for (let row = 0; row < rows; row += 1) {
    const o = row * OUTPUT_FIELD_COUNT;
    expect(native[o], `status of configuration ${row}`).toBe(reference[o]);
    if (reference[o] <= 1) evaluated += 1;
    for (let f = 1; f < OUTPUT_FIELD_COUNT; f += 1) {
      const difference = relativeDifference(native[o + f], reference[o + f]);
      worst = Math.max(worst, difference);
      if (difference > 1e-9) expect.fail(`${OUTPUT_FIELDS[f]}[${row}]: native ${native[o + f]} vs reference ${reference[o + f]}`);
    }
  }
  return { worst, evaluated };
}

/** fn throws a RangeError (the native one carries the field too) with exactly this message. */
function expectRangeError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RangeError);
  expect((thrown as Error).message).toBe(message);
}

function shared(rows: Float64Array): Float64Array {
  const copy = new Float64Array(new SharedArrayBuffer(rows.byteLength));
  copy.set(rows);
  return copy;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
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

  it(`agrees on ${CONFIGS} random configurations to 1e-9`, () => {
    const engine = getTrainingEngine('native');
    expect(engine.kind).toBe('native');
    const batch = randomTrainingBatch(20261129, CONFIGS);
    const native = allocateTrainingOutputs(CONFIGS);
    const reference = allocateTrainingOutputs(CONFIGS);
    engine.evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, native, { threads: 2 });
    getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, reference);
    const { worst, evaluated } = compare(native, reference, CONFIGS);
    expect(evaluated).toBeGreaterThan(CONFIGS * 0.7);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('agrees on the layouts searches enumerate (deep pipelines, interleaving, MoE, 2048 GPUs)', () => {
    const catalog = loadCatalog();
    for (const [model, cluster, gpus] of [
      ['deepseek-v3', 'hgx-h800', 2048],
      ['mixtral-8x7b', 'dgx-a100', 256],
      ['gpt3-175b', 'dgx-h100', 2048],
    ] as const) {
      const batch = enumerateLayouts({ model, cluster: resolveCluster(cluster, catalog), gpus });
      const native = allocateTrainingOutputs(batch.count);
      const reference = allocateTrainingOutputs(batch.count);
      getTrainingEngine('native').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, native);
      getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, reference);
      const { worst, evaluated } = compare(native, reference, batch.count);
      expect(evaluated, `${model} on ${cluster}`).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(1e-9);
    }
  });

  it('agrees when rows share the memo key of a valid row but break a rule of their other fields', () => {
    // The native engine memoises the schedule-independent costs by a key of layout fields; a later row with the
    // same key is checked only on the fields outside the key. Spoil each of those fields in turn.
    const batch = randomTrainingBatch(5, 400);
    const spoilers: ((row: Float64Array, o: number) => void)[] = [
      (row, o) => (row[o + L.globalBatch] += 1),
      (row, o) => (row[o + L.interleave] = 0.5),
      (row, o) => (row[o + L.zero] = 2.5),
      (row, o) => (row[o + L.tpOverlap] = 2),
      (row, o) => (row[o + L.overlapSlowdown] = -1),
      (row, o) => (row[o + L.recomputeLayers] = -1),
      (row, o) => (row[o + L.offloadOverlap] = NaN),
      (row, o) => (row[o + L.interleave] = 1e6),
    ];
    const rows = 400 * (spoilers.length + 1);
    const layouts = new Float64Array(rows * LAYOUT_FIELD_COUNT);
    for (let r = 0; r < 400; r += 1) {
      const source = batch.layouts.subarray(r * LAYOUT_FIELD_COUNT, (r + 1) * LAYOUT_FIELD_COUNT);
      for (let k = 0; k <= spoilers.length; k += 1) {
        const o = (r * (spoilers.length + 1) + k) * LAYOUT_FIELD_COUNT;
        layouts.set(source, o);
        if (k > 0) spoilers[k - 1](layouts, o);
      }
    }
    const native = allocateTrainingOutputs(rows);
    const reference = allocateTrainingOutputs(rows);
    getTrainingEngine('native').evaluate(batch.workloads, batch.chips, batch.clusters, layouts, native, { threads: 1 });
    getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, layouts, reference);
    const { evaluated } = compare(native, reference, rows);
    expect(evaluated).toBeGreaterThan(200);
  });

  it('gives the same bits on 1 thread, on all cores, and again (warm pricing memo), and after the cluster rows change', () => {
    const batch = randomTrainingBatch(7, 20_000);
    const args = [batch.workloads, batch.chips, batch.clusters, batch.layouts] as const;
    const one = allocateTrainingOutputs(20_000);
    const all = allocateTrainingOutputs(20_000);
    const again = allocateTrainingOutputs(20_000);
    const engine = getTrainingEngine('native');
    engine.evaluate(...args, one, { threads: 1 });
    engine.evaluate(...args, all, { threads: 0 });
    engine.evaluate(...args, again, { threads: 2 });
    expect(sameBits(one, all)).toBe(true);
    expect(sameBits(one, again)).toBe(true);
    // Same array, other contents: the per-thread memo must not serve the old cluster's prices.
    const slower = batch.clusters.slice();
    for (let i = 0; i < slower.length; i += 14) slower[i + 7] /= 4; // scaleOutGBps
    const native = allocateTrainingOutputs(20_000);
    const reference = allocateTrainingOutputs(20_000);
    batch.clusters.set(slower);
    engine.evaluate(...args, native, { threads: 2 });
    getTrainingEngine('reference').evaluate(...args, reference);
    compare(native, reference, 20_000);
    expect(sameBits(native, one)).toBe(false);
  });

  it('checks rows in C++ too, naming the array, row, field and range', () => {
    const b = binding();
    expect(b.trainingFieldCounts).toEqual([WORKLOAD_FIELD_COUNT, CHIP_FIELD_COUNT, LAYOUT_FIELD_COUNT, OUTPUT_FIELD_COUNT]);
    expect(b.trainingAbiVersion).toBe(5);
    const batch = randomTrainingBatch(11, 10);
    const out = allocateTrainingOutputs(10);
    const run = (rows: Partial<{ w: Float64Array; c: Float64Array; k: Float64Array; l: Float64Array; o: Float64Array }>) => () =>
      b.evaluateTraining(rows.w ?? batch.workloads, rows.c ?? batch.chips, rows.k ?? batch.clusters, rows.l ?? batch.layouts, rows.o ?? out, 0);

    const w = batch.workloads.slice();
    w[22 + 4] = 0; // workloads[1].heads
    expectRangeError(run({ w }), 'workloads[1].heads = 0: must be a whole number from 1 to 100000');
    // The engine validates shapes and row indices in TypeScript, workload values in C++.
    expect(() => getTrainingEngine('native').evaluate(w, batch.chips, batch.clusters, batch.layouts, out)).toThrow(/workloads\[1\]\.heads = 0/);
    const c = batch.chips.slice();
    c[3] = -1;
    expectRangeError(run({ c }), 'chips[0].memoryBandwidth = -1: must be a finite number > 0');
    const k = batch.clusters.slice();
    k[CLUSTER_FIELD_COUNT + 2] = 0;
    expectRangeError(run({ k }), 'clusters[1].scaleUpGBps = 0: must be > 0');
    expectRangeError(run({ o: allocateTrainingOutputs(9) }), 'outputs: has 9 rows for 10 layouts');
    expectRangeError(
      run({ l: batch.layouts.subarray(1) }),
      `layouts: length ${10 * LAYOUT_FIELD_COUNT - 1} is not a multiple of the row width ${LAYOUT_FIELD_COUNT}`,
    );
    expect(() => b.evaluateTraining(new Float32Array(22) as unknown as Float64Array, batch.chips, batch.clusters, batch.layouts, out, 0)).toThrow(
      new TypeError('workloads must be a Float64Array (got Float32Array)'),
    );
    expect(() => b.evaluateTraining(batch.workloads, batch.chips, batch.clusters, batch.layouts, out, 0.5)).toThrow(RangeError);
    // Nothing was written by the failed calls: their tables or shapes were refused before any row ran.
    expect(out.every((x) => x === 0)).toBe(true);
    // A bad layout row is found where it is read: the rows before it are evaluated, it and the later ones
    // read "not evaluated" (status 6), in both engines.
    const l = batch.layouts.slice();
    l[3 * LAYOUT_FIELD_COUNT + 2] = 9;
    expectRangeError(run({ l }), 'layouts[3].cluster = 9: must be a row index from 0 to 3');
    const reference = allocateTrainingOutputs(10);
    expect(() => getTrainingEngine('reference').evaluate(batch.workloads, batch.chips, batch.clusters, l, reference)).toThrow(
      'layouts[3].cluster = 9: must be a row index from 0 to 3',
    );
    compare(out, reference, 10);
    expect([0, 1, 2].every((row) => out[row * OUTPUT_FIELD_COUNT] !== 6)).toBe(true);
    expect([3, 4, 9].every((row) => out[row * OUTPUT_FIELD_COUNT] === 6)).toBe(true);
    // A layout value out of range is a status, as in the TypeScript, not an error.
    const bad = batch.layouts.slice();
    bad[3] = 0; // layouts[0].tp
    b.evaluateTraining(batch.workloads, batch.chips, batch.clusters, bad, out, 0);
    expect(out[0]).toBe(2);
  });

  it('runs off the main thread with progress, and stops when cancelled', async () => {
    const b = binding();
    const rows = 200_000;
    const batch = randomTrainingBatch(5, rows);
    const sync = allocateTrainingOutputs(rows);
    b.evaluateTraining(batch.workloads, batch.chips, batch.clusters, batch.layouts, sync, 0);
    // The raw entry point needs the rows it reads and writes in place on SharedArrayBuffers.
    const layouts = shared(batch.layouts);
    const out = allocateTrainingOutputs(rows, { shared: true });
    await expect(b.evaluateTrainingAsync(batch.workloads, batch.chips, batch.clusters, batch.layouts, out, 0, undefined, undefined)).rejects.toThrow(
      /^layouts must be a Float64Array on a SharedArrayBuffer/,
    );
    const seen: number[] = [];
    await b.evaluateTrainingAsync(batch.workloads, batch.chips, batch.clusters, layouts, out, 0, undefined, (done, total) => {
      expect(total).toBe(rows);
      seen.push(done);
    });
    expect(seen[seen.length - 1]).toBe(rows);
    expect(sameBits(out, sync)).toBe(true);
    const cancelled = new Int32Array(new SharedArrayBuffer(4));
    cancelled[0] = 1;
    await expect(b.evaluateTrainingAsync(batch.workloads, batch.chips, batch.clusters, layouts, out, 0, cancelled, undefined)).rejects.toThrow(
      'cancelled after 0 of 200000 configurations',
    );
    // Never evaluated: status 6 and NaN, not the previous call's results.
    expect(out[(rows - 1) * OUTPUT_FIELD_COUNT]).toBe(6);
    expect(Number.isNaN(out[(rows - 1) * OUTPUT_FIELD_COUNT + 1])).toBe(true);
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const pending = b.evaluateTrainingAsync(batch.workloads, batch.chips, batch.clusters, layouts, out, 1, cancel, () => {
      cancel[0] = 1;
    });
    await expect(pending).rejects.toThrow(/^cancelled after \d+ of 200000 configurations$/);
    const w = batch.workloads.slice();
    w[0] = 0.5;
    await expect(b.evaluateTrainingAsync(w, batch.chips, batch.clusters, layouts, out, 0, undefined, undefined)).rejects.toThrow(
      'workloads[0].layers = 0.5: must be a whole number from 1 to 100000',
    );
  });

  it('evaluateAsync gives the synchronous bits in both engines, from shared or ordinary arrays, and aborts alike', async () => {
    const rows = 3_000;
    const batch = randomTrainingBatch(9, rows);
    const tables = [batch.workloads, batch.chips, batch.clusters] as const;
    const sync = allocateTrainingOutputs(rows);
    getTrainingEngine('native').evaluate(...tables, batch.layouts, sync);
    for (const kind of ['native', 'reference'] as const) {
      for (const sharedMemory of [true, false]) {
        const layouts = sharedMemory ? shared(batch.layouts) : batch.layouts.slice();
        const out = allocateTrainingOutputs(rows, { shared: sharedMemory });
        const seen: number[] = [];
        await getTrainingEngine(kind).evaluateAsync(...tables, layouts, out, { onProgress: (done) => seen.push(done) });
        expect(sameBits(out, sync), `${kind}, shared ${sharedMemory}`).toBe(true);
        expect(seen[seen.length - 1]).toBe(rows);
      }
      const controller = new AbortController();
      controller.abort();
      const out = allocateTrainingOutputs(rows);
      const error = await getTrainingEngine(kind).evaluateAsync(...tables, batch.layouts, out, { signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as Error).message).toBe(`cancelled after 0 of ${rows} configurations`);
      expect(out[0]).toBe(6);
    }
  });
});
