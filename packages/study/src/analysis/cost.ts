/**
 * Section 6 — cost: GPU-hours per trillion tokens on H100, H800 and older A800/A100 clusters, turned into dollars at
 * the plan's stated prices; and the conditions (price, utilisation, older or smaller cluster) under which the H800
 * "could double some costs".
 */
import { parseNumber } from '@linkcap/core';
import { count, share, times, usd } from '../report/format.js';
import type { ChartSeriesPoint, Section } from '../report/model.js';
import { num, one, type Row } from '../results/table.js';
import { baseVariant, errorNote, labels, modelIds, modelName, numbers, table, type StudyContext } from './context.js';
import { H100, H800 } from './h800-vs-h100.js';
import { acrossVariants, inVariant, median, sensitivity, variantsOf, type Variant } from './variants.js';
import { disagreements, judge, type Tally } from './verdict.js';

const SWEEP = 'cost';

/** GPU-hours to train the spec's train.tokens, as the sweep engine computed them (gpuHours metric). */
function gpuHours(r: Row | undefined): number {
  return r && r.status === 0 ? num(r, 'gpuHours') : NaN;
}

/** The token budget of the cost sweep (train.tokens: a count such as 1T). */
function tokensOf(ctx: StudyContext): number {
  const tokens = parseNumber(ctx.plan.sweeps[SWEEP].spec.train?.tokens ?? NaN, 'count');
  return typeof tokens === 'number' ? tokens : NaN;
}

interface CostCase {
  model: string;
  gpus: number;
  hours: Record<string, number>;
}

function cases(ctx: StudyContext, v: Variant): CostCase[] {
  const rows = inVariant(table(ctx, SWEEP, 'best'), v);
  const clusters = labels(ctx, SWEEP, 'cluster');
  const out: CostCase[] = [];
  for (const model of modelIds(ctx, SWEEP)) {
    for (const gpus of numbers(ctx, SWEEP, 'gpus')) {
      const hours: Record<string, number> = {};
      for (const cluster of clusters) hours[cluster] = gpuHours(one(rows, { cluster, model, gpus }));
      out.push({ model, gpus, hours });
    }
  }
  return out;
}

