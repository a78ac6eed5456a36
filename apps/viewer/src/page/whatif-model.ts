/**
 * The what-if panel's arithmetic, on @linkcap/core/browser (the TypeScript reference model, bundled into the
 * page): a catalog cluster with its scale-up and NIC rates replaced, resolved by the catalog's own rules (the
 * same efficiencies and defaults as every preset), then one collective and one training step priced on it.
 */
import {
  builtinCatalog,
  listClusters,
  listModels,
  predictCollective,
  predictTraining,
  resolveClusterSpec,
  OPS,
  type Catalog,
  type CollectivePrediction,
  type Op,
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
    training: attempt(() => predictTraining({ model: inputs.model, cluster, gpus: inputs.gpus, layout: { tp: inputs.tp, pp: inputs.pp } })),
  };
}
