/**
 * Section 3 — Tencent: a 1T-parameter model on the previous-generation cluster (A800-class, 1.6 Tb/s per server)
 * vs the 2023 H800 cluster (3.2 Tb/s per server), same GPU count, each with its best layout; and the network's share,
 * from the H800 cluster cut back to 1.6 Tb/s.
 */
import { extra, times } from '../report/format.js';
import type { ChartSeriesPoint, Section, VerdictKind } from '../report/model.js';
import { num, one, type Row } from '../results/table.js';
import { baseVariant, errorBand, errorNote, labels, modelIds, modelName, numbers, table, type StudyContext } from './context.js';
import { acrossVariants, inVariant, median, sensitivity, variantsOf, type Variant, type VariantValue } from './variants.js';

const SWEEP = 'tencent';

interface TencentCase {
  model: string;
  gpus: number;
  precision: string;
  previous: Row | undefined;
  next: Row | undefined;
  nextSlowNetwork: Row | undefined;
  /** T(previous) / T(H800, 3.2 Tb/s). */
  ratio: number;
  /** T(H800, 1.6 Tb/s) / T(H800, 3.2 Tb/s): what the faster network alone buys. */
  network: number;
  /** T(previous) / T(H800, 1.6 Tb/s): what the chip alone buys. */
  chip: number;
}

function cases(ctx: StudyContext, v: Variant): TencentCase[] {
  const rows = inVariant(table(ctx, SWEEP, 'best'), v);
  const [previous, next] = labels(ctx, SWEEP, 'cluster');
  const slowNic = Math.min(...numbers(ctx, SWEEP, 'nicGbps'));
  const out: TencentCase[] = [];
  const step = (r: Row | undefined) => (r && r.status === 0 ? num(r, 'stepTimeS') : NaN);
  for (const model of modelIds(ctx, SWEEP)) {
    for (const gpus of numbers(ctx, SWEEP, 'gpus')) {
      const prev = one(rows, { cluster: previous, model, gpus, precision: 'bf16' });
      for (const precision of labels(ctx, SWEEP, 'precision')) {
        const fast = rows.filter((r) => r.cluster === next && r.model === model && r.gpus === gpus && r.precision === precision);
        const nextRow = fast.find((r) => num(r, 'nicGbps') !== slowNic);
        const slowRow = fast.find((r) => num(r, 'nicGbps') === slowNic);
        out.push({
          model,
          gpus,
          precision,
          previous: prev,
          next: nextRow,
          nextSlowNetwork: slowRow,
          ratio: step(prev) / step(nextRow),
          network: step(slowRow) / step(nextRow),
          chip: step(prev) / step(slowRow),
        });
      }
    }
  }
  return out;
}

/**
 * A claimed value against the model's: consistent when the claimed effect (value − origin; for a ratio, the origin
 * is 1) lies inside the range of the predicted effects (over cases and sensitivity variants) widened by the model's
 * relative error `band`.
 */
export function judgePoint(claimed: number, values: number[], band: number, origin = 1): VerdictKind {
  const effects = values.filter(Number.isFinite).map((x) => x - origin);
  if (effects.length === 0) return 'not decided';
  const lo = Math.min(...effects) * (1 - band);
  const hi = Math.max(...effects) * (1 + band);
  return claimed - origin >= lo && claimed - origin <= hi ? 'supported' : 'not supported';
}

/**
 * The same, variant by variant (each with its values over the cases): supported when every variant's range holds
 * the claim, not supported when none does, not decided when the variants disagree (the answer then rests on the
 * profile or GEMM-efficiency assumption). Also says which variants hold it.
 */
export function judgePointByVariant(claimed: number, perVariant: VariantValue<number[]>[], band: number, origin = 1): { verdict: VerdictKind; holding: string[] } {
  const verdicts = perVariant.map((p) => ({ label: p.label, verdict: judgePoint(claimed, p.value, band, origin) })).filter((v) => v.verdict !== 'not decided');
  const holding = verdicts.filter((v) => v.verdict === 'supported').map((v) => v.label);
  if (verdicts.length === 0) return { verdict: 'not decided', holding };
  if (holding.length === verdicts.length) return { verdict: 'supported', holding };
  return { verdict: holding.length === 0 ? 'not supported' : 'not decided', holding };
}

