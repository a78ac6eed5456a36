/**
 * Resolution of typed training requests into packed rows: model, cluster and chip, GPU count, layout with
 * defaults, overlap parameters. Every error is a LinkcapInputError naming the field and the allowed range.
 */
import type { ClusterParams } from '../model/cluster-params.js';
import { checkGpuCount, normaliseCluster, type ClusterLike } from '../api/cluster-input.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { DEFAULT_OVERLAP } from './calibration.js';
import { chipParams, validateChipParams, type ChipParams, type ChipRates } from './chip.js';
import { L, LAYOUT_FIELD_COUNT, PRECISIONS, RECOMPUTE_MODES, W, type Precision, type RecomputeMode } from './fields.js';
import { describeProblem, layoutProblem } from './layout.js';
import { resolveModel } from './models.js';
import { G, GROUP_FIELDS, placeGroups } from './placement.js';
import type { Workload, WorkloadSpec } from './workload.js';

/** Tokens per global batch when neither the request nor the model preset gives one (2^22 ≈ 4.2M). */
export const DEFAULT_BATCH_TOKENS = 4_194_304;

/** A chip as the catalog describes it (ChipSpec): rates as Figures ({ value, source }) or plain numbers. */
export interface ChipSpecLike {
  id?: string;
  name?: string;
  bf16Tflops?: unknown;
  fp8Tflops?: unknown;
  memoryGB?: unknown;
  memoryTBps?: unknown;
}

/** A cluster: its numeric parameters and, from the catalog, its chip. */
export interface TrainingCluster extends ClusterLike {
  name?: string;
  chip?: ChipSpecLike;
}

export interface TrainingLayoutInput {
  tp?: number;
  pp?: number;
  /** Derived from gpus / (tp × pp × cp) when absent. */
  dp?: number;
  ep?: number;
  cp?: number;
  microbatch?: number;
  /** Sequences per step. */
  globalBatch?: number;
  /** Tokens per step (rounded to whole sequences that fill microbatch × dp); used when globalBatch is absent. */
  globalBatchTokens?: number;
  interleave?: number;
  recompute?: RecomputeMode;
  zero?: 0 | 1 | 2 | 3 | 'fsdp';
  precision?: Precision;
  commPrecision?: Precision;
  sequenceParallel?: boolean;
  flashAttention?: boolean;
}

export interface OverlapInput {
  tp?: number;
  dp?: number;
  pp?: number;
  ep?: number;
  cp?: number;
  slowdown?: number;
}

/** A layout with every default filled, in names users read. */
export interface TrainingLayout {
  tp: number;
  pp: number;
  dp: number;
  ep: number;
  cp: number;
  microbatch: number;
  globalBatch: number;
  interleave: number;
  recompute: RecomputeMode;
  zero: 0 | 1 | 2 | 3;
  precision: Precision;
  commPrecision: Precision;
  sequenceParallel: boolean;
  flashAttention: boolean;
}

export type Overlap = Required<OverlapInput>;

export interface ResolvedContext {
  workload: Workload;
  cluster: TrainingCluster & { params: ClusterParams };
  clusterId: string;
  chip: ChipParams;
  gpus: number;
}

/** A catalog Figure ({ value, source }) or a plain number; undefined when absent or not known (null). */
function figureValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value !== null && typeof value === 'object' && 'value' in value) {
    const inner = (value as { value: unknown }).value;
    if (typeof inner === 'number' && Number.isFinite(inner)) return inner;
  }
  return undefined;
}

/**
 * Chip rates from a catalog chip (ChipSpec: bf16Tflops, fp8Tflops, memoryGB, memoryTBps as Figures) or from
 * plain numbers under the same names.
 */
export function chipRatesFromSpec(chip: ChipSpecLike, label = 'chip'): ChipRates {
  const bf16 = figureValue(chip.bf16Tflops);
  const fp8 = figureValue(chip.fp8Tflops);
  const memoryGB = figureValue(chip.memoryGB);
  const memoryTBps = figureValue(chip.memoryTBps);
  const name = chip.id ? `${label} ${chip.id}` : label;
  if (bf16 === undefined) throw new LinkcapInputError(`${name}.bf16Tflops`, 'not known: the training model needs the dense BF16 TFLOP/s');
  if (memoryGB === undefined) throw new LinkcapInputError(`${name}.memoryGB`, 'not known: the training model needs the memory capacity');
  if (memoryTBps === undefined) throw new LinkcapInputError(`${name}.memoryTBps`, 'not known: the training model needs the memory bandwidth');
  return { bf16Tflops: bf16, fp8Tflops: fp8 ?? 0, memoryGB, memoryTBps };
}

function resolveChip(chip: ChipParams | ChipRates | undefined, cluster: TrainingCluster): ChipParams {
  if (chip !== undefined) {
    if (chip === null || typeof chip !== 'object') throw new LinkcapInputError('chip', 'must be chip rates { bf16Tflops, memoryGB, memoryTBps, … }');
    if ('peakBf16Flops' in chip) {
      validateChipParams(chip);
      return chip;
    }
    return chipParams(chip as ChipRates);
  }
  if (cluster.chip) return chipParams(chipRatesFromSpec(cluster.chip));
  throw new LinkcapInputError('chip', `required: the cluster${cluster.id ? ` ${cluster.id}` : ''} does not name a chip`);
}

