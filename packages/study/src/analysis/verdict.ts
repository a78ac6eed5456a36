/**
 * How the report decides a verdict on a claim: the claim is tested in the base case and in every sensitivity
 * variant. It is "supported" when it holds in every case tested, "not supported" when it holds in none, "partly
 * supported" when it holds in some cases in every variant, and "not decided" when the variants disagree on whether
 * it holds at all: then the answer rests on an assumption (implementation profile, GEMM efficiency) the model cannot settle.
 */
import type { VerdictKind } from '../report/model.js';
import type { VariantValue } from './variants.js';

export interface Tally {
  holds: number;
  total: number;
}

type Class = 'none' | 'some' | 'all' | 'empty';

function classify(t: Tally): Class {
  if (t.total === 0) return 'empty';
  if (t.holds === 0) return 'none';
  return t.holds === t.total ? 'all' : 'some';
}

export function judge(tallies: VariantValue<Tally>[]): VerdictKind {
  const classes = tallies.map((t) => classify(t.value)).filter((c) => c !== 'empty');
  if (classes.length === 0) return 'not decided';
  const hasNone = classes.includes('none');
  if (hasNone && classes.some((c) => c !== 'none')) return 'not decided';
  if (hasNone) return 'not supported';
  return classes.every((c) => c === 'all') ? 'supported' : 'partly supported';
}

/** Where the variants disagree with the base case, in words ("under overlap full: 3 of 12"). */
export function disagreements(tallies: VariantValue<Tally>[]): string {
  const base = tallies[0];
  const differing = tallies.slice(1).filter((t) => t.value.holds !== base.value.holds || t.value.total !== base.value.total);
  if (differing.length === 0) return tallies.length > 1 ? `the same in all ${tallies.length} sensitivity variants` : '';
  return differing.map((t) => `${t.label}: ${t.value.holds} of ${t.value.total}`).join('; ');
}
