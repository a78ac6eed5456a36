/**
 * Section 5 — the line itself: scale-up bandwidth swept from 100 to 900 GB/s on an H100 and on an H20-class chip
 * (compute capped); the penalty curve per model with its knee, and the 2022 and 2023 rule lines placed on it by
 * the export-control classifier.
 */
import { builtinCatalog, resolveCluster } from '@linkcap/core';
import { ruleLine, type RuleLine } from '../controls/rule-lines.js';
import { extra } from '../report/format.js';
import type { ChartSeriesPoint, Section } from '../report/model.js';
import { num, one } from '../results/table.js';
import { baseVariant, errorNote, labels, modelIds, modelName, numbers, table, type StudyContext } from './context.js';
import { acrossVariants, inVariant, median, sensitivity, variantsOf, type Variant } from './variants.js';
import { disagreements, judge, type Tally } from './verdict.js';

const SWEEP = 'link-cap-line';
const RULES = ['2022-10-07', '2023-10-17'];

export interface Curve {
  cluster: string;
  model: string;
  gpus: number;
  /** Bandwidths (ascending) and the penalty at each: step(bw) ÷ step(top bandwidth), best layout at each. */
  bw: number[];
  best: number[];
  /** The top bandwidth's best layout carried to every bandwidth. */
  same: number[];
}

export function curves(ctx: StudyContext, v: Variant): Curve[] {
  const spec = ctx.plan.sweeps[SWEEP].spec;
  const best = inVariant(table(ctx, SWEEP, 'best'), v);
  const same = inVariant(table(ctx, SWEEP, 'same-layout'), v);
  const bws = numbers(ctx, SWEEP, 'scaleUpGBps').sort((a, b) => a - b);
  const top = bws[bws.length - 1];
  const out: Curve[] = [];
  for (const cluster of labels(ctx, SWEEP, 'cluster')) {
    for (const model of modelIds(ctx, SWEEP)) {
      for (const gpus of numbers(ctx, SWEEP, 'gpus')) {
        const step = (bw: number) => {
          const r = one(best, { cluster, model, gpus, scaleUpGBps: bw });
          return r && r.status === 0 ? num(r, 'stepTimeS') : NaN;
        };
        const sameRatio = (bw: number) => {
          const r = one(same, { cluster, model, gpus, scaleUpGBps: bw });
          return r && Number(r.status) <= 1 && r.baselineStatus === 0 ? num(r, 'ratio') : NaN;
        };
        out.push({ cluster, model, gpus, bw: bws, best: bws.map((bw) => step(bw) / step(top)), same: bws.map(sameRatio) });
      }
    }
  }
  return out;
}

/**
 * The knee of a falling penalty curve (Kneedle: Satopää et al., "Finding a 'Kneedle' in a Haystack", ICDCS
 * workshops 2011): the point farthest below the chord of the normalised curve. Undefined when the curve moves
 * less than `flat` (as a ratio) over the whole range.
 */
