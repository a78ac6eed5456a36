/**
 * Section 1 — H800 vs H100: the slowdown of a training step with the same layout (H100's best, carried over) and
 * with each cluster's own best layout, over models and GPU counts; where 10–30% holds; which communication grows.
 */
import { COMM_TERMS } from '../sweeps/columns.js';
import { extra, layoutText, share } from '../report/format.js';
import type { ChartSeriesPoint, Section } from '../report/model.js';
import { num, one, type Row } from '../results/table.js';
import type { StudySweep } from '../plan/load-plan.js';
import { baseVariant, errorNote, modelIds, modelName, numbers, table, type StudyContext } from './context.js';
import { acrossVariants, inVariant, median, sensitivity, variantsOf, type Variant } from './variants.js';
import { disagreements, judge, type Tally } from './verdict.js';

const SWEEPS: StudySweep[] = ['h800-vs-h100'];
const SWEEP = SWEEPS[0];
export const H100 = 'dgx-h100';
export const H800 = 'hgx-h800';

export interface Cell {
  model: string;
  gpus: number;
  h100: Row | undefined;
  h800: Row | undefined;
  /** H800's step time over H100's, each with its own best layout (NaN when either has nothing that fits). */
  best: number;
  /** H100's best layout run unchanged on H800 (NaN when it does not fit). */
  same: number;
  sameH100: Row | undefined;
  sameH800: Row | undefined;
}

/** One cell per model × GPU count of a variant (cells no sweep ran are left out). */
export function cells(ctx: StudyContext, v: Variant, sweeps: StudySweep[] = SWEEPS): Cell[] {
  const best = inVariant(table(ctx, sweeps, 'best'), v);
  const same = inVariant(table(ctx, sweeps, 'same-layout'), v);
  const out: Cell[] = [];
  for (const model of modelIds(ctx, sweeps)) {
    for (const gpus of numbers(ctx, sweeps, 'gpus')) {
      const h100 = one(best, { cluster: H100, model, gpus });
      const h800 = one(best, { cluster: H800, model, gpus });
      const sameH100 = one(same, { cluster: H100, model, gpus });
      const sameH800 = one(same, { cluster: H800, model, gpus });
      if (!h100 && !h800) continue;
      const ok = (r: Row | undefined) => r !== undefined && r.status === 0;
      out.push({
        model,
        gpus,
        h100,
        h800,
        best: ok(h100) && ok(h800) ? num(h800, 'stepTimeS') / num(h100, 'stepTimeS') : NaN,
        same: ok(sameH100) && sameH800 !== undefined && Number(sameH800.status) <= 1 ? num(sameH800, 'ratio') : NaN,
        sameH100,
        sameH800,
      });
    }
  }
  return out;
}

function inBand(ctx: StudyContext, ratio: number): boolean {
  const { low, high } = ctx.plan.claims.slowdown;
  return ratio - 1 >= low && ratio - 1 <= high;
}

/** Extra seconds per communication term (H800 minus H100, same layout), as shares of the H100 step. */
function growth(c: Cell): Record<string, number> {
  const out: Record<string, number> = {};
  const base = num(c.sameH100, 'stepTimeS');
  for (const term of COMM_TERMS) out[term.column] = (num(c.sameH800, term.column) - num(c.sameH100, term.column)) / base;
  const other = ['bubbleS', 'slowdownS', 'computeS', 'optimizerS'];
  out.other = other.reduce((sum, col) => sum + num(c.sameH800, col) - num(c.sameH100, col), 0) / base;
  return out;
}

