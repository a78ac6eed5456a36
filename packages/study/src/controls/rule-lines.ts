/**
 * Where each export-control rule's line falls on the scale-up bandwidth axis, placed by linkcap's classifier
 * (packages/core/src/controls, the rules of the catalog as data): chips derived from a base chip with only their
 * scale-up bandwidth changed (the `linkcap chips derive` logic) are classified under each rule, and the bandwidth
 * where the verdict flips is found by bisection.
 */
import { builtinCatalog, classifyChipRule, deriveChip, findRule, type Catalog } from '@linkcap/core';

export interface RuleLine {
  rule: string;
  shortName: string;
  chip: string;
  /** Bidirectional scale-up GB/s per GPU at which the verdict flips; null when it does not flip in the range. */
  thresholdGBps: number | null;
  /** Verdict at the low and the high end of the range. */
  low: { verdict: string; caught: boolean };
  high: { verdict: string; caught: boolean };
  /** The classifier's explanation at the high end (the arithmetic that tipped it). */
  explanation: string;
}

function verdictAt(catalog: Catalog, chip: string, rule: string, gbps: number) {
  const variant = deriveChip(catalog, chip, { name: `${chip}-line-${String(gbps).replace('.', 'p')}`, scaleUpBidirGBps: gbps });
  const spec = findRule(variant.catalog, rule);
  if (!spec) throw new Error(`rule ${rule} is not in the catalog`);
  return classifyChipRule(variant.chip, spec, variant.catalog);
}

/** The line of `rule` for `chip` between `from` and `to` GB/s (bidirectional, per GPU). */
export function ruleLine(chip: string, rule: string, from: number, to: number): RuleLine {
  const catalog = builtinCatalog();
  const low = verdictAt(catalog, chip, rule, from);
  const high = verdictAt(catalog, chip, rule, to);
  let threshold: number | null = null;
  if (low.caught !== high.caught) {
    let a = from;
    let b = to;
    while (b - a > 0.01) {
      const mid = (a + b) / 2;
      if (verdictAt(catalog, chip, rule, mid).caught === low.caught) a = mid;
      else b = mid;
    }
    threshold = Math.round(b * 10) / 10;
  }
  return {
    rule,
    shortName: high.shortName,
    chip,
    thresholdGBps: threshold,
    low: { verdict: low.verdict, caught: low.caught },
    high: { verdict: high.verdict, caught: high.caught },
    explanation: high.explanation,
  };
}