export function analyseCost(ctx: StudyContext): Section {
  const base = baseVariant(ctx, SWEEP);
  const variants = variantsOf(table(ctx, SWEEP, 'best'), base);
  const perVariant = acrossVariants(variants, (v) => cases(ctx, v));
  const baseCases = perVariant[0].value;
  const prices = ctx.plan.prices;
  const clusters = labels(ctx, SWEEP, 'cluster');
  const factor = ctx.plan.claims.doubleCost.factor;
  const price = (cluster: string) => prices.base[cluster] ?? NaN;
  const costRatio = (c: CostCase, cluster: string, premium = price(cluster) / price(H100), utilisation = 1) => (c.hours[cluster] * premium) / utilisation / c.hours[H100];
  const gpusAxis = numbers(ctx, SWEEP, 'gpus');
  const smallGpus = Math.min(...gpusAxis);
  const largeGpus = Math.max(...gpusAxis);

  const h800Ratio = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => costRatio(c, H800))) })));
  const maxH800Ratio = sensitivity(perVariant.map((p) => ({ ...p, value: Math.max(...p.value.map((c) => costRatio(c, H800)).filter(Number.isFinite)) })));
  const breakEven = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => factor / (c.hours[H800] / c.hours[H100]))) })));
  const older = clusters.filter((c) => c !== H100 && c !== H800);
  const olderHours = older.map((cluster) => ({
    cluster,
    hours: sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => c.hours[cluster] / c.hours[H100])) }))),
    cost: sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => costRatio(c, cluster))) }))),
  }));
  const smaller = sensitivity(
    perVariant.map((p) => ({
      ...p,
      value: median(modelIds(ctx, SWEEP).map((m) => {
        const s = p.value.find((c) => c.model === m && c.gpus === smallGpus);
        const l = p.value.find((c) => c.model === m && c.gpus === largeGpus);
        return s && l ? s.hours[H800] / l.hours[H800] : NaN;
      })),
    })),
  );

  // The cap alone: same price per GPU-hour, same utilisation. Does any configuration double its cost?
  const capAlone = perVariant.map((p) => {
    const priced = p.value.filter((c) => Number.isFinite(c.hours[H800]) && Number.isFinite(c.hours[H100]));
    return { ...p, value: { holds: priced.filter((c) => c.hours[H800] / c.hours[H100] >= factor).length, total: priced.length } as Tally };
  });
  // With the stated premiums and utilisations: which scenarios double the cost?
  const scenarios = perVariant.map((p) => {
    let holds = 0;
    let total = 0;
    for (const c of p.value) {
      if (!Number.isFinite(c.hours[H800] / c.hours[H100])) continue;
      for (const premium of prices.h800Premiums)
        for (const u of prices.utilisation) {
          total += 1;
          if (costRatio(c, H800, premium, u) >= factor) holds += 1;
        }
    }
    return { ...p, value: { holds, total } as Tally };
  });
  const headlineCase = baseCases.find((c) => Number.isFinite(c.hours[H800] / c.hours[H100])) ?? baseCases[0];
  const scenarioRows = prices.h800Premiums.map((premium) => [
    `${times(premium)} the H100 price`,
    ...prices.utilisation.map((u) => {
      const r = costRatio(headlineCase, H800, premium, u);
      return `${times(r)}${r >= factor ? ' ≥ 2' : ''}`;
    }),
  ]);

  const chart: ChartSeriesPoint[] = [];
  for (const c of baseCases) {
    for (const cluster of clusters) {
      if (!Number.isFinite(c.hours[cluster])) continue;
      chart.push({ config: `${modelName(ctx, c.model)}, ${c.gpus.toLocaleString('en-US')} GPUs`, cluster, cost: c.hours[cluster] * price(cluster) });
    }
  }
  return {
    id: 'cost',
    title: 'Cost: does anything double?',
    shortTitle: 'Cost',
    question: 'What does a trillion training tokens cost on each cluster, and under which assumptions (price, utilisation, an older or smaller cluster) does the H800 double it?',
    headlines: [
      { id: 'h800-cost', label: 'median H800 cost ÷ H100 cost at equal prices', format: 'times', sensitivity: h800Ratio },
      { id: 'h800-cost-max', label: 'largest H800 cost ÷ H100 cost at equal prices', format: 'times', sensitivity: maxH800Ratio },
      { id: 'break-even', label: `H800 price premium needed to double the cost`, format: 'times', sensitivity: breakEven },
      ...olderHours.map((o) => ({ id: `hours-${o.cluster}`, label: `${o.cluster} GPU-hours ÷ H100 GPU-hours`, format: 'times' as const, sensitivity: o.hours })),
      { id: 'smaller-cluster', label: `H800 GPU-hours on ${smallGpus} ÷ on ${largeGpus.toLocaleString('en-US')} GPUs`, format: 'times', sensitivity: smaller },
    ],
    blocks: [
      {
        kind: 'text',
        markdown:
          `GPU-hours per ${count(tokensOf(ctx), true)} tokens = tokens ÷ (tokens/s) × GPUs ÷ 3600 (the sweep's gpuHours metric), each cluster with its best layout. ` +
          `Prices are inputs, not model outputs: ${clusters.map((c) => `${c} ${usd(price(c))}`).join(', ')} per GPU-hour (${prices.source}). ` +
          `Cost = GPU-hours × price ÷ utilisation (the share of paid hours that train).`,
      },
      {
        kind: 'table',
        title: `GPU-hours and dollars per ${count(tokensOf(ctx), true)} tokens at the stated prices`,
        columns: [{ header: 'model', align: 'left' }, { header: 'GPUs' }, ...clusters.flatMap((c) => [{ header: `${c} GPU-h` }, { header: `${c} $` }]), { header: 'H800 ÷ H100 cost' }],
        rows: baseCases.map((c) => [
          modelName(ctx, c.model),
          c.gpus.toLocaleString('en-US'),
          ...clusters.flatMap((cl) => [count(c.hours[cl], true), usd(c.hours[cl] * price(cl))]),
          times(costRatio(c, H800)),
        ]),
      },
      {
        kind: 'chart',
        id: 'cost-by-cluster',
        title: `Dollars per ${count(tokensOf(ctx), true)} tokens at the stated prices`,
        type: 'bar',
        data: chart,
        x: 'cluster',
        y: 'cost',
        series: 'cluster',
        facet: 'config',
        xLabel: '',
        yLabel: 'USD',
        xType: 'band',
        caption: 'Training cost per trillion tokens at the stated prices and full utilisation, best layout on each cluster (base case).',
      },
      {
        kind: 'table',
        title: `H800 cost ÷ H100 cost for ${modelName(ctx, headlineCase.model)} on ${headlineCase.gpus.toLocaleString('en-US')} GPUs, by H800 price premium and H800 utilisation (H100 at full utilisation)`,
        columns: [{ header: 'H800 price', align: 'left' }, ...prices.utilisation.map((u) => ({ header: `H800 utilisation ${share(u, 0)}` }))],
        rows: scenarioRows,
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'the cap alone "could double some costs" (same price per GPU-hour, same utilisation)',
          source: ctx.plan.claims.doubleCost.source,
          verdict: judge(capAlone),
          short: `the cap alone doubles costs: ${capAlone[0].value.holds} of ${capAlone[0].value.total}; H800 cost ${times(h800Ratio.base)} H100's at equal prices`,
          because: `the H800 needs at least ${factor}× the H100's GPU-hours in ${capAlone[0].value.holds} of ${capAlone[0].value.total} configurations (${disagreements(capAlone)}); the largest ratio is ${times(maxH800Ratio.base)}.`,
          error: errorNote(ctx, ['training']),
        },
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'the H800 could double some costs once its price and utilisation are counted',
          source: ctx.plan.claims.doubleCost.source,
          verdict: judge(scenarios),
          short: `doubling needs an H800 GPU-hour at ${times(breakEven.base)} an H100's (or older chips); ${scenarios[0].value.holds} of ${scenarios[0].value.total} scenarios`,
          because:
            `${scenarios[0].value.holds} of ${scenarios[0].value.total} price × utilisation scenarios reach ${factor}×; it takes an H800 GPU-hour priced at about ${times(breakEven.base)} an H100's at equal utilisation` +
            (olderHours.length ? `, or falling back to older chips: ${olderHours.map((o) => `${o.cluster} needs ${times(o.hours.base)} the GPU-hours (${times(o.cost.base)} the cost at the stated prices)`).join(', ')}` : '') +
            '.',
          error: errorNote(ctx, ['training']),
        },
      },
    ],
    limits: ['Prices, premiums and utilisation are assumptions of the plan (examples/study/study.yaml), not outputs of the model; edit them and rerun with --plan.'],
  };
}