export function resolveContext(request: {
  model: string | WorkloadSpec | Workload;
  cluster: TrainingCluster | ClusterParams;
  chip?: ChipParams | ChipRates;
  gpus: number;
}): ResolvedContext {
  if (request === null || typeof request !== 'object') throw new LinkcapInputError('request', 'must be an object');
  if (request.model === undefined) throw new LinkcapInputError('model', 'required: a preset id, a YAML/JSON file or a model object');
  if (request.cluster === undefined) throw new LinkcapInputError('cluster', 'required: a catalog cluster or cluster parameters');
  const workload = resolveModel(request.model);
  const cluster = normaliseCluster(request.cluster) as TrainingCluster & { params: ClusterParams };
  const chip = resolveChip(request.chip, cluster);
  const gpus = checkGpuCount(cluster, request.gpus, 1);
  return { workload, cluster, clusterId: cluster.id ?? 'custom', chip, gpus };
}

function size(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 24) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be a whole number from 1 to ${1 << 24}`);
  }
  return value;
}

function pick<T extends string | number>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new LinkcapInputError(field, `${describeValue(value)}: must be one of ${allowed.join(', ')}`);
  return value as T;
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new LinkcapInputError(field, `${describeValue(value)}: must be true or false`);
  return value;
}

/** Sequences per step from an explicit count, a token count, the model's own batch or the default. */
export function resolveGlobalBatch(workload: Workload, input: { globalBatch?: number; globalBatchTokens?: number }, multiple: number): number {
  if (input.globalBatch !== undefined) return size('globalBatch', input.globalBatch, 1);
  const seq = workload.row[W.seqLen];
  let tokens = input.globalBatchTokens;
  if (tokens !== undefined && (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < seq)) {
    throw new LinkcapInputError('globalBatchTokens', `${describeValue(tokens)}: must be a number of tokens ≥ the sequence length ${seq}`);
  }
  tokens ??= workload.globalBatchTokens ?? DEFAULT_BATCH_TOKENS;
  const sequences = tokens / seq;
  return Math.max(multiple, Math.round(sequences / multiple) * multiple);
}

/** Fills the layout's defaults; dp follows from the GPU count. */
export function resolveLayout(context: ResolvedContext, input: TrainingLayoutInput = {}): TrainingLayout {
  if (input === null || typeof input !== 'object') throw new LinkcapInputError('layout', 'must be an object { tp, pp, … }');
  const tp = size('tp', input.tp, 1);
  const pp = size('pp', input.pp, 1);
  const cp = size('cp', input.cp, 1);
  const ep = size('ep', input.ep, 1);
  const model = tp * pp * cp;
  if (context.gpus % model !== 0) {
    throw new LinkcapInputError('gpus', `${context.gpus}: must be a multiple of tp × pp × cp = ${tp} × ${pp} × ${cp} = ${model}`);
  }
  const dp = size('dp', input.dp, context.gpus / model);
  if (dp * model !== context.gpus) {
    throw new LinkcapInputError('dp', `${dp}: tp × pp × cp × dp must equal gpus (${context.gpus}); dp = ${context.gpus / model}`);
  }
  const microbatch = size('microbatch', input.microbatch, 1);
  const interleave = size('interleave', input.interleave, 1);
  const multiple = microbatch * dp * (interleave > 1 ? pp : 1);
  const globalBatch = resolveGlobalBatch(context.workload, input, multiple);
  const zeroInput = input.zero === 'fsdp' ? 3 : input.zero;
  return {
    tp,
    pp,
    dp,
    ep,
    cp,
    microbatch,
    globalBatch,
    interleave,
    recompute: pick('recompute', input.recompute, RECOMPUTE_MODES, 'selective'),
    zero: pick('zero', zeroInput, [0, 1, 2, 3] as const, 1),
    precision: pick('precision', input.precision, PRECISIONS, 'bf16'),
    commPrecision: pick('commPrecision', input.commPrecision, PRECISIONS, 'bf16'),
    sequenceParallel: flag('sequenceParallel', input.sequenceParallel, true),
    flashAttention: flag('flashAttention', input.flashAttention, true),
  };
}

function fraction(field: string, value: unknown, fallback: number, max = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= max)) throw new LinkcapInputError(field, `${describeValue(value)}: must be a number from 0 to ${max}`);
  return value;
}

export function resolveOverlap(input: OverlapInput = {}): Overlap {
  if (input === null || typeof input !== 'object') throw new LinkcapInputError('overlap', 'must be an object { tp, dp, pp, ep, cp, slowdown }');
  return {
    tp: fraction('overlap.tp', input.tp, DEFAULT_OVERLAP.tp),
    dp: fraction('overlap.dp', input.dp, DEFAULT_OVERLAP.dp),
    pp: fraction('overlap.pp', input.pp, DEFAULT_OVERLAP.pp),
    ep: fraction('overlap.ep', input.ep, DEFAULT_OVERLAP.ep),
    cp: fraction('overlap.cp', input.cp, DEFAULT_OVERLAP.cp),
    slowdown: fraction('overlap.slowdown', input.slowdown, DEFAULT_OVERLAP.slowdown, 10),
  };
}

/** Writes one layout row (row indices: workload, chip, cluster). */
export function writeLayout(layouts: Float64Array, row: number, indices: [number, number, number], layout: TrainingLayout, overlap: Overlap): void {
  const o = row * LAYOUT_FIELD_COUNT;
  layouts[o + L.workload] = indices[0];
  layouts[o + L.chip] = indices[1];
  layouts[o + L.cluster] = indices[2];
  layouts[o + L.tp] = layout.tp;
  layouts[o + L.pp] = layout.pp;
  layouts[o + L.dp] = layout.dp;
  layouts[o + L.ep] = layout.ep;
  layouts[o + L.cp] = layout.cp;
  layouts[o + L.microbatch] = layout.microbatch;
  layouts[o + L.globalBatch] = layout.globalBatch;
  layouts[o + L.interleave] = layout.interleave;
  layouts[o + L.recompute] = RECOMPUTE_MODES.indexOf(layout.recompute);
  layouts[o + L.zero] = layout.zero;
  layouts[o + L.precision] = PRECISIONS.indexOf(layout.precision);
  layouts[o + L.commPrecision] = PRECISIONS.indexOf(layout.commPrecision);
  layouts[o + L.sequenceParallel] = layout.sequenceParallel ? 1 : 0;
  layouts[o + L.flashAttention] = layout.flashAttention ? 1 : 0;
  layouts[o + L.tpOverlap] = overlap.tp;
  layouts[o + L.dpOverlap] = overlap.dp;
  layouts[o + L.ppOverlap] = overlap.pp;
  layouts[o + L.epOverlap] = overlap.ep;
  layouts[o + L.cpOverlap] = overlap.cp;
  layouts[o + L.overlapSlowdown] = overlap.slowdown;
}

/** Reads a layout row back into names. */
export function readLayout(layouts: Float64Array, row: number): TrainingLayout {
  const o = row * LAYOUT_FIELD_COUNT;
  return {
    tp: layouts[o + L.tp],
    pp: layouts[o + L.pp],
    dp: layouts[o + L.dp],
    ep: layouts[o + L.ep],
    cp: layouts[o + L.cp],
    microbatch: layouts[o + L.microbatch],
    globalBatch: layouts[o + L.globalBatch],
    interleave: layouts[o + L.interleave],
    recompute: RECOMPUTE_MODES[layouts[o + L.recompute]],
    zero: layouts[o + L.zero] as 0 | 1 | 2 | 3,
    precision: PRECISIONS[layouts[o + L.precision]],
    commPrecision: PRECISIONS[layouts[o + L.commPrecision]],
    sequenceParallel: layouts[o + L.sequenceParallel] === 1,
    flashAttention: layouts[o + L.flashAttention] === 1,
  };
}

const GROUP_NAMES: [number, string, (l: TrainingLayout) => string][] = [
  [G.tpG, 'tp', (l) => `the TP group (${l.tp} ranks)`],
  [G.cpG, 'cp', (l) => `the CP group (${l.cp} ranks, stride ${l.tp})`],
  [G.dpG, 'dp', (l) => `the DP group (${l.cp * l.dp} ranks, stride ${l.tp})`],
  [G.epG, 'ep', (l) => `the EP group (${l.ep} ranks)`],
  [G.edpG, 'ep', (l) => `the expert-DP group (${(l.tp * l.cp * l.dp) / l.ep} ranks, stride ${l.ep})`],
  [G.ppG, 'pp', (l) => `the pipeline (stage stride ${l.tp * l.cp * l.dp})`],
];

/**
 * Throws a LinkcapInputError when the layout row breaks a rule, naming the field and the allowed range.
 * Used by the typed API before evaluating; the batch path reports the same rules as status codes.
 */
export function checkLayoutRow(context: ResolvedContext, layouts: Float64Array, chips: Float64Array, layout: TrainingLayout): void {
  const problem = layoutProblem(context.workload.row, 0, chips, 0, layouts, 0);
  if (problem !== 0) {
    const { field, message } = describeProblem(problem, context.workload.row, 0, layouts, 0);
    throw new LinkcapInputError(field, message);
  }
  const groups = new Float64Array(GROUP_FIELDS);
  if (!placeGroups(context.cluster.params.gpusPerDomain, layout.tp, layout.cp, layout.dp, layout.pp, layout.ep, groups)) {
    const domain = context.cluster.params.gpusPerDomain;
    const bad = GROUP_NAMES.find(([at]) => groups[at] === 0);
    const [, field, what] = bad ?? [0, 'layout', () => 'a group'];
    throw new LinkcapInputError(
      field,
      `${what(layout)} cannot be placed uniformly on domains of ${domain} GPUs${context.cluster.id ? ` (${context.cluster.id})` : ''}: group sizes and strides must divide the domain or be multiples of it`,
    );
  }
}
