/** After a sweep: each small reduction as a short table on stderr (the files hold everything). */
import type { Column, ReductionResult } from '@linkcap/core';
import { renderTable } from '../util/output.js';

const MAX_ROWS = 12;

function cellText(c: Column, i: number): string {
  const v = c.data[i];
  if (c.type === 'string') return v === 0xffffffff || !c.labels ? '-' : String(c.labels[v] ?? '-');
  if (Number.isNaN(v)) return '-';
  if (c.type !== 'float') return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e7) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/**
 * The columns worth a glance, at most 14, chosen by priority (group keys, the reduced metric(s) and their
 * baseline, the reduction's own figures, then the point's identity) and shown in the table's own order.
 */
function pick(r: ReductionResult): Column[] {
  const capital = (name: string) => `${name[0].toUpperCase()}${name.slice(1)}`;
  const metrics = [...(r.metric ? [r.metric] : []), ...(r.metrics ?? [])];
  const extras = ['rank', 'count', 'min', 'p50', 'max', 'pairs', 'ratioMedian', 'ratio', 'carriedOverBest', 'numeratorBest', 'denominatorBest', 'bin', 'lower', 'upper', 'points', 'ok'];
  const identity = ['cluster', 'model', 'gpus', 'op', 'bytes', 'tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'recompute', 'zero', 'algorithm', 'scaleUpGBps'];
  const keepsPoints = ['argmin', 'argmax', 'top-k', 'pareto', 'ratio', 'best-ratio', 'carried-ratio'].includes(r.kind);
  const priority = [
    ...r.by,
    ...(r.pair ? [r.pair.axis] : []),
    ...metrics,
    ...(r.pair ? metrics.map((m) => `baseline${capital(m)}`) : []),
    ...extras,
    ...(keepsPoints ? identity : []),
  ];
  const names = new Set(r.columns.map((c) => c.name));
  const chosen = new Set(priority.filter((n) => names.has(n)).slice(0, 14));
  return r.columns.filter((c) => chosen.has(c.name));
}

export function printReductionPreviews(reductions: readonly ReductionResult[]): void {
  for (const r of reductions) {
    if (r.length === 0 || r.length > MAX_ROWS) continue;
    const columns = pick(r);
    const rows = Array.from({ length: r.length }, (_, i) => columns.map((c) => cellText(c, i)));
    process.stderr.write(`\n${r.name} (${r.kind}${r.metric ? ` of ${r.metric}` : ''}${r.by.length ? ` by ${r.by.join(', ')}` : ''}${r.pair ? `; ${r.pair.numerator} / ${r.pair.denominator}` : ''}):\n`);
    process.stderr.write(`${renderTable(columns.map((c) => ({ header: c.name, align: c.type === 'string' ? 'left' : 'right' })), rows)}\n`);
  }
}
