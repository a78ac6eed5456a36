/**
 * searchLayouts: enumerates the parallel layouts of a model on a cluster for a fixed GPU count and global
 * batch, evaluates them in batches through the engine, and keeps the fastest feasible ones. Layouts that do
 * not fit in memory are counted and the fastest of them reported as infeasible, never silently dropped.
 *
 * Enumerated (each list can be narrowed by `space`):
 *   tp        divisors of the GPU count up to the domain size that divide the heads (TP across domains is
 *             never competitive: pruned)
 *   cp        1, and 2, 4, 8 where the sequence splits into shards of ≥ 1024 tokens
 *   pp        divisors of gpus / (tp · cp) up to the layer count
 *   dp        the rest: gpus / (tp · cp · pp)
 *   ep        1 (dense) or every divisor of the routed experts that divides tp · cp · dp
 *   microbatch 1, 2, 4, 8 dividing the sequences per DP rank
 *   interleave 1, and 2, 3, 4, 6 chunks when pp > 1
 *   recompute none, selective, full (selective is skipped with flash attention, where it equals none)
 *   zero      the stages the profile's framework offers (megatron-core: 0, 1; torchtitan-fsdp2: 3; …)
 * Overlap fractions follow the profile for each layout (e.g. TP overlap (t − 1)/t with ring-decomposed
 * userbuffers), never perfect overlap unless the profile is `ideal` or the request says so.
 * Rules the layout breaks (layout.ts) or groups that cannot be placed are counted as invalid.
 */
import type { ClusterParams } from '../model/cluster-params.js';
import type { EnginePreference } from '../engine/engine.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import type { ChipParams, ChipRates } from './chip.js';
import { getTrainingEngine } from './engine.js';
import { ATTENTION_KERNELS, L, LAYOUT_FIELD_COUNT, O, OUTPUT_FIELD_COUNT, PRECISIONS, RECOMPUTE_MODES, TrainingStatus, W, type Precision, type RecomputeMode, type RecomputeModule } from './fields.js';
import { allocateLayouts, allocateTrainingOutputs } from './packing.js';
import { decodePrediction, packContext, type TrainingPrediction } from './predict.js';
import {
  checkLayoutRow,
  checkOverlapInput,
  readLayout,
  readOverlap,
  recomputeModuleMask,
  resolveContext,
  resolveFramework,
  resolveGlobalBatch,
  resolveLayout,
  resolveOverlap,
  type FrameworkInput,
  type OverlapInput,
  type ResolvedContext,
  type TrainingCluster,
} from './request.js';
import { resolveProfile, type ProfileId } from './profiles.js';
import type { Workload, WorkloadSpec } from './workload.js';

export interface SearchSpace {
  tp?: number[];
  pp?: number[];
  cp?: number[];
  ep?: number[];
  microbatch?: number[];
  interleave?: number[];
  recompute?: RecomputeMode[];
  zero?: (0 | 1 | 2 | 3)[];
}

export interface SearchRequest {
  model: string | WorkloadSpec | Workload;
  cluster: TrainingCluster | ClusterParams;
  chip?: ChipParams | ChipRates;
  gpus: number;
  /** Sequences per step (default: the model's batch, else 2^22 tokens). */
  globalBatch?: number;
  globalBatchTokens?: number;
  space?: SearchSpace;
  precision?: Precision;
  commPrecision?: Precision;
  flashAttention?: boolean;
  sequenceParallel?: boolean;
  /** Implementation profile (default megatron-core): overlap fractions, ZeRO stages tried, framework costs. */
  profile?: ProfileId;
  /** Overrides of the profile's overlap fractions, applied to every layout. */
  overlap?: OverlapInput;
  framework?: FrameworkInput;
  /** Layers per pipeline chunk that use the recompute mode (default all), for every layout tried. */
  recomputeLayers?: number;
  /** Layers per pipeline chunk whose activations are offloaded to host memory (default 0), for every layout. */
  offloadLayers?: number;
  /** Modules recomputed in backward (default: the profile's), for every layout that does not recompute in full. */
  recomputeModules?: RecomputeModule[];
  /** DeepSeek-V3's FP8 activation cache (default: the profile's in FP8 runs). */
  fp8ActivationCache?: boolean;
  /** Microbatches per group of the interleaved schedule (default pp). */
  microbatchGroup?: number;
  /** How many layouts to return (default 5). */
  top?: number;
  tokens?: number;
  pricePerGpuHour?: number;
  engine?: EnginePreference;
}

