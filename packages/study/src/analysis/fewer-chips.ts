/**
 * Section 4 — fewer chips: the same work (4M tokens per step) spread over 8 to 16,384 GPUs; the share of the step
 * spent in exposed communication and the H800 penalty, per GPU count and model size.
 */
import { COMM_TERMS } from '../sweeps/columns.js';
import { extra, share } from '../report/format.js';
import type { ChartSeriesPoint, Section } from '../report/model.js';
import { num, type Row } from '../results/table.js';
import { baseVariant, errorNote, labels, modelIds, modelName, numbers, table, type StudyContext } from './context.js';
import { cells, type Cell } from './h800-vs-h100.js';
import { acrossVariants, median, sensitivity, variantsOf } from './variants.js';
import { disagreements, judge, type Tally } from './verdict.js';

const SWEEP = 'fewer-chips';

function commShare(r: Row | undefined): number {
  return COMM_TERMS.reduce((s, t) => s + num(r, t.column), 0) / num(r, 'stepTimeS');
}

/** Per model: the penalty at its smallest and its largest GPU count that fit on both clusters. */
function ends(ctx: StudyContext, cs: Cell[]) {
  return modelIds(ctx, SWEEP).flatMap((model) => {
    const priced = cs.filter((c) => c.model === model && Number.isFinite(c.best)).sort((a, b) => a.gpus - b.gpus);
    if (priced.length < 2) return [];
    return [{ model, small: priced[0], large: priced[priced.length - 1] }];
  });
}

/** Pairs (smaller model, larger model) at the same GPU count, both priced. */
function sizePairs(ctx: StudyContext, cs: Cell[]) {
  const params = (id: string) => ctx.models.get(id)?.totalParams ?? NaN;
  const pairs: { small: Cell; large: Cell }[] = [];
  for (const gpus of new Set(cs.map((c) => c.gpus))) {
    const dense = cs.filter((c) => c.gpus === gpus && Number.isFinite(c.best) && !ctx.models.get(c.model)?.moe).sort((a, b) => params(a.model) - params(b.model));
    for (let i = 0; i + 1 < dense.length; i += 1) pairs.push({ small: dense[i], large: dense[i + 1] });
  }
  return pairs;
}

