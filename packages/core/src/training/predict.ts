/**
 * predictTraining: one configuration through the engine, decoded into a typed prediction with the derived
 * figures (time to train N tokens, GPU-hours, cost).
 */
import type { ClusterParams } from '../model/cluster-params.js';
import { packClusters } from '../model/cluster-params.js';
import type { EnginePreference } from '../engine/engine.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { packChips, type ChipParams, type ChipRates } from './chip.js';
import { getTrainingEngine } from './engine.js';
import { O, OUTPUT_FIELD_COUNT, TRAINING_STATUS_MESSAGES, TrainingStatus, W } from './fields.js';
import { allocateLayouts, allocateTrainingOutputs } from './packing.js';
import {
  checkLayoutRow,
  readLayout,
  resolveContext,
  resolveLayout,
  resolveFramework,
  resolveOverlap,
  writeLayout,
  type Framework,
  type FrameworkInput,
  type Overlap,
  type OverlapInput,
  type ResolvedContext,
  type TrainingCluster,
  type TrainingLayout,
  type TrainingLayoutInput,
} from './request.js';
import type { ProfileId } from './profiles.js';
import { countParameters, type Workload, type WorkloadSpec } from './workload.js';

export interface TrainingRequest {
  /** Preset id (see `linkcap models`), YAML/JSON file path, or a model object. */
  model: string | WorkloadSpec | Workload;
  /** A catalog cluster (resolveCluster) or raw cluster parameters (then `chip` is required). */
  cluster: TrainingCluster | ClusterParams;
  /** Overrides the cluster's chip. */
  chip?: ChipParams | ChipRates;
  gpus: number;
  layout?: TrainingLayoutInput;
  /**
   * Implementation profile (default megatron-core): the framework's overlap fractions, ZeRO stage, gradient
   * precision and launch cost, each overridable by `overlap`, `layout.zero` and `framework`.
   */
  profile?: ProfileId;
  overlap?: OverlapInput;
  framework?: FrameworkInput;
  /** Tokens to train, for time, GPU-hours and cost. */
  tokens?: number;
  /** $ per GPU-hour, for cost. */
  pricePerGpuHour?: number;
  engine?: EnginePreference;
}

export interface TrainingBreakdown {
  computeS: number;
  tpS: number;
  cpS: number;
  epS: number;
  dpS: number;
  ppS: number;
  bubbleS: number;
  optimizerS: number;
  slowdownS: number;
  /** Exposed activation-offload copies. */
  offloadS: number;
}

export interface TrainingMemory {
  /** Peak per GPU (the most loaded stage) and its parts. */
  totalBytes: number;
  weightBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  activationBytes: number;
  /** Activations held in host memory (offload), per GPU. */
  offloadedBytes: number;
  /** Device memory, and the part a step may use: (capacity − runtime reserve) × usableMemoryFraction. */
  capacityBytes: number;
  usableBytes: number;
}

export interface TrainingPrediction {
  model: { id: string; name: string; totalParams: number; activeParams: number; layers: number };
  cluster: string;
  gpus: number;
  layout: TrainingLayout;
  /** The implementation profile the defaults came from. */
  profile: ProfileId;
  overlap: Overlap;
  framework: Framework;
  /** 'ok' or why not: 'out of memory' still carries every time figure. */
  status: (typeof TRAINING_STATUS_MESSAGES)[number];
  feasible: boolean;
  stepS: number;
  breakdown: TrainingBreakdown;
  mfu: number;
  hfu: number;
  tokensPerStep: number;
  tokensPerS: number;
  tokensPerSPerGpu: number;
  modelFlopsPerStep: number;
  hardwareFlopsPerStep: number;
  microbatches: number;
  /** Pipeline stage that sets the pace (0-based). */
  criticalStage: number;
  memory: TrainingMemory;
  /** Present when `tokens` was given. */
  training?: { tokens: number; steps: number; timeS: number; days: number; gpuHours: number; cost?: number; pricePerGpuHour?: number };
}

function positiveNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new LinkcapInputError(field, `${describeValue(value)}: must be a number > 0`);
  return value;
}

