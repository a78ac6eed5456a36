/**
 * Collective sweeps: every row equals the TypeScript reference model on the same point; `where` keeps exactly
 * the points it should; reductions equal the same reductions computed by brute force over the rows; outputs
 * are identical whatever the thread count and chunk size.
 */
import {
  ALGORITHMS,
  allocateInputColumns,
  allocateOutputColumns,
  AUTO,
  getEngine,
  loadCatalog,
  OPS,
  packClusters,
  PROTOCOLS,
  resolveCluster,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { reductionRows, rowCount, runSpec, type Rows } from './helpers/sweep.js';

const SPEC = `
kind: collective
axes:
  cluster: [dgx-h100, hgx-h800, mi300x-node]
  op: [all-reduce, all-gather, all-to-all, reduce-scatter]
  gpus: [2, 8, 16, 24, 64]
  bytes: 64B..4GiB x4
  algorithm: [auto, best]
where: gpus != 2 || op == "all-reduce"
metrics: [timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes, scaleOutBytes]
reduce:
  - { name: fastest, kind: argmin, metric: timeS, by: [cluster, op] }
  - { name: widest, kind: top-k, metric: busbwGBps, maximize: true, k: 5, by: [op] }
  - { name: frontier, kind: pareto, metrics: [timeS, busbwGBps], maximize: [busbwGBps], by: [cluster] }
  - { name: spread, kind: quantiles, metric: busbwGBps, by: [cluster], relativeError: 0.01 }
  - { name: bins, kind: histogram, metric: busbwGBps, range: [1, 1000], bins: 6, log: true }
  - { name: cap, kind: ratio, metric: timeS, axis: cluster, numerator: hgx-h800, denominator: dgx-h100, by: [op] }
  - { name: best-vs-best, kind: best-ratio, metric: busbwGBps, maximize: true, axis: cluster, numerator: hgx-h800, denominator: dgx-h100, by: [op, gpus] }
  - { name: counts, kind: count, by: [gpus] }
`;

function indicesWhere(rows: Rows, keep: (i: number) => boolean): number[] {
  return Array.from({ length: rowCount(rows) }, (_, i) => i).filter(keep);
}

describe('collective sweep', async () => {
  const { rows, result } = await runSpec(SPEC, { threads: 2 });
  const n = rowCount(rows);

  it('enumerates the product of the axes minus what `where` removes, in index order', () => {
    // 3 clusters × 4 ops × 5 GPU counts × 14 sizes × 2 algorithms, less gpus = 2 for the 3 ops other than all-reduce.
    expect(n).toBe(3 * 4 * 5 * 14 * 2 - 3 * 3 * 14 * 2);
    expect(result.points.evaluated).toBe(n);
    expect(rows.gpus.some((g, i) => g === 2 && rows.op[i] !== 'all-reduce')).toBe(false);
    expect(rows.cluster[0]).toBe('dgx-h100');
    expect(rows.algorithm[0]).toBe('auto');
    expect(rows.algorithm[1]).toBe('best');
    expect(rows.bytes[2]).toBe(256);
  });

  it('gives every point the reference model’s numbers (bit for bit)', () => {
    const catalog = loadCatalog();
    const clusters = ['dgx-h100', 'hgx-h800', 'mi300x-node'].map((id) => resolveCluster(id, catalog));
    const packed = packClusters(clusters.map((c) => c.params));
    const inputs = allocateInputColumns(n);
    for (let i = 0; i < n; i += 1) {
      inputs.cluster[i] = ['dgx-h100', 'hgx-h800', 'mi300x-node'].indexOf(rows.cluster[i] as string);
      inputs.op[i] = OPS.indexOf(rows.op[i] as (typeof OPS)[number]);
      inputs.gpus[i] = rows.gpus[i] as number;
      inputs.bytes[i] = rows.bytes[i] as number;
      inputs.algo[i] = rows.algorithm[i] === 'auto' ? AUTO : 254;
      inputs.proto[i] = AUTO;
    }
    const out = allocateOutputColumns(n);
    getEngine('reference').evaluate(packed, inputs, out);
    let ok = 0;
    for (let i = 0; i < n; i += 1) {
      expect(rows.status[i], `status of row ${i}`).toBe(out.status[i]);
      if (out.status[i] !== 0) {
        expect(rows.timeS[i]).toBeNaN();
        continue;
      }
      ok += 1;
      expect(rows.timeS[i]).toBe(out.timeS[i]);
      expect(rows.algbwGBps[i]).toBe(out.algbwGBps[i]);
      expect(rows.busbwGBps[i]).toBe(out.busbwGBps[i]);
      expect(rows.scaleUpBytes[i]).toBe(out.scaleUpBytes[i]);
      expect(rows.scaleOutBytes[i]).toBe(out.scaleOutBytes[i]);
      expect(rows.chosenAlgorithm[i]).toBe(ALGORITHMS[out.algo[i]]);
      expect(rows.protocol[i]).toBe(PROTOCOLS[out.proto[i]]);
    }
    expect(ok).toBe(result.points.ok);
    expect(ok).toBeGreaterThan(n * 0.9);
  });

  const table = (name: string) => reductionRows(result.reductions.find((r) => r.name === name)!);

  it('argmin per group is the fastest row of the group (smallest index on ties)', () => {
    const t = table('fastest');
    expect(rowCount(t)).toBe(12);
    for (let g = 0; g < 12; g += 1) {
      const members = indicesWhere(rows, (i) => rows.cluster[i] === t.cluster[g] && rows.op[i] === t.op[g] && rows.status[i] === 0);
      let best = members[0];
      for (const i of members) if ((rows.timeS[i] as number) < (rows.timeS[best] as number)) best = i;
      expect(t.timeS[g]).toBe(rows.timeS[best]);
      expect([t.gpus[g], t.bytes[g], t.algorithm[g]]).toEqual([rows.gpus[best], rows.bytes[best], rows.algorithm[best]]);
    }
  });

  it('top-k per group holds the k largest values in order', () => {
    const t = table('widest');
    for (const op of ['all-reduce', 'all-gather', 'all-to-all', 'reduce-scatter']) {
      const expected = indicesWhere(rows, (i) => rows.op[i] === op && rows.status[i] === 0)
        .map((i) => rows.busbwGBps[i] as number)
        .sort((a, b) => b - a)
        .slice(0, 5);
      const got = indicesWhere(t, (i) => t.op[i] === op).map((i) => t.busbwGBps[i]);
      expect(got).toEqual(expected);
      expect(indicesWhere(t, (i) => t.op[i] === op).map((i) => t.rank[i])).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('the Pareto frontier is exactly the non-dominated points', () => {
    const t = table('frontier');
    for (const cluster of ['dgx-h100', 'hgx-h800', 'mi300x-node']) {
      const members = indicesWhere(rows, (i) => rows.cluster[i] === cluster && rows.status[i] === 0);
      const key = (i: number) => [rows.timeS[i] as number, -(rows.busbwGBps[i] as number)];
      const dominated = (i: number) =>
        members.some((j) => {
          const [a0, a1] = key(j);
          const [b0, b1] = key(i);
          return a0 <= b0 && a1 <= b1 && (a0 < b0 || a1 < b1 || j < i);
        });
      const expected = members.filter((i) => !dominated(i)).map((i) => `${rows.timeS[i]}|${rows.busbwGBps[i]}`).sort();
      const got = indicesWhere(t, (i) => t.cluster[i] === cluster).map((i) => `${t.timeS[i]}|${t.busbwGBps[i]}`).sort();
      expect(got).toEqual(expected);
      expect(got.length).toBeGreaterThan(3);
    }
  });

  it('quantiles are within the stated relative error of the exact ones, min and max exact', () => {
    const t = table('spread');
    for (let g = 0; g < 3; g += 1) {
      const values = indicesWhere(rows, (i) => rows.cluster[i] === t.cluster[g] && rows.status[i] === 0)
        .map((i) => rows.busbwGBps[i] as number)
        .sort((a, b) => a - b);
      expect(t.count[g]).toBe(values.length);
      expect(t.min[g]).toBe(values[0]);
      expect(t.max[g]).toBe(values[values.length - 1]);
      for (const [name, q] of [['p10', 0.1], ['p50', 0.5], ['p90', 0.9], ['p99', 0.99]] as const) {
        const exact = values[Math.floor(q * (values.length - 1))];
        expect(Math.abs((t[name][g] as number) - exact) / exact, `${name} of ${t.cluster[g]}`).toBeLessThanOrEqual(0.01 + 1e-12);
      }
    }
  });

  it('histogram counts every ok point once, in the right logarithmic bin', () => {
    const t = table('bins');
    const counts = t.count as number[];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(result.points.ok);
    for (let b = 0; b < rowCount(t); b += 1) {
      const lower = t.lower[b] as number;
      const upper = t.upper[b] as number;
      const inside = indicesWhere(rows, (i) => rows.status[i] === 0 && (rows.busbwGBps[i] as number) >= lower && (rows.busbwGBps[i] as number) < upper).length;
      // Edges are computed as exp(log(min) + k·step): a value within 1e-12 of an edge may sit on either side.
      expect(Math.abs(inside - counts[b])).toBeLessThanOrEqual(1);
    }
  });

  it('paired ratio compares each H800 point with the same H100 point', () => {
    const t = table('cap');
    for (const op of ['all-reduce', 'all-gather']) {
      const ratios: number[] = [];
      for (const i of indicesWhere(rows, (k) => rows.cluster[k] === 'hgx-h800' && rows.op[k] === op && rows.status[k] === 0)) {
        const j = indicesWhere(rows, (k) => rows.cluster[k] === 'dgx-h100' && rows.op[k] === op && rows.gpus[k] === rows.gpus[i] && rows.bytes[k] === rows.bytes[i] && rows.algorithm[k] === rows.algorithm[i])[0];
        if (rows.status[j] === 0) ratios.push((rows.timeS[i] as number) / (rows.timeS[j] as number));
      }
      ratios.sort((a, b) => a - b);
      const [low, high] = indicesWhere(t, (k) => t.op[k] === op);
      expect(t.pairs[low]).toBe(ratios.length);
      expect(t.ratio[low]).toBe(ratios[0]);
      expect(t.ratio[high]).toBe(ratios[ratios.length - 1]);
      expect(t.baselineCluster[high]).toBe('dgx-h100');
      expect((t.timeS[high] as number) / (t.baselineTimeS[high] as number)).toBe(ratios[ratios.length - 1]);
      const median = ratios[Math.floor(0.5 * (ratios.length - 1))];
      expect(Math.abs((t.ratioMedian[low] as number) - median) / median).toBeLessThanOrEqual(0.01 + 1e-12);
    }
  });

  it('best-vs-best ratio divides the best of each side per group', () => {
    const t = table('best-vs-best');
    for (let g = 0; g < rowCount(t); g += 1) {
      const best = (cluster: string) =>
        Math.max(...indicesWhere(rows, (i) => rows.cluster[i] === cluster && rows.op[i] === t.op[g] && rows.gpus[i] === t.gpus[g] && rows.status[i] === 0).map((i) => rows.busbwGBps[i] as number));
      const a = best('hgx-h800');
      const b = best('dgx-h100');
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      expect(t.numeratorBest[g]).toBe(a);
      expect(t.denominatorBest[g]).toBe(b);
      expect(t.ratio[g]).toBe(a / b);
    }
  });

  it('count per group adds up to the points', () => {
    const t = table('counts');
    expect((t.points as number[]).reduce((a, b) => a + b, 0)).toBe(n);
    expect(t.points[t.gpus.indexOf(2)]).toBe(3 * 1 * 14 * 2);
  });

  it('the sizes-innermost fast path (with where) gives the same points as the generic path', async () => {
    const reordered = SPEC.replace('  bytes: 64B..4GiB x4\n  algorithm: [auto, best]\n', '  algorithm: [auto, best]\n  bytes: 64B..4GiB x4\n');
    expect(reordered).not.toBe(SPEC);
    const fast = await runSpec(reordered, { threads: 2 });
    const key = (r: Rows, i: number) => [r.cluster[i], r.op[i], r.gpus[i], r.bytes[i], r.algorithm[i]].join('|');
    const generic = new Map<string, string>();
    for (let i = 0; i < n; i += 1) generic.set(key(rows, i), [rows.status[i], rows.timeS[i], rows.busbwGBps[i], rows.chosenAlgorithm[i], rows.protocol[i]].join('|'));
    expect(rowCount(fast.rows)).toBe(n);
    for (let i = 0; i < n; i += 1) {
      const r = fast.rows;
      if (generic.get(key(r, i)) !== [r.status[i], r.timeS[i], r.busbwGBps[i], r.chosenAlgorithm[i], r.protocol[i]].join('|')) expect.fail(`row ${i} (${key(r, i)}) differs`);
    }
    expect(fast.result.reductions.map(reductionRows).find((t) => 'count' in t && 'p50' in t)).toEqual(reductionRows(result.reductions.find((r) => r.name === 'spread')!));
  });

  it('is identical with 1 thread and tiny chunks', async () => {
    const again = await runSpec(SPEC, { threads: 1, chunkRows: 777 });
    expect(again.rows).toEqual(rows);
    expect(Buffer.from(again.result.state).equals(Buffer.from(result.state))).toBe(true);
    expect(again.result.reductions.map(reductionRows)).toEqual(result.reductions.map(reductionRows));
  });

  it('reduces the same without rows and `where` (points handed to the reducers a run at a time)', async () => {
    // Reductions grouped by the innermost axis (bytes) too, which take the point-by-point path inside a run.
    // bytes innermost (the loop over sizes), as large sweeps order them.
    const spec = SPEC.replace(/^where: .*$/m, '')
      .replace('  algorithm: [auto, best]\n', '')
      .replace('  bytes:', '  algorithm: [auto, best]\n  bytes:')
      .replace(
        'reduce:',
        // argmax of busbw: its point lies inside a run of sizes, not at its start.
        'reduce:\n  - { name: peak, kind: argmax, metric: busbwGBps, by: [cluster, op, gpus] }\n  - { name: by-size, kind: argmin, metric: timeS, by: [bytes] }\n  - { name: size-counts, kind: count, by: [op, bytes] }',
      );
    const withRows = await runSpec(spec, { threads: 2 });
    const batched = await runSpec(`${spec}output: { rows: none }\n`, { threads: 2 });
    expect(batched.count).toBe(0);
    expect(Buffer.from(batched.result.state).equals(Buffer.from(withRows.result.state))).toBe(true);
    expect(batched.result.reductions.map(reductionRows)).toEqual(withRows.result.reductions.map(reductionRows));
    expect(batched.result.points).toEqual(withRows.result.points);
    expect(batched.result.statuses).toEqual(withRows.result.statuses);
  });
});
