/**
 * Shared by `linkcap train` and `linkcap compare`: parsing of token counts, prices and layout flags, and the
 * text rendering of training predictions.
 */
import {
  RECOMPUTE_MODES,
  RECOMPUTE_MODULES,
  type RecomputeModule,
  PRECISIONS,
  type OverlapInput,
  type RecomputeMode,
  type TrainingLayoutInput,
  type TrainingPrediction,
  type Precision,
} from '@linkcap/core';
import type { Command } from 'commander';
import { InputError, UsageError } from '../util/errors.js';
import { formatNumber } from '../util/output.js';
import { LIMITS, parseChoice, parseCount as parseCountValue, parseFraction, parseNumber, parseWholeNumber } from '../util/values.js';

export { parseChoice } from '../util/values.js';

/** Tokens to train: "15T" → 1.5e13 (decimal units K, M, B/G, T, P). */
export function parseTokens(text: string, flag = '--tokens'): number {
  return parseCountValue(text, flag, LIMITS.tokens, 'tokens');
}

/** Price per GPU-hour in US$. */
export function parsePrice(text: string, flag = '--price'): number {
  return parseNumber(text, flag, LIMITS.price);
}

/** Kept for commands written before util/values.ts: a count within the token limits. Prefer values.parseCount with a range. */
export function parseCount(text: string, flag: string): number {
  return parseCountValue(text, flag, LIMITS.tokens);
}

/** Kept for commands written before util/values.ts: a number > 0 and ≤ 10^12. Prefer values.parseNumber with the option's range. */
export function parsePositive(text: string, flag: string): number {
  return parseNumber(text, flag, { min: 0, minExclusive: true, max: 1e12 });
}

/** The layout and overlap flags both commands take. */
export interface LayoutOptions {
  tp?: string;
  pp?: string;
  dp?: string;
  cp?: string;
  ep?: string;
  microbatch?: string;
  globalBatch?: string;
  batchTokens?: string;
  interleave?: string;
  recompute?: string;
  zero?: string;
  precision?: string;
  commPrecision?: string;
  sequenceParallel?: boolean;
  flashAttention?: boolean;
  overlapTp?: string;
  overlapDp?: string;
  overlapPp?: string;
  overlapEp?: string;
  overlapCp?: string;
  overlapOffload?: string;
  overlapSlowdown?: string;
  recomputeLayers?: string;
  offloadLayers?: string;
  recomputeModules?: string;
  fp8ActivationCache?: boolean;
  microbatchGroup?: string;
}

/** Options that cannot be combined, or that need another (exit 2, before any value is read). */
export function checkTrainingUsage(options: { globalBatch?: string; batchTokens?: string; price?: string; tokens?: string }): void {
  if (options.globalBatch !== undefined && options.batchTokens !== undefined) throw new UsageError('give either --global-batch (sequences) or --batch-tokens, not both');
  if (options.price !== undefined && options.tokens === undefined) throw new UsageError('--price needs --tokens (the cost is for training that many tokens)');
}

export function parseZero(text: string): 0 | 1 | 2 | 3 {
  if (text === 'fsdp') return 3;
  if (text === '0' || text === '1' || text === '2' || text === '3') return Number(text) as 0 | 1 | 2 | 3;
  throw new InputError(`--zero: "${text}" must be 0, 1, 2, 3 or fsdp`);
}

