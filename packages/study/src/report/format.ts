/** Number formats of the report (one place, so the markdown, the HTML and the terminal agree). */
import type { Headline } from './model.js';
import type { Sensitivity } from '../analysis/variants.js';

const dash = '—';

/** A slowdown ratio as the extra time it means: 1.123 → "+12.3%". */
export function extra(ratio: number, digits = 1): string {
  if (!Number.isFinite(ratio)) return dash;
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(digits)}%`;
}

/** A fraction as a percentage: 0.123 → "12.3%". */
export function share(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : dash;
}

export function times(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)}×` : dash;
}

export function fixed(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : dash;
}

/** 1234567 → "1,234,567"; 1.5e6 → "1.5M" with compact. */
export function count(x: number, compact = false): string {
  if (!Number.isFinite(x)) return dash;
  if (compact) {
    const units: [number, string][] = [
      [1e12, 'T'],
      [1e9, 'B'],
      [1e6, 'M'],
      [1e3, 'K'],
    ];
    for (const [size, suffix] of units) if (Math.abs(x) >= size) return `${Number((x / size).toPrecision(3))}${suffix}`;
  }
  return Math.round(x).toLocaleString('en-US');
}

export function usd(x: number): string {
  if (!Number.isFinite(x)) return dash;
  if (x >= 1e6) return `$${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `$${(x / 1e3).toFixed(1)}K`;
  return `$${x.toFixed(2)}`;
}

export function formatValue(value: number, format: Headline['format']): string {
  switch (format) {
    case 'percent':
      return extra(value);
    case 'share':
      return share(value);
    case 'times':
      return times(value);
    case 'days':
      return Number.isFinite(value) ? `${value.toFixed(1)} days` : dash;
    case 'gbps':
      return Number.isFinite(value) ? `${Math.round(value)} GB/s` : dash;
    case 'usd':
      return usd(value);
    case 'count':
      return count(value, true);
    default:
      return fixed(value);
  }
}

/** "+12.3% (range +9.8% to +14.1% across 5 variants)". */
export function withRange(s: Sensitivity, format: Headline['format']): string {
  const base = formatValue(s.base, format);
  if (s.values.length < 2 || !Number.isFinite(s.min)) return base;
  if (s.min === s.max) return `${base} (the same in all ${s.values.length} variants)`;
  return `${base} (${formatValue(s.min, format)} to ${formatValue(s.max, format)} across ${s.values.length} variants)`;
}

/** The short form of a layout row: "TP8 PP4 DP32 EP8 CP2 v2 mb1 ZeRO-1". */
export function layoutText(row: Record<string, string | number> | undefined): string {
  if (!row || !Number(row.tp)) return dash;
  const parts = [`TP${row.tp}`, `PP${row.pp}`, `DP${row.dp}`];
  if (Number(row.ep) > 1) parts.push(`EP${row.ep}`);
  if (Number(row.cp) > 1) parts.push(`CP${row.cp}`);
  if (Number(row.interleave) > 1) parts.push(`v${row.interleave}`);
  parts.push(`mb${row.microbatch}`, `ZeRO-${row.zero}`);
  if (row.recompute && row.recompute !== 'none') parts.push(`${row.recompute} recompute`);
  return parts.join(' ');
}
