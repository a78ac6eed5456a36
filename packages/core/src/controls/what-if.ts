/**
 * Hypothetical control lines: "which chips would a different line catch?" A what-if rule is built from
 * thresholds the same way rules.json writes rules, then evaluated by the same classifier.
 */
import { findChip, findRule } from '../catalog/merge.js';
import type { Catalog, ChipSpec, Criterion, RuleSpec } from '../catalog/schema.js';
import { LinkcapInputError } from '../validate/errors.js';
import { classifyChipRule, classifyChip, type ChipClassification, type ClassifyOptions, type RuleVerdict } from './classify.js';
import { formatFigure } from './metrics.js';

export interface WhatIfThresholds {
  /** Caught when I/O (scale-up + PCIe, bidirectional GB/s) ≥ this (the 2022 rule used 600). */
  ioBidirGBps?: number;
  /** Caught when TPP ≥ this (4800 in 2022 and 2023). */
  tpp?: number;
  /** Caught when performance density ≥ this (5.92 for 3A090.a). */
  performanceDensity?: number;
  /** Caught when DRAM bandwidth (GB/s) ≥ this. */
  dramBandwidthGBps?: number;
  /** Caught when scale-up bandwidth (bidirectional GB/s) ≥ this. */
  scaleUpBidirGBps?: number;
  /** "all" (default): every given threshold must be met, like the 2022 rule; "any": one is enough. */
  combine?: 'all' | 'any';
}

export const WHAT_IF_RULE_ID = 'what-if';

const LABELS: Record<keyof Omit<WhatIfThresholds, 'combine'>, string> = {
  ioBidirGBps: 'I/O',
  tpp: 'TPP',
  performanceDensity: 'PD',
  dramBandwidthGBps: 'DRAM',
  scaleUpBidirGBps: 'scale-up',
};

/** Builds the rule "caught if <thresholds>" (data, like rules.json). Throws when no threshold is given. */
export function whatIfRule(thresholds: WhatIfThresholds): RuleSpec {
  const leaves: Criterion[] = [];
  const parts: string[] = [];
  for (const key of Object.keys(LABELS) as (keyof typeof LABELS)[]) {
    const value = thresholds[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new LinkcapInputError(key, `${String(value)}: must be a number ≥ 0`);
    leaves.push({ metric: key, op: '>=', value });
    parts.push(`${LABELS[key]} ≥ ${formatFigure(value)}`);
  }
  if (leaves.length === 0) throw new LinkcapInputError('what-if', 'give at least one threshold (I/O, TPP, PD, DRAM or scale-up bandwidth)');
  const combine = thresholds.combine ?? 'all';
  const when: Criterion = leaves.length === 1 ? leaves[0] : combine === 'all' ? { all: leaves } : { any: leaves };
  const line = parts.join(combine === 'all' ? ' and ' : ' or ');
  return {
    id: WHAT_IF_RULE_ID,
    title: `What-if line: caught if ${line}`,
    shortName: 'what-if',
    citation: 'hypothetical',
    source: 'user',
    outcomes: [{ verdict: 'caught', caught: true, when }],
    otherwise: 'not caught',
  };
}

export interface WhatIfRow {
  chip: string;
  name: string;
  hypothetical: boolean;
  whatIf: RuleVerdict;
  /** The verdict of the comparison rule, when one is given. */
  compared?: RuleVerdict;
  /** "newly caught", "no longer caught", "" (same), or "undetermined". */
  change: string;
}

export interface WhatIfReport {
  rule: RuleSpec;
  compareTo?: RuleSpec;
  rows: WhatIfRow[];
  caught: string[];
  newlyCaught: string[];
  noLongerCaught: string[];
}

/**
 * Evaluates a what-if line on the catalog's chips, optionally beside an existing rule (`compareTo`: id, alias
 * or short name) to show which chips a different line would newly catch or release.
 */
export function evaluateWhatIf(catalog: Catalog, thresholds: WhatIfThresholds, options: { chips?: string[]; compareTo?: string } = {}): WhatIfReport {
  const rule = whatIfRule(thresholds);
  const compareTo = options.compareTo ? findRule(catalog, options.compareTo) : undefined;
  if (options.compareTo && !compareTo) {
    throw new LinkcapInputError('compare', `unknown rule "${options.compareTo}"; known: ${[...catalog.rules.keys()].join(', ')}`);
  }
  const rows = selectChips(catalog, options.chips).map((chip): WhatIfRow => {
    const whatIf = classifyChipRule(chip, rule, catalog);
    const compared = compareTo ? classifyChip(chip, catalog, [compareTo]).verdicts[0] : undefined;
    let change = '';
    if (compared) {
      if (!whatIf.determined || !compared.determined) change = 'undetermined';
      else if (whatIf.caught && !compared.caught) change = 'newly caught';
      else if (!whatIf.caught && compared.caught) change = 'no longer caught';
    }
    return { chip: chip.id, name: chip.name, hypothetical: chip.hypothetical === true, whatIf, ...(compared ? { compared } : {}), change };
  });
  return {
    rule,
    ...(compareTo ? { compareTo } : {}),
    rows,
    caught: rows.filter((r) => r.whatIf.caught).map((r) => r.chip),
    newlyCaught: rows.filter((r) => r.change === 'newly caught').map((r) => r.chip),
    noLongerCaught: rows.filter((r) => r.change === 'no longer caught').map((r) => r.chip),
  };
}

/** The chips named (ids or aliases; unknown names throw, listing the closest), or all chips. */
export function selectChips(catalog: Catalog, refs?: string[]): ChipSpec[] {
  if (!refs || refs.length === 0) return [...catalog.chips.values()];
  return refs.map((ref) => {
    const chip = findChip(catalog, ref);
    if (!chip) throw new LinkcapInputError('chip', `unknown chip "${ref}"; known: ${[...catalog.chips.keys()].join(', ')}`);
    return chip;
  });
}

/** The rules named (ids, aliases or short names), or all rules of the catalog. */
export function selectRules(catalog: Catalog, refs?: string[]): RuleSpec[] {
  if (!refs || refs.length === 0) return [...catalog.rules.values()];
  return refs.map((ref) => {
    const rule = findRule(catalog, ref);
    if (!rule) throw new LinkcapInputError('rule', `unknown rule "${ref}"; known: ${[...catalog.rules.values()].map((r) => `${r.id} (${r.shortName})`).join(', ')}`);
    return rule;
  });
}

/** Classifies the chosen chips under the chosen rules (default: everything in the catalog). */
export function classifyCatalog(catalog: Catalog, options: ClassifyOptions = {}): ChipClassification[] {
  const rules = [...selectRules(catalog, options.rules), ...(options.extraRules ?? [])];
  return selectChips(catalog, options.chips).map((chip) => classifyChip(chip, catalog, rules));
}
