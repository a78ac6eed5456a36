/**
 * Sensitivity variants: every headline number is computed once per variant present in the results (the base case,
 * each one-at-a-time departure — another implementation profile, the GEMM efficiency at either edge of its band —
 * and their combinations) so the report can show how far it moves.
 */
import type { Row } from '../results/table.js';

export interface Variant {
  /** Study profile id (an @linkcap/core profile, or one the plan defines on top of one). */
  profile: string;
  /** GEMM efficiency as a multiple of the catalog's for each chip (1 = the calibrated value). */
  efficiency: number;
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
  if (v.profile !== base.profile) parts.push(`profile ${v.profile}`);
  if (v.efficiency !== base.efficiency) parts.push(`η ${v.efficiency > base.efficiency ? '+' : '−'}${Math.round(Math.abs(v.efficiency / base.efficiency - 1) * 100)}%`);
  return parts.length === 0 ? 'base' : parts.join(' · ');
}

/**
 * The (profile, efficiency) pairs present in the rows: the base first, then the one-at-a-time departures (profiles
 * first), then the combinations.
 */
export function variantsOf(rows: readonly Row[], base: Variant): Variant[] {
  const seen = new Map<string, Variant>();
  for (const row of rows) {
    if (row.profile === undefined || typeof row.efficiency !== 'number' || !Number.isFinite(row.efficiency)) continue;
    const v = { profile: String(row.profile), efficiency: row.efficiency };
    if (!seen.has(`${v.profile}|${v.efficiency}`)) seen.set(`${v.profile}|${v.efficiency}`, v);
  }
  const departures = (v: Variant) => Number(v.profile !== base.profile) + Number(v.efficiency !== base.efficiency);
  const list = [...seen.values()].filter((v) => departures(v) > 0);
  // Stable: profiles and efficiencies keep the order the rows first show them in (the plan's order).
  list.sort((a, b) => departures(a) - departures(b) || Number(a.profile === base.profile) - Number(b.profile === base.profile));
  return [base, ...list];
}

export function inVariant(rows: readonly Row[], v: Variant): Row[] {
  return rows.filter((row) => row.profile === v.profile && row.efficiency === v.efficiency);
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