export interface SearchResult {
  model: string;
  /** The implementation profile whose defaults every layout used. */
  profile: ProfileId;
  cluster: string;
  gpus: number;
  globalBatch: number;
  /** Configurations evaluated, and how they came out. */
  evaluated: number;
  feasible: number;
  outOfMemory: number;
  invalid: number;
  /** Fastest feasible layouts first, one per (tp, pp, dp, ep, cp, microbatch, interleave). */
  best: TrainingPrediction[];
  /** Layouts faster than the best feasible one that do not fit in memory (status 'out of memory'). */
  fastestInfeasible: TrainingPrediction[];
  /**
   * Why no layout could be priced, when none was valid (feasible and outOfMemory both 0): the constraint that left
   * nothing to evaluate, or the rule the evaluated layouts break. Absent otherwise.
   */
  noLayoutReason?: string;
}

const CHUNK = 16_384;

/** The divisors of n in ascending order, from its prime factorisation (trial division to √n: fast up to 2^53). */
export function divisors(n: number): number[] {
  let out = [1];
  let rest = n;
  const addPower = (prime: number, exponent: number) => {
    const next: number[] = [];
    for (const d of out) for (let k = 0, m = d; k <= exponent; k += 1, m *= prime) next.push(m);
    out = next;
  };
  for (let prime = 2; prime * prime <= rest; prime += prime === 2 ? 1 : 2) {
    let exponent = 0;
    while (rest % prime === 0) {
      rest /= prime;
      exponent += 1;
    }
    if (exponent > 0) addPower(prime, exponent);
  }
  if (rest > 1) addPower(rest, 1);
  return out.sort((a, b) => a - b);
}

function listOption<T extends number | string>(field: string, values: unknown, check: (v: unknown) => boolean, allowed: string): T[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length === 0 || !values.every(check)) {
    throw new LinkcapInputError(`space.${field}`, `${describeValue(values)}: must be a non-empty list of ${allowed}`);
  }
  return values as T[];
}

const isSize = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1 << 24;

interface Candidate {
  key: string;
  stepS: number;
  layout: Float64Array;
  output: Float64Array;
}

/** Keeps the `limit` fastest candidates, one per key. */
class TopList {
  readonly items: Candidate[] = [];
  constructor(private readonly limit: number) {}

  worst(): number {
    return this.items.length < this.limit ? Infinity : this.items[this.items.length - 1].stepS;
  }

  offer(layouts: Float64Array, outputs: Float64Array, row: number): void {
    const stepS = outputs[row * OUTPUT_FIELD_COUNT + O.stepS];
    if (!(stepS < this.worst())) {
      if (this.items.length >= this.limit) return;
    }
    const lo = row * LAYOUT_FIELD_COUNT;
    const key = [L.tp, L.pp, L.dp, L.ep, L.cp, L.microbatch, L.interleave].map((f) => layouts[lo + f]).join(',');
    const existing = this.items.findIndex((item) => item.key === key);
    if (existing >= 0) {
      if (this.items[existing].stepS <= stepS) return;
      this.items.splice(existing, 1);
    }
    const candidate = {
      key,
      stepS,
      layout: layouts.slice(lo, lo + LAYOUT_FIELD_COUNT),
      output: outputs.slice(row * OUTPUT_FIELD_COUNT, (row + 1) * OUTPUT_FIELD_COUNT),
    };
    let at = this.items.findIndex((item) => item.stepS > stepS);
    if (at < 0) at = this.items.length;
    this.items.splice(at, 0, candidate);
    if (this.items.length > this.limit) this.items.pop();
  }
}