function holdingText(holding: string[], total: number): string {
  if (holding.length === 0 || holding.length === total) return '';
  return ` It is within reach only under ${holding.join('; ')}.`;
}

export function analyseTencent(ctx: StudyContext): Section {
  const base = baseVariant(ctx, SWEEP);
  const variants = variantsOf(table(ctx, SWEEP, 'best'), base);
  const perVariant = acrossVariants(variants, (v) => cases(ctx, v));
  const baseCases = perVariant[0].value;
  const claim = ctx.plan.claims.tencent;
  const claimedRatio = claim.previousDays / claim.newDays;
  const bf16 = (cs: TencentCase[]) => cs.filter((c) => c.precision === 'bf16');
  const ratio = sensitivity(perVariant.map((p) => ({ ...p, value: median(bf16(p.value).map((c) => c.ratio)) })));
  const ratioFp8 = sensitivity(perVariant.map((p) => ({ ...p, value: median(p.value.filter((c) => c.precision === 'fp8').map((c) => c.ratio)) })));
  const network = sensitivity(perVariant.map((p) => ({ ...p, value: median(bf16(p.value).map((c) => c.network)) })));
  const chip = sensitivity(perVariant.map((p) => ({ ...p, value: median(bf16(p.value).map((c) => c.chip)) })));
  const days = sensitivity(perVariant.map((p) => ({ ...p, value: claim.previousDays / median(bf16(p.value).map((c) => c.ratio)) })));
  const allNetwork = perVariant.flatMap((p) => p.value.map((c) => c.network));
  const band = errorBand(ctx);
  const ratioVerdict = judgePointByVariant(claimedRatio, perVariant.map((p) => ({ ...p, value: p.value.map((c) => c.ratio) })), band);
  const networkVerdict = judgePointByVariant(1 + claim.networkGain, perVariant.map((p) => ({ ...p, value: p.value.map((c) => c.network) })), band);

  const chart: ChartSeriesPoint[] = [];
  for (const c of baseCases) {
    if (!Number.isFinite(c.ratio)) continue;
    chart.push({ series: `${modelName(ctx, c.model)}, H800 ${c.precision.toUpperCase()}`, gpus: c.gpus, ratio: c.ratio });
  }
  const gpusAxis = numbers(ctx, SWEEP, 'gpus');
  const [previousId, nextId] = labels(ctx, SWEEP, 'cluster');
  return {
    id: 'tencent',
    title: 'Tencent: 11 days → 4 days?',
    shortTitle: 'Tencent',
    question: `Does a 1T-parameter model really train ${times(claimedRatio)} faster on Tencent's 2023 H800 cluster (3.2 Tb/s per server) than on its A800-class predecessor (1.6 Tb/s), and how much of that is the network?`,
    headlines: [
      { id: 'ratio', label: 'predicted speed-up, previous cluster → H800 cluster (BF16)', format: 'times', sensitivity: ratio },
      { id: 'days', label: `predicted days on the H800 cluster for Tencent's ${claim.previousDays}`, format: 'days', sensitivity: days },
      { id: 'ratio-fp8', label: 'predicted speed-up with FP8 on the H800', format: 'times', sensitivity: ratioFp8 },
      { id: 'network', label: 'speed-up from 3.2 vs 1.6 Tb/s alone (H800)', format: 'times', sensitivity: network },
      { id: 'chip', label: 'speed-up from the chip alone (same 1.6 Tb/s network)', format: 'times', sensitivity: chip },
    ],
    blocks: [
      {
        kind: 'text',
        markdown:
          `The previous cluster is \`${previousId}\` (A800: ${'A100 compute, NVLink 400 GB/s'}, 8 × 200G per server); the new one \`${nextId}\` (H800, 8 × 400G), both RoCE. ` +
          `The network's share comes from a third cluster, the H800 one cut back to 8 × 200G. Tencent did not publish its model's architecture, ` +
          `so a dense 1T model (the Megatron-LM 1T shape) and a 1T MoE (Kimi K2's shape) stand in for it, on ${gpusAxis.map((g) => g.toLocaleString('en-US')).join(', ')} GPUs.`,
      },
      {
        kind: 'table',
        title: 'Predicted speed-up of the H800 cluster over the previous one',
        columns: [
          { header: 'model', align: 'left' },
          { header: 'GPUs' },
          { header: 'H800 precision', align: 'left' },
          { header: 'speed-up' },
          { header: `days for Tencent's ${claim.previousDays}` },
          { header: 'network alone' },
          { header: 'chip alone' },
        ],
        rows: baseCases.map((c) => [
          modelName(ctx, c.model),
          c.gpus.toLocaleString('en-US'),
          c.precision.toUpperCase(),
          times(c.ratio),
          Number.isFinite(c.ratio) ? (claim.previousDays / c.ratio).toFixed(1) : '—',
          extra(c.network),
          times(c.chip),
        ]),
        note: `Tencent: ${times(claimedRatio)} (${claim.previousDays} → ${claim.newDays} days), with the H800 ≈ ${claim.computeRatio}× the A800 and the network worth +${Math.round(claim.networkGain * 100)}%; those two together would give ${times(claim.computeRatio * (1 + claim.networkGain))}.`,
      },
      {
        kind: 'chart',
        id: 'tencent-speedup',
        title: 'Predicted speed-up of the H800 cluster over the previous one',
        type: 'line',
        data: chart,
        x: 'gpus',
        y: 'ratio',
        series: 'series',
        xLabel: 'GPUs',
        yLabel: 'speed-up (×)',
        xType: 'log',
        marks: gpusAxis.length ? [{ x: gpusAxis[0], y: claimedRatio, label: `Tencent ${times(claimedRatio)}` }] : [],
        caption: `Step time on the previous cluster ÷ step time on the H800 cluster, each with its best layout (base case). The circle marks Tencent's ${times(claimedRatio)}.`,
      },
      {
        kind: 'verdict',
        verdict: {
          claim: `"11 days … would shorten to 4 days" on the H800 cluster (${times(claimedRatio)})`,
          source: claim.source,
          verdict: ratioVerdict.verdict,
          because:
            `the model predicts ${times(ratio.base)} with BF16 (${times(ratio.min)}–${times(ratio.max)} across variants; ${times(ratioFp8.base)} with FP8 on the H800), i.e. ${days.base.toFixed(1)} days; ` +
            `a claimed figure counts as consistent when it lies in the range the model gives over the stand-in models, GPU counts and precisions, with the effect widened by the model's out-of-sample training error (±${Math.round(band * 100)}%, the 90th percentile in docs/validation.md).` +
            holdingText(ratioVerdict.holding, perVariant.length),
          short: `11 → 4 days (${times(claimedRatio)}): predicted ${times(ratio.base)} [${times(ratio.min)} … ${times(ratio.max)}], ${days.base.toFixed(1)} days`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
      {
        kind: 'verdict',
        verdict: {
          claim: `3.2 Tb/s instead of 1.6 Tb/s per server gives +${Math.round(claim.networkGain * 100)}%`,
          source: claim.source,
          verdict: networkVerdict.verdict,
          because:
            `with each cluster's best layout the faster network is worth ${extra(network.base)} in the median case (${extra(network.min)} to ${extra(network.max)} across variants; up to ${extra(Math.max(...allNetwork.filter(Number.isFinite)))} over every case, FP8 included), the effect widened by ±${Math.round(band * 100)}% for the model's out-of-sample error: the best layouts keep most traffic off the NICs.` +
            holdingText(networkVerdict.holding, perVariant.length),
          short: `3.2 vs 1.6 Tb/s gives +${Math.round(claim.networkGain * 100)}%: predicted ${extra(network.base)} [${extra(network.min)} … ${extra(network.max)}]`,
          error: errorNote(ctx, ['training', 'collectives']),
        },
      },
    ],
    limits: [
      'Tencent’s model, layout, precision and batch are not public: the dense and MoE stand-ins bracket the answer, they do not reproduce Tencent’s run.',
      'The previous cluster’s GPU is not named in Tencent’s statement; an A800 server is assumed (catalog: tencent-hcc-previous).',
    ],
  };
}
