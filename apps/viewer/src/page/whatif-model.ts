/**
 * The what-if panel's arithmetic, on @linkcap/core/browser (the TypeScript reference model, bundled into the
 * page): a catalog cluster with its scale-up and NIC rates replaced, resolved by the catalog's own rules (the
 * same efficiencies and defaults as every preset), then one collective and one training step priced on it.
 */
import {
  builtinCatalog,
  divisors,
  listClusters,
  listModels,
  predictCollective,
  predictTraining,
  resolveClusterSpec,
  OPS,
  PROFILE_IDS,
  PROFILES,
  type Catalog,
  type CollectivePrediction,
  type Op,
  type ProfileId,
  type ResolvedCluster,
  type TrainingPrediction,
} from '@linkcap/core/browser';

export interface WhatIfInputs {
  cluster: string;
  model: string;
  op: Op;
  bytes: number;
  gpus: number;
  /** Scale-up bandwidth per GPU, bidirectional GB/s (the figure export rules and spec sheets quote). */
  scaleUpBidirGBps: number;
  /** NIC line rate, Gb/s per direction. */
  nicGbps: number;
  tp: number;
  pp: number;
  /** The training framework's implementation profile (its overlap, ZeRO stage, gradient precision, launch cost). */
  profile: ProfileId;
}

export interface WhatIfResult {
  cluster: ResolvedCluster;
  collective: CollectivePrediction | { error: string };
  training: TrainingPrediction | { error: string };
}

let catalog: Catalog | undefined;

export function whatIfCatalog(): Catalog {
  catalog ??= builtinCatalog();
  return catalog;
}

export function clusterPresets(): ResolvedCluster[] {
  return listClusters(whatIfCatalog());
}

export function modelPresets(): { id: string; name: string }[] {
  return listModels().map((m) => ({ id: m.id, name: m.name }));
}

export const WHATIF_OPS: readonly Op[] = OPS;

export const DEFAULT_PROFILE: ProfileId = 'megatron-core';

/** The implementation profiles the training model knows, in its order (megatron-core, the default, first). */
export function profilePresets(): { id: ProfileId; name: string; description: string }[] {
  return PROFILE_IDS.map((id) => ({ id, name: PROFILES[id].name, description: PROFILES[id].description }));
}

export function isProfile(id: unknown): id is ProfileId {
  return typeof id === 'string' && (PROFILE_IDS as readonly string[]).includes(id);
}

/** The preset's own rates: bidirectional scale-up GB/s per GPU (cluster, else chip) and NIC Gb/s. */
export function presetRates(cluster: ResolvedCluster): { scaleUpBidirGBps: number; nicGbps: number } {
  const scaleUp = cluster.spec.scaleUp.bidirectionalGBps?.value ?? cluster.chip.scaleUp.bidirectionalGBps?.value ?? 0;
  return { scaleUpBidirGBps: scaleUp, nicGbps: cluster.spec.scaleOut.nicGbps.value ?? 0 };
}

/** The cluster with its link rates replaced, resolved like a preset (catalog efficiencies and defaults). */
export function whatIfCluster(base: ResolvedCluster, scaleUpBidirGBps: number, nicGbps: number): ResolvedCluster {
  const spec = structuredClone(base.spec);
  spec.scaleUp = { ...spec.scaleUp, bidirectionalGBps: { value: scaleUpBidirGBps, source: 'user' } };
  spec.scaleOut = { ...spec.scaleOut, nicGbps: { value: nicGbps, source: 'user' } };
  return resolveClusterSpec(spec, whatIfCatalog());
}

/** GPU counts that fit the cluster: 2, 4, … up to one domain, then whole domains doubling. */
export function gpuChoices(gpusPerDomain: number, max = 16384): number[] {
  const choices: number[] = [];
  for (let n = 2; n < gpusPerDomain; n *= 2) choices.push(n);
  for (let n = gpusPerDomain; n <= max; n *= 2) choices.push(n);
  return choices;
}

/** The layouts the training model accepts for a model, cluster, GPU count and profile: TP sizes, and PP sizes per TP. */
export interface LayoutChoices {
  tp: number[];
  pp: Map<number, number[]>;
  /** Why there is none, when `tp` is empty: the model's error for TP 1 × PP 1. */
  error?: string;
}

const layoutCache = new Map<string, LayoutChoices>();

/**
 * Tensor- and pipeline-parallel sizes the model accepts (a layout it prices, fitting in memory or not): pairs of
 * divisors of the GPU count, tp × pp dividing it, each checked by predictTraining itself (heads, FFN and KV heads
 * per TP rank, layers per stage, the global batch over data parallel …), so the sliders offer nothing the model
 * would refuse. The link rates do not change which layouts are valid, so the preset's cluster decides.
 */
export function layoutChoices(inputs: Pick<WhatIfInputs, 'cluster' | 'model' | 'gpus' | 'profile'>): LayoutChoices {
  const key = `${inputs.cluster}\u0000${inputs.model}\u0000${inputs.gpus}\u0000${inputs.profile}`;
  const cached = layoutCache.get(key);
  if (cached) return cached;
  const cluster = clusterPresets().find((c) => c.id === inputs.cluster);
  const choices: LayoutChoices = { tp: [], pp: new Map() };
  let firstError: string | undefined;
  if (cluster && Number.isSafeInteger(inputs.gpus) && inputs.gpus >= 1) {
    for (const tp of divisors(inputs.gpus)) {
      const pps = divisors(inputs.gpus / tp).filter((pp) => {
        try {
          predictTraining({ model: inputs.model, cluster, gpus: inputs.gpus, layout: { tp, pp }, profile: inputs.profile });
          return true;
        } catch (error) {
          if (tp === 1 && pp === 1) firstError = error instanceof Error ? error.message : String(error);
          return false;
        }
      });
      if (pps.length > 0) {
        choices.tp.push(tp);
        choices.pp.set(tp, pps);
      }
    }
  }
  if (choices.tp.length === 0) choices.error = firstError ?? `no layout of ${inputs.model} on ${inputs.gpus} GPUs of ${inputs.cluster}`;
  layoutCache.set(key, choices);
  return choices;
}

/** The value of `choices` nearest `value` on a log scale (sizes double): the slider's position for it. */
export function nearestChoice(choices: number[], value: number): number {
  let best = choices[0];
  for (const c of choices) if (Math.abs(Math.log(c / value)) < Math.abs(Math.log(best / value))) best = c;
  return best;
}

function attempt<T>(run: () => T): T | { error: string } {
  try {
    return run();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export function evaluateWhatIf(inputs: WhatIfInputs): WhatIfResult {
  const base = clusterPresets().find((c) => c.id === inputs.cluster);
  if (!base) throw new Error(`unknown cluster ${inputs.cluster}`);
  const cluster = whatIfCluster(base, inputs.scaleUpBidirGBps, inputs.nicGbps);
  return {
    cluster,
    collective: attempt(() => predictCollective({ op: inputs.op, bytes: inputs.bytes, gpus: inputs.gpus, cluster })),
    training: attempt(() => predictTraining({ model: inputs.model, cluster, gpus: inputs.gpus, layout: { tp: inputs.tp, pp: inputs.pp }, profile: inputs.profile })),
  };
}
