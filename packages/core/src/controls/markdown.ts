/** The classification table as Markdown (docs/catalog.md embeds it; a test keeps the two equal). */
import type { Catalog } from '../catalog/schema.js';
import { classifyCatalog } from './what-if.js';
import { formatFigure, type MetricValue } from './metrics.js';

function cell(metric: MetricValue): string {
  if (metric.value === null) return '?';
  const marks = `${metric.unconfirmed ? '\\*' : ''}${metric.assumption ? '†' : ''}`;
  return `${metric.bound === 'lower' ? '≥ ' : ''}${formatFigure(metric.value)}${marks}`;
}

/** One row per chip: TPP, PD, I/O, DRAM bandwidth and the verdict under each rule of the catalog. */
export function classificationMarkdown(catalog: Catalog): string {
  const results = classifyCatalog(catalog);
  const rules = results[0]?.verdicts.map((v) => v.shortName) ?? [];
  const header = ['Chip', 'TPP', 'PD', 'I/O GB/s', 'DRAM GB/s', ...rules];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const c of results) {
    const m = c.metrics;
    const row = [c.chip, cell(m.tpp), cell(m.performanceDensity), cell(m.ioBidirGBps), cell(m.dramBandwidthGBps), ...c.verdicts.map((v) => v.verdict)];
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}
