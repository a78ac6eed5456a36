/**
 * "The baseline's best layout carried unchanged to the other side" (H100's best layout on the H800; the 900 GB/s
 * layout at 400 GB/s) is the sweep engine's `carried-ratio` reduction (docs/sweeps.md). Each of its rows is the
 * carried point, with the baseline's best as `baseline…` columns. The analysis reads both sides as rows of one
 * table, `same-layout`: the carried point (its `ratio` = carried ÷ baseline best) and the baseline itself (ratio 1).
 */
import type { ResultManifest, SweepResult } from '../results/result-dir.js';
import type { Row } from '../results/table.js';

/** Columns of a carried-ratio row that describe the pair, not a point. */
const SUMMARY = new Set(['baselineBest', 'carried', 'numeratorBest', 'ratio', 'carriedOverBest']);

function baselineName(column: string): string {
  return `baseline${column[0].toUpperCase()}${column.slice(1)}`;
}

/** The carried-ratio reductions of a sweep, by name. */
export function carriedReductions(manifest: ResultManifest): ResultManifest['files']['reductions'] {
  return manifest.files.reductions.filter((r) => r.kind === 'carried-ratio');
}

/**
 * Both sides of every carried-ratio reduction of a sweep as rows: the carried point with `ratio`,
 * `baselineStepTimeS` and `baselineStatus`, and the baseline's best point once per group with ratio 1.
 */
export function sameLayoutRows(result: SweepResult): Row[] {
  const out: Row[] = [];
  const seen = new Set<string>();
  for (const reduction of carriedReductions(result.manifest)) {
    // The compared axis (cluster, scaleUpGBps), as the manifest records the pair.
    const axis = (reduction as { pair?: { axis?: string } }).pair?.axis ?? 'cluster';
    const rows = result.tables[reduction.name] ?? [];
    for (const row of rows) {
      const carried: Row = {};
      const baseline: Row = {};
      for (const [column, value] of Object.entries(row)) {
        if (SUMMARY.has(column)) continue;
        if (column.startsWith('baseline') && column.length > 8) continue;
        carried[column] = value;
        const fromBaseline = row[baselineName(column)];
        baseline[column] = fromBaseline === undefined ? value : fromBaseline;
      }
      carried.ratio = row.ratio;
      carried.baselineStepTimeS = row.baselineBest;
      carried.baselineStatus = row.baselineStatus;
      out.push(carried);
      baseline.ratio = 1;
      baseline.baselineStepTimeS = row.baselineBest;
      baseline.baselineStatus = row.baselineStatus;
      baseline.status = row.baselineStatus;
      const key = JSON.stringify([...(reduction.by ?? []).map((b) => row[b]), baseline[axis]]);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(baseline);
      }
    }
  }
  return out;
}
