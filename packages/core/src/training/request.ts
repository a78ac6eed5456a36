/**
 * Resolution of typed training requests into packed rows: model, cluster and chip, GPU count, layout with
 * defaults, overlap parameters. Every error is a LinkcapInputError naming the field and the allowed range.
 */
import type { ClusterParams } from '../model/cluster-params.js';
import type { TrainingArchitectureDefaults } from '../catalog/schema.js';
import { checkGpuCount, normaliseCluster, type ClusterLike } from '../api/cluster-input.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { trainingConstantsOf, trainingDefaultsFor } from './calibration.js';
import { chipParams, validateChipParams, type ChipParams, type ChipRates } from './chip.js';
import { profileOverlap, resolveProfile, type ImplementationProfile, type ProfileId } from './profiles.js';
import { ATTENTION_KERNELS, L, LAYOUT_FIELD_COUNT, PRECISIONS, RECOMPUTE_MODES, RECOMPUTE_MODULES, W, type AttentionKernel, type Precision, type RecomputeMode, type RecomputeModule } from './fields.js';
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
  architecture?: string;
  bf16Tflops?: unknown;
  fp8Tflops?: unknown;
  memoryGB?: unknown;
  memoryTBps?: unknown;
  pcieBidirGBps?: unknown;
  hostLinkBidirGBps?: unknown;
}

/** A cluster: its numeric parameters and, from the catalog, its chip and its architecture's training constants. */
export interface TrainingCluster extends ClusterLike {
  name?: string;
  chip?: ChipSpecLike;
  /** Figures of the catalog's defaults.trainingArchitectures entry for the chip (resolveCluster sets it). */
  trainingDefaults?: TrainingArchitectureDefaults;
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
  /**
   * Layers of each pipeline chunk that use the recompute mode (Megatron's --recompute-num-layers with the block
   * method); the rest keep every activation. Default: all of them.
   */
  recomputeLayers?: number;
  /** Layers of each pipeline chunk whose activations are offloaded to host memory. Default 0. */
  offloadLayers?: number;
  /**
   * Modules recomputed in backward instead of kept (Megatron-Core's --recompute-modules, selective granularity;
   * DeepSeek-V3 §3.2.3 recomputes the norms and MLA's up-projections): layernorm, mla_up_proj, moe_act, mlp.
   * With recompute 'selective' the attention core is recomputed too; not allowed with 'full'. Default none.
   */
  recomputeModules?: RecomputeModule[];
  /** DeepSeek-V3's FP8 activation cache (§3.3.2): MoE SwiGLU inputs in FP8, the attention output in E5M6. FP8 only. */
  fp8ActivationCache?: boolean;
  /** Microbatches per group of the interleaved schedule (Megatron-Core's microbatch_group_size_per_vp_stage). Default pp. */
  microbatchGroup?: number;
  /** Default: the profile's (megatron-core: 1). */
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
  /** Fraction of the activation-offload copies that may hide behind the offloaded layer's compute. */
  offload?: number;
  slowdown?: number;
}

/** Framework costs a profile sets; each overridable. */
export interface FrameworkInput {
  /** Bytes per gradient element in the gradient buffer and on the data-parallel wire: 4 (fp32) or 2 (BF16). */
  gradientBytes?: 2 | 4;
  /** Host time to launch one kernel, µs (eager frameworks 4–10). */
  launchOverheadUs?: number;
  /** The step is CUDA-graph captured: no host launch cost (launchOverheadUs = 0). */
  cudaGraph?: boolean;
  /** Norms, rotary and SwiGLU as fused kernels (Transformer Engine, Apex, torch.compile); false: eager PyTorch. */
  fusedKernels?: boolean;
  /**
   * Fused-attention kernel: 'cudnn' (Transformer Engine's cuDNN fused attention or FlashAttention-3: the
   * architecture's calibrated rate) or 'fa2' (FlashAttention-2, PyTorch SDPA's flash backend: the chip's
   * attentionFa2Scale of that rate). Only with flash attention.
   */
  attentionKernel?: AttentionKernel;
}

