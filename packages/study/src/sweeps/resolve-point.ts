/**
 * TEMPORARY STAND-IN FOR THE SWEEP ENGINE (issue 10) — see adapter.ts. Turns one point of a study spec into the
 * inputs of @linkcap/core's training API: the model, the cluster (derived with the `chips derive` logic when the
 * point sets scaleUpGBps or nicGbps), the chip rates with the point's GEMM efficiency, overlap and precision.
 */
import {
  applyDocument,
  builtinCatalog,
  checkCatalog,
  chipRatesFromSpec,
  DEFAULT_BATCH_TOKENS,
  deriveChip,
  LinkcapInputError,
  resolveCluster,
  resolveClusterSpec,
  resolveModel,
  validateCatalogDocument,
  type Catalog,
  type ChipRates,
  type OverlapInput,
  type ResolvedCluster,
  type SearchSpace,
  type Workload,
} from '@linkcap/core';
import { resolve } from 'node:path';
import type { LeverSpec, TrainingSweepSpec } from '../plan/spec.js';
import type { Point } from './points.js';

/**
 * Overlap profiles by name: the fraction of each communication that may hide behind its compute window
 * (docs/model/training.md, Overlap). `default` is linkcap's default; the others bracket it.
 */
export const OVERLAP_PROFILES: Record<string, OverlapInput> = {
  default: {},
  none: { tp: 0, dp: 0, pp: 0, ep: 0, cp: 0 },
  full: { tp: 1, dp: 1, pp: 1, ep: 1, cp: 1 },
  dualpipe: { ep: 1, pp: 1 },
};

export interface ResolvedPoint {
  workload: Workload;
  cluster: ResolvedCluster;
  chip: ChipRates;
  gpus: number;
  globalBatch: number;
  overlap: OverlapInput;
  precision: 'bf16' | 'fp8';
  commPrecision: 'bf16' | 'fp8';
  space: SearchSpace;
  /** The point's axis values as stored in the result tables (model id, numeric NIC rate). */
  stored: Record<string, string | number>;
}

/** Resolves the clusters, chips and models of one spec once (derived variants are cached). */
export class PointResolver {
  private readonly catalog: Catalog = builtinCatalog();
  private readonly clusters = new Map<string, ResolvedCluster>();
  private readonly models = new Map<string, Workload>();

  constructor(
    private readonly spec: TrainingSweepSpec,
    private readonly specDir: string,
  ) {}

  model(ref: string): Workload {
    let workload = this.models.get(ref);
    if (!workload) {
      // Model files are named relative to the spec (models.yaml#kimi-k2).
      const path = ref.includes('#') || /\.(ya?ml|json)$/.test(ref) ? resolve(this.specDir, ref) : ref;
      workload = resolveModel(path);
      this.models.set(ref, workload);
    }
    return workload;
  }

  cluster(id: string, scaleUpGBps?: number, nicGbps?: number): ResolvedCluster {
    const key = `${id}|${scaleUpGBps ?? ''}|${nicGbps ?? ''}`;
    let cluster = this.clusters.get(key);
    if (cluster) return cluster;
    const base = resolveCluster(id, this.catalog);
    if (scaleUpGBps === undefined && nicGbps === undefined) {
      cluster = base;
    } else {
      let catalog = this.catalog;
      let chipId = base.chip.id;
      const name = [base.id, scaleUpGBps !== undefined ? `su${scaleUpGBps}` : '', nicGbps !== undefined ? `nic${nicGbps}` : ''].filter(Boolean).join('-');
      if (scaleUpGBps !== undefined) {
        const variant = deriveChip(catalog, base.chip.id, { name: `${base.chip.id}-su${scaleUpGBps}`, scaleUpBidirGBps: scaleUpGBps });
        catalog = variant.catalog;
        chipId = variant.id;
      }
      const entry: Record<string, unknown> = { derivedFrom: base.id, chip: chipId, hypothetical: true, name: `${base.name}, hypothetical: ${name}` };
      if (nicGbps !== undefined) entry.scaleOut = { nicGbps: { value: nicGbps, source: 'user', note: `study variant of ${base.id}` } };
      if (scaleUpGBps !== undefined && base.spec.scaleUp.bidirectionalGBps) entry.scaleUp = { bidirectionalGBps: null };
      catalog = applyDocument(catalog, validateCatalogDocument({ clusters: { [name]: entry } }, `study variant ${name}`));
      checkCatalog(catalog, resolveClusterSpec);
      cluster = resolveClusterSpec(catalog.clusters.get(name)!, catalog);
    }
    this.clusters.set(key, cluster);
    return cluster;
  }

  resolve(point: Point): ResolvedPoint {
    const spec = this.spec;
    const workload = this.model(String(point.model));
    const nicAxis = point.nicGbps;
    const nicGbps = nicAxis === undefined || nicAxis === 'cluster' ? undefined : Number(nicAxis);
    const scaleUp = point.scaleUpGBps === undefined ? undefined : Number(point.scaleUpGBps);
    const cluster = this.cluster(String(point.cluster), scaleUp, nicGbps);
    const lever: LeverSpec = point.lever === undefined ? {} : (spec.levers?.[String(point.lever)] ?? {});
    const overlapName = lever.overlap ?? (point.overlap === undefined ? 'default' : String(point.overlap));
    const overlap = OVERLAP_PROFILES[overlapName];
    if (!overlap) throw new LinkcapInputError(`${spec.name}: overlap`, `"${overlapName}": unknown profile; known: ${Object.keys(OVERLAP_PROFILES).join(', ')}`);
    const rates = chipRatesFromSpec(cluster.chip);
    const chip: ChipRates = point.gemmEfficiency === undefined ? rates : { ...rates, gemmEfficiency: Number(point.gemmEfficiency) };
    const gpus = Number(point.gpus);
    const seq = workload.spec.seqLen;
    const tokens = Math.max(spec.batch?.globalBatchTokens ?? workload.globalBatchTokens ?? DEFAULT_BATCH_TOKENS, (spec.batch?.minTokensPerGpu ?? 0) * gpus);
    const globalBatch = Math.max(1, Math.round(tokens / seq));
    const precision = (lever.precision ?? point.precision ?? 'bf16') as 'bf16' | 'fp8';
    const commPrecision = (lever.commPrecision ?? point.commPrecision ?? 'bf16') as 'bf16' | 'fp8';
    const stored: Record<string, string | number> = {};
    for (const [axis, value] of Object.entries(point)) stored[axis] = value;
    stored.model = workload.id;
    if ('nicGbps' in point) stored.nicGbps = nicGbps ?? Number(cluster.spec.scaleOut.nicGbps?.value ?? NaN);
    return { workload, cluster, chip, gpus, globalBatch, overlap, precision, commPrecision, space: (lever.space ?? {}) as SearchSpace, stored };
  }
}