/** Decodes output row `row` (of a batch) into a prediction. */
export function decodePrediction(
  context: ResolvedContext,
  layout: TrainingLayout,
  overlap: Overlap,
  framework: Framework,
  outputs: Float64Array,
  row: number,
  extras: { tokens?: number; pricePerGpuHour?: number } = {},
): TrainingPrediction {
  const o = row * OUTPUT_FIELD_COUNT;
  const status = outputs[o + O.status];
  const counts = countParameters(context.workload.row);
  const tokensPerStep = layout.globalBatch * context.workload.row[W.seqLen];
  const prediction: TrainingPrediction = {
    model: { id: context.workload.id, name: context.workload.name, totalParams: counts.total, activeParams: counts.active, layers: context.workload.row[W.layers] },
    cluster: context.clusterId,
    gpus: context.gpus,
    layout,
    profile: context.profile.id,
    overlap,
    framework,
    status: TRAINING_STATUS_MESSAGES[status],
    feasible: status === TrainingStatus.Ok,
    stepS: outputs[o + O.stepS],
    breakdown: {
      computeS: outputs[o + O.computeS],
      tpS: outputs[o + O.tpS],
      cpS: outputs[o + O.cpS],
      epS: outputs[o + O.epS],
      dpS: outputs[o + O.dpS],
      ppS: outputs[o + O.ppS],
      bubbleS: outputs[o + O.bubbleS],
      optimizerS: outputs[o + O.optimizerS],
      slowdownS: outputs[o + O.slowdownS],
      offloadS: outputs[o + O.offloadS],
    },
    mfu: outputs[o + O.mfu],
    hfu: outputs[o + O.hfu],
    tokensPerStep,
    tokensPerS: outputs[o + O.tokensPerS],
    tokensPerSPerGpu: outputs[o + O.tokensPerSPerGpu],
    modelFlopsPerStep: outputs[o + O.modelFlops],
    hardwareFlopsPerStep: outputs[o + O.hardwareFlops],
    microbatches: outputs[o + O.microbatches],
    criticalStage: outputs[o + O.criticalStage],
    memory: {
      totalBytes: outputs[o + O.memoryBytes],
      weightBytes: outputs[o + O.weightBytes],
      gradientBytes: outputs[o + O.gradientBytes],
      optimizerBytes: outputs[o + O.optimizerBytes],
      activationBytes: outputs[o + O.activationBytes],
      offloadedBytes: outputs[o + O.offloadedBytes],
      capacityBytes: context.chip.memoryBytes,
      usableBytes: (context.chip.memoryBytes - context.chip.memoryReserveBytes) * context.chip.usableMemoryFraction,
    },
  };
  if (extras.tokens !== undefined) {
    const timeS = extras.tokens / prediction.tokensPerS;
    const gpuHours = (timeS * context.gpus) / 3600;
    prediction.training = {
      tokens: extras.tokens,
      steps: extras.tokens / tokensPerStep,
      timeS,
      days: timeS / 86400,
      gpuHours,
      ...(extras.pricePerGpuHour !== undefined ? { cost: gpuHours * extras.pricePerGpuHour, pricePerGpuHour: extras.pricePerGpuHour } : {}),
    };
  }
  return prediction;
}

/** Packs a resolved context's rows (one workload, chip and cluster each). */
export function packContext(context: ResolvedContext): { workloads: Float64Array; chips: Float64Array; clusters: Float64Array } {
  return {
    workloads: context.workload.row,
    chips: packChips([context.chip]),
    clusters: packClusters([context.cluster.params]),
  };
}

/**
 * Predicts one training configuration: step time and its breakdown, MFU/HFU, throughput, memory per GPU
 * and feasibility. A configuration that does not fit in memory is returned with feasible = false (and
 * status 'out of memory'), not rejected; a layout that breaks a rule throws a LinkcapInputError naming the field.
 */
export function predictTraining(request: TrainingRequest): TrainingPrediction {
  const context = resolveContext(request);
  const layout = resolveLayout(context, request.layout);
  const overlap = resolveOverlap(request.overlap ?? {}, context.profile, context.workload.row, layout);
  const framework = resolveFramework(request.framework, context.profile);
  const tokens = request.tokens === undefined ? undefined : positiveNumber('tokens', request.tokens);
  const price = request.pricePerGpuHour === undefined ? undefined : positiveNumber('pricePerGpuHour', request.pricePerGpuHour);
  const packed = packContext(context);
  const layouts = allocateLayouts(1, { shared: false });
  writeLayout(layouts, 0, [0, 0, 0], layout, overlap, framework);
  checkLayoutRow(context, layouts, packed.chips, layout);
  const outputs = allocateTrainingOutputs(1, { shared: false });
  getTrainingEngine(request.engine).evaluate(packed.workloads, packed.chips, packed.clusters, layouts, outputs);
  if (outputs[O.status] === TrainingStatus.NoCollective) {
    throw new LinkcapInputError('cluster', 'the collective model found no eligible algorithm for one of the layout’s communications');
  }
  return decodePrediction(context, readLayout(layouts, 0), overlap, framework, outputs, 0, { tokens, pricePerGpuHour: price });
}
