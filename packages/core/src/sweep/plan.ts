/**
 * Spec → the compact plan the native engine enumerates (native/src/core/sweep_plan.hpp). Nothing here
 * enumerates points: axes become value lists, and the axes that change a cluster, chip or model become small
 * row tables (the product of only those axes), indexed in C++ by digit × stride.
 *
 * Derived axes (scaleUpGBps, nicGbps, nicsPerGpu, bf16Tflops, fp8Tflops, memoryTBps) go through deriveChip,
 * the logic of `linkcap chips derive`; `layouts: all` lists come from the training search's own enumeration
 * (searchLayoutRows); layout axes map onto LAYOUT_FIELDS by name, so new layout fields are sweepable as they land.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { AUTO, AUTO_ALL, ALGORITHMS, OPS, PROTOCOLS } from '../model/enums.js';
import { CLUSTER_FIELDS, CLUSTER_FIELD_COUNT, packClusters, type ClusterParams } from '../model/cluster-params.js';
import { loadCatalog } from '../catalog/load-file.js';
import { resolveCluster } from '../catalog/cluster-ref.js';
import { deriveChip, type DeriveOptions } from '../catalog/derive.js';
import type { Catalog } from '../catalog/schema.js';
import type { ResolvedCluster } from '../catalog/resolve-cluster.js';
import { CHIP_FIELDS, CHIP_FIELD_COUNT, L, LAYOUT_FIELDS, LAYOUT_FIELD_COUNT, W, WORKLOAD_FIELDS, WORKLOAD_FIELD_COUNT } from '../training/fields.js';
import { chipParams, packChips, type ChipParams } from '../training/chip.js';
import { resolveModel } from '../training/models.js';
import { chipRatesFromSpec, resolveFramework, resolveGlobalBatch, resolveLayout, resolveOverlap, writeLayout, type ResolvedContext } from '../training/request.js';
import { PROFILE_IDS, PROFILES, type ProfileId } from '../training/profiles.js';
import { SEARCH_LAYOUT_FIELDS, searchLayoutRows } from '../training/search.js';
import type { Workload } from '../training/workload.js';
import { applyProfile, BundleError, isBundleList, resolveBundleAxis, type ResolvedBundle } from './bundles.js';
import { compileWhereList, type FilterVariable } from './expression.js';
import { ColumnSource, ColumnType, FilterOp, PlanKind, REDUCE_KINDS, Target } from './native-codes.js';
import { LAYOUT_LABELS, layoutFieldType, parseLayoutValue, ROW_FIELDS, SEARCH_FIELDS } from './layout-values.js';
import { COLLECTIVE_METRICS, DEFAULT_COLLECTIVE_METRICS, DEFAULT_TRAINING_METRICS, TRAINING_DERIVED_METRICS, TRAINING_METRICS, type MetricInfo } from './metrics.js';
import { SpecSource, type SpecPath } from './parse.js';
import type { AxisScalar, ReductionSpec, SweepSpec } from './spec.js';
import { expandAxis, parseNumber, type NumberStyle } from './values.js';


export type ValueType = 'string' | 'int' | 'float' | 'bool';

export interface PlanAxis {
  name: string;
  type: ValueType;
  unit?: string;
  /** Number per value (a string axis holds its code 0…n-1). */
  values: Float64Array;
  /** Labels of a string axis. */
  labels?: string[];
  target: Target;
  arg: number;
}

export interface PlanColumn {
  name: string;
  type: ValueType | 'status';
  unit?: string;
  source: ColumnSource;
  arg: number;
  storage: ColumnType;
  labels?: readonly string[];
}

export interface PlanReduction {
  name: string;
  kind: ReductionSpec['kind'] | 'sample';
  spec: ReductionSpec | { kind: 'sample'; k: number };
  native: Record<string, number | number[]>;
  by: string[];
  metric?: string;
  metrics?: string[];
  /** Ratio reductions: the axis and the two labels compared. */
  pair?: { axis: string; numerator: string; denominator: string };
}

export interface SweepPlan {
  kind: 'collective' | 'training';
  name: string;
  spec: SweepSpec;
  axes: PlanAxis[];
  columns: PlanColumn[];
  metrics: MetricInfo[];
  /** Every metric of the kind (reductions may use any). */
  allMetrics: readonly MetricInfo[];
  reductions: PlanReduction[];
  rows: 'all' | 'none' | { sample: number };
  format: 'parquet' | 'csv' | 'jsonl' | 'arrow';
  outerCount: number;
  hasFilter: boolean;
  /** The object handed to the native SweepEngine. */
  native: NativePlan;
  /** Rows of the tables (for the model hash). */
  tables: Float64Array[];
  /** Where the spec's relative paths resolved, and the extra catalog files given: enough to rebuild the plan (merge). */
  baseDir: string;
  extraCatalogFiles: string[];
}