/** The enumerated lists for one search (defaults narrowed by `space`). */
function searchAxes(context: ResolvedContext, space: SearchSpace, flash: boolean) {
  const w = context.workload.row;
  const gpus = context.gpus;
  const domain = context.cluster.params.gpusPerDomain;
  const heads = w[W.heads];
  const seq = w[W.seqLen];
  const tp =
    listOption<number>('tp', space.tp, isSize, 'whole numbers ≥ 1') ??
    divisors(gpus).filter((t) => t <= Math.min(domain, gpus) && heads % t === 0 && (domain % t === 0 || t % domain === 0));
  const cp = listOption<number>('cp', space.cp, isSize, 'whole numbers ≥ 1') ?? [1, 2, 4, 8].filter((c) => c === 1 || (seq % c === 0 && seq / c >= 1024));
  const pp = listOption<number>('pp', space.pp, isSize, 'whole numbers ≥ 1');
  const ep = listOption<number>('ep', space.ep, isSize, 'whole numbers ≥ 1');
  const microbatch = listOption<number>('microbatch', space.microbatch, isSize, 'whole numbers ≥ 1') ?? [1, 2, 4, 8];
  const interleave = listOption<number>('interleave', space.interleave, isSize, 'whole numbers ≥ 1') ?? [1, 2, 3, 4, 6];
  const recompute =
    listOption<RecomputeMode>('recompute', space.recompute, (v) => RECOMPUTE_MODES.includes(v as RecomputeMode), RECOMPUTE_MODES.join(', ')) ??
    (flash ? (['none', 'full'] as RecomputeMode[]) : [...RECOMPUTE_MODES]);
  const zero = listOption<0 | 1 | 2 | 3>('zero', space.zero, (v) => v === 0 || v === 1 || v === 2 || v === 3, '0, 1, 2, 3') ?? context.profile.zeroStages;
  return { tp, cp, pp, ep, microbatch, interleave, recompute, zero };
}

/**
 * How far the enumeration got, for explaining an empty search: layouts that passed each stage, and the smallest
 * data-parallel size that reached the batch split.
 */
interface Funnel {
  tpCp: number;
  pp: number;
  ep: number;
  batch: number;
  minDp: number;
}

/** Every layout of the search, in a fixed order; `emit` receives each as a filled row of `row`. */
function enumerate(
  context: ResolvedContext,
  axes: ReturnType<typeof searchAxes>,
  globalBatch: number,
  overlap: OverlapInput,
  emit: (fill: (row: Float64Array, o: number) => void) => void,
  funnel: Funnel = { tpCp: 0, pp: 0, ep: 0, batch: 0, minDp: Infinity },
): void {
  const w = context.workload.row;
  const gpus = context.gpus;
  const layers = w[W.layers];
  const experts = w[W.experts];
  for (const t of axes.tp) {
    for (const c of axes.cp) {
      if (gpus % (t * c) !== 0) continue;
      funnel.tpCp += 1;
      const rest = gpus / (t * c);
      const pps = (axes.pp ?? divisors(rest).filter((p) => p <= layers)).filter((p) => rest % p === 0);
      for (const p of pps) {
        funnel.pp += 1;
        const d = rest / p;
        const eps = axes.ep ?? (experts > 0 ? divisors(experts).filter((e) => (t * c * d) % e === 0) : [1]);
        for (const e of eps) {
          funnel.ep += 1;
          funnel.minDp = Math.min(funnel.minDp, d);
          for (const b of axes.microbatch) {
            if (globalBatch % (b * d) !== 0) continue;
            funnel.batch += 1;
            const m = globalBatch / (b * d);
            for (const v of axes.interleave) {
              if (v > 1 && (p === 1 || layers < p * v || m % p !== 0)) continue;
              // The profile's overlap fractions for this layout (they depend on tp, interleave and ep).
              const f = resolveOverlap(overlap, context.profile, w, { tp: t, interleave: v, ep: e });
              for (const recompute of axes.recompute) {
                for (const zero of axes.zero) {
                  emit((row, o) => {
                    row[o + L.tp] = t;
                    row[o + L.pp] = p;
                    row[o + L.dp] = d;
                    row[o + L.ep] = e;
                    row[o + L.cp] = c;
                    row[o + L.microbatch] = b;
                    row[o + L.globalBatch] = globalBatch;
                    row[o + L.interleave] = v;
                    row[o + L.recompute] = RECOMPUTE_MODES.indexOf(recompute);
                    row[o + L.zero] = zero;
                    row[o + L.tpOverlap] = f.tp;
                    row[o + L.dpOverlap] = f.dp;
                    row[o + L.ppOverlap] = f.pp;
                    row[o + L.epOverlap] = f.ep;
                    row[o + L.cpOverlap] = f.cp;
                    row[o + L.offloadOverlap] = f.offload;
                    row[o + L.overlapSlowdown] = f.slowdown;
                  });
                }
              }
            }
          }
        }
      }
    }
  }
}

const list = (values: readonly number[]) => (values.length === 1 ? String(values[0]) : `{${values.join(', ')}}`);

