/**
 * Training sweeps: `layouts: all` enumerates exactly the layouts `linkcap train --best` searches, in the same
 * order, and every row equals the TypeScript reference model on that layout; explicit layout axes map onto the
 * layout fields (dp from the GPU count); derived axes equal the `chips derive` variant; outputs do not depend on
 * the thread count.
 */
import {
  deriveChip,
  enumerateLayouts,
  evaluateTrainingBatch,
  allocateTrainingOutputs,
  loadCatalog,
  predictCollective,
  predictTraining,
  resolveCluster,
  LAYOUT_FIELD_COUNT,
  OUTPUT_FIELD_COUNT,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { reductionRows, rowCount, runSpec, type Rows } from './helpers/sweep.js';

const STEP = 1; // O.stepS
const MEMORY = 17; // O.memoryBytes

describe('training sweep with layouts: all', async () => {
  const spec = `
kind: training
axes:
  model: [llama3-8b, mixtral-8x7b]
  cluster: [dgx-h100, hgx-h800, dgx-a100]
  gpus: [64]
layouts: all
metrics: [stepTimeS, memoryBytes, mfu]
reduce:
  - { name: best, kind: argmin, metric: stepTimeS, by: [model, cluster] }
  - { name: slowdown, kind: best-ratio, metric: stepTimeS, axis: cluster, numerator: hgx-h800, denominator: dgx-h100, by: [model] }
`;
  const { rows, result } = await runSpec(spec, { threads: 2 });
  const catalog = loadCatalog();

  it('enumerates the search space of train --best and prices each layout as the reference does', () => {
    let offset = 0;
    for (const model of ['llama3-8b', 'mixtral-8x7b']) {
      // dgx-a100: another chip (each cluster row brings its own chip row).
      for (const clusterId of ['dgx-h100', 'hgx-h800', 'dgx-a100']) {
        const batch = enumerateLayouts({ model, cluster: resolveCluster(clusterId, catalog), gpus: 64 });
        const outputs = allocateTrainingOutputs(batch.count);
        evaluateTrainingBatch(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs);
        // Plain comparisons, one assertion per list (expect per value is slow at this size).
        const mismatches: string[] = [];
        const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));
        for (let k = 0; k < batch.count; k += 1) {
          const i = offset + k;
          const expected = {
            model,
            cluster: clusterId,
            tp: batch.layouts[k * LAYOUT_FIELD_COUNT + 3],
            pp: batch.layouts[k * LAYOUT_FIELD_COUNT + 4],
            dp: batch.layouts[k * LAYOUT_FIELD_COUNT + 5],
            status: outputs[k * OUTPUT_FIELD_COUNT],
            stepTimeS: outputs[k * OUTPUT_FIELD_COUNT + STEP],
            memoryBytes: outputs[k * OUTPUT_FIELD_COUNT + MEMORY],
          };
          for (const [key, value] of Object.entries(expected)) {
            if (!same(rows[key][i], value)) mismatches.push(`row ${i} ${key}: ${String(rows[key][i])} vs ${String(value)}`);
          }
          if (mismatches.length > 10) break;
        }
        expect(mismatches, `${model} on ${clusterId}`).toEqual([]);
        offset += batch.count;
      }
    }
    expect(rowCount(rows)).toBe(offset);
    expect(offset).toBeGreaterThan(1000);
  });

  it('argmin per group is the fastest feasible layout, and best-ratio divides the two', () => {
    const best = reductionRows(result.reductions.find((r) => r.name === 'best')!);
    const fastest = (model: string, cluster: string) => {
      let min = Infinity;
      for (let i = 0; i < rowCount(rows); i += 1) {
        if (rows.model[i] === model && rows.cluster[i] === cluster && rows.status[i] === 0) min = Math.min(min, rows.stepTimeS[i] as number);
      }
      return min;
    };
    for (let g = 0; g < rowCount(best); g += 1) expect(best.stepTimeS[g]).toBe(fastest(best.model[g] as string, best.cluster[g] as string));
    const ratio = reductionRows(result.reductions.find((r) => r.name === 'slowdown')!);
    for (let g = 0; g < rowCount(ratio); g += 1) {
      const model = ratio.model[g] as string;
      expect(ratio.ratio[g]).toBe(fastest(model, 'hgx-h800') / fastest(model, 'dgx-h100'));
      expect(ratio.ratio[g] as number).toBeGreaterThanOrEqual(1);
    }
  });

  it('is identical on one thread', async () => {
    const again = await runSpec(spec, { threads: 1, chunkRows: 5000 });
    expect(again.rows).toEqual(rows);
    expect(Buffer.from(again.result.state).equals(Buffer.from(result.state))).toBe(true);
  });
});

