/**
 * Sweep features the export-control study asks for: a `profile` bundle axis (the implementation profiles of
 * packages/core/src/training/profiles.ts, and custom bundles), a `globalBatchTokens` axis, dotted row fields in
 * `where`, the carried-ratio reduction (the baseline's best layout run unchanged on the other side), and
 * same-point ratios across clusters whose layout lists differ. Each is checked against the reference model
 * (enumerateLayouts + evaluateTrainingBatch, predictTraining) on the same points.
 */
import {
  allocateTrainingOutputs,
  enumerateLayouts,
  evaluateTrainingBatch,
  loadCatalog,
  predictTraining,
  resolveCluster,
  type OverlapInput,
  type ProfileId,
  type SearchRequest,
  LAYOUT_FIELD_COUNT,
  OUTPUT_FIELD_COUNT,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { reductionRows, rowCount, runSpec, type Rows } from './helpers/sweep.js';

const catalog = loadCatalog();
const STEP = 1; // O.stepS
const LAYOUT = { tp: 3, pp: 4, dp: 5, ep: 6, cp: 7, microbatch: 8, globalBatch: 9, interleave: 10, recompute: 11, zero: 12 } as const;
const RECOMPUTE = ['none', 'selective', 'full'] as const;

/** The reference's rows for a search request: layout fields and step time, in enumeration order. */
function referenceRows(request: SearchRequest): { layout: Record<keyof typeof LAYOUT, number>; stepS: number; status: number }[] {
  const batch = enumerateLayouts(request);
  const outputs = allocateTrainingOutputs(batch.count);
  evaluateTrainingBatch(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs);
  return Array.from({ length: batch.count }, (_, k) => ({
    layout: Object.fromEntries(Object.entries(LAYOUT).map(([name, f]) => [name, batch.layouts[k * LAYOUT_FIELD_COUNT + f]])) as Record<keyof typeof LAYOUT, number>,
    stepS: outputs[k * OUTPUT_FIELD_COUNT + STEP],
    status: outputs[k * OUTPUT_FIELD_COUNT],
  }));
}

const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Rows [offset, offset + expected.length) against the reference rows; returns mismatches. */
function compare(rows: Rows, offset: number, expected: ReturnType<typeof referenceRows>, label: string): string[] {
  const out: string[] = [];
  expected.forEach((e, k) => {
    const i = offset + k;
    for (const [name, v] of Object.entries(e.layout)) {
      const got = name === 'recompute' ? RECOMPUTE.indexOf(rows.recompute[i] as 'none') : rows[name][i];
      if (!same(got, v) && out.length < 5) out.push(`${label} row ${i} ${name}: ${String(got)} vs ${v}`);
    }
    if (!same(rows.stepTimeS[i], e.stepS) && out.length < 5) out.push(`${label} row ${i} stepTimeS: ${String(rows.stepTimeS[i])} vs ${e.stepS}`);
    if (!same(rows.status[i], e.status) && out.length < 5) out.push(`${label} row ${i} status: ${String(rows.status[i])} vs ${e.status}`);
  });
  return out;
}

describe('profile axis with layouts: all', async () => {
  const profiles: { label: string; profile: ProfileId; overlap?: OverlapInput }[] = [
    { label: 'megatron-core', profile: 'megatron-core' },
    { label: 'torchtitan-fsdp2', profile: 'torchtitan-fsdp2' },
    { label: 'deepspeed-zero3', profile: 'deepspeed-zero3' },
    { label: 'ideal', profile: 'ideal' },
    { label: 'dualpipe', profile: 'megatron-core', overlap: { ep: 1, pp: 1 } },
  ];
  const { rows, result } = await runSpec(`
kind: training
axes:
  model: [llama3-8b, mixtral-8x7b]
  cluster: [hgx-h800]
  gpus: [32]
  profile: [megatron-core, torchtitan-fsdp2, deepspeed-zero3, ideal, { name: dualpipe, profile: megatron-core, overlap: { ep: 1, pp: 1 } }]
layouts: all
metrics: [stepTimeS]
reduce:
  - { name: best, kind: argmin, metric: stepTimeS, by: [model, profile] }
`);
  const cluster = resolveCluster('hgx-h800', catalog);

  it('enumerates and prices each profile’s layouts as train --best --profile does (its ZeRO stages, its overlaps)', () => {
    let offset = 0;
    const mismatches: string[] = [];
    for (const model of ['llama3-8b', 'mixtral-8x7b']) {
      for (const p of profiles) {
        const expected = referenceRows({ model, cluster, gpus: 32, profile: p.profile, overlap: p.overlap });
        mismatches.push(...compare(rows, offset, expected, `${model} ${p.label}`));
        for (let k = 0; k < expected.length; k += 1) expect.soft(rows.profile[offset + k]).toBe(p.label);
        offset += expected.length;
      }
    }
    expect(mismatches).toEqual([]);
    expect(rowCount(rows)).toBe(offset);
    // The profiles search different ZeRO stages: torchtitan only FSDP, megatron-core 0 and 1.
    const zeros = (label: string) => new Set(rows.zero.filter((_, i) => rows.profile[i] === label));
    expect(zeros('torchtitan-fsdp2')).toEqual(new Set([3]));
    expect(zeros('megatron-core')).toEqual(new Set([0, 1]));
  });

  it('ranks the profiles as their overlaps say: ideal is never slower than the others', () => {
    const best = reductionRows(result.reductions[0]);
    for (const model of ['llama3-8b', 'mixtral-8x7b']) {
      const of = (label: string) => best.stepTimeS[best.model.findIndex((m, g) => m === model && best.profile[g] === label)] as number;
      for (const p of profiles) expect(of('ideal')).toBeLessThanOrEqual(of(p.label));
    }
  });
});

describe('profile axis on explicit layouts', async () => {
  const { rows } = await runSpec(`
kind: training
axes:
  model: [llama3-8b]
  cluster: [dgx-h100]
  gpus: [64]
  tp: [2, 8]
  pp: [2]
  interleave: [1, 2]
  profile: [megatron-core, nemo, torchtitan-fsdp2, megatron-lm-2021, ideal]
metrics: [stepTimeS, tpS, ppS]
`);
  it('equals predictTraining with that profile, layout by layout', () => {
    const cluster = resolveCluster('dgx-h100', catalog);
    expect(rowCount(rows)).toBe(2 * 2 * 5);
    for (let i = 0; i < rowCount(rows); i += 1) {
      const p = predictTraining({
        model: 'llama3-8b',
        cluster,
        gpus: 64,
        profile: rows.profile[i] as ProfileId,
        layout: { tp: rows.tp[i] as number, pp: 2, interleave: rows.interleave[i] as number, globalBatch: rows.globalBatch[i] as number },
        engine: 'reference',
      });
      expect(rows.stepTimeS[i], `row ${i} (${String(rows.profile[i])})`).toBe(p.stepS);
      expect(rows.zero[i]).toBe(p.layout.zero);
    }
  });

  it('refuses a profile whose overlap rule needs the enumerated layouts, and says what to do', async () => {
    await expect(runSpec('kind: training\naxes:\n  model: [llama3-8b]\n  cluster: [dgx-h100]\n  gpus: [8]\n  profile: [megatron-core, deepspeed-zero3]\n')).rejects.toThrow(
      /^test.yaml:6: axes.profile\[1\]: profile deepspeed-zero3 sets the dp overlap per layout \(prefetch-bucket\).*use layouts: all/,
    );
    await expect(runSpec('kind: training\naxes:\n  model: [llama3-8b]\n  cluster: [dgx-h100]\n  gpus: [8]\n  profile: [megatron, ideal]\n')).rejects.toThrow(/axes.profile\[0\]: "megatron": must be one of the implementation profiles megatron-core, nemo/);
    await expect(
      runSpec('kind: training\naxes:\n  model: [llama3-8b]\n  cluster: [dgx-h100]\n  gpus: [8]\n  setup: [{ name: a, tp: 2 }, { name: b, colour: 3 }]\n'),
    ).rejects.toThrow(/axes.setup\[1\].colour: "colour" is not a layout field/);
  });

  it('takes any layout fields as a custom bundle under a free axis name', async () => {
    const { rows: b } = await runSpec(`
kind: training
axes:
  model: [llama3-8b]
  cluster: [dgx-h100]
  gpus: [64]
  setup: [{ name: tp8, tp: 8, sequenceParallel: true }, { name: tp2pp4, tp: 2, pp: 4, recompute: full }]
metrics: [stepTimeS]
`);
    expect(b.setup).toEqual(['tp8', 'tp2pp4']);
    expect([b.tp, b.pp, b.dp, b.recompute]).toEqual([
      [8, 2],
      [1, 4],
      [8, 8],
      ['none', 'full'],
    ]);
    const cluster = resolveCluster('dgx-h100', catalog);
    expect(b.stepTimeS[1]).toBe(predictTraining({ model: 'llama3-8b', cluster, gpus: 64, layout: { tp: 2, pp: 4, recompute: 'full', globalBatch: b.globalBatch[1] as number }, engine: 'reference' }).stepS);
  });
});

describe('globalBatchTokens axis', async () => {
  const { rows } = await runSpec(`
kind: training
axes:
  model: [llama3-8b, mixtral-8x7b]
  cluster: [dgx-h100]
  gpus: [32]
  globalBatchTokens: [1M, 4M]
layouts: { microbatch: [1, 2], zero: [1] }
metrics: [stepTimeS]
`);
  it('sets each model’s batch to the tokens over its sequence length, as train --global-batch-tokens', () => {
    const cluster = resolveCluster('dgx-h100', catalog);
    let offset = 0;
    const mismatches: string[] = [];
    for (const model of ['llama3-8b', 'mixtral-8x7b']) {
      for (const tokens of [1e6, 4e6]) {
        const expected = referenceRows({ model, cluster, gpus: 32, globalBatchTokens: tokens, space: { microbatch: [1, 2], zero: [1] } });
        mismatches.push(...compare(rows, offset, expected, `${model} ${tokens}`));
        offset += expected.length;
      }
    }
    expect(mismatches).toEqual([]);
    expect(rowCount(rows)).toBe(offset);
    const batches = new Set(rows.globalBatch.filter((_, i) => rows.model[i] === 'llama3-8b' && rows.globalBatchTokens[i] === 4e6));
    expect(batches.size).toBe(1);
    expect([...batches][0]).toBe(Math.round(4e6 / 8192));
  });
});

describe('dotted row fields in where', () => {
  it('filters on model, chip and cluster fields (training) exactly as the same test over every row', async () => {
    const base = `
kind: training
axes:
  model: [llama3-8b, gpt3-175b]
  cluster: [dgx-h100, gb200-nvl72]
  gpus: [144]
  chip.gemmEfficiency: [0.6, 0.8]
layouts: { tp: [1, 2, 4, 8], zero: [1], microbatch: [1], interleave: [1], recompute: [none] }
metrics: [stepTimeS]
`;
    const all = await runSpec(base);
    const filtered = await runSpec(`${base}where: ["model.layers % pp == 0", "chip.gemmEfficiency > 0.7 || tp == 8", "cluster.gpusPerDomain >= 72 || model.hidden < 8192"]\n`);
    const layers: Record<string, number> = { 'llama3-8b': 32, 'gpt3-175b': 96 };
    const hidden: Record<string, number> = { 'llama3-8b': 4096, 'gpt3-175b': 12288 };
    const domain: Record<string, number> = { 'dgx-h100': 8, 'gb200-nvl72': 72 };
    const keep = (r: Rows, i: number) =>
      layers[r.model[i] as string] % (r.pp[i] as number) === 0 && ((r['chip.gemmEfficiency'][i] as number) > 0.7 || r.tp[i] === 8) && (domain[r.cluster[i] as string] >= 72 || hidden[r.model[i] as string] < 8192);
    const expected = Array.from({ length: rowCount(all.rows) }, (_, i) => i).filter((i) => keep(all.rows, i));
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.length).toBeLessThan(rowCount(all.rows));
    expect(rowCount(filtered.rows)).toBe(expected.length);
    expect(filtered.rows.stepTimeS).toEqual(expected.map((i) => all.rows.stepTimeS[i]));
  });

  it('filters a collective sweep on cluster fields', async () => {
    const { rows } = await runSpec(`
kind: collective
axes:
  cluster: [dgx-h100, gb200-nvl72]
  op: [all-reduce]
  gpus: [8, 72]
  bytes: [1MiB]
where: gpus <= cluster.gpusPerDomain
`);
    expect([rows.cluster, rows.gpus]).toEqual([
      ['dgx-h100', 'gb200-nvl72', 'gb200-nvl72'],
      [8, 8, 72],
    ]);
  });
});