/** Why an enumeration produced no layout at all, from how far it got. */
function explainEmpty(context: ResolvedContext, axes: ReturnType<typeof searchAxes>, globalBatch: number, funnel: Funnel): string {
  const gpus = context.gpus;
  const layers = context.workload.row[W.layers];
  if (funnel.tpCp === 0) return `no tensor-parallel size tp ∈ ${list(axes.tp)} times context-parallel size cp ∈ ${list(axes.cp)} divides the ${gpus} GPUs`;
  if (funnel.pp === 0) {
    return axes.pp
      ? `no pipeline size pp ∈ ${list(axes.pp)} divides the GPUs left after tp × cp (${gpus} GPUs)`
      : `no pipeline size up to the model's ${layers} layers divides the GPUs left after tp × cp (${gpus} GPUs)`;
  }
  if (funnel.ep === 0) return `no expert-parallel size ep${axes.ep ? ` ∈ ${list(axes.ep)}` : ''} divides both the routed experts and tp × cp × dp`;
  if (funnel.batch === 0) {
    return (
      `the global batch of ${globalBatch} sequences cannot be split over the data-parallel ranks: it must be a multiple of ` +
      `microbatch × dp, and dp is at least ${funnel.minDp} here (${gpus} GPUs ÷ tp × cp × pp); raise the global batch or use fewer GPUs`
    );
  }
  return `the interleaved schedule (interleave ∈ ${list(axes.interleave)}) needs pp > 1, pp × interleave ≤ ${layers} layers and microbatches per pipeline divisible by pp`;
}

interface PreparedSearch {
  context: ResolvedContext;
  overlap: OverlapInput;
  framework: ReturnType<typeof resolveFramework>;
  globalBatch: number;
  axes: ReturnType<typeof searchAxes>;
  /**
   * Writes the fields every configuration of the search shares (row indices 0, precision, flags, framework),
   * after the layout's own fields (recomputed modules apply only where the layout does not recompute in full).
   */
  constant: (row: Float64Array, o: number) => void;
}

function prepareSearch(request: SearchRequest): PreparedSearch {
  const context = resolveContext(request);
  const overlap = checkOverlapInput(request.overlap);
  const framework = resolveFramework(request.framework, context.profile);
  const precision = request.precision ?? 'bf16';
  const commPrecision = request.commPrecision ?? 'bf16';
  if (!PRECISIONS.includes(precision)) throw new LinkcapInputError('precision', `${describeValue(precision)}: must be bf16 or fp8`);
  if (!PRECISIONS.includes(commPrecision)) throw new LinkcapInputError('commPrecision', `${describeValue(commPrecision)}: must be bf16 or fp8`);
  if (precision === 'fp8' && !(context.chip.peakFp8Flops > 0)) throw new LinkcapInputError('precision', 'fp8: the chip has no FP8 rate; use bf16');
  const flash = request.flashAttention ?? true;
  const sp = request.sequenceParallel ?? true;
  if (typeof flash !== 'boolean') throw new LinkcapInputError('flashAttention', `${describeValue(flash)}: must be true or false`);
  if (typeof sp !== 'boolean') throw new LinkcapInputError('sequenceParallel', `${describeValue(sp)}: must be true or false`);
  const space = request.space ?? {};
  if (space === null || typeof space !== 'object') throw new LinkcapInputError('space', 'must be an object of lists { tp, pp, … }');
  const globalBatch = resolveGlobalBatch(context.workload, request, 1);
  const axes = searchAxes(context, space, flash);
  const layerCount = (field: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1 << 24) {
      throw new LinkcapInputError(field, `${describeValue(value)}: must be a whole number from 0 to ${1 << 24}`);
    }
    return value;
  };
  const recomputeLayers = layerCount('recomputeLayers', request.recomputeLayers, context.workload.row[W.layers]);
  const offloadLayers = layerCount('offloadLayers', request.offloadLayers, 0);
  // The same defaults and checks as predictTraining (resolveLayout); the group stays 0 (= each layout's pp).
  const extras = resolveLayout(context, {
    precision,
    recomputeModules: request.recomputeModules,
    fp8ActivationCache: request.fp8ActivationCache,
  });
  const modules = recomputeModuleMask(extras.recomputeModules);
  const group = request.microbatchGroup === undefined ? 0 : layerCount('microbatchGroup', request.microbatchGroup, 0);
  const constant = (row: Float64Array, o: number) => {
    row[o + L.workload] = 0;
    row[o + L.chip] = 0;
    row[o + L.cluster] = 0;
    row[o + L.precision] = PRECISIONS.indexOf(precision);
    row[o + L.commPrecision] = PRECISIONS.indexOf(commPrecision);
    row[o + L.sequenceParallel] = sp ? 1 : 0;
    row[o + L.flashAttention] = flash ? 1 : 0;
    row[o + L.gradientBytes] = framework.gradientBytes;
    row[o + L.recomputeLayers] = recomputeLayers;
    row[o + L.offloadLayers] = offloadLayers;
    row[o + L.launchOverheadS] = framework.launchOverheadUs * 1e-6;
    row[o + L.fusedKernels] = framework.fusedKernels ? 1 : 0;
    row[o + L.recomputeModules] = row[o + L.recompute] === 2 ? 0 : modules;
    row[o + L.fp8ActivationCache] = extras.fp8ActivationCache ? 1 : 0;
    row[o + L.microbatchGroup] = group;
    row[o + L.attentionKernel] = ATTENTION_KERNELS.indexOf(framework.attentionKernel);
  };
  return { context, overlap, framework, globalBatch, axes, constant };
}