export function analyseH800VsH100(ctx: StudyContext): Section {
  const base = baseVariant(ctx, SWEEP);
  const variants = variantsOf(table(ctx, SWEEPS, 'best'), base);
  const perVariant = acrossVariants(variants, (v) => cells(ctx, v));
  const baseCells = perVariant[0].value;
  const priced = baseCells.filter((c) => Number.isFinite(c.best));
  const claim = ctx.plan.claims.slowdown;

  const medianBest = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => c.best)) })));
  const medianSame = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.map((c) => c.same)) })));
  const maxBest = sensitivity(perVariant.map((p) => ({ ...p, value: Math.max(...p.value.map((c) => c.best).filter(Number.isFinite)) })));
  const tallies = perVariant.map((p) => {
    const ok = p.value.filter((c) => Number.isFinite(c.best));
    return { ...p, value: { holds: ok.filter((c) => inBand(ctx, c.best)).length, total: ok.length } as Tally };
  });
  const bandShare = sensitivity(tallies.map((t) => ({ ...t, value: t.value.total ? t.value.holds / t.value.total : NaN })));

  const below = priced.filter((c) => c.best - 1 < claim.low);
  const within = priced.filter((c) => inBand(ctx, c.best));
  const above = priced.filter((c) => c.best - 1 > claim.high);
  const name = (c: Cell) => `${modelName(ctx, c.model)} on ${c.gpus.toLocaleString('en-US')}`;
  const list = (cs: Cell[]) => (cs.length === 0 ? 'none' : cs.map((c) => `${name(c)} (${extra(c.best)})`).join(', '));

  // Which communication grows, summed over the dense and the MoE models of the base case.
  const grows = (moe: boolean) => {
    const group = baseCells.filter((c) => Number.isFinite(c.same) && (ctx.models.get(c.model)?.moe ?? false) === moe);
    const sums: Record<string, number> = {};
    for (const c of group) for (const [k, v] of Object.entries(growth(c))) sums[k] = (sums[k] ?? 0) + (Number.isFinite(v) ? v : 0);
    const total = Object.values(sums).reduce((a, b) => a + b, 0);
    return { group, sums, total };
  };
  const termLabel = (k: string) => COMM_TERMS.find((t) => t.column === k)?.label ?? 'bubble, overlap slowdown';
  const growthText = (moe: boolean) => {
    const g = grows(moe);
    if (g.group.length === 0 || !(g.total > 0)) return `${moe ? 'MoE' : 'dense'} models: no extra time with the same layout`;
    const parts = Object.entries(g.sums)
      .filter(([, v]) => v / g.total >= 0.005)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${termLabel(k)} ${share(v / g.total, 0)}`);
    return `${moe ? 'MoE' : 'dense'} models: ${parts.join(', ')}`;
  };

  const gpusAxis = numbers(ctx, SWEEPS, 'gpus');
  const models = modelIds(ctx, SWEEPS);
  const grid = {
    kind: 'table' as const,
    title: 'H800 slowdown: best layout on each cluster (same layout as H100 in brackets)',
    columns: [{ header: 'model', align: 'left' as const }, ...gpusAxis.map((g) => ({ header: `${g.toLocaleString('en-US')} GPUs` }))],
    rows: models.map((m) => [
      modelName(ctx, m),
      ...gpusAxis.map((g) => {
        const c = baseCells.find((x) => x.model === m && x.gpus === g);
        if (!c || !Number.isFinite(c.best)) return '—';
        return `${extra(c.best)} (${extra(c.same)})`;
      }),
    ]),
    note: 'Step time on H800 ÷ step time on H100 − 1, same global batch (so also the extra training time). "—": no layout fits in memory (80 GB per GPU, less the runtime reserve and fragmentation) on one of the clusters, or the configuration was not run.',
  };
  const detail = {
    kind: 'table' as const,
    title: 'Every configuration of the base case: the layouts chosen and where the H800 loses time',
    columns: [
      { header: 'model', align: 'left' as const },
      { header: 'GPUs' },
      { header: 'best on H100', align: 'left' as const },
      { header: 'best on H800', align: 'left' as const },
      { header: 'same layout' },
      { header: 'best vs best' },
      { header: 'exposed comm. H100' },
      { header: 'exposed comm. H800' },
    ],
    rows: baseCells.map((c) => {
      const comm = (r: Row | undefined) => COMM_TERMS.reduce((s, t) => s + num(r, t.column), 0) / num(r, 'stepTimeS');
      return [modelName(ctx, c.model), c.gpus.toLocaleString('en-US'), layoutText(c.h100), layoutText(c.h800), extra(c.same), extra(c.best), share(comm(c.h100)), share(comm(c.h800))];
    }),
  };

  const lineData: ChartSeriesPoint[] = [];
  for (const c of baseCells) {
    if (!Number.isFinite(c.best)) continue;
    const kind = ctx.models.get(c.model)?.moe ? 'MoE models' : 'dense models';
    lineData.push({ model: modelName(ctx, c.model), gpus: c.gpus, slowdown: c.best - 1, kind, layout: 'best layout on each' });
  }
  const barData: ChartSeriesPoint[] = [];
  for (const m of models) {
    const group = baseCells.filter((c) => c.model === m && Number.isFinite(c.same));
    if (group.length === 0) continue;
    const sums: Record<string, number> = {};
    for (const c of group) for (const [k, v] of Object.entries(growth(c))) sums[k] = (sums[k] ?? 0) + v / group.length;
    for (const [k, v] of Object.entries(sums)) if (Number.isFinite(v) && Math.abs(v) > 1e-6) barData.push({ model: modelName(ctx, m), term: termLabel(k), share: v });
  }

  // The paired ratio over every layout (the engine's `same-point` reduction): invariants a correct model must satisfy.
  const perGroup = (rows: Row[]) => [...new Map(rows.map((r) => [`${r.model}|${r.gpus}`, r])).values()];
  const range = perGroup(inVariant(table(ctx, SWEEPS, 'same-point'), base));
  const minRatio = Math.min(...range.map((r) => num(r, 'ratioMin')).filter(Number.isFinite));
  const layoutsCompared = range.reduce((s, r) => s + (num(r, 'pairs') || 0), 0);
  const baseW = baseVariant(ctx, 'workarounds-classic');
  const medianOf = (sweep: StudySweep) => median(perGroup(inVariant(table(ctx, sweep, 'same-point'), baseW)).map((r) => num(r, 'ratioMedian')));

  const verdict = judge(tallies);
  return {
    id: 'h800-vs-h100',
    title: 'H800 vs H100: how much longer does training take?',
    shortTitle: 'H800 vs H100',
    question: `Does the H800 take ${share(claim.low, 0)}–${share(claim.high, 0)} longer than the H100, for which models and cluster sizes, and which communication grows?`,
    headlines: [
      { id: 'median-best', label: 'median H800 slowdown, best layout on each', format: 'times', sensitivity: medianBest },
      { id: 'median-same', label: 'median H800 slowdown, H100’s layout unchanged', format: 'times', sensitivity: medianSame },
      { id: 'max-best', label: 'largest H800 slowdown, best layout on each', format: 'times', sensitivity: maxBest },
      { id: 'share-in-band', label: `share of configurations with ${share(claim.low, 0)}–${share(claim.high, 0)} slowdown`, format: 'share', sensitivity: bandShare },
    ],
    blocks: [
      {
        kind: 'text',
        markdown:
          `Each model was priced on ${gpusAxis.map((g) => g.toLocaleString('en-US')).join(', ')} GPUs of an H100 cluster (${H100}) and an H800 cluster (${H800}): ` +
          `the same nodes, NICs and network, only NVLink cut from 900 to 400 GB/s per GPU. For every configuration linkcap searched every valid layout ` +
          `(TP × PP × DP × EP × CP, microbatch, interleaving, recompute, ZeRO stage) and kept the fastest that fits in memory. ` +
          `Of ${baseCells.length} configurations, ${priced.length} fit on both clusters. ` +
          `With each cluster's best layout the H800 takes ${extra(median(priced.map((c) => c.best)))} longer in the median configuration; ` +
          `keeping H100's best layout unchanged costs ${extra(median(baseCells.map((c) => c.same)))}.`,
      },
      grid,
      {
        kind: 'chart',
        id: 'slowdown-by-gpus',
        title: 'H800 slowdown with the best layout on each cluster',
        type: 'line',
        data: lineData,
        x: 'gpus',
        y: 'slowdown',
        series: 'model',
        facet: 'kind',
        xLabel: 'GPUs',
        yLabel: 'extra step time on H800',
        xType: 'log',
        yPercent: true,
        yBand: { from: claim.low, to: claim.high, label: 'the claimed 10–30%' },
        caption: 'Extra step time on H800 over H100, each with its best layout, by GPU count (log scale). The band is the claimed 10–30%.',
      },
      {
        kind: 'text',
        markdown:
          `**Where 10–30% holds** (best layout on each): ${list(within)}. ` +
          `**Smaller than 10%:** ${list(below)}. **Larger than 30%:** ${list(above)}.\n\n` +
          `**Which communication grows** (H100's layout on both clusters; shares of the extra time, all configurations summed): ` +
          `${growthText(false)}; ${growthText(true)}. Compute is identical on both chips, so every extra second is communication ` +
          `the cap slows (or the compute slowdown of communication that hides behind it).`,
      },
      {
        kind: 'chart',
        id: 'growth-by-term',
        title: 'Where the extra time goes (same layout on both clusters)',
        type: 'bar',
        data: barData,
        x: 'model',
        y: 'share',
        series: 'term',
        xLabel: 'model',
        yLabel: 'extra time, share of the H100 step',
        xType: 'band',
        yPercent: true,
        caption: 'Extra seconds per step on H800 by communication term, as a share of the H100 step, averaged over GPU counts (H100’s best layout on both).',
      },
      detail,
      {
        kind: 'text',
        markdown:
          `**Checks a correct model must pass** (every layout priced on both clusters, base case): over ${layoutsCompared.toLocaleString('en-US')} layout pairs the H800 ` +
          `is never faster than the H100 on the same layout (smallest ratio ${minRatio.toFixed(4)}); over the layouts of section 2, the median same-layout penalty is ` +
          `${extra(medianOf('workarounds-no-tp'))} for layouts without tensor parallelism and ${extra(medianOf('workarounds-classic'))} for the TP 8 recipe (medians within ±0.5%, the engine's quantile sketch); ` +
          `and the best H800 layout is never slower than H100's layout carried over (best-vs-best ≤ same-layout in every configuration).`,
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'H800 "will likely take 10% to 30% longer to carry out some AI tasks"',
          source: claim.source,
          verdict,
          because:
            `with each cluster's best layout, ${tallies[0].value.holds} of ${tallies[0].value.total} configurations fall in 10–30% ` +
            `(${disagreements(tallies)}); the median is ${extra(medianBest.base)} and the largest ${extra(maxBest.base)}.`,
          short: `10–30% longer: ${tallies[0].value.holds} of ${tallies[0].value.total} configurations; median ${extra(medianBest.base)} [${extra(medianBest.min)} … ${extra(medianBest.max)}]`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
    ],
    limits: [
      'The cluster presets differ only in NVLink; real H800 clusters were often built with fewer or slower NICs, which this section does not charge to the cap (section 3 prices the network separately).',
      'Routing is assumed balanced for MoE models and each collective is priced as if alone on its links (docs/model/training.md, "What the model leaves out"): contention between TP, EP and DP traffic on the same NVLink would make the cap cost more.',
    ],
  };
}