describe('carried-ratio and same-point ratios across different layout lists', async () => {
  // dgx-h100 and hgx-h800 have 8-GPU domains (the same layout lists); gb200-nvl72 has 72 (other lists).
  const { rows, result } = await runSpec(`
kind: training
axes:
  model: [llama3-8b, mixtral-8x7b]
  cluster: [dgx-h100, hgx-h800, gb200-nvl72]
  gpus: [144]
layouts: all
metrics: [stepTimeS, memoryBytes]
reduce:
  - { name: carried, kind: carried-ratio, metric: stepTimeS, axis: cluster, numerator: hgx-h800, denominator: dgx-h100, by: [model] }
  - { name: carried72, kind: carried-ratio, metric: stepTimeS, axis: cluster, numerator: gb200-nvl72, denominator: dgx-h100, by: [model] }
  - { name: same72, kind: ratio, metric: stepTimeS, axis: cluster, numerator: gb200-nvl72, denominator: dgx-h100, by: [model] }
`);
  const layoutOf = (r: Rows, i: number, prefix = '') =>
    Object.fromEntries(Object.keys(LAYOUT).map((k) => [k, r[prefix ? `${prefix}${k[0].toUpperCase()}${k.slice(1)}` : k][i]]));
  const predict = (model: string, cluster: string, layout: Record<string, unknown>) =>
    predictTraining({ model, cluster: resolveCluster(cluster, catalog), gpus: 144, layout: layout as never, engine: 'reference' });
  const fastest = (model: string, cluster: string) => {
    let best = -1;
    for (let i = 0; i < rowCount(rows); i += 1) {
      if (rows.model[i] !== model || rows.cluster[i] !== cluster || rows.status[i] !== 0) continue;
      if (best < 0 || (rows.stepTimeS[i] as number) < (rows.stepTimeS[best] as number)) best = i;
    }
    return best;
  };

  for (const [name, numerator] of [
    ['carried', 'hgx-h800'],
    ['carried72', 'gb200-nvl72'],
  ] as const) {
    it(`${name}: the baseline’s best layout run unchanged on ${numerator}, over the baseline’s best`, () => {
      const t = reductionRows(result.reductions.find((r) => r.name === name)!);
      expect(rowCount(t)).toBe(2);
      let placed = 0;
      for (let g = 0; g < 2; g += 1) {
        const model = t.model[g] as string;
        const base = fastest(model, 'dgx-h100');
        // The baseline columns: the baseline's best point.
        expect(t.baselineCluster[g]).toBe('dgx-h100');
        expect(layoutOf(t, g, 'baseline')).toEqual(layoutOf(rows, base));
        expect(t.baselineBest[g]).toBe(rows.stepTimeS[base]);
        // The row: that very layout on the numerator cluster, priced as predictTraining prices it.
        expect(t.cluster[g]).toBe(numerator);
        const layout = layoutOf(rows, base);
        expect(layoutOf(t, g)).toEqual(layout);
        const own = fastest(model, numerator);
        expect(t.numeratorBest[g]).toBe(rows.stepTimeS[own]);
        let carried: number;
        try {
          carried = predict(model, numerator, layout).stepS;
        } catch (error) {
          // The layout does not fit the other cluster (a group that its domains cannot place): the row says so.
          expect((error as Error).message).toMatch(/cannot be placed/);
          expect(t.status[g]).not.toBe(0);
          expect([t.carried[g], t.stepTimeS[g], t.ratio[g]]).toEqual([NaN, NaN, NaN]);
          continue;
        }
        expect(t.carried[g]).toBe(carried);
        expect(t.stepTimeS[g]).toBe(carried);
        expect(t.ratio[g]).toBe(carried / (rows.stepTimeS[base] as number));
        // Against the numerator side's own best: what re-tuning the layout recovers (never below 1).
        expect(t.carriedOverBest[g] as number).toBeGreaterThanOrEqual(1);
        placed += 1;
      }
      // Same domains: the H100 layouts all run on the H800.
      if (numerator === 'hgx-h800') expect(placed).toBe(2);
    });
  }

  it('same-point ratio: the baseline columns are filled when the two clusters enumerate different layouts', () => {
    const t = reductionRows(result.reductions.find((r) => r.name === 'same72')!);
    expect(rowCount(t)).toBe(4);
    for (let g = 0; g < 4; g += 1) {
      const model = t.model[g] as string;
      expect(t.baselineCluster[g]).toBe('dgx-h100');
      expect(t.baselineStatus[g]).not.toBe(255);
      const layout = layoutOf(t, g);
      expect(layoutOf(t, g, 'baseline')).toEqual(layout);
      const p = predict(model, 'dgx-h100', { ...layout, recompute: layout.recompute });
      expect(t.baselineStepTimeS[g]).toBe(p.stepS);
      expect(t.ratio[g]).toBe((t.stepTimeS[g] as number) / p.stepS);
    }
  });
});
