/**
 * The study's one follow-up evaluation: in every group of a sweep's `best` reduction (all axes but one, each
 * profile and GEMM efficiency apart), the baseline's best layout evaluated unchanged on every other value of that
 * axis — "H100's best layout on the H800". The sweep engine has paired ratios of the same point and of the best
 * points, not this one, so the study evaluates these few configurations (one per group and side) with
 * @linkcap/core's predictTraining, priced exactly as the engine priced the profile's run, and writes them as a
 * result directory of their own (derived/<sweep>/: manifest.json, reductions/same-layout.parquet).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  chipRatesFromSpec,
  deriveChip,
  LinkcapInputError,
  loadCatalog,
  predictTraining,
  resolveCluster,
  resolveModel,
  type Catalog,
  type ResolvedCluster,
  type SweepSpec,
  type TrainingLayoutInput,
  type Workload,
} from '@linkcap/core';
import { ENGINE_PROFILE, type PricedProfile } from '../analysis/profiles.js';
import { axisList, type SameLayoutFollowUp } from '../plan/load-plan.js';
import { writeParquet } from '../results/parquet.js';
import { writeFileAtomic } from '../results/write.js';
import type { ColumnDef, Row } from '../results/table.js';

/** Axes that derive a chip and node (the sweep engine's derived axes, as `linkcap chips derive` options). */
const DERIVED: Record<string, 'scaleUpBidirGBps' | 'nicGbps' | 'nicsPerGpu' | 'bf16Tflops' | 'fp8Tflops' | 'memoryTBps'> = {
  scaleUpGBps: 'scaleUpBidirGBps',
  nicGbps: 'nicGbps',
  nicsPerGpu: 'nicsPerGpu',
  bf16Tflops: 'bf16Tflops',
  fp8Tflops: 'fp8Tflops',
  memoryTBps: 'memoryTBps',
};
const LAYOUT_FIELDS = ['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'globalBatch', 'interleave', 'recompute', 'zero'] as const;
const METRICS = ['stepTimeS', 'computeS', 'tpS', 'cpS', 'epS', 'dpS', 'ppS', 'bubbleS', 'optimizerS', 'slowdownS', 'mfu', 'tokensPerS', 'tokensPerSPerGpu', 'memoryBytes'] as const;

class Resolver {
  private readonly catalog: Catalog;
  private readonly clusters = new Map<string, ResolvedCluster>();
  private readonly models = new Map<string, Workload>();

  constructor(
    private readonly spec: SweepSpec,
    private readonly baseDir: string,
  ) {
    this.catalog = loadCatalog({ cwd: baseDir });
    for (const ref of axisList(spec, 'model').map(String)) {
      const path = ref.includes('#') || /\.(ya?ml|json)$/.test(ref) ? resolve(baseDir, ref) : ref;
      const workload = resolveModel(path);
      this.models.set(workload.id, workload);
    }
  }

  model(id: string): Workload {
    const workload = this.models.get(id);
    if (!workload) throw new LinkcapInputError('model', `${id} is not on the sweep's model axis`);
    return workload;
  }

  /** The cluster of a row, derived when the row sets a derived axis. */
  cluster(row: Row): ResolvedCluster {
    const derive: Record<string, number> = {};
    for (const [axis, option] of Object.entries(DERIVED)) if (typeof row[axis] === 'number') derive[option] = row[axis] as number;
    const id = String(row.cluster);
    const key = `${id}|${JSON.stringify(derive)}`;
    let cluster = this.clusters.get(key);
    if (!cluster) {
      const base = resolveCluster(id, this.catalog);
      if (Object.keys(derive).length === 0) cluster = base;
      else {
        const variant = deriveChip(this.catalog, base.chip.id, { ...derive, name: `${base.id}.study${this.clusters.size}`, baseCluster: base.id });
        if (!variant.cluster) throw new LinkcapInputError('cluster', `${base.id}: chip ${base.chip.id} has no node preset to derive`);
        cluster = variant.cluster;
      }
      this.clusters.set(key, cluster);
    }
    return cluster;
  }
}

function typeOf(value: unknown): ColumnDef['type'] {
  if (typeof value === 'string') return 'string';
  return Number.isInteger(value) ? 'int' : 'float';
}

/** Evaluates the follow-up and writes derived/<name>/ under `root`; returns the rows. */
export function evaluateSameLayout(
  name: string,
  spec: SweepSpec,
  baseDir: string,
  follow: SameLayoutFollowUp,
  best: Row[],
  profiles: Map<string, PricedProfile>,
  root: string,
): Row[] {
  const resolver = new Resolver(spec, baseDir);
  const efficiencyAxes = ['chip.gemmEfficiency', 'chip.gemmEfficiencyFp8'].filter((a) => best.some((r) => typeof r[a] === 'number'));
  const axes = [...Object.keys(spec.axes).filter((a) => !(spec.layouts !== undefined && LAYOUT_FIELDS.includes(a as (typeof LAYOUT_FIELDS)[number]))), 'profile', ...efficiencyAxes];
  const sides = axisList(spec, follow.axis);
  const groupKey = (row: Row) => JSON.stringify(axes.filter((a) => a !== follow.axis).map((a) => row[a]));
  const baselines = new Map<string, Row>();
  for (const row of best) if (row[follow.axis] === follow.baseline && row.status === 0) baselines.set(groupKey(row), row);
  const out: Row[] = [];
  for (const baseline of baselines.values()) {
    const layout: TrainingLayoutInput = { ...(Object.fromEntries(LAYOUT_FIELDS.map((f) => [f, baseline[f]])) as TrainingLayoutInput), ...profiles.get(String(baseline.profile))?.request.layout };
    if (typeof baseline.precision === 'string') layout.precision = baseline.precision as 'bf16' | 'fp8';
    if (typeof baseline.commPrecision === 'string') layout.commPrecision = baseline.commPrecision as 'bf16' | 'fp8';
    for (const side of sides) {
      const row: Row = { ...Object.fromEntries(axes.map((a) => [a, baseline[a]])), [follow.axis]: side as string | number };
      for (const f of LAYOUT_FIELDS) row[f] = baseline[f];
      let status = 2;
      const priced = profiles.get(String(row.profile));
      if (!priced) throw new Error(`same-layout: no priced profile "${String(row.profile)}"`);
      try {
        const cluster = resolver.cluster(row);
        const rates = chipRatesFromSpec(cluster.chip);
        const efficiency = Object.fromEntries(efficiencyAxes.map((a) => [a.slice(5), row[a] as number]));
        const p = predictTraining({
          model: resolver.model(String(row.model)),
          cluster,
          chip: { ...rates, ...efficiency },
          gpus: Number(row.gpus),
          layout,
          // The profile's run priced the engine's profile with these departures (analysis/profiles.ts).
          profile: ENGINE_PROFILE,
          overlap: { ...priced.overlap, ...(priced.slowdown !== undefined ? { slowdown: priced.slowdown } : {}) },
          framework: priced.request.framework,
        });
        Object.assign(row, {
          stepTimeS: p.stepS,
          ...p.breakdown,
          mfu: p.mfu,
          tokensPerS: p.tokensPerS,
          tokensPerSPerGpu: p.tokensPerSPerGpu,
          memoryBytes: p.memory.totalBytes,
        });
        status = p.feasible ? 0 : 1;
      } catch (error) {
        if (!(error instanceof LinkcapInputError)) throw error;
        for (const m of METRICS) row[m] = NaN;
      }
      row.baselineStepTimeS = baseline.stepTimeS;
      row.ratio = Number(row.stepTimeS) / Number(baseline.stepTimeS);
      row.baselineStatus = baseline.status;
      row.status = status;
      out.push(row);
    }
  }
  const sample = out[0] ?? {};
  const columns: ColumnDef[] = [
    ...axes.map((a): ColumnDef => ({ name: a, type: typeOf(sample[a]), role: 'axis' })),
    ...LAYOUT_FIELDS.map((f): ColumnDef => ({ name: f, type: f === 'recompute' ? 'string' : 'int', role: 'layout' })),
    ...METRICS.map((m): ColumnDef => ({ name: m, type: 'float', role: 'metric' })),
    { name: 'baselineStepTimeS', type: 'float', role: 'metric', unit: 's' },
    { name: 'ratio', type: 'float', role: 'metric', unit: `stepTimeS ÷ stepTimeS at ${follow.axis} = ${follow.baseline}, same layout` },
    { name: 'baselineStatus', type: 'int', role: 'status' },
    { name: 'status', type: 'int', role: 'status' },
  ];
  const dir = join(root, 'derived', name);
  mkdirSync(join(dir, 'reductions'), { recursive: true });
  const manifest = {
    format: 'linkcap-sweep/1',
    linkcapVersion: '0.1.0',
    kind: 'training',
    name: `${name}-same-layout`,
    producer: `linkcap study: the best layout at ${follow.axis} = ${follow.baseline} of each group of sweeps/${name}, evaluated on every ${follow.axis} (predictTraining)`,
    spec: { from: `sweeps/${name}`, sameLayout: follow },
    complete: true,
    points: { total: out.length, evaluated: out.length, ok: out.filter((r) => r.status === 0).length },
    shard: null,
    axes: columns.filter((c) => c.role === 'axis').map((c) => ({ name: c.name, type: c.type })),
    metrics: columns.filter((c) => c.role === 'metric').map((c) => ({ name: c.name, unit: c.unit ?? (c.name.endsWith('S') ? 's per step' : '') })),
    files: { rows: null, reductions: [{ name: 'same-layout', kind: 'paired-ratio-at-baseline-best', file: 'reductions/same-layout.parquet', by: axes.filter((a) => a !== follow.axis), metric: 'stepTimeS' }] },
    createdAt: new Date().toISOString(),
  };
  writeParquet(join(dir, 'reductions', 'same-layout.parquet'), { columns, rows: out }, { 'linkcap.manifest': JSON.stringify(manifest) });
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}