/** Every configuration a search would evaluate, as a packed batch (one workload, chip and cluster row). */
export interface LayoutBatch {
  workloads: Float64Array;
  chips: Float64Array;
  clusters: Float64Array;
  layouts: Float64Array;
  count: number;
}

/**
 * The configurations searchLayouts evaluates, packed for evaluateTrainingBatch or the native engine (the
 * benchmark and the differential test use it).
 */
export function enumerateLayouts(request: SearchRequest): LayoutBatch {
  const { context, overlap, globalBatch, axes, constant } = prepareSearch(request);
  let count = 0;
  enumerate(context, axes, globalBatch, overlap, () => {
    count += 1;
  });
  const layouts = allocateLayouts(count);
  let row = 0;
  enumerate(context, axes, globalBatch, overlap, (fill) => {
    const o = row * LAYOUT_FIELD_COUNT;
    fill(layouts, o);
    constant(layouts, o);
    row += 1;
  });
  return { ...packContext(context), layouts, count };
}

/** The layout fields each enumerated layout sets, in the order searchLayoutRows packs them. */
export const SEARCH_LAYOUT_FIELDS = [
  L.tp,
  L.pp,
  L.dp,
  L.ep,
  L.cp,
  L.microbatch,
  L.globalBatch,
  L.interleave,
  L.recompute,
  L.zero,
  L.tpOverlap,
  L.dpOverlap,
  L.ppOverlap,
  L.epOverlap,
  L.cpOverlap,
] as const;

/**
 * The layouts a search enumerates for one model on a cluster with this domain size, GPU count and batch, as
 * rows of SEARCH_LAYOUT_FIELDS (the same enumeration as searchLayouts, with the implementation profile's
 * overlap fractions for each layout; sweeps with `layouts: all` pack these lists for the native engine).
 */
export function searchLayoutRows(
  workload: Workload,
  gpusPerDomain: number,
  gpus: number,
  globalBatch: number,
  flashAttention: boolean,
  space: SearchSpace = {},
  profile: ProfileId = 'megatron-core',
): Float64Array {
  const context = { workload, gpus, cluster: { params: { gpusPerDomain } }, profile: resolveProfile(profile) } as unknown as ResolvedContext;
  const axes = searchAxes(context, space, flashAttention);
  // Written straight into a typed array that doubles when full (a sweep packs tens of thousands of layouts; a
  // JavaScript array of numbers and its copy cost more than the enumeration).
  const width = SEARCH_LAYOUT_FIELDS.length;
  let rows = new Float64Array(1024 * width);
  let count = 0;
  const row = new Float64Array(LAYOUT_FIELD_COUNT);
  enumerate(context, axes, globalBatch, {}, (fill) => {
    fill(row, 0);
    if ((count + 1) * width > rows.length) {
      const grown = new Float64Array(rows.length * 2);
      grown.set(rows);
      rows = grown;
    }
    const o = count * width;
    for (let i = 0; i < width; i += 1) rows[o + i] = row[SEARCH_LAYOUT_FIELDS[i]];
    count += 1;
  });
  return rows.slice(0, count * width);
}