export interface Framework {
  gradientBytes: 2 | 4;
  launchOverheadUs: number;
  fusedKernels: boolean;
  attentionKernel: AttentionKernel;
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
  /** Layers per pipeline chunk that recompute (≥ the chunk's layers: all). */
  recomputeLayers: number;
  offloadLayers: number;
  recomputeModules: RecomputeModule[];
  fp8ActivationCache: boolean;
  /** Microbatches per group of the interleaved schedule (pp unless given). */
  microbatchGroup: number;
  zero: 0 | 1 | 2 | 3;
  precision: Precision;
  commPrecision: Precision;
  sequenceParallel: boolean;
  flashAttention: boolean;
}

export type Overlap = Required<OverlapInput>;

export type { ProfileId };

export interface ResolvedContext {
  workload: Workload;
  cluster: TrainingCluster & { params: ClusterParams };
  clusterId: string;
  chip: ChipParams;
  gpus: number;
  profile: ImplementationProfile;
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
  const hostLink = figureValue(chip.hostLinkBidirGBps) ?? figureValue(chip.pcieBidirGBps);
  return {
    bf16Tflops: bf16,
    fp8Tflops: fp8 ?? 0,
    memoryGB,
    memoryTBps,
    ...(chip.architecture !== undefined ? { architecture: chip.architecture } : {}),
    ...(hostLink !== undefined ? { hostLinkBidirGBps: hostLink } : {}),
  };
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
  if (cluster.chip) {
    const rates = chipRatesFromSpec(cluster.chip);
    const defaults = cluster.trainingDefaults ? trainingConstantsOf(cluster.trainingDefaults, trainingDefaultsFor(rates.architecture)) : undefined;
    return chipParams(rates, 'chip', defaults);
  }
  throw new LinkcapInputError('chip', `required: the cluster${cluster.id ? ` ${cluster.id}` : ''} does not name a chip`);
}

export function resolveContext(request: {
  model: string | WorkloadSpec | Workload;
  cluster: TrainingCluster | ClusterParams;
  chip?: ChipParams | ChipRates;
  gpus: number;
  profile?: ProfileId;
}): ResolvedContext {
  if (request === null || typeof request !== 'object') throw new LinkcapInputError('request', 'must be an object');
  if (request.model === undefined) throw new LinkcapInputError('model', 'required: a preset id, a YAML/JSON file or a model object');
  if (request.cluster === undefined) throw new LinkcapInputError('cluster', 'required: a catalog cluster or cluster parameters');
  const workload = resolveModel(request.model);
  const cluster = normaliseCluster(request.cluster) as TrainingCluster & { params: ClusterParams };
  const chip = resolveChip(request.chip, cluster);
  const gpus = checkGpuCount(cluster, request.gpus, 1);
  const profile = resolveProfile(request.profile);
  return { workload, cluster, clusterId: cluster.id ?? 'custom', chip, gpus, profile };
}

function size(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 24) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be a whole number from 1 to ${1 << 24}`);
  }
  return value;
}

function count(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1 << 24) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be a whole number from 0 to ${1 << 24}`);
  }
  return value;
}

