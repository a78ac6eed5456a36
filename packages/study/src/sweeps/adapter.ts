/**
 * ============================================================================================================
 * TEMPORARY STAND-IN FOR THE SWEEP ENGINE (issue 10). Delete this folder (adapter.ts, points.ts,
 * resolve-point.ts) once `sweep(spec, { out })` from @linkcap/core runs the study's specs natively; the rest of
 * the study reads result directories and does not change.
 * ============================================================================================================
 *
 * Runs one training sweep spec with @linkcap/core's per-configuration API (enumerateLayouts + the training engine,
 * native when built) and writes the result directory of docs/design/sweep-results.md: manifest.json and one Parquet
 * file per reduction (reductions/<name>.parquet), plus rows.parquet when the spec asks for rows.
 *
 * Reductions: `argmin` (the fastest configuration that fits, per point of the axes) and `pairedRatio` along one
 * axis, either at the baseline's best layout (the same layout carried to every side) or summarised over every
 * layout priced on both sides (min / median / max of the ratio, split by layout fields).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allocateTrainingOutputs,
  enumerateLayouts,
  getTrainingEngine,
  LAYOUT_FIELDS,
  LinkcapInputError,
  OUTPUT_FIELDS,
  PRECISIONS,
  RECOMPUTE_MODES,
  type SearchSpace,
} from '@linkcap/core';
import type { TrainingSweepSpec } from '../plan/spec.js';
import { writeParquet } from '../results/parquet.js';
import type { ColumnDef, Row, Table } from '../results/table.js';
import { axisColumn, BEST_STATUS, LAYOUT_COLUMNS, METRIC_COLUMNS, STATUS_COLUMN } from './columns.js';
import { expandPoints, groupKey, type Point } from './points.js';
import { PointResolver, type ResolvedPoint } from './resolve-point.js';

const LF = Object.fromEntries(LAYOUT_FIELDS.map((name, i) => [name, i])) as Record<(typeof LAYOUT_FIELDS)[number], number>;
const OF = Object.fromEntries(OUTPUT_FIELDS.map((name, i) => [name, i])) as Record<(typeof OUTPUT_FIELDS)[number], number>;
const LW = LAYOUT_FIELDS.length;
const OW = OUTPUT_FIELDS.length;
/** Layout fields that identify a configuration across clusters (row indices and overlap excluded). */
const KEY_FIELDS = [LF.tp, LF.pp, LF.dp, LF.ep, LF.cp, LF.microbatch, LF.globalBatch, LF.interleave, LF.recompute, LF.zero];

/** Every configuration of one point, evaluated. */
interface Evaluated {
  point: Point;
  resolved: ResolvedPoint;
  layouts: Float64Array;
  outputs: Float64Array;
  count: number;
  /** Row of the fastest configuration that fits (else the fastest priced one), -1 when none is valid. */
  best: number;
  bestStatus: number;
  feasible: number;
  outOfMemory: number;
}

export interface AdapterProgress {
  sweep: string;
  done: number;
  total: number;
}

function keyOf(layouts: Float64Array, row: number): string {
  const o = row * LW;
  let key = '';
  for (const f of KEY_FIELDS) key += `${layouts[o + f]},`;
  return key;
}

/** The search space of a point: the lever's restrictions, or exactly the spec's fixed layout. */
function spaceFor(spec: TrainingSweepSpec, resolved: ResolvedPoint, fixed: Record<string, number | string> | undefined): SearchSpace {
  if (!fixed) return resolved.space;
  const list = (field: string) => (fixed[field] === undefined ? undefined : [fixed[field]]);
  return {
    tp: (list('tp') as number[]) ?? [1],
    pp: (list('pp') as number[]) ?? [1],
    cp: (list('cp') as number[]) ?? [1],
    ep: (list('ep') as number[]) ?? [1],
    microbatch: (list('microbatch') as number[]) ?? [1],
    interleave: (list('interleave') as number[]) ?? [1],
    recompute: (list('recompute') as SearchSpace['recompute']) ?? ['selective'],
    zero: (list('zero') as SearchSpace['zero']) ?? [1],
  };
}

