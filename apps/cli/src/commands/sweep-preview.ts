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

/** The columns worth a glance: group keys, the reduced metric(s), the layout or point identity, the extras. */
function pick(r: ReductionResult): Column[] {
  const wanted = new Set<string>([...r.by]);
  if (r.metric) wanted.add(r.metric);
  for (const m of r.metrics ?? []) wanted.add(m);
  if (r.pair) {
    wanted.add(r.pair.axis);
    if (r.metric) wanted.add(`baseline${r.metric[0].toUpperCase()}${r.metric.slice(1)}`);
  }
  const identity = ['cluster', 'model', 'gpus', 'op', 'bytes', 'tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'recompute', 'zero', 'algorithm'];
  const extras = ['rank', 'count', 'min', 'p50', 'max', 'pairs', 'ratioMedian', 'ratio', 'numeratorBest', 'denominatorBest', 'bin', 'lower', 'upper', 'points', 'ok'];
  const point = r.kind === 'argmin' || r.kind === 'argmax' || r.kind === 'top-k' || r.kind === 'pareto' || r.kind === 'ratio' || r.kind === 'best-ratio';
  return r.columns.filter((c) => wanted.has(c.name) || (point && identity.includes(c.name)) || extras.includes(c.name)).slice(0, 14);
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