function pick<T extends string | number>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new LinkcapInputError(field, `${describeValue(value)}: must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** A list of RECOMPUTE_MODULES names, each at most once, in the canonical order. */
function modules(field: string, value: unknown): RecomputeModule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new LinkcapInputError(field, `${describeValue(value)}: must be a list of ${RECOMPUTE_MODULES.join(', ')}`);
  for (const item of value) {
    if (!RECOMPUTE_MODULES.includes(item as RecomputeModule)) throw new LinkcapInputError(field, `${describeValue(item)}: must be one of ${RECOMPUTE_MODULES.join(', ')}`);
  }
  return RECOMPUTE_MODULES.filter((name) => value.includes(name));
}

/** The bit mask of LayoutParams.recomputeModules. */
export function recomputeModuleMask(list: readonly RecomputeModule[]): number {
  let mask = 0;
  for (const name of list) mask |= 1 << RECOMPUTE_MODULES.indexOf(name);
  return mask;
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
  const layers = context.workload.row[W.layers];
  const flashAttention = flag('flashAttention', input.flashAttention, true);
  // Selective recompute pays off for unfused attention (it drops the s × s scores); with fused attention it would
  // recompute the kernel to save only its row statistics, so the default there is none.
  const recomputeDefault: RecomputeMode = flashAttention ? 'none' : 'selective';
  const recompute = pick('recompute', input.recompute, RECOMPUTE_MODES, recomputeDefault);
  // The profile's recomputed modules apply under none or selective recompute (full repeats every module).
  const profileModules = recompute === 'full' ? [] : (context.profile.recomputeModules ?? []);
  return {
    tp,
    pp,
    dp,
    ep,
    cp,
    microbatch,
    globalBatch,
    interleave,
    recompute,
    recomputeLayers: count('recomputeLayers', input.recomputeLayers, layers),
    offloadLayers: count('offloadLayers', input.offloadLayers, 0),
    recomputeModules: input.recomputeModules === undefined ? [...profileModules] : modules('recomputeModules', input.recomputeModules),
    // The profile's FP8 cache applies to FP8 runs only (it caches FP8 GEMM inputs).
    fp8ActivationCache: flag('fp8ActivationCache', input.fp8ActivationCache, (context.profile.fp8ActivationCache ?? false) && input.precision === 'fp8'),
    microbatchGroup: input.microbatchGroup === undefined ? pp : size('microbatchGroup', input.microbatchGroup, pp),
    zero: pick('zero', zeroInput, [0, 1, 2, 3] as const, context.profile.zero),
    precision: pick('precision', input.precision, PRECISIONS, 'bf16'),
    commPrecision: pick('commPrecision', input.commPrecision, PRECISIONS, 'bf16'),
    sequenceParallel: flag('sequenceParallel', input.sequenceParallel, true),
    flashAttention,
  };
}

function fraction(field: string, value: unknown, fallback: number, max = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= max)) throw new LinkcapInputError(field, `${describeValue(value)}: must be a number from 0 to ${max}`);
  return value;
}

/** Checks the user's overlap fractions (undefined ones stay undefined: the profile fills them per layout). */
export function checkOverlapInput(input: OverlapInput = {}): OverlapInput {
  if (input === null || typeof input !== 'object') throw new LinkcapInputError('overlap', 'must be an object { tp, dp, pp, ep, cp, offload, slowdown }');
  const out: OverlapInput = {};
  for (const key of ['tp', 'dp', 'pp', 'ep', 'cp', 'offload'] as const) {
    if (input[key] !== undefined) out[key] = fraction(`overlap.${key}`, input[key], 0);
  }
  if (input.slowdown !== undefined) out.slowdown = fraction('overlap.slowdown', input.slowdown, 0, 10);
  return out;
}

/**
 * The overlap fractions of one layout: the user's where given, else the profile's rule for this layout
 * (profiles.ts: ring-decomposed TP overlap (t − 1)/t, p2p overlap in the interleaved schedule, …).
 */
export function resolveOverlap(
  input: OverlapInput,
  profile: ImplementationProfile,
  w: Float64Array,
  layout: { tp: number; interleave: number; ep: number },
): Overlap {
  const checked = checkOverlapInput(input);
  const rule = profile.overlap;
  const value = (key: 'tp' | 'dp' | 'pp' | 'ep' | 'cp') =>
    checked[key] ?? profileOverlap(profile, rule[key], w, layout.tp, layout.interleave, layout.ep);
  return {
    tp: value('tp'),
    dp: value('dp'),
    pp: value('pp'),
    ep: value('ep'),
    cp: value('cp'),
    offload: checked.offload ?? rule.offload,
    slowdown: checked.slowdown ?? rule.slowdown,
  };
}

/** Gradient bytes and launch cost: the user's where given, else the profile's. */
export function resolveFramework(input: FrameworkInput = {}, profile: ImplementationProfile): Framework {
  if (input === null || typeof input !== 'object') {
    throw new LinkcapInputError('framework', 'must be an object { gradientBytes, launchOverheadUs, cudaGraph, fusedKernels, attentionKernel }');
  }
  const gradientBytes = pick('framework.gradientBytes', input.gradientBytes, [2, 4] as const, profile.gradientBytes);
  const cudaGraph = flag('framework.cudaGraph', input.cudaGraph, false);
  const launch = fraction('framework.launchOverheadUs', input.launchOverheadUs, profile.launchOverheadUs, 10000);
  if (cudaGraph && input.launchOverheadUs !== undefined && input.launchOverheadUs > 0) {
    throw new LinkcapInputError('framework.cudaGraph', 'CUDA graphs remove the launch cost: give either cudaGraph or launchOverheadUs > 0');
  }
  const fusedKernels = flag('framework.fusedKernels', input.fusedKernels, profile.fusedKernels);
  const attentionKernel = pick('framework.attentionKernel', input.attentionKernel, ATTENTION_KERNELS, profile.attentionKernel);
  return { gradientBytes, launchOverheadUs: cudaGraph ? 0 : launch, fusedKernels, attentionKernel };
}

/** Writes one layout row (row indices: workload, chip, cluster). */
export function writeLayout(
  layouts: Float64Array,
  row: number,
  indices: [number, number, number],
  layout: TrainingLayout,
  overlap: Overlap,
  framework: Framework,
): void {
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
  layouts[o + L.gradientBytes] = framework.gradientBytes;
  layouts[o + L.recomputeLayers] = layout.recomputeLayers;
  layouts[o + L.offloadLayers] = layout.offloadLayers;
  layouts[o + L.offloadOverlap] = overlap.offload;
  layouts[o + L.launchOverheadS] = framework.launchOverheadUs * 1e-6;
  layouts[o + L.fusedKernels] = framework.fusedKernels ? 1 : 0;
  layouts[o + L.recomputeModules] = recomputeModuleMask(layout.recomputeModules);
  layouts[o + L.fp8ActivationCache] = layout.fp8ActivationCache ? 1 : 0;
  // 0 stands for pp (the row's default): a group of pp microbatches is Megatron-Core's standard schedule.
  layouts[o + L.microbatchGroup] = layout.microbatchGroup === layout.pp ? 0 : layout.microbatchGroup;
  layouts[o + L.attentionKernel] = ATTENTION_KERNELS.indexOf(framework.attentionKernel);
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
    recomputeLayers: layouts[o + L.recomputeLayers],
    offloadLayers: layouts[o + L.offloadLayers],
    recomputeModules: RECOMPUTE_MODULES.filter((_, i) => (layouts[o + L.recomputeModules] & (1 << i)) !== 0),
    fp8ActivationCache: layouts[o + L.fp8ActivationCache] === 1,
    microbatchGroup: layouts[o + L.microbatchGroup] === 0 ? layouts[o + L.pp] : layouts[o + L.microbatchGroup],
    zero: layouts[o + L.zero] as 0 | 1 | 2 | 3,
    precision: PRECISIONS[layouts[o + L.precision]],
    commPrecision: PRECISIONS[layouts[o + L.commPrecision]],
    sequenceParallel: layouts[o + L.sequenceParallel] === 1,
    flashAttention: layouts[o + L.flashAttention] === 1,
  };
}

/** Reads a layout row's overlap fractions back into names. */
export function readOverlap(layouts: Float64Array, row: number): Overlap {
  const o = row * LAYOUT_FIELD_COUNT;
  return {
    tp: layouts[o + L.tpOverlap],
    dp: layouts[o + L.dpOverlap],
    pp: layouts[o + L.ppOverlap],
    ep: layouts[o + L.epOverlap],
    cp: layouts[o + L.cpOverlap],
    offload: layouts[o + L.offloadOverlap],
    slowdown: layouts[o + L.overlapSlowdown],
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