export function layoutFromOptions(options: LayoutOptions): TrainingLayoutInput {
  const layout: TrainingLayoutInput = {};
  const size = (text: string, flag: string) => parseWholeNumber(text, flag, LIMITS.parallelSize);
  if (options.tp !== undefined) layout.tp = size(options.tp, '--tp');
  if (options.pp !== undefined) layout.pp = size(options.pp, '--pp');
  if (options.dp !== undefined) layout.dp = size(options.dp, '--dp');
  if (options.cp !== undefined) layout.cp = size(options.cp, '--cp');
  if (options.ep !== undefined) layout.ep = size(options.ep, '--ep');
  if (options.microbatch !== undefined) layout.microbatch = size(options.microbatch, '--microbatch');
  if (options.globalBatch !== undefined) layout.globalBatch = parseWholeNumber(options.globalBatch, '--global-batch', LIMITS.globalBatch);
  if (options.batchTokens !== undefined) layout.globalBatchTokens = parseCountValue(options.batchTokens, '--batch-tokens', LIMITS.batchTokens, 'tokens');
  if (options.interleave !== undefined) layout.interleave = parseWholeNumber(options.interleave, '--interleave', LIMITS.interleave);
  if (options.recompute !== undefined) layout.recompute = parseChoice<RecomputeMode>('--recompute', options.recompute, RECOMPUTE_MODES);
  if (options.zero !== undefined) layout.zero = parseZero(options.zero);
  if (options.precision !== undefined) layout.precision = parseChoice<Precision>('--precision', options.precision, PRECISIONS);
  if (options.commPrecision !== undefined) layout.commPrecision = parseChoice<Precision>('--comm-precision', options.commPrecision, PRECISIONS);
  if (options.sequenceParallel === false) layout.sequenceParallel = false;
  if (options.flashAttention === false) layout.flashAttention = false;
  if (options.recomputeLayers !== undefined) layout.recomputeLayers = parseWholeNumber(options.recomputeLayers, '--recompute-layers', LIMITS.layerCount);
  if (options.offloadLayers !== undefined) layout.offloadLayers = parseWholeNumber(options.offloadLayers, '--offload-layers', LIMITS.layerCount);
  if (options.recomputeModules !== undefined) layout.recomputeModules = parseRecomputeModules(options.recomputeModules);
  if (options.fp8ActivationCache !== undefined) layout.fp8ActivationCache = options.fp8ActivationCache;
  if (options.microbatchGroup !== undefined) layout.microbatchGroup = parseWholeNumber(options.microbatchGroup, '--microbatch-group', LIMITS.parallelSize);
  return layout;
}

/** "layernorm,mla_up_proj" (or "none") → the list; each name one of RECOMPUTE_MODULES. */
export function parseRecomputeModules(text: string): RecomputeModule[] {
  if (text === 'none') return [];
  return text.split(',').map((name) => parseChoice<RecomputeModule>('--recompute-modules', name.trim(), RECOMPUTE_MODULES));
}

export function overlapFromOptions(options: LayoutOptions): OverlapInput {
  const overlap: OverlapInput = {};
  if (options.overlapTp !== undefined) overlap.tp = parseFraction(options.overlapTp, '--overlap-tp');
  if (options.overlapDp !== undefined) overlap.dp = parseFraction(options.overlapDp, '--overlap-dp');
  if (options.overlapPp !== undefined) overlap.pp = parseFraction(options.overlapPp, '--overlap-pp');
  if (options.overlapEp !== undefined) overlap.ep = parseFraction(options.overlapEp, '--overlap-ep');
  if (options.overlapCp !== undefined) overlap.cp = parseFraction(options.overlapCp, '--overlap-cp');
  if (options.overlapOffload !== undefined) overlap.offload = parseFraction(options.overlapOffload, '--overlap-offload');
  if (options.overlapSlowdown !== undefined) overlap.slowdown = parseFraction(options.overlapSlowdown, '--overlap-slowdown', 10);
  return overlap;
}