/**
 * Searches every valid layout of the model on the cluster and returns the fastest feasible ones.
 */
export function searchLayouts(request: SearchRequest): SearchResult {
  const { context, overlap, framework, globalBatch, axes, constant } = prepareSearch(request);
  const top = request.top === undefined ? 5 : request.top;
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new LinkcapInputError('top', `${describeValue(top)}: must be a whole number from 1 to 1000`);

  const packed = packContext(context);
  const engine = getTrainingEngine(request.engine);
  const layouts = allocateLayouts(CHUNK);
  const outputs = allocateTrainingOutputs(CHUNK);
  const best = new TopList(top);
  const infeasible = new TopList(top);
  let filled = 0;
  let evaluated = 0;
  let feasible = 0;
  let outOfMemory = 0;
  let invalid = 0;
  let firstInvalid: Float64Array | undefined;

  const flush = () => {
    if (filled === 0) return;
    const lv = filled === CHUNK ? layouts : layouts.subarray(0, filled * LAYOUT_FIELD_COUNT);
    const ov = filled === CHUNK ? outputs : outputs.subarray(0, filled * OUTPUT_FIELD_COUNT);
    engine.evaluate(packed.workloads, packed.chips, packed.clusters, lv, ov);
    for (let row = 0; row < filled; row += 1) {
      const status = ov[row * OUTPUT_FIELD_COUNT + O.status];
      if (status === TrainingStatus.Ok) {
        feasible += 1;
        best.offer(lv, ov, row);
      } else if (status === TrainingStatus.OutOfMemory) {
        outOfMemory += 1;
        infeasible.offer(lv, ov, row);
      } else {
        invalid += 1;
        if (!firstInvalid) firstInvalid = lv.slice(row * LAYOUT_FIELD_COUNT, (row + 1) * LAYOUT_FIELD_COUNT);
      }
    }
    evaluated += filled;
    filled = 0;
  };

  const funnel: Funnel = { tpCp: 0, pp: 0, ep: 0, batch: 0, minDp: Infinity };
  enumerate(
    context,
    axes,
    globalBatch,
    overlap,
    (fill) => {
      const o = filled * LAYOUT_FIELD_COUNT;
      fill(layouts, o);
      constant(layouts, o);
      filled += 1;
      if (filled === CHUNK) flush();
    },
    funnel,
  );
  flush();

  let noLayoutReason: string | undefined;
  if (feasible === 0 && outOfMemory === 0) {
    noLayoutReason = evaluated === 0 ? explainEmpty(context, axes, globalBatch, funnel) : explainInvalid(context, firstInvalid!, invalid);
  }

  const extras = { tokens: request.tokens, pricePerGpuHour: request.pricePerGpuHour };
  const decode = (candidate: Candidate) =>
    decodePrediction(context, readLayout(candidate.layout, 0), readOverlap(candidate.layout, 0), framework, candidate.output, 0, extras);
  const bestStep = best.items.length > 0 ? best.items[0].stepS : Infinity;
  return {
    model: context.workload.id,
    profile: context.profile.id,
    cluster: context.clusterId,
    gpus: context.gpus,
    globalBatch,
    evaluated,
    feasible,
    outOfMemory,
    invalid,
    best: best.items.map(decode),
    fastestInfeasible: infeasible.items.filter((item) => item.stepS < bestStep).map(decode),
    ...(noLayoutReason ? { noLayoutReason } : {}),
  };
}

/** "all 1088 layouts break a rule; e.g. tp 128 × pp 1 × dp 8: tp: 128: must divide the attention heads (64)". */
function explainInvalid(context: ResolvedContext, row: Float64Array, count: number): string {
  const layout = readLayout(row, 0);
  const shape = `tp ${layout.tp} × pp ${layout.pp} × dp ${layout.dp}${layout.cp > 1 ? ` × cp ${layout.cp}` : ''}${layout.ep > 1 ? `, ep ${layout.ep}` : ''}`;
  const chips = packContext(context).chips;
  let why = 'it cannot be evaluated';
  try {
    checkLayoutRow(context, row, chips, layout);
  } catch (error) {
    if (!(error instanceof LinkcapInputError)) throw error;
    why = error.message;
  }
  return `${count === 1 ? 'the only layout breaks' : `all ${count} layouts break`} a rule of the model or cluster; e.g. ${shape}: ${why}`;
}