describe('training sweep with explicit layout axes', async () => {
  const spec = `
kind: training
axes:
  model: [llama3-8b]
  cluster: [hgx-h800]
  gpus: [32, 64]
  tp: [1, 2, 8]
  pp: [1, 4]
  microbatch: [1, 2]
  recompute: [none, full]
  zero: [1, fsdp]
where: tp * pp <= 16
train: { tokens: 1e12, pricePerGpuHour: 2 }
metrics: [stepTimeS, mfu, trainDays, costUsd]
`;
  const { rows } = await runSpec(spec);

  it('maps axes onto layout fields, derives dp from the GPU count and equals predictTraining', () => {
    expect(rowCount(rows)).toBe(2 * (3 * 2 - 1) * 2 * 2 * 2);
    const cluster = resolveCluster('hgx-h800', loadCatalog());
    for (let i = 0; i < rowCount(rows); i += 1) {
      const gpus = rows.gpus[i] as number;
      const tp = rows.tp[i] as number;
      const pp = rows.pp[i] as number;
      expect(tp * pp).toBeLessThanOrEqual(16);
      expect(rows.dp[i]).toBe(gpus / (tp * pp));
      const p = predictTraining({
        model: 'llama3-8b',
        cluster,
        gpus,
        layout: { tp, pp, microbatch: rows.microbatch[i] as number, recompute: rows.recompute[i] as 'none' | 'full', zero: rows.zero[i] as 3, globalBatch: rows.globalBatch[i] as number },
        tokens: 1e12,
        pricePerGpuHour: 2,
        engine: 'reference',
      });
      expect(rows.stepTimeS[i]).toBe(p.stepS);
      expect(rows.mfu[i]).toBe(p.mfu);
      expect(rows.trainDays[i] as number).toBeCloseTo(p.training!.days, 12);
      expect((rows.costUsd[i] as number) / p.training!.cost!).toBeCloseTo(1, 12);
    }
  });
});

describe('derived axes', () => {
  it('scaleUpGBps applies `chips derive` to each cluster', async () => {
    const { rows } = await runSpec(`
kind: collective
axes:
  cluster: [dgx-h100]
  scaleUpGBps: [400, 900]
  op: [all-reduce]
  gpus: [8]
  bytes: [1GiB]
`);
    const catalog = loadCatalog();
    for (const [i, gbps] of [[0, 400], [1, 900]] as const) {
      const variant = deriveChip(catalog, 'h100-sxm', { name: `t${gbps}`, scaleUpBidirGBps: gbps, baseCluster: 'dgx-h100' });
      const p = predictCollective({ op: 'all-reduce', bytes: 2 ** 30, gpus: 8, cluster: variant.cluster!, engine: 'reference' });
      expect(rows.scaleUpGBps[i]).toBe(gbps);
      expect(rows.timeS[i]).toBe(p.timeS);
    }
    expect(rows.timeS[0] as number).toBeGreaterThan(rows.timeS[1] as number);
  });
});

describe('spec errors', () => {
  const fails = async (yaml: string) => {
    try {
      await runSpec(yaml);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the spec to be refused');
  };
  it('names the line, the path and what was expected', async () => {
    expect(await fails('kind: collective\naxes:\n  cluster: [dgx-h100]\n  op: [all-reduce]\n  gpus: [8]\n  bytes: 8B..1GB x1\n')).toBe('test.yaml:6: axes.bytes: "8B..1GB x1": the factor must be > 1 (got 1)');
    expect(await fails('kind: collective\naxes:\n  cluster: [dgx-h100]\n  op: [all-reduce]\n  gpus: [8]\n  bytes: [1MB]\nreduce:\n  - { name: a, kind: fastest }\n')).toMatch(/^test.yaml:8: reduce\[0\]\.kind: must be one of "argmin", "argmax"/);
    expect(await fails('kind: collective\naxes:\n  cluster: [dgx-h100, nope-cluster]\n  op: [all-reduce]\n  gpus: [8]\n  bytes: [1MB]\n')).toMatch(/^test.yaml:3: axes.cluster\[1\]: /);
    expect(await fails('kind: collective\naxes:\n  cluster: [dgx-h100]\n  op: [all-reduce]\n  gpus: [8]\n  bytes: [1MB]\nwhere: gpu > 2\n')).toMatch(/^test.yaml:7: where: unknown name "gpu"; usable here: cluster, op, gpus, bytes/);
    expect(await fails('kind: training\naxes:\n  model: [llama3-8b]\n  cluster: [dgx-h100]\n  gpus: [8]\nlayouts: all\nmetrics: [costUsd]\n')).toMatch(/^test.yaml:7: metrics\[0\]: costUsd needs train.tokens/);
    expect(await fails('kind: collective\naxes:\n  cluster: [dgx-h100]\n  op: [all-reduce]\n  gpus: [8]\n  bytes: [1MB]\n  colour: [red]\n')).toMatch(/^test.yaml:7: axes.colour: unknown collective axis "colour"/);
  });
});

export type { Rows };