export interface NativePlan {
  kind: 0 | 1;
  axes: { values: Float64Array; target: number; arg: number }[];
  clusters: Float64Array;
  workloads?: Float64Array;
  chips?: Float64Array;
  baseLayout?: Float64Array;
  workloadBatch?: Float64Array;
  clusterPrice?: Float64Array;
  tokens?: number;
  layouts?: { fields: Int32Array; table: Float64Array; listOffsets: Uint32Array; contextStrides: Float64Array };
  /** Bundle axes' tables (sweep_plan.hpp BundlePlan), indexed by the axis's arg. */
  bundles?: { fields: Int32Array; late: Uint8Array; table: Float64Array }[];
  filter?: Float64Array;
  columns: Int32Array;
  reductions: Record<string, number | number[]>[];
}

export interface PlanOptions {
  /** Directory relative paths in the spec resolve against (default: cwd). */
  baseDir?: string;
  /** Extra catalog files (the CLI's --catalog). */
  catalog?: string[];
  /** A catalog to use instead of loading one. */
  catalogObject?: Catalog;
  source?: SpecSource;
}

// --- axis vocabularies --------------------------------------------------------------------------------------

/** Derived axes: a deriveChip option each, in human units. */
const DERIVED: Record<string, { option: keyof DeriveOptions; unit: string; training?: boolean }> = {
  scaleUpGBps: { option: 'scaleUpBidirGBps', unit: 'GB/s bidirectional per GPU, as datasheets state it (linkcap chips derive --scale-up)' },
  nicGbps: { option: 'nicGbps', unit: 'Gb/s per NIC, per direction' },
  nicsPerGpu: { option: 'nicsPerGpu', unit: 'NICs per GPU' },
  bf16Tflops: { option: 'bf16Tflops', unit: 'dense BF16 TFLOP/s', training: true },
  fp8Tflops: { option: 'fp8Tflops', unit: 'dense FP8 TFLOP/s', training: true },
  memoryTBps: { option: 'memoryTBps', unit: 'TB/s', training: true },
};


function normaliseOp(text: string): string | undefined {
  const key = text.toLowerCase().replace(/_perf$/, '').replace(/_/g, '-');
  const compact = key.replace(/-/g, '');
  const aliases: Record<string, string> = { ar: 'all-reduce', rs: 'reduce-scatter', ag: 'all-gather', bcast: 'broadcast', a2a: 'all-to-all', p2p: 'send-recv' };
  return OPS.find((op) => op === key || op.replace(/-/g, '') === compact) ?? aliases[compact];
}

// --- building -----------------------------------------------------------------------------------------------

interface ClusterVariant {
  cluster: ResolvedCluster;
  params: ClusterParams;
  chip?: ChipParams;
}