function evaluatePoint(spec: TrainingSweepSpec, resolver: PointResolver, point: Point): Evaluated[] {
  const resolved = resolver.resolve(point);
  const fixedList = spec.layouts === 'all' ? [undefined] : spec.layouts;
  const results: Evaluated[] = [];
  for (const fixed of fixedList) {
    const precision = (fixed?.precision as 'bf16' | 'fp8' | undefined) ?? resolved.precision;
    const commPrecision = (fixed?.commPrecision as 'bf16' | 'fp8' | undefined) ?? resolved.commPrecision;
    const batch = enumerateLayouts({
      model: resolved.workload,
      cluster: resolved.cluster,
      chip: resolved.chip,
      gpus: resolved.gpus,
      globalBatch: typeof fixed?.globalBatch === 'number' ? fixed.globalBatch : resolved.globalBatch,
      space: spaceFor(spec, resolved, fixed),
      precision,
      commPrecision,
      overlap: resolved.overlap,
    });
    const outputs = allocateTrainingOutputs(Math.max(batch.count, 1));
    if (batch.count > 0) getTrainingEngine().evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs);
    let best = -1;
    let bestStatus: number = BEST_STATUS.noValidLayout;
    let feasible = 0;
    let outOfMemory = 0;
    for (let row = 0; row < batch.count; row += 1) {
      const status = outputs[row * OW + OF.status];
      const step = outputs[row * OW + OF.stepS];
      if (status === 0) feasible += 1;
      else if (status === 1) outOfMemory += 1;
      else continue;
      const rank = status === 0 ? BEST_STATUS.ok : BEST_STATUS.nothingFits;
      if (rank < bestStatus || (rank === bestStatus && step < outputs[best * OW + OF.stepS])) {
        best = row;
        bestStatus = rank;
      }
    }
    results.push({ point, resolved, layouts: batch.layouts, outputs, count: batch.count, best, bestStatus, feasible, outOfMemory });
  }
  return results;
}

function layoutCells(layouts: Float64Array, row: number): Row {
  const o = row * LW;
  if (row < 0) return Object.fromEntries(LAYOUT_COLUMNS.map((c) => [c.name, c.type === 'string' ? '' : 0]));
  return {
    tp: layouts[o + LF.tp],
    pp: layouts[o + LF.pp],
    dp: layouts[o + LF.dp],
    ep: layouts[o + LF.ep],
    cp: layouts[o + LF.cp],
    microbatch: layouts[o + LF.microbatch],
    globalBatch: layouts[o + LF.globalBatch],
    interleave: layouts[o + LF.interleave],
    recompute: RECOMPUTE_MODES[layouts[o + LF.recompute]],
    zero: layouts[o + LF.zero],
    layoutPrecision: PRECISIONS[layouts[o + LF.precision]],
    layoutCommPrecision: PRECISIONS[layouts[o + LF.commPrecision]],
  };
}

