/**
 * The page's picture of one dataset: its columns by role, a few statistics per column, and the default choice
 * of columns for each view. Everything is derived from the schema and the manifest; no column name is assumed
 * (names only break ties: a metric whose name says throughput or bandwidth is better large, not small).
 */
import type { ColumnInfo, DatasetInfo } from '../shared/datasets.js';

export interface ColumnStats {
  /** Distinct values (exact up to the value list limit, else approximate). */
  distinct: number;
  min: number | null;
  max: number | null;
  /** Every value, when there are at most VALUE_LIST_LIMIT of them (strings, and numbers with few values). */
  values: (string | number)[] | null;
}

export const VALUE_LIST_LIMIT = 256;

export interface Dataset {
  info: DatasetInfo;
  table: string;
  sample: string | null;
  rows: number;
  columns: ColumnInfo[];
  stats: Map<string, ColumnStats>;
}

export const isNumeric = (c: ColumnInfo) => c.kind === 'int' || c.kind === 'float';

export function axes(dataset: Dataset): ColumnInfo[] {
  return dataset.columns.filter((c) => c.role === 'axis');
}

export function numericMetrics(dataset: Dataset): ColumnInfo[] {
  return dataset.columns.filter((c) => c.role === 'metric' && isNumeric(c));
}

export function distinct(dataset: Dataset, name: string): number {
  return dataset.stats.get(name)?.distinct ?? 0;
}

/**
 * True when a metric is better large (bandwidth, throughput, utilisation), judged by its name, or by a unit
 * that is a rate (…/s). Costs, times and sizes are better small.
 */
export function largerIsBetter(column: ColumnInfo | undefined): boolean {
  if (!column) return false;
  if (/bw|gbps|bandwidth|throughput|mfu|hfu|utili[sz]ation|PerS$|per_?s$|speedup|efficiency/i.test(column.name)) return true;
  return /(GB|B|bytes|tokens|FLOP|samples)\/s\b/i.test(column.unit ?? '') && !/\bs\b|seconds/i.test(column.name);
}

/** A log scale is possible: every value is positive. */
export function canLog(stats: ColumnStats | undefined): boolean {
  return !!stats && stats.min !== null && stats.max !== null && stats.min > 0;
}

/** Log scale by default when every value is positive and they span three decades or more. */
export function wantsLog(stats: ColumnStats | undefined): boolean {
  return canLog(stats) && stats!.max! / stats!.min! >= 1000;
}

/** A and B to compare by default: the export-control pair when the values name one, else the first two. */
export function defaultPair(values: string[]): [string, string] {
  const find = (pattern: RegExp) => values.find((v) => pattern.test(v));
  const a = find(/h100/i);
  const b = find(/h800/i) ?? find(/h20\b|h20-/i);
  if (a && b) return [a, b];
  return [values[0] ?? '', values[1] ?? ''];
}

export interface Defaults {
  line: { x: string; y: string; agg: string; series: string; logX: boolean; logY: boolean };
  heat: { x: string; y: string; fill: string; agg: string; logColor: boolean };
  scatter: { x: string; y: string; minX: boolean; minY: boolean; logX: boolean; logY: boolean };
  compare: { axis: string; a: string; b: string; metric: string; group: string; group2: string };
  parallel: { columns: string[] };
}

const byDistinctDesc = (dataset: Dataset) => (a: ColumnInfo, b: ColumnInfo) => distinct(dataset, b.name) - distinct(dataset, a.name);

/** Columns usable as a discrete axis of a heatmap or a series: 2 … limit distinct values. */
export function discreteAxes(dataset: Dataset, limit = 200): ColumnInfo[] {
  return axes(dataset).filter((c) => distinct(dataset, c.name) >= 2 && distinct(dataset, c.name) <= limit);
}

/** The columns each view shows first. Empty strings where the dataset has nothing that fits. */
export function defaultsFor(dataset: Dataset): Defaults {
  const metrics = numericMetrics(dataset);
  const numericAxes = axes(dataset).filter(isNumeric).filter((c) => distinct(dataset, c.name) >= 2).sort(byDistinctDesc(dataset));
  const firstMetric = metrics[0]?.name ?? '';
  const lineX = numericAxes[0]?.name ?? '';
  const seriesCandidates = discreteAxes(dataset, 12).filter((c) => c.name !== lineX);
  const series = (seriesCandidates.find((c) => c.kind === 'string') ?? seriesCandidates[0])?.name ?? '';
  const heatAxes = discreteAxes(dataset)
    .filter((c) => isNumeric(c) && c.name !== lineX)
    .sort(byDistinctDesc(dataset));
  const heatFallback = discreteAxes(dataset).filter((c) => !heatAxes.includes(c));
  const heatPair = [...heatAxes, ...heatFallback];
  const cost = metrics.find((c) => /cost|usd|price|\$/i.test(`${c.name} ${c.unit ?? ''}`));
  const scatterX = firstMetric;
  const scatterY = (cost && cost.name !== scatterX ? cost : metrics.find((c) => c.name !== scatterX))?.name ?? '';
  const compareAxes = discreteAxes(dataset, 64).filter((c) => c.kind === 'string');
  const compareAxis = compareAxes.find((c) => /cluster|chip|system|gpu/i.test(c.name)) ?? compareAxes[0] ?? discreteAxes(dataset, 64)[0];
  const compareValues = defaultPair(compareAxis ? (dataset.stats.get(compareAxis.name)?.values ?? []).map(String) : []);
  const group = discreteAxes(dataset, 40).find((c) => c.name !== compareAxis?.name && isNumeric(c)) ?? discreteAxes(dataset, 40).find((c) => c.name !== compareAxis?.name);
  const metricByName = (name: string) => dataset.columns.find((c) => c.name === name);
  return {
    line: {
      x: lineX,
      y: firstMetric,
      agg: 'avg',
      series,
      logX: wantsLog(dataset.stats.get(lineX)),
      logY: wantsLog(dataset.stats.get(firstMetric)),
    },
    heat: { x: heatPair[0]?.name ?? '', y: heatPair[1]?.name ?? '', fill: firstMetric, agg: 'avg', logColor: wantsLog(dataset.stats.get(firstMetric)) },
    scatter: {
      x: scatterX,
      y: scatterY,
      minX: !largerIsBetter(metricByName(scatterX)),
      minY: !largerIsBetter(metricByName(scatterY)),
      logX: wantsLog(dataset.stats.get(scatterX)),
      logY: wantsLog(dataset.stats.get(scatterY)),
    },
    compare: {
      axis: compareAxis?.name ?? '',
      a: compareValues[0] ?? '',
      b: compareValues[1] ?? '',
      metric: firstMetric,
      group: group?.name ?? '',
      group2: '',
    },
    parallel: {
      columns: [...axes(dataset).filter((c) => distinct(dataset, c.name) >= 2), ...metrics].slice(0, 16).map((c) => c.name),
    },
  };
}
