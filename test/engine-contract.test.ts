/**
 * The contract both engines keep (issue 7): a bad point or row is refused alike by native and reference, with
 * the points before it evaluated and the rest "not evaluated"; one bytes limit (2^53) for the batch and
 * predictCollective; evaluateAsync yields, reports progress and honours abort in both engines, rejecting with
 * an AbortError "cancelled after N of M"; bad workload and chip rows are refused by the reference exactly as by
 * the native engine.
 */
import {
  AbortError,
  allocateInputColumns,
  allocateOutputColumns,
  allocateTrainingOutputs,
  AUTO,
  CHIP_FIELD_COUNT,
  getEngine,
  getTrainingEngine,
  LinkcapInputError,
  loadCatalog,
  packClusters,
  predictCollective,
  resolveCluster,
  WORKLOAD_FIELD_COUNT,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { randomTrainingBatch } from '../packages/core/test/training-fixtures.js';
/** The bytes of one view (columns may share a buffer). */
function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

const cluster = resolveCluster('dgx-h100', loadCatalog());
const packed = packClusters([cluster.params]);
const ENGINES = ['native', 'reference'] as const;

function batch(n: number) {
  const inputs = allocateInputColumns(n);
  for (let i = 0; i < n; i += 1) inputs.bytes[i] = 2 ** (3 + (i % 30));
  inputs.gpus.fill(16);
  inputs.algo.fill(AUTO);
  inputs.proto.fill(AUTO);
  return inputs;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('both engines, one contract', () => {
  it('refuse the first bad point alike, after evaluating the points before it', () => {
    const inputs = batch(100);
    inputs.cluster[60] = 1;
    inputs.bytes[80] = Number.MAX_VALUE;
    const results = ENGINES.map((kind) => {
      const outputs = allocateOutputColumns(100);
      outputs.timeS.fill(123); // a previous chunk's results
      return { error: thrown(() => getEngine(kind).evaluate(packed, inputs, outputs)), outputs };
    });
    for (const { error, outputs } of results) {
      expect(error).toBeInstanceOf(LinkcapInputError);
      expect(error.message).toBe('inputs.cluster[60] = 1: must be < 1 (cluster rows)');
      expect([...outputs.status.subarray(0, 60)].every((s) => s === 0)).toBe(true);
      expect([...outputs.status.subarray(60)].every((s) => s === 3)).toBe(true);
      expect([...outputs.timeS.subarray(60)].every((t) => Number.isNaN(t))).toBe(true);
    }
    expect(bytesOf(results[0].outputs.timeS).equals(bytesOf(results[1].outputs.timeS))).toBe(true);
  });

  it('have one bytes limit, 2^53, with predictCollective', () => {
    const inputs = batch(4);
    inputs.bytes[2] = Number.MAX_VALUE;
    for (const kind of ENGINES) {
      expect(() => getEngine(kind).evaluate(packed, inputs, allocateOutputColumns(4))).toThrow(
        'inputs.bytes[2] = 1.7976931348623157e+308: must be a finite number of bytes > 0 and ≤ 2^53',
      );
      expect(() => predictCollective({ op: 'all-reduce', bytes: Number.MAX_VALUE, gpus: 16, cluster, engine: kind })).toThrow(
        'bytes: 1.7976931348623157e+308: must be a finite number of bytes > 0 and ≤ 2^53',
      );
      expect(predictCollective({ op: 'all-reduce', bytes: 2 ** 53, gpus: 16, cluster, engine: kind }).timeS).toBeGreaterThan(0);
    }
    inputs.bytes[2] = 2 ** 53;
    const results = ENGINES.map((kind) => {
      const outputs = allocateOutputColumns(4);
      getEngine(kind).evaluate(packed, inputs, outputs);
      return outputs.timeS[2];
    });
    expect(results[0]).toBe(results[1]);
    expect(Number.isFinite(results[0])).toBe(true);
  });

  it('evaluateAsync reports progress, lets the event loop run, and stops on abort with "cancelled after N of M points"', async () => {
    for (const kind of ENGINES) {
      const n = kind === 'native' ? 4_000_000 : 400_000;
      const inputs = batch(n);
      const outputs = allocateOutputColumns(n);
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 1);
      const progress: number[] = [];
      await getEngine(kind).evaluateAsync(packed, inputs, outputs, { onProgress: (done, total) => progress.push(done / total) });
      clearInterval(ticker);
      expect(progress.length, kind).toBeGreaterThan(1);
      expect(progress[progress.length - 1]).toBe(1);
      expect(ticks, `${kind}: timers ran while it worked`).toBeGreaterThan(0);

      const controller = new AbortController();
      const reason = new Error('user pressed stop');
      let calls = 0;
      const error = await getEngine(kind)
        .evaluateAsync(packed, inputs, outputs, {
          signal: controller.signal,
          onProgress: () => {
            calls += 1;
            if (calls === 2) controller.abort(reason);
          },
        })
        .then(() => undefined, (e: unknown) => e);
      expect(error, kind).toBeInstanceOf(AbortError);
      const abort = error as AbortError;
      expect(abort.message).toBe(`cancelled after ${abort.completed} of ${n} points`);
      expect(abort.cause).toBe(reason);
      expect(abort.completed).toBeGreaterThan(0);
      expect(abort.completed).toBeLessThan(n);
      expect(outputs.status[abort.completed - 1]).toBe(0);
      expect(outputs.status[abort.completed]).toBe(3);
      expect(outputs.status[n - 1]).toBe(3);
    }
  });

  it('an abort before the start evaluates nothing, in both engines and for training too', async () => {
    const controller = new AbortController();
    controller.abort();
    for (const kind of ENGINES) {
      const outputs = allocateOutputColumns(1000);
      await expect(getEngine(kind).evaluateAsync(packed, batch(1000), outputs, { signal: controller.signal })).rejects.toThrow(
        'cancelled after 0 of 1000 points',
      );
      expect(outputs.status.every((s) => s === 3)).toBe(true);
    }
  });

  it('the reference training engine refuses bad workload and chip rows exactly as the native one', () => {
    const rows = randomTrainingBatch(3, 20);
    const cases: [string, (w: Float64Array, c: Float64Array) => void][] = [
      ['workloads[1].heads = 0: must be a whole number from 1 to 100000', (w) => (w[WORKLOAD_FIELD_COUNT + 4] = 0)],
      ['workloads[0].layers = -1: must be a whole number from 1 to 100000', (w) => (w[0] = -1)],
      ['workloads[0].hidden = NaN: must be a whole number from 1 to 1000000', (w) => (w[1] = NaN)],
      ['chips[0].memoryBandwidth = -1: must be a finite number > 0', (_, c) => (c[3] = -1)],
      ['chips[1].peakBf16Flops = 0: must be a finite number > 0', (_, c) => (c[CHIP_FIELD_COUNT] = 0)],
      ['chips[0].gemmEfficiency = NaN: must be a fraction in (0, 1]', (_, c) => (c[4] = NaN)],
    ];
    for (const [message, spoil] of cases) {
      const w = rows.workloads.slice();
      const c = rows.chips.slice();
      spoil(w, c);
      for (const kind of ENGINES) {
        const outputs = allocateTrainingOutputs(20);
        const error = thrown(() => getTrainingEngine(kind).evaluate(w, c, rows.clusters, rows.layouts, outputs));
        expect(error, `${kind}: ${message}`).toBeInstanceOf(LinkcapInputError);
        expect(error.message).toBe(message);
        expect(outputs.every((x) => x === 0), 'nothing written').toBe(true);
      }
    }
  });
});
