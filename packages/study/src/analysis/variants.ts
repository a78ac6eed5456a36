/**
 * Sensitivity variants: every headline number is computed once per variant present in the results (the base case
 * and each one-at-a-time departure: another overlap profile, another GEMM efficiency) so the report can show how
 * far it moves.
 */
import type { Row } from '../results/table.js';

export interface Variant {
  overlap: string;
  gemmEfficiency: number;
}

export interface VariantValue<T> {
  variant: Variant;
  label: string;
  base: boolean;
  value: T;
}

export interface Sensitivity {
  base: number;
  /** Every variant's value, the base first. */
  values: VariantValue<number>[];
  min: number;
  max: number;
}

export function variantLabel(v: Variant, base: Variant): string {
  const parts: string[] = [];
  if (v.overlap !== base.overlap) parts.push(`overlap ${v.overlap}`);
  if (v.gemmEfficiency !== base.gemmEfficiency) parts.push(`η ${v.gemmEfficiency.toFixed(2)}`);
  return parts.length === 0 ? 'base' : parts.join(' · ');
}

/**
 * The (overlap, gemmEfficiency) pairs present in the rows: the base first, then the one-at-a-time departures
 * (overlap first), then the combinations.
 */
export function variantsOf(rows: readonly Row[], base: Variant): Variant[] {
  const seen = new Map<string, Variant>();
  for (const row of rows) {
    if (row.overlap === undefined || row.gemmEfficiency === undefined) continue;
    const v = { overlap: String(row.overlap), gemmEfficiency: Number(row.gemmEfficiency) };
    seen.set(`${v.overlap}|${v.gemmEfficiency}`, v);
  }
  const departures = (v: Variant) => Number(v.overlap !== base.overlap) + Number(v.gemmEfficiency !== base.gemmEfficiency);
  const list = [...seen.values()].filter((v) => departures(v) > 0);
  list.sort((a, b) => departures(a) - departures(b) || Number(a.overlap === base.overlap) - Number(b.overlap === base.overlap));
  return [base, ...list];
}

export function inVariant(rows: readonly Row[], v: Variant): Row[] {
  return rows.filter((row) => row.overlap === v.overlap && row.gemmEfficiency === v.gemmEfficiency);
}

/** Computes `f` for every variant; the base case is the first. */
export function acrossVariants<T>(variants: Variant[], f: (v: Variant) => T): VariantValue<T>[] {
  const base = variants[0];
  return variants.map((variant, i) => ({ variant, label: variantLabel(variant, base), base: i === 0, value: f(variant) }));
}

export function sensitivity(values: VariantValue<number>[]): Sensitivity {
  const finite = values.map((v) => v.value).filter(Number.isFinite);
  return {
    base: values[0]?.value ?? NaN,
    values,
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
  };
}

export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}