export function knee(xs: number[], ys: number[], flat = 0.005): number | undefined {
  const points = xs.map((x, i) => [x, ys[i]] as const).filter(([, y]) => Number.isFinite(y));
  if (points.length < 3) return undefined;
  const yMax = Math.max(...points.map((p) => p[1]));
  const yMin = Math.min(...points.map((p) => p[1]));
  if (yMax - yMin < flat) return undefined;
  const x0 = points[0][0];
  const x1 = points[points.length - 1][0];
  let best: number | undefined;
  let bestScore = -Infinity;
  for (const [x, y] of points) {
    const xn = (x - x0) / (x1 - x0);
    const yn = (y - yMin) / (yMax - yMin);
    const score = 1 - yn - xn;
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return best;
}

/** Steps along a curve where the penalty grows with bandwidth (beyond rounding): a correct model has none. */
export function increases(c: Curve, series: 'best' | 'same'): number {
  const ys = c[series];
  let n = 0;
  for (let i = 1; i < ys.length; i += 1) if (Number.isFinite(ys[i]) && Number.isFinite(ys[i - 1]) && ys[i] > ys[i - 1] * (1 + 1e-9)) n += 1;
  return n;
}

export function analyseLinkCapLine(ctx: StudyContext): Section {
  const spec = ctx.plan.sweeps[SWEEP].spec;
  const base = baseVariant(ctx, SWEEP);
  const variants = variantsOf(table(ctx, SWEEP, 'best'), base);
  const perVariant = acrossVariants(variants, (v) => curves(ctx, v));
  const baseCurves = perVariant[0].value;
  const catalog = builtinCatalog();
  const clusters = labels(ctx, SWEEP, 'cluster');
  const chipOf = new Map(clusters.map((id) => [id, resolveCluster(id, catalog).chip]));
  const bws = numbers(ctx, SWEEP, 'scaleUpGBps').sort((a, b) => a - b);
  const lines: RuleLine[] = [];
  for (const cluster of clusters) for (const rule of RULES) lines.push(ruleLine(chipOf.get(cluster)!.id, rule, bws[0], bws[bws.length - 1]));
  const facetOf = (cluster: string) => {
    const chip = chipOf.get(cluster)!;
    return `${chip.id === 'h100-sxm' ? 'H100' : chip.name.replace(/^NVIDIA /, '')} compute (${chip.bf16Tflops?.value} BF16 TFLOP/s)`;
  };
  const mainCluster = clusters[0];
  const line2022 = lines.find((l) => l.chip === chipOf.get(mainCluster)!.id && l.rule === RULES[0]);
  const legalTop = line2022?.thresholdGBps != null ? Math.max(...bws.filter((bw) => bw < line2022.thresholdGBps!)) : undefined;

  const penaltyAt = (cs: Curve[], cluster: string, bw: number) => median(cs.filter((c) => c.cluster === cluster).map((c) => c.best[c.bw.indexOf(bw)]));
  const at400 = bws.includes(400) ? 400 : bws[Math.floor(bws.length / 2)];
  const h100At400 = sensitivity(perVariant.map((p) => ({ ...p, value: penaltyAt(p.value, mainCluster, at400) })));
  const otherAt400 = clusters[1] ? sensitivity(perVariant.map((p) => ({ ...p, value: penaltyAt(p.value, clusters[1], at400) }))) : undefined;
  const kneeMedian = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.filter((c) => c.cluster === mainCluster).map((c) => knee(c.bw, c.best) ?? NaN)) })));
  const atLine = legalTop !== undefined ? sensitivity(perVariant.map((p) => ({ ...p, value: penaltyAt(p.value, mainCluster, legalTop) }))) : undefined;
  const { low, high } = ctx.plan.claims.slowdown;
  const tallies = perVariant.map((p) => {
    const cs = p.value.filter((c) => c.cluster === mainCluster && legalTop !== undefined);
    const vals = cs.map((c) => c.best[c.bw.indexOf(legalTop!)] - 1).filter(Number.isFinite);
    return { ...p, value: { holds: vals.filter((x) => x >= low && x <= high).length, total: vals.length } as Tally };
  });
  const violations = perVariant.flatMap((p) => p.value).reduce((n, c) => n + increases(c, 'best') + increases(c, 'same'), 0);
  const steps = perVariant.flatMap((p) => p.value).reduce((n, c) => n + 2 * (c.bw.length - 1), 0);

  const data: ChartSeriesPoint[] = [];
  const marks: { x: number; y: number; label: string; facet: string }[] = [];
  for (const c of baseCurves) {
    c.bw.forEach((bw, i) => {
      if (Number.isFinite(c.best[i])) data.push({ model: modelName(ctx, c.model), bw, penalty: c.best[i] - 1, chip: facetOf(c.cluster) });
    });
    const k = knee(c.bw, c.best);
    if (k !== undefined) marks.push({ x: k, y: c.best[c.bw.indexOf(k)] - 1, label: '', facet: facetOf(c.cluster) });
  }
  const xRules = lines.filter((l) => l.thresholdGBps !== null).map((l) => ({ x: l.thresholdGBps!, label: `${l.shortName} line`, facet: facetOf(clusters.find((id) => chipOf.get(id)!.id === l.chip)!) }));
  const lineText = lines
    .map((l) => {
      const chip = l.chip;
      if (l.thresholdGBps !== null) return `**${l.shortName}** (${chip}): ${l.low.verdict} below ${l.thresholdGBps} GB/s of scale-up, ${l.high.verdict} from there on (${l.explanation})`;
      return `**${l.shortName}** (${chip}): ${l.high.verdict} at every bandwidth from ${bws[0]} to ${bws[bws.length - 1]} GB/s: the line does not depend on bandwidth (${l.explanation})`;
    })
    .join('. ');

  return {
    id: 'link-cap-line',
    title: 'The line itself: penalty against scale-up bandwidth',
    shortTitle: 'The line',
    question: 'How does the training penalty grow as scale-up bandwidth is cut from 900 to 100 GB/s, where is the knee, and where do the 2022 and 2023 rules draw their lines?',
    headlines: [
      { id: 'penalty-400', label: `median slowdown at ${at400} GB/s (H100 compute; the H800’s bandwidth)`, format: 'times', sensitivity: h100At400 },
      ...(otherAt400 ? [{ id: 'penalty-400-capped', label: `median slowdown at ${at400} GB/s with ${facetOf(clusters[1])}`, format: 'times' as const, sensitivity: otherAt400 }] : []),
      { id: 'knee', label: 'median knee of the penalty curve (H100 compute)', format: 'gbps', sensitivity: kneeMedian },
      ...(atLine && legalTop !== undefined ? [{ id: 'penalty-at-line', label: `median slowdown at ${legalTop} GB/s, the fastest grid point under the 2022 line`, format: 'times' as const, sensitivity: atLine }] : []),
    ],
    blocks: [
      {
        kind: 'text',
        markdown:
          `Each bandwidth is a derived chip and node (the \`linkcap chips derive\` logic: the same chip with only its NVLink bandwidth changed), priced on ${numbers(ctx, SWEEP, 'gpus').join(', ')} GPUs with its own best layout. ` +
          `The penalty is the step time at each bandwidth over the step time at ${bws[bws.length - 1]} GB/s. The knee is the point of the curve farthest below the chord of the normalised curve (Kneedle): ` +
          `below it each further cut costs more. Rule lines, placed by linkcap's export-control classifier on the same derived chips: ${lineText}.`,
      },
      {
        kind: 'chart',
        id: 'penalty-by-bandwidth',
        title: 'Training penalty against scale-up bandwidth',
        type: 'line',
        data,
        x: 'bw',
        y: 'penalty',
        series: 'model',
        facet: 'chip',
        xLabel: 'scale-up bandwidth per GPU, GB/s bidirectional (H100 900, H800 400)',
        yLabel: 'extra step time vs 900 GB/s',
        yPercent: true,
        xRules,
        marks,
        caption: 'Extra step time at each scale-up bandwidth over the same chip at 900 GB/s, best layout at each point (base case). Dashed red: rule lines where the classifier’s verdict flips; circles: knees.',
      },
      {
        kind: 'table',
        title: 'Penalty at each bandwidth (best layout at each; the 900 GB/s layout kept unchanged in brackets)',
        columns: [{ header: 'chip', align: 'left' }, { header: 'model', align: 'left' }, ...bws.map((bw) => ({ header: `${bw}` })), { header: 'knee' }],
        rows: baseCurves.map((c) => [
          facetOf(c.cluster),
          modelName(ctx, c.model),
          ...c.bw.map((_, i) => (Number.isFinite(c.best[i]) ? `${extra(c.best[i])} (${extra(c.same[i])})` : '—')),
          String(knee(c.bw, c.best) ?? 'flat'),
        ]),
      },
      {
        kind: 'text',
        markdown: `**Check a correct model must pass:** the penalty never grows as bandwidth grows — ${violations} increases over ${steps} steps of all curves and variants (best layout and fixed layout).`,
      },
      {
        kind: 'verdict',
        verdict: {
          claim: 'a chip just under the 2022 line (H100 compute) takes 10–30% longer to train',
          source: ctx.plan.claims.slowdown.source,
          verdict: legalTop === undefined ? 'not decided' : judge(tallies),
          because:
            legalTop === undefined
              ? 'the 2022 rule draws no line inside the swept range'
              : `at ${legalTop} GB/s, ${tallies[0].value.holds} of ${tallies[0].value.total} models fall in 10–30% (${disagreements(tallies)}); the median is ${extra(atLine?.base ?? NaN)}.`,
          short: `just under the 2022 line, 10–30% longer: ${tallies[0].value.holds} of ${tallies[0].value.total} models; ${extra(h100At400.base)} at ${at400} GB/s, knee ${Math.round(kneeMedian.base)} GB/s`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
    ],
    limits: [
      'Only the scale-up bandwidth moves; the per-hop latency, NVLS in-switch reduction and the NICs stay as on the base chip. A real capped part (fewer NVLink links) may also lose NVLS performance differently.',
      'The 2023 rule does not test bandwidth at all, so it draws no line on this axis: under it, an H100-class chip is controlled at every bandwidth and an H20-class chip at none.',
    ],
  };
}