function metricCells(outputs: Float64Array, row: number): Row {
  const o = row * OW;
  const at = (field: (typeof OUTPUT_FIELDS)[number]) => (row < 0 ? NaN : outputs[o + OF[field]]);
  return {
    stepTimeS: at('stepS'),
    computeS: at('computeS'),
    tpS: at('tpS'),
    cpS: at('cpS'),
    epS: at('epS'),
    dpS: at('dpS'),
    ppS: at('ppS'),
    bubbleS: at('bubbleS'),
    optimizerS: at('optimizerS'),
    slowdownS: at('slowdownS'),
    mfu: at('mfu'),
    tokensPerS: at('tokensPerS'),
    tokensPerSPerGpu: at('tokensPerSPerGpu'),
    memoryBytes: at('memoryBytes'),
  };
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs the spec and writes its result directory to `out` (created; files written under temporary names and
 * renamed; manifest.json last). Returns the manifest.
 */
export function runSweepWithAdapter(
  spec: TrainingSweepSpec,
  specDir: string,
  out: string,
  onProgress?: (progress: AdapterProgress) => void,
): Record<string, unknown> {
  const resolver = new PointResolver(spec, specDir);
  const points = expandPoints(spec);
  const pairs = spec.reduce.filter((r) => r.pairedRatio);
  const pairAxes = [...new Set(pairs.map((r) => r.pairedRatio!.axis))];
  if (pairAxes.length > 1) throw new LinkcapInputError(`${spec.name}: reduce`, 'paired ratios along more than one axis are not supported by the study adapter');
  const pairAxis = pairAxes[0];
  const axisNames = Object.keys(spec.axes);
  const axisColumns = axisNames.map(axisColumn);

  const best: Row[] = [];
  const sameLayout: Row[] = [];
  const pairRange: Row[] = [];
  const rows: Row[] = [];
  const countColumns: ColumnDef[] = [
    { name: 'evaluated', type: 'int', role: 'metric' },
    { name: 'feasible', type: 'int', role: 'metric' },
    { name: 'outOfMemory', type: 'int', role: 'metric' },
  ];

  // Points grouped by every axis but the paired one: the baseline is evaluated first in each group.
  const groups = new Map<string, Point[]>();
  for (const point of points) {
    const key = groupKey(point, pairAxis);
    const list = groups.get(key) ?? [];
    list.push(point);
    groups.set(key, list);
  }
  let done = 0;
  for (const members of groups.values()) {
    const pairSpec = pairs[0]?.pairedRatio;
    const ordered = pairSpec ? [...members].sort((a, b) => Number(b[pairSpec.axis] === pairSpec.baseline) - Number(a[pairSpec.axis] === pairSpec.baseline)) : members;
    let baseline: Evaluated | undefined;
    let baselineIndex: Map<string, number> | undefined;
    for (const point of ordered) {
      for (const evaluated of evaluatePoint(spec, resolver, point)) {
        const stored = evaluated.resolved.stored;
        best.push({
          ...stored,
          ...layoutCells(evaluated.layouts, evaluated.best),
          ...metricCells(evaluated.outputs, evaluated.best),
          evaluated: evaluated.count,
          feasible: evaluated.feasible,
          outOfMemory: evaluated.outOfMemory,
          status: evaluated.bestStatus,
        });
        if (spec.output?.rows === 'all') {
          for (let row = 0; row < evaluated.count; row += 1) {
            rows.push({ ...stored, ...layoutCells(evaluated.layouts, row), ...metricCells(evaluated.outputs, row), status: evaluated.outputs[row * OW + OF.status] });
          }
        }
        if (!pairSpec) continue;
        if (point[pairSpec.axis] === pairSpec.baseline && !baseline) {
          baseline = evaluated;
          baselineIndex = new Map();
          for (let row = 0; row < evaluated.count; row += 1) baselineIndex.set(keyOf(evaluated.layouts, row), row);
        }
        if (!baseline || !baselineIndex) continue;
        pairRows(evaluated, baseline, baselineIndex, stored);
      }
      done += 1;
      onProgress?.({ sweep: spec.name, done, total: points.length });
    }
  }

  function pairRows(side: Evaluated, base: Evaluated, baseIndex: Map<string, number>, stored: Row): void {
    const wantSame = pairs.some((r) => r.pairedRatio!.at === 'baseline-best');
    const range = pairs.find((r) => r.pairedRatio!.over === 'all-layouts')?.pairedRatio;
    if (wantSame) {
      const baseRow = base.best;
      let sideRow = -1;
      if (baseRow >= 0) {
        const key = keyOf(base.layouts, baseRow);
        for (let row = 0; row < side.count && sideRow < 0; row += 1) if (keyOf(side.layouts, row) === key) sideRow = row;
      }
      const baseStep = baseRow >= 0 ? base.outputs[baseRow * OW + OF.stepS] : NaN;
      const sideStatus = sideRow >= 0 ? side.outputs[sideRow * OW + OF.status] : 2;
      sameLayout.push({
        ...stored,
        ...layoutCells(base.layouts, baseRow),
        ...metricCells(side.outputs, sideRow),
        baselineStepTimeS: baseStep,
        ratio: sideRow >= 0 ? side.outputs[sideRow * OW + OF.stepS] / baseStep : NaN,
        baselineStatus: base.bestStatus,
        status: sideStatus,
      });
    }
    if (range && side !== base) {
      const by = range.by ?? [];
      const buckets = new Map<string, { cells: Row; priced: number[]; feasible: number[] }>();
      for (let row = 0; row < side.count; row += 1) {
        const s = side.outputs[row * OW + OF.status];
        if (s > 1) continue;
        const baseRow = baseIndex.get(keyOf(side.layouts, row));
        if (baseRow === undefined) continue;
        const b = base.outputs[baseRow * OW + OF.status];
        if (b > 1) continue;
        const ratio = side.outputs[row * OW + OF.stepS] / base.outputs[baseRow * OW + OF.stepS];
        const cells = Object.fromEntries(by.map((field) => [field, side.layouts[row * LW + LF[field as keyof typeof LF]]]));
        const bucketKey = JSON.stringify(cells);
        const bucket = buckets.get(bucketKey) ?? { cells, priced: [], feasible: [] };
        bucket.priced.push(ratio);
        if (s === 0 && b === 0) bucket.feasible.push(ratio);
        buckets.set(bucketKey, bucket);
      }
      for (const bucket of buckets.values()) {
        bucket.priced.sort((x, y) => x - y);
        bucket.feasible.sort((x, y) => x - y);
        pairRange.push({
          ...stored,
          ...bucket.cells,
          layouts: bucket.priced.length,
          minRatio: bucket.priced[0],
          medianRatio: median(bucket.priced),
          maxRatio: bucket.priced[bucket.priced.length - 1],
          feasibleLayouts: bucket.feasible.length,
          feasibleMinRatio: bucket.feasible[0] ?? NaN,
          feasibleMedianRatio: median(bucket.feasible),
          feasibleMaxRatio: bucket.feasible[bucket.feasible.length - 1] ?? NaN,
        });
      }
    }
  }

  const tables: { name: string; kind: string; table: Table; by?: string[]; metric?: string }[] = [];
  const bestName = spec.reduce.find((r) => r.argmin)?.name ?? 'best';
  tables.push({
    name: bestName,
    kind: 'argmin',
    by: axisNames,
    metric: 'stepTimeS',
    table: { columns: [...axisColumns, ...LAYOUT_COLUMNS, ...METRIC_COLUMNS, ...countColumns, STATUS_COLUMN], rows: best },
  });
  for (const reduction of pairs) {
    const p = reduction.pairedRatio!;
    if (p.at === 'baseline-best') {
      tables.push({
        name: reduction.name,
        kind: 'paired-ratio',
        by: axisNames.filter((a) => a !== p.axis),
        metric: 'stepTimeS',
        table: {
          columns: [
            ...axisColumns,
            ...LAYOUT_COLUMNS,
            ...METRIC_COLUMNS,
            { name: 'baselineStepTimeS', type: 'float', role: 'metric', unit: 's' },
            { name: 'ratio', type: 'float', role: 'metric', unit: `stepTimeS ÷ stepTimeS at ${p.axis} = ${p.baseline}` },
            { name: 'baselineStatus', type: 'int', role: 'status' },
            STATUS_COLUMN,
          ],
          rows: sameLayout,
        },
      });
    } else {
      const by = (p.by ?? []).map((name): ColumnDef => ({ name, type: 'int', role: 'layout' }));
      const stat = (name: string): ColumnDef => ({ name, type: 'float', role: 'metric' });
      tables.push({
        name: reduction.name,
        kind: 'paired-ratio-range',
        by: [...axisNames.filter((a) => a !== p.axis), ...(p.by ?? [])],
        metric: 'stepTimeS',
        table: {
          columns: [
            ...axisColumns,
            ...by,
            { name: 'layouts', type: 'int', role: 'metric' },
            stat('minRatio'),
            stat('medianRatio'),
            stat('maxRatio'),
            { name: 'feasibleLayouts', type: 'int', role: 'metric' },
            stat('feasibleMinRatio'),
            stat('feasibleMedianRatio'),
            stat('feasibleMaxRatio'),
          ],
          rows: pairRange,
        },
      });
    }
  }

  mkdirSync(join(out, 'reductions'), { recursive: true });
  const evaluatedTotal = best.reduce((sum, row) => sum + Number(row.evaluated), 0);
  const manifest: Record<string, unknown> = {
    format: 'linkcap-sweep/1',
    linkcapVersion: '0.1.0',
    producer: 'linkcap study (temporary adapter over the per-configuration API; the native sweep engine replaces it)',
    kind: 'training',
    spec,
    complete: true,
    points: { total: points.length, evaluated: evaluatedTotal, ok: best.filter((row) => row.status === BEST_STATUS.ok).length },
    shard: null,
    axes: axisColumns.map((c) => ({ name: c.name, type: c.type === 'string' ? 'string' : c.type, ...(c.unit ? { unit: c.unit } : {}) })),
    metrics: METRIC_COLUMNS.map((c) => ({ name: c.name, unit: c.unit })),
    files: {
      rows: spec.output?.rows === 'all' ? 'rows.parquet' : null,
      reductions: tables.map((t) => ({ name: t.name, kind: t.kind, file: `reductions/${t.name}.parquet`, by: t.by, metric: t.metric })),
    },
    createdAt: new Date().toISOString(),
  };
  const metadata = { 'linkcap.manifest': JSON.stringify(manifest) };
  for (const t of tables) writeParquet(join(out, 'reductions', `${t.name}.parquet`), t.table, metadata);
  if (spec.output?.rows === 'all') {
    writeParquet(join(out, 'rows.parquet'), { columns: [...axisColumns, ...LAYOUT_COLUMNS, ...METRIC_COLUMNS, STATUS_COLUMN], rows }, metadata);
  }
  const temporary = join(out, `manifest.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, join(out, 'manifest.json'));
  return manifest;
}