/** Registers the layout, schedule, precision and overlap flags. */
export function addLayoutOptions(command: Command, forSearch = false): Command {
  const narrow = forSearch ? ' (with --best: fixes this axis of the search)' : '';
  return command
    .option('--tp <n>', `tensor-parallel size (default 1)${narrow}`)
    .option('--pp <n>', `pipeline-parallel size (default 1)${narrow}`)
    .option('--dp <n>', 'data-parallel size (default: gpus / (tp × pp × cp))')
    .option('--cp <n>', `context-parallel size (default 1)${narrow}`)
    .option('--ep <n>', `expert-parallel size, MoE (default 1)${narrow}`)
    .option('--microbatch <n>', `sequences per microbatch (default 1)${narrow}`)
    .option('--global-batch <n>', 'sequences per step (default: the model’s batch, else 4M tokens)')
    .option('--batch-tokens <count>', 'tokens per step instead of --global-batch (e.g. 4M)')
    .option('--interleave <v>', `interleaved pipeline chunks per GPU (default 1 = 1F1B)${narrow}`)
    .option('--recompute <mode>', `activation recompute: none (default with flash attention), selective (default without), full${narrow}`)
    .option('--zero <stage>', `ZeRO stage 0, 1 (default), 2, 3 or fsdp${narrow}`)
    .option('--precision <p>', 'GEMM precision: bf16 (default) or fp8')
    .option('--comm-precision <p>', 'activation communication precision: bf16 (default) or fp8')
    .option('--no-sequence-parallel', 'tensor parallelism without sequence parallelism')
    .option('--no-flash-attention', 'unfused attention (s × s scores in memory)')
    .option('--recompute-layers <n>', 'layers of each pipeline chunk that recompute (default: all; the rest keep their activations)')
    .option('--offload-layers <n>', 'layers of each pipeline chunk whose activations go to host memory (default 0)')
    .option('--recompute-modules <m>', `modules recomputed in backward, comma-separated: ${RECOMPUTE_MODULES.join(', ')}, or none (default: the profile's; not with --recompute full)`)
    .option('--fp8-activation-cache', 'DeepSeek-V3’s FP8 activation cache: MoE SwiGLU inputs in FP8, attention output in 12 bits (FP8 only; default: the profile’s)')
    .option('--no-fp8-activation-cache', 'no FP8 activation cache even if the profile keeps one')
    .option('--microbatch-group <n>', 'microbatches per group of the interleaved schedule (Megatron-Core microbatch_group_size_per_vp_stage; default pp)')
    .option('--overlap-tp <f>', 'fraction of TP communication hidden behind GEMMs (default: the profile’s; megatron-core (tp−1)/tp)')
    .option('--overlap-dp <f>', 'fraction of DP communication hidden behind backward/forward (default: the profile’s)')
    .option('--overlap-pp <f>', 'fraction of pipeline send/recv hidden (default: the profile’s; megatron-core 1 when interleaved)')
    .option('--overlap-ep <f>', 'fraction of expert all-to-all hidden (default: the profile’s)')
    .option('--overlap-cp <f>', 'fraction of context-parallel KV exchange hidden (default: the profile’s)')
    .option('--overlap-offload <f>', 'fraction of activation-offload copies hidden (default 1)')
    .option('--overlap-slowdown <x>', 'compute slowdown per second of hidden communication (default: the profile’s, 0.1)')
    .option('--tokens <count>', 'tokens to train, 1 to 10^18 (15T, 300B): prints time, GPU-hours and cost')
    .option('--price <dollars>', 'US$ per GPU-hour for the cost, > 0 and ≤ 10,000 (e.g. 2)')
    .option('--json', 'machine-readable output');
}

export function percent(x: number, digits = 1): string {
  return `${formatNumber(100 * x, digits)}%`;
}

/** Bytes in GiB (what HBM capacities are: an "80 GB" GPU holds 80 GiB). */
export function gib(bytes: number): string {
  return formatNumber(bytes / 2 ** 30, 1);
}

/** 1234567 → "1.23M"; 1.5e13 → "15.00T"; above 10^18 (beyond every input limit) "2.5e21", never "1e+285P". */
export function humanCount(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e18) return x.toExponential(1).replace('e+', 'e');
  const units: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, suffix] of units) if (Math.abs(x) >= scale) return `${formatNumber(x / scale, x / scale >= 100 ? 0 : 2)}${suffix}`;
  return formatNumber(x, 0);
}

export function describeLayout(p: TrainingPrediction): string {
  const l = p.layout;
  const parts = [`tp ${l.tp}`, `pp ${l.pp}`, `dp ${l.dp}`];
  if (l.cp > 1) parts.push(`cp ${l.cp}`);
  if (l.ep > 1) parts.push(`ep ${l.ep}`);
  const schedule = l.pp === 1 ? 'no pipeline' : l.interleave > 1 ? `interleaved 1F1B ×${l.interleave}` : '1F1B';
  const chunk = Math.ceil(p.model.layers / (l.pp * l.interleave));
  const layersText = (n: number) => `${n} layer${n === 1 ? '' : 's'}`;
  const partial = l.recompute !== 'none' && l.recomputeLayers < chunk ? ` (${layersText(l.recomputeLayers)} per chunk)` : '';
  const offload = l.offloadLayers > 0 ? `; ${layersText(Math.min(l.offloadLayers, chunk))} per chunk offloaded to host` : '';
  const modules = l.recomputeModules.length > 0 ? ` + ${l.recomputeModules.join(', ')}` : '';
  const group = l.interleave > 1 && l.microbatchGroup !== l.pp ? `, groups of ${l.microbatchGroup}` : '';
  const cache = l.fp8ActivationCache ? '; FP8 activation cache' : '';
  return `${parts.join(' × ')}; microbatch ${l.microbatch}, ${p.microbatches} per pipeline, ${schedule}${group}; recompute ${l.recompute}${partial}${modules}${offload}; ZeRO-${l.zero}; ${l.precision.toUpperCase()}${cache}`;
}