export function analyseFewerChips(ctx: StudyContext): Section {
  const base = baseVariant(ctx, SWEEP);
  const variants = variantsOf(table(ctx, SWEEP, 'best'), base);
  const perVariant = acrossVariants(variants, (v) => cells(ctx, v, [SWEEP]));
  const baseCells = perVariant[0].value;
  const tolerance = 0.001;
  const fewerTallies = perVariant.map((p) => {
    const e = ends(ctx, p.value);
    return { ...p, value: { holds: e.filter((x) => x.small.best <= x.large.best + tolerance).length, total: e.length } as Tally };
  });
  const smallerTallies = perVariant.map((p) => {
    const pairs = sizePairs(ctx, p.value);
    return { ...p, value: { holds: pairs.filter((x) => x.small.best <= x.large.best + tolerance).length, total: pairs.length } as Tally };
  });
  const gpusAxis = numbers(ctx, SWEEP, 'gpus');
  const smallest = gpusAxis[0];
  const largest = gpusAxis[gpusAxis.length - 1];
  const at = (cs: Cell[], gpus: number, f: (c: Cell) => number) => median(cs.filter((c) => c.gpus === gpus).map(f));
  const penaltySmall = sensitivity(perVariant.map((p) => ({ ...p, value: at(p.value, smallest, (c) => c.best) })));
  const penaltyLarge = sensitivity(perVariant.map((p) => ({ ...p, value: at(p.value, largest, (c) => c.best) })));
  const commSmall = sensitivity(perVariant.map((p) => ({ ...p, value: at(p.value, smallest, (c) => (Number.isFinite(c.best) ? commShare(c.h800) : NaN)) })));
  const commLarge = sensitivity(perVariant.map((p) => ({ ...p, value: at(p.value, largest, (c) => (Number.isFinite(c.best) ? commShare(c.h800) : NaN)) })));

  const shareData: ChartSeriesPoint[] = [];
  const penaltyData: ChartSeriesPoint[] = [];
  for (const c of baseCells) {
    if (!Number.isFinite(c.best)) continue;
    shareData.push({ model: modelName(ctx, c.model), gpus: c.gpus, share: commShare(c.h800) });
    penaltyData.push({ model: modelName(ctx, c.model), gpus: c.gpus, penalty: c.best - 1 });
  }
  const e = ends(ctx, baseCells);
  const models = modelIds(ctx, SWEEP);
  return {
    id: 'fewer-chips',
    title: 'Fewer chips: does a smaller job escape the cap?',
    shortTitle: 'Fewer chips',
    question: 'Does training on fewer GPUs, or a smaller model, cut the chip-to-chip traffic the cap hurts, and with it the H800 penalty?',
    headlines: [
      { id: 'penalty-small', label: `median H800 slowdown on ${smallest.toLocaleString('en-US')} GPUs`, format: 'times', sensitivity: penaltySmall },
      { id: 'penalty-large', label: `median H800 slowdown on ${largest.toLocaleString('en-US')} GPUs`, format: 'times', sensitivity: penaltyLarge },
      { id: 'comm-small', label: `median exposed-communication share on ${smallest.toLocaleString('en-US')} H800`, format: 'share', sensitivity: commSmall },
      { id: 'comm-large', label: `median exposed-communication share on ${largest.toLocaleString('en-US')} H800`, format: 'share', sensitivity: commLarge },
    ],
    blocks: [
      {
        kind: 'text',
        markdown:
          `Every model runs 4M tokens per step at every GPU count, so a smaller job does the same work on fewer chips (more microbatches per pipeline, ` +
          `fewer data-parallel replicas). Each cluster uses its best layout at each size; configurations that do not fit in memory are left out.`,
      },
      {
        kind: 'table',
        title: 'H800 slowdown (exposed communication share of the H800 step in brackets)',
        columns: [{ header: 'model', align: 'left' }, ...gpusAxis.map((g) => ({ header: `${g.toLocaleString('en-US')} GPUs` }))],
        rows: models.map((m) => [
          modelName(ctx, m),
          ...gpusAxis.map((g) => {
            const c = baseCells.find((x) => x.model === m && x.gpus === g);
            return c && Number.isFinite(c.best) ? `${extra(c.best)} (${share(commShare(c.h800), 0)})` : '—';
          }),
        ]),
      },
      {
        kind: 'chart',
        id: 'comm-share-by-gpus',
        title: 'Exposed communication share of the H800 step',
        type: 'line',
        data: shareData,
        x: 'gpus',
        y: 'share',
        series: 'model',
        xLabel: 'GPUs',
        yLabel: 'exposed communication / step',
        xType: 'log',
        yPercent: true,
        caption: 'Exposed communication (TP, CP, EP, DP, PP) as a share of the H800 step, best layout, 4M tokens per step (base case).',
      },
      {
        kind: 'chart',
        id: 'penalty-by-gpus',
        title: 'H800 slowdown by GPU count',
        type: 'line',
        data: penaltyData,
        x: 'gpus',
        y: 'penalty',
        series: 'model',
        xLabel: 'GPUs',
        yLabel: 'extra step time on H800',
        xType: 'log',
        yPercent: true,
        caption: 'Extra step time on H800 over H100, best layout on each, by GPU count (base case).',
      },
      {
        kind: 'text',
        markdown: `Per model, smallest vs largest GPU count that fits: ${e.map((x) => `${modelName(ctx, x.model)} ${extra(x.small.best)} on ${x.small.gpus} vs ${extra(x.large.best)} on ${x.large.gpus.toLocaleString('en-US')}`).join('; ') || 'no model fits at two sizes'}.`,
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'using fewer chips cuts the chip-to-chip communication, and so the penalty of the cap',
          source: 'Reuters, 2023-05-03 (shared/reference/training.md)',
          verdict: judge(fewerTallies),
          short: `fewer chips, smaller penalty: ${fewerTallies[0].value.holds} of ${fewerTallies[0].value.total} models; ${extra(penaltySmall.base)} on ${smallest} vs ${extra(penaltyLarge.base)} on ${largest.toLocaleString('en-US')} GPUs`,
          because: `the penalty at a model's smallest GPU count is no larger than at its largest for ${fewerTallies[0].value.holds} of ${fewerTallies[0].value.total} models (${disagreements(fewerTallies)}).`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'smaller models suffer less from the cap',
          source: 'Reuters, 2023-05-03 (shared/reference/training.md)',
          verdict: judge(smallerTallies),
          short: `smaller models, smaller penalty: ${smallerTallies[0].value.holds} of ${smallerTallies[0].value.total} model pairs`,
          because: `at the same GPU count, the next-smaller dense model has a penalty no larger than the next-larger one in ${smallerTallies[0].value.holds} of ${smallerTallies[0].value.total} pairs (${disagreements(smallerTallies)}).`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
    ],
    limits: ['A fixed 4M-token batch at 8 GPUs means thousands of sequences per step: the slowdown is a ratio of equal work, not a schedule anyone would run at that size.'],
  };
}