export function buildSweepPlan(spec: SweepSpec, options: PlanOptions = {}): SweepPlan {
  const source = options.source ?? new SpecSource('sweep spec');
  const fail = (path: SpecPath, message: string): never => source.fail(path, message);
  const baseDir = options.baseDir ?? process.cwd();
  const training = spec.kind === 'training';
  const catalogFiles = [...(spec.catalog ?? []).map((f) => (isAbsolute(f) ? f : resolve(baseDir, f))), ...(options.catalog ?? [])];
  const catalog = options.catalogObject ?? loadCatalog({ files: catalogFiles, cwd: baseDir });
  const layoutsAll = training && spec.layouts !== undefined;

  // 1. Every axis → values, type and role.
  const axes: PlanAxis[] = [];
  const names = Object.keys(spec.axes);
  const resolvedClusters: ResolvedCluster[][] = [];
  const workloads: Workload[][] = [];
  // Bundle axes (bundles.ts): their resolved values by axis name, and the native tables.
  const bundleValues = new Map<string, ResolvedBundle[]>();
  const bundleTables: NonNullable<NativePlan['bundles']> = [];
  const baseProfileId = (spec.train?.profile ?? 'megatron-core') as ProfileId;
  if (training && !(PROFILE_IDS as readonly string[]).includes(baseProfileId)) fail(['train', 'profile'], `${JSON.stringify(spec.train?.profile)}: must be one of ${PROFILE_IDS.join(', ')}`);
  for (const name of names) {
    const path: SpecPath = ['axes', name];
    const expand = (style: NumberStyle | 'text'): AxisScalar[] => {
      const list = expandAxis(spec.axes[name], style);
      if (typeof list === 'string') return fail(path, list);
      if (new Set(list.map(String)).size !== list.length) return fail(path, 'values must be distinct');
      return list;
    };
    const numbers = (style: NumberStyle, check: (v: number) => string | undefined): number[] =>
      expand(style).map((v, i) => {
        const n = typeof v === 'number' ? v : parseNumber(v, style);
        if (typeof n === 'string') return fail([...path, i], n);
        const problem = check(n);
        if (problem) return fail([...path, i], `${String(v)}: ${problem}`);
        return n;
      });
    const whole = (min: number, max: number) => (v: number) => (Number.isInteger(v) && v >= min && v <= max ? undefined : `must be a whole number from ${min} to ${max}`);
    const positive = (v: number) => (v > 0 ? undefined : 'must be > 0');
    const stringAxis = (labels: string[], target: Target, codes?: number[], unit?: string): PlanAxis => ({
      name,
      type: 'string',
      unit,
      labels,
      values: Float64Array.from(codes ?? labels.map((_, i) => i)),
      target,
      arg: 0,
    });

    if (training && (name === 'profile' || isBundleList(spec.axes[name]))) {
      let bundle;
      try {
        bundle = resolveBundleAxis(name, spec.axes[name], layoutsAll);
      } catch (error) {
        if (error instanceof BundleError) return fail([...path, ...error.path], error.message);
        throw error;
      }
      if (bundle.values.some((v) => v.profile) && [...bundleValues.values()].some((list) => list.some((v) => v.profile))) {
        fail(path, 'only one axis may choose the implementation profile');
      }
      bundleValues.set(name, bundle.values);
      axes.push({ ...stringAxis(bundle.labels, Target.Bundle), arg: bundleTables.length });
      bundleTables.push(bundle.native);
    } else if (name === 'cluster') {
      const refs = expand('text').map(String);
      const list = refs.map((ref, i) => {
        try {
          return resolveCluster(ref, catalog, baseDir);
        } catch (error) {
          return fail([...path, i], (error as Error).message);
        }
      });
      resolvedClusters.push(list);
      axes.push(stringAxis(list.map((c) => c.id), Target.ClusterRow));
    } else if (name === 'model' && training) {
      const refs = expand('text').map(String);
      const list = refs.map((ref, i) => {
        const file = resolve(baseDir, ref.split('#')[0]);
        const usable = existsSync(file) && !/^[a-z0-9][a-z0-9.-]*$/i.test(ref) ? `${file}${ref.includes('#') ? `#${ref.split('#')[1]}` : ''}` : ref;
        try {
          return resolveModel(usable);
        } catch (error) {
          return fail([...path, i], (error as Error).message);
        }
      });
      workloads.push(list);
      axes.push(stringAxis(list.map((w) => w.id), Target.WorkloadRow));
    } else if (name === 'op' && !training) {
      const labels = expand('text').map((v, i) => normaliseOp(String(v)) ?? fail([...path, i], `"${String(v)}": must be one of ${OPS.join(', ')}`));
      axes.push(stringAxis(labels, Target.Op, labels.map((l) => OPS.indexOf(l as (typeof OPS)[number]))));
    } else if (name === 'algorithm' && !training) {
      const labels = expand('text').map(String);
      const codes = labels.map((l, i) => (l === 'auto' ? AUTO : l === 'best' ? AUTO_ALL : ALGORITHMS.indexOf(l as (typeof ALGORITHMS)[number])) as number).map((c, i) =>
        c < 0 ? fail([...path, i], `"${labels[i]}": must be auto, best or one of ${ALGORITHMS.join(', ')}`) : c,
      );
      axes.push(stringAxis(labels, Target.Algo, codes));
    } else if (name === 'protocol' && !training) {
      const labels = expand('text').map(String);
      const codes = labels.map((l, i) => {
        const c = l === 'auto' ? AUTO : PROTOCOLS.indexOf(l as (typeof PROTOCOLS)[number]);
        return c < 0 ? fail([...path, i], `"${l}": must be auto or one of ${PROTOCOLS.join(', ')}`) : c;
      });
      axes.push(stringAxis(labels, Target.Proto, codes));
    } else if (name === 'gpus') {
      axes.push({ name, type: 'int', unit: 'GPUs', values: Float64Array.from(numbers('plain', whole(1, training ? 2 ** 24 : 2 ** 31))), target: Target.Gpus, arg: 0 });
    } else if (name === 'bytes' && !training) {
      axes.push({ name, type: 'float', unit: 'bytes (nccl-tests size)', values: Float64Array.from(numbers('size', positive)), target: Target.Bytes, arg: 0 });
    } else if (DERIVED[name] && (training || !DERIVED[name].training)) {
      axes.push({ name, type: 'float', unit: DERIVED[name].unit, values: Float64Array.from(numbers('plain', positive)), target: Target.ClusterRow, arg: 0 });
    } else if (name.startsWith('cluster.') && (CLUSTER_FIELDS as readonly string[]).includes(name.slice(8))) {
      axes.push({ name, type: 'float', values: Float64Array.from(numbers('plain', (v) => (Number.isFinite(v) ? undefined : 'must be finite'))), target: Target.ClusterRow, arg: 0 });
    } else if (training && name.startsWith('chip.') && (CHIP_FIELDS as readonly string[]).includes(name.slice(5))) {
      axes.push({ name, type: 'float', values: Float64Array.from(numbers('plain', (v) => (Number.isFinite(v) ? undefined : 'must be finite'))), target: Target.ClusterRow, arg: 0 });
    } else if (training && name === 'globalBatchTokens') {
      // Tokens per step: each model's batch in sequences becomes round(tokens / seqLen), as train --global-batch-tokens.
      axes.push({ name, type: 'int', unit: 'tokens per step', values: Float64Array.from(numbers('count', whole(1, 2 ** 31 - 1))), target: Target.WorkloadRow, arg: 0 });
    } else if (training && name.startsWith('model.') && (WORKLOAD_FIELDS as readonly string[]).includes(name.slice(6))) {
      axes.push({ name, type: 'int', values: Float64Array.from(numbers('plain', (v) => (Number.isFinite(v) ? undefined : 'must be finite'))), target: Target.WorkloadRow, arg: 0 });
    } else if (training && (LAYOUT_FIELDS as readonly string[]).includes(name) && !ROW_FIELDS.has(name)) {
      const field = (LAYOUT_FIELDS as readonly string[]).indexOf(name);
      if (layoutsAll && SEARCH_FIELDS.has(name)) fail(path, `with layouts: all, narrow ${name} under layouts: { ${name}: [...] } instead of as an axis`);
      const type = layoutFieldType(name);
      const given = type === 'string' || type === 'bool' || name === 'zero' ? expand('text') : expand('plain');
      const parsed = given.map((v, i) => {
        const x = parseLayoutValue(name, v);
        return typeof x === 'string' ? fail([...path, i], x) : x;
      });
      const labels = LAYOUT_LABELS[name];
      if (labels) axes.push({ ...stringAxis(given.map(String), Target.LayoutField, parsed), arg: field });
      else axes.push({ name, type, values: Float64Array.from(parsed), target: Target.LayoutField, arg: field });
    } else {
      const known = training
        ? ['model', 'cluster', 'gpus', 'profile', 'globalBatchTokens', ...LAYOUT_FIELDS.filter((f) => !ROW_FIELDS.has(f)), ...Object.keys(DERIVED), 'model.<field>', 'chip.<field>', 'cluster.<field>', 'a bundle axis (a list of { name, …fields })']
        : ['cluster', 'op', 'gpus', 'bytes', 'algorithm', 'protocol', 'scaleUpGBps', 'nicGbps', 'nicsPerGpu', 'cluster.<field>'];
      fail(path, `unknown ${spec.kind} axis "${name}"; known: ${known.join(', ')}`);
    }
  }
  const axisIndex = new Map(axes.map((a, i) => [a.name, i]));
  const need = (name: string, why: string) => {
    if (!axisIndex.has(name)) fail(['axes'], `a ${spec.kind} sweep needs a "${name}" axis (${why})`);
  };
  need('cluster', 'one or more cluster presets or files');
  need('gpus', 'GPU counts');
  if (!training) {
    need('op', 'all-reduce, all-gather, …');
    need('bytes', 'message sizes, e.g. 8B..8GiB x2');
  } else {
    need('model', 'model presets or files');
  }

  // 2. Cluster rows: the product of the cluster-row axes (cluster first, then derived and raw fields in axis order).
  const clusterAxes = axes.filter((a) => a.target === Target.ClusterRow);
  setStrides(clusterAxes);
  const clusterBase = resolvedClusters[0];
  const clusterCount = clusterAxes.reduce((n, a) => n * a.values.length, 1);
  if (clusterCount > 65536) fail(['axes'], `the cluster axes make ${clusterCount} cluster rows (limit 65536)`);
  const variants: ClusterVariant[] = [];
  for (let row = 0; row < clusterCount; row += 1) {
    const digits = clusterAxes.map((a) => Math.floor(row / a.arg) % a.values.length);
    const baseIndex = digits[clusterAxes.findIndex((a) => a.name === 'cluster')];
    const base = clusterBase[baseIndex];
    const derive: DeriveOptions = { name: '' };
    const raw: Record<string, number> = {};
    clusterAxes.forEach((a, i) => {
      const v = a.values[digits[i]];
      if (DERIVED[a.name]) (derive as unknown as Record<string, number>)[DERIVED[a.name].option] = v;
      else if (a.name !== 'cluster') raw[a.name] = v;
    });
    let cluster = base;
    let chipSpec = base.chip;
    if (Object.keys(derive).length > 1) {
      const derivedName = `${base.id}.sweep${row}`;
      try {
        const variant = deriveChip(catalog, base.chip.id, { ...derive, name: derivedName, baseCluster: base.id });
        if (!variant.cluster) throw new Error(`chip ${base.chip.id} has no node preset to apply the derived axes to`);
        cluster = variant.cluster;
        chipSpec = variant.chip;
      } catch (error) {
        fail(['axes', 'cluster', baseIndex], `${base.id}: ${(error as Error).message}${catalog.clusters.has(base.id) ? '' : ' (derived axes need a catalog cluster; add the file under catalog:)'}`);
      }
    }
    const params = { ...cluster.params };
    for (const [name, v] of Object.entries(raw)) if (name.startsWith('cluster.')) (params as unknown as Record<string, number>)[name.slice(8)] = v;
    let chip: ChipParams | undefined;
    if (training) {
      try {
        chip = chipParams(chipRatesFromSpec(chipSpec));
      } catch (error) {
        fail(['axes', 'cluster', baseIndex], (error as Error).message);
      }
      for (const [name, v] of Object.entries(raw)) if (name.startsWith('chip.')) (chip as unknown as Record<string, number>)[name.slice(5)] = v;
    }
    variants.push({ cluster, params, chip });
  }
  const packedClusters = packClusters(variants.map((v) => v.params));

  // 3. Training tables: workload rows (model × model.<field>), chips (one per cluster row), base layout, prices.
  const native: NativePlan = {
    kind: training ? PlanKind.Training : PlanKind.Collective,
    axes: [],
    clusters: packedClusters,
    columns: new Int32Array(0),
    reductions: [],
  };
  const tables: Float64Array[] = [packedClusters];
  let workloadRows: Workload[] = [];
  let baseLayout: Float64Array | undefined;
  if (training) {
    const workloadAxes = axes.filter((a) => a.target === Target.WorkloadRow);
    setStrides(workloadAxes);
    const count = workloadAxes.reduce((n, a) => n * a.values.length, 1);
    const packed = new Float64Array(count * WORKLOAD_FIELD_COUNT);
    const batches = new Float64Array(count);
    for (let row = 0; row < count; row += 1) {
      const digits = workloadAxes.map((a) => Math.floor(row / a.arg) % a.values.length);
      const model = workloads[0][digits[workloadAxes.findIndex((a) => a.name === 'model')]];
      const r = model.row.slice();
      workloadAxes.forEach((a, i) => {
        if (a.name.startsWith('model.')) r[(WORKLOAD_FIELDS as readonly string[]).indexOf(a.name.slice(6))] = a.values[digits[i]];
      });
      const workload: Workload = { ...model, row: r };
      workloadRows.push(workload);
      packed.set(r, row * WORKLOAD_FIELD_COUNT);
      const tokensAxis = workloadAxes.findIndex((a) => a.name === 'globalBatchTokens');
      const tokens = tokensAxis < 0 ? undefined : workloadAxes[tokensAxis].values[digits[tokensAxis]];
      try {
        batches[row] = resolveGlobalBatch(workload, tokens === undefined ? {} : { globalBatchTokens: tokens }, 1);
      } catch (error) {
        fail(['axes', 'globalBatchTokens', digits[tokensAxis]], `${model.id}: ${(error as Error).message}`);
      }
    }
    if (axisIndex.has('globalBatchTokens') && axisIndex.has('globalBatch')) fail(['axes', 'globalBatchTokens'], 'give the batch either in sequences (globalBatch) or in tokens (globalBatchTokens), not both');
    const chipAxes = axes.filter((a) => a.target === Target.ChipRow);
    if (chipAxes.length > 0) fail(['axes'], 'chip axes are not supported; sweep clusters (each brings its chip)');
    const chips = packChips(variants.map((v) => v.chip!));
    // Defaults of a prediction (resolveLayout, resolveOverlap, resolveFramework) under the base profile
    // (train.profile, megatron-core by default; a profile axis replaces it per point); globalBatch comes per model
    // (workloadBatch). The profile's per-layout rules stay rules (OVERLAP_RULE), resolved by the engine for each
    // point; layout lists (`layouts: all`) carry the profile's overlap fractions per layout.
    const profile = PROFILES[baseProfileId];
    const layout = resolveLayout({ workload: workloadRows[0], gpus: 1, profile } as ResolvedContext, {});
    baseLayout = new Float64Array(LAYOUT_FIELD_COUNT);
    writeLayout(baseLayout, 0, [0, 0, 0], layout, resolveOverlap({}, profile, workloadRows[0].row, layout), resolveFramework({}, profile));
    const profileAxis = [...bundleValues.values()].some((list) => list.some((v) => v.profile));
    try {
      applyProfile(baseLayout, profile, layoutsAll);
    } catch (error) {
      // A profile axis sets these fields per point; the base profile's own rules then never apply.
      if (!profileAxis) fail(['train', 'profile'], (error as Error).message);
    }
    native.workloads = packed;
    native.chips = chips;
    native.baseLayout = baseLayout;
    native.workloadBatch = batches;
    tables.push(packed, chips, baseLayout);
    // Prices and tokens for the derived metrics.
    const price = spec.train?.pricePerGpuHour;
    native.clusterPrice = Float64Array.from(variants, (v, i) => {
      if (price === undefined) return NaN;
      if (typeof price === 'number') return price;
      const clusterAxis = clusterAxes.find((a) => a.name === 'cluster')!;
      const base = clusterBase[Math.floor(i / clusterAxis.arg) % clusterBase.length];
      return price[base.id] ?? price[v.cluster.id] ?? NaN;
    });
    if (typeof price === 'object') {
      for (const id of Object.keys(price)) if (!clusterBase.some((c) => c.id === id)) fail(['train', 'pricePerGpuHour', id], `"${id}" is not one of the swept clusters (${clusterBase.map((c) => c.id).join(', ')})`);
    }
    if (spec.train?.tokens !== undefined) {
      const tokens = parseNumber(spec.train.tokens, 'count');
      if (typeof tokens === 'string' || !(tokens > 0)) fail(['train', 'tokens'], `${typeof tokens === 'string' ? tokens : String(spec.train.tokens)}: must be a number of tokens > 0 (15T, 2e12)`);
      native.tokens = tokens as number;
    }
  } else {
    workloadRows = [];
  }

  // 4. Layout lists (`layouts: all`): one list per distinct context (model row, domain size, GPUs, batch, flash).
  if (layoutsAll) {
    const space = spec.layouts === 'all' ? {} : spec.layouts!;
    // The profile decides the ZeRO stages searched and each layout's overlaps: a bundle axis choosing profiles is a context axis.
    const profileOf = (a: PlanAxis, digit: number): ProfileId | undefined => bundleValues.get(a.name)?.[digit]?.profile;
    const contextAxes = axes
      .map((a, i) => ({ a, i }))
      .filter(
        ({ a }) =>
          a.target === Target.WorkloadRow ||
          a.target === Target.ClusterRow ||
          a.target === Target.Gpus ||
          (a.target === Target.LayoutField && (a.arg === L.globalBatch || a.arg === L.flashAttention)) ||
          (a.target === Target.Bundle && bundleValues.get(a.name)!.some((v) => v.profile)),
      );
    let stride = 1;
    const strides = new Float64Array(axes.length);
    for (let k = contextAxes.length - 1; k >= 0; k -= 1) {
      strides[contextAxes[k].i] = stride;
      stride *= contextAxes[k].a.values.length;
    }
    const contexts = stride;
    if (contexts > 1_000_000) fail(['layouts'], `${contexts} contexts (model × cluster × GPU count × batch): too many for layouts: all; narrow the axes`);
    // (first entry, count) per context; contexts with the same model, domain, GPUs, batch and flash share a list.
    const lists = new Uint32Array(contexts * 2);
    const cache = new Map<string, { offset: number; count: number }>();
    const entries: Float64Array[] = [];
    let total = 0;
    for (let c = 0; c < contexts; c += 1) {
      const digitOf = (axis: number) => Math.floor(c / strides[axis]) % axes[axis].values.length;
      let workloadRow = 0;
      let clusterRow = 0;
      let gpus = 0;
      let globalBatch: number | undefined;
      let flash = baseLayout![L.flashAttention] === 1;
      let profileId = baseProfileId;
      for (const { a, i } of contextAxes) {
        const v = a.values[digitOf(i)];
        if (a.target === Target.WorkloadRow) workloadRow += digitOf(i) * a.arg;
        else if (a.target === Target.ClusterRow) clusterRow += digitOf(i) * a.arg;
        else if (a.target === Target.Gpus) gpus = v;
        else if (a.target === Target.Bundle) profileId = profileOf(a, digitOf(i)) ?? profileId;
        else if (a.arg === L.globalBatch) globalBatch = v;
        else flash = v === 1;
      }
      const domain = variants[clusterRow].params.gpusPerDomain;
      const batch = globalBatch ?? native.workloadBatch![workloadRow];
      const key = `${workloadRow}|${domain}|${gpus}|${batch}|${flash}|${profileId}`;
      let list = cache.get(key);
      if (!list) {
        let rows: Float64Array;
        try {
          rows = searchLayoutRows(workloadRows[workloadRow], domain, gpus, batch, flash, space, profileId);
        } catch (error) {
          return fail(['layouts'], (error as Error).message);
        }
        list = { offset: total, count: rows.length / SEARCH_LAYOUT_FIELDS.length };
        entries.push(rows);
        total += list.count;
        if (total > 20_000_000) fail(['layouts'], 'more than 20,000,000 distinct layouts: narrow the axes or the layout lists');
        cache.set(key, list);
      }
      lists[2 * c] = list.offset;
      lists[2 * c + 1] = list.count;
    }
    native.layouts = { fields: Int32Array.from(SEARCH_LAYOUT_FIELDS), table: concat(entries, total * SEARCH_LAYOUT_FIELDS.length), listOffsets: lists, contextStrides: strides };
    tables.push(native.layouts.table);
  }

  // 5. Axes for the engine.
  native.axes = axes.map((a) => ({ values: a.values, target: a.target, arg: a.arg }));
  if (bundleTables.length > 0) {
    native.bundles = bundleTables;
    tables.push(...bundleTables.map((b) => b.table));
  }
  const outerCount = axes.reduce((n, a) => n * a.values.length, 1);

  // 6. Metrics and columns.
  const allMetrics = training ? TRAINING_METRICS : COLLECTIVE_METRICS;
  const metricByName = new Map(allMetrics.map((m) => [m.name, m]));
  const wanted = spec.metrics ?? (training ? [...DEFAULT_TRAINING_METRICS, ...(native.tokens ? TRAINING_DERIVED_METRICS.filter((m) => m !== 'costUsd' || spec.train?.pricePerGpuHour !== undefined) : [])] : DEFAULT_COLLECTIVE_METRICS);
  const metrics = wanted.map((name, i) => metricByName.get(name) ?? fail(['metrics', i], `unknown metric "${name}"; known: ${allMetrics.map((m) => m.name).join(', ')}`));
  const checkDerived = (name: string, path: SpecPath) => {
    if (TRAINING_DERIVED_METRICS.includes(name) && !native.tokens) fail(path, `${name} needs train.tokens`);
    if (name === 'costUsd' && spec.train?.pricePerGpuHour === undefined) fail(path, 'costUsd needs train.pricePerGpuHour');
  };
  if (training) metrics.forEach((m, i) => checkDerived(m.name, ['metrics', i]));
  const columns: PlanColumn[] = [];
  for (const a of axes) {
    const storage = a.type === 'string' ? ColumnType.U32 : a.type === 'float' ? ColumnType.F64 : ColumnType.I32;
    columns.push({ name: a.name, type: a.type, unit: a.unit, source: ColumnSource.AxisValue, arg: axisIndex.get(a.name)!, storage, labels: a.labels });
  }
  if (training) {
    for (const field of ['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'globalBatch', 'interleave', 'recompute', 'zero'] as const) {
      if (axisIndex.has(field)) continue;
      const labels = LAYOUT_LABELS[field];
      columns.push({ name: field, type: labels ? 'string' : 'int', source: ColumnSource.LayoutField, arg: (LAYOUT_FIELDS as readonly string[]).indexOf(field), storage: labels ? ColumnType.U32 : ColumnType.I32, labels });
    }
  }
  for (const m of metrics) {
    columns.push({
      // An axis may carry a metric's name (algorithm: [auto, best] asks; the metric is what was chosen).
      name: axisIndex.has(m.name) ? `chosen${m.name[0].toUpperCase()}${m.name.slice(1)}` : m.name,
      type: m.type === 'code' ? 'string' : m.type,
      unit: m.unit,
      source: ColumnSource.Metric,
      arg: m.id,
      storage: m.type === 'code' ? ColumnType.U32 : m.type === 'int' ? ColumnType.I32 : ColumnType.F64,
      labels: m.labels,
    });
  }
  columns.push({ name: 'status', type: 'status', unit: training ? 'TrainingStatus (0 ok)' : 'PointStatus (0 ok)', source: ColumnSource.Status, arg: 0, storage: ColumnType.U8 });
  native.columns = Int32Array.from(columns.flatMap((c) => [c.source, c.arg, c.storage]));

  // 7. where.
  const where = spec.where === undefined ? [] : Array.isArray(spec.where) ? spec.where : [spec.where];
  if (where.length > 0) {
    const variables = new Map<string, FilterVariable>();
    if (training) {
      LAYOUT_FIELDS.forEach((field, i) => {
        if (!ROW_FIELDS.has(field)) variables.set(field, { op: FilterOp.LayoutField, arg: i, labels: LAYOUT_LABELS[field] });
      });
      // Any field of the point's model and chip rows, by its dotted name (`model.layers`, `chip.gemmEfficiency`).
      WORKLOAD_FIELDS.forEach((field, i) => variables.set(`model.${field}`, { op: FilterOp.WorkloadField, arg: i }));
      CHIP_FIELDS.forEach((field, i) => variables.set(`chip.${field}`, { op: FilterOp.ChipField, arg: i }));
    }
    CLUSTER_FIELDS.forEach((field, i) => variables.set(`cluster.${field}`, { op: FilterOp.ClusterField, arg: i }));
    axes.forEach((a, i) => {
      if (!(training && a.target === Target.LayoutField)) variables.set(a.name, { op: FilterOp.Axis, arg: i, labels: a.labels });
    });
    native.filter = compileWhereList(where, variables, (i, message) => fail(Array.isArray(spec.where) ? ['where', i] : ['where'], message));
  }

  // 8. Reductions.
  const reductions: PlanReduction[] = (spec.reduce ?? []).map((r, index) => buildReduction(r, ['reduce', index]));
  const reductionNames = new Set<string>();
  reductions.forEach((r, i) => {
    if (reductionNames.has(r.name)) fail(['reduce', i, 'name'], `"${r.name}" is used twice`);
    reductionNames.add(r.name);
  });
  function metricId(name: string | undefined, path: SpecPath): number {
    if (name === undefined) return fail(path, 'a metric is required');
    const m = metricByName.get(name) ?? fail(path, `unknown metric "${name}"; known: ${allMetrics.map((x) => x.name).join(', ')}`);
    if (training) checkDerived(name, path);
    return m.id;
  }
  function buildReduction(r: ReductionSpec, path: SpecPath): PlanReduction {
    const by = r.by ?? [];
    const groupAxes = by.map((name, i) => axisIndex.get(name) ?? fail([...path, 'by', i], `"${name}" is not an axis of this sweep (${axes.map((a) => a.name).join(', ')})`));
    const nativeSpec: Record<string, number | number[]> = { kind: REDUCE_KINDS[r.kind], by: groupAxes };
    const out: PlanReduction = { name: r.name, kind: r.kind, spec: r, native: nativeSpec, by };
    const single = () => {
      out.metric = r.metric;
      nativeSpec.metrics = [metricId(r.metric, [...path, 'metric'])];
      nativeSpec.maximize = [r.maximize === true ? 1 : 0];
    };
    switch (r.kind) {
      case 'argmin':
      case 'argmax':
      case 'top-k':
        single();
        if (r.kind === 'top-k') nativeSpec.k = r.k ?? 10;
        break;
      case 'pareto': {
        const list = r.metrics ?? fail([...path, 'metrics'], 'pareto needs metrics: [a, b] or [a, b, c]');
        out.metrics = list;
        nativeSpec.metrics = list.map((m, i) => metricId(m, [...path, 'metrics', i]));
        const maximize = Array.isArray(r.maximize) ? r.maximize : [];
        maximize.forEach((m, i) => {
          if (!list.includes(m)) fail([...path, 'maximize', i], `"${m}" is not one of the pareto metrics`);
        });
        nativeSpec.maximize = list.map((m) => (maximize.includes(m) ? 1 : 0));
        break;
      }
      case 'quantiles':
        single();
        nativeSpec.alpha = r.relativeError ?? 0.01;
        break;
      case 'histogram': {
        single();
        const range = r.range ?? fail([...path, 'range'], 'histogram needs range: [min, max]');
        nativeSpec.histMin = range[0];
        nativeSpec.histMax = range[1];
        nativeSpec.histBins = r.bins ?? 20;
        nativeSpec.histLog = r.log ? 1 : 0;
        if (!(range[0] < range[1]) || (r.log && !(range[0] > 0))) fail([...path, 'range'], `[${range.join(', ')}]: needs min < max${r.log ? ' and min > 0 for log bins' : ''}`);
        break;
      }
      case 'ratio':
      case 'best-ratio':
      case 'carried-ratio': {
        single();
        nativeSpec.alpha = r.relativeError ?? 0.01;
        const axisName = r.axis ?? fail([...path, 'axis'], 'the axis whose two values are compared, e.g. cluster');
        const axis = axisIndex.get(axisName) ?? fail([...path, 'axis'], `"${axisName}" is not an axis of this sweep`);
        if (groupAxes.includes(axis)) fail([...path, 'by'], `must not hold the compared axis ${axisName}`);
        const digit = (value: string | number | undefined, key: 'numerator' | 'denominator') => {
          if (value === undefined) return fail([...path, key], `which ${axisName} value is the ${key}`);
          const a = axes[axis];
          const index = a.labels ? a.labels.indexOf(String(value)) : [...a.values].indexOf(Number(value));
          if (index < 0) return fail([...path, key], `${JSON.stringify(value)} is not a value of ${axisName} (${(a.labels ?? [...a.values].map(String)).join(', ')})`);
          return index;
        };
        nativeSpec.axis = axis;
        nativeSpec.numerator = digit(r.numerator, 'numerator');
        nativeSpec.denominator = digit(r.denominator, 'denominator');
        if (nativeSpec.numerator === nativeSpec.denominator) fail([...path, 'denominator'], 'must differ from the numerator');
        out.pair = { axis: axisName, numerator: String(r.numerator), denominator: String(r.denominator) };
        break;
      }
      case 'count':
        break;
    }
    if (r.k !== undefined && r.kind !== 'top-k') fail([...path, 'k'], 'k applies to top-k only');
    return out;
  }

  // 9. Rows.
  const rowsOption = spec.output?.rows ?? 'all';
  let rows: SweepPlan['rows'];
  if (rowsOption === 'all' || rowsOption === 'none') rows = rowsOption;
  else if (typeof rowsOption === 'string') rows = { sample: Number(rowsOption.replace(/^sample\s+/, '')) };
  else rows = { sample: rowsOption.sample };
  if (typeof rows === 'object') {
    if (!(Number.isInteger(rows.sample) && rows.sample >= 1 && rows.sample <= 10_000_000)) fail(['output', 'rows'], 'sample N: N must be a whole number from 1 to 10,000,000');
    reductions.push({ name: '(sample)', kind: 'sample', spec: { kind: 'sample', k: rows.sample }, native: { kind: REDUCE_KINDS.sample, by: [], k: rows.sample }, by: [] });
  }
  native.reductions = reductions.map((r) => r.native);

  return {
    kind: spec.kind,
    name: spec.name ?? 'sweep',
    spec,
    axes,
    columns,
    metrics,
    allMetrics,
    reductions,
    rows,
    format: spec.output?.format ?? 'parquet',
    outerCount,
    hasFilter: where.length > 0,
    native,
    tables,
    baseDir,
    extraCatalogFiles: (options.catalog ?? []).map((f) => resolve(baseDir, f)),
  };
}

/** Mixed-radix strides over `list` in order (the last varies fastest), written into each axis's arg. */
function setStrides(list: PlanAxis[]): void {
  let stride = 1;
  for (let i = list.length - 1; i >= 0; i -= 1) {
    list[i].arg = stride;
    stride *= list[i].values.length;
  }
}

function concat(parts: Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The directory a spec file's relative paths resolve against. */
export function specBaseDir(file: string): string {
  return dirname(resolve(file));
}

export { CHIP_FIELD_COUNT, CLUSTER_FIELD_COUNT, W };