/** Compact one-cell layout: "tp8 pp4 dp32 mb1 v1 sel z1". */
export function shortLayout(p: TrainingPrediction): string {
  const l = p.layout;
  const parts = [`tp${l.tp}`, `pp${l.pp}`, `dp${l.dp}`];
  if (l.cp > 1) parts.push(`cp${l.cp}`);
  if (l.ep > 1) parts.push(`ep${l.ep}`);
  parts.push(`mb${l.microbatch}`);
  if (l.interleave > 1) parts.push(`v${l.interleave}`);
  parts.push(l.recompute === 'none' ? 'no-rc' : l.recompute === 'selective' ? 'sel-rc' : 'full-rc');
  parts.push(`z${l.zero}`);
  return parts.join(' ');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 120) return `${formatNumber(seconds, 2)} s`;
  if (seconds < 7200) return `${formatNumber(seconds / 60, 1)} min`;
  if (seconds < 2 * 86400) return `${formatNumber(seconds / 3600, 1)} h`;
  if (seconds < 2 * YEAR_S) return `${formatNumber(seconds / 86400, 1)} days`;
  const years = seconds / YEAR_S;
  return `${years < 1000 ? formatNumber(years, 1) : humanCount(years)} years`;
}

const YEAR_S = 365.25 * 86400;

export function renderPrediction(p: TrainingPrediction, clusterLabel: string): string {
  const b = p.breakdown;
  const share = (x: number) => percent(x / p.stepS);
  const rows: [string, number][] = [
    ['compute (incl. recompute)', b.computeS],
    ['exposed TP comm', b.tpS],
    ['exposed CP comm', b.cpS],
    ['exposed EP all-to-all', b.epS],
    ['exposed DP comm', b.dpS],
    ['exposed PP send/recv', b.ppS],
    ['pipeline bubble', b.bubbleS],
    ['optimizer step', b.optimizerS],
    ['overlap slowdown', b.slowdownS],
    ['exposed offload copies', b.offloadS],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    `${p.model.name} (${humanCount(p.model.totalParams)} parameters${p.model.activeParams < p.model.totalParams ? `, ${humanCount(p.model.activeParams)} active` : ''}) on ${p.gpus} GPUs of ${clusterLabel}`,
    `  layout      ${describeLayout(p)}`,
    `  profile     ${p.profile}: overlap TP ${formatNumber(p.overlap.tp, 3)}, DP ${formatNumber(p.overlap.dp, 3)}, PP ${formatNumber(p.overlap.pp, 3)}, EP ${formatNumber(
      p.overlap.ep,
      3,
    )}, CP ${formatNumber(p.overlap.cp, 3)}; ${p.framework.gradientBytes === 4 ? 'fp32' : 'BF16'} gradients; ${p.framework.fusedKernels ? 'fused' : 'eager'} kernels; ${p.framework.attentionKernel} attention; launch ${formatNumber(
      p.framework.launchOverheadUs,
      1,
    )} µs`,
    `  batch       ${p.layout.globalBatch} sequences = ${humanCount(p.tokensPerStep)} tokens per step`,
    `  step        ${formatNumber(p.stepS, 3)} s   MFU ${percent(p.mfu)}   HFU ${percent(p.hfu)}`,
    `  throughput  ${humanCount(p.tokensPerS)} tokens/s total, ${formatNumber(p.tokensPerSPerGpu, 1)} tokens/s per GPU`,
    '  breakdown (critical pipeline stage)',
    ...rows.map(([name, value]) => `    ${name.padEnd(width)}  ${formatNumber(value, 3).padStart(10)} s  ${share(value).padStart(6)}`),
    `  memory/GPU  ${gib(p.memory.totalBytes)} GiB of ${gib(p.memory.usableBytes)} GiB usable (${gib(p.memory.capacityBytes)} GiB): weights ${gib(
      p.memory.weightBytes,
    )}, gradients ${gib(p.memory.gradientBytes)}, optimizer ${gib(p.memory.optimizerBytes)}, activations ${gib(p.memory.activationBytes)}${
      p.memory.offloadedBytes > 0 ? ` (+ ${gib(p.memory.offloadedBytes)} GiB in host memory)` : ''
    }`,
    `  feasible    ${p.feasible ? 'yes' : `NO: ${p.status}`}`,
  ];
  if (p.training) {
    const t = p.training;
    lines.push(
      `  training    ${humanCount(t.tokens)} tokens: ${formatDuration(t.timeS)} (${humanCount(t.steps)} steps), ${humanCount(t.gpuHours)} GPU-hours${
        t.cost !== undefined ? `, $${humanCount(t.cost)} at $${t.pricePerGpuHour}/GPU-hour` : ''
      }`,
    );
  }
  return lines.join('\n');
}
