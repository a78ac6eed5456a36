/**
 * The export-control classifier: evaluates the declarative rules of the catalog (rules.json) for each chip.
 * Criteria are three-valued (true, false, unknown when a figure is missing); each verdict comes with the
 * criteria that tipped it, written with their numbers ("I/O 400 + 128 PCIe = 528 < 600 GB/s").
 */
import { findRule } from '../catalog/merge.js';
import type { Catalog, ChipSpec, ComparisonOp, Criterion, RuleSpec } from '../catalog/schema.js';
import { computeMetric, formatFigure, SHOWN_METRICS, type MetricId, type MetricValue } from './metrics.js';

/** true / false, or null when the data cannot decide. */
export type Truth = boolean | null;

interface Evaluation {
  truth: Truth;
  /** The leaf criteria that decided the result, as text. */
  reasons: string[];
}

export interface RuleVerdict {
  rule: string;
  shortName: string;
  /** e.g. "controlled", "not controlled", "3A090.a", "outside 3A090", "case-by-case", "denied", or "undetermined". */
  verdict: string;
  /** The verdict restricts export (an outcome marked caught, or otherwiseCaught). */
  caught: boolean;
  /** False when a missing figure kept the classifier from deciding. */
  determined: boolean;
  /** The criteria that tipped the verdict. */
  reasons: string[];
  /** One sentence: "not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s". */
  explanation: string;
}

export interface ChipClassification {
  chip: string;
  name: string;
  hypothetical: boolean;
  derivedFrom?: string;
  metrics: Record<string, MetricValue>;
  verdicts: RuleVerdict[];
}

const OP_TEXT: Record<ComparisonOp, string> = { '>=': '≥', '>': '>', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };
const NEGATED: Record<ComparisonOp, ComparisonOp> = { '>=': '<', '>': '<=', '<': '>=', '<=': '>', '==': '!=', '!=': '==' };

function compare(value: number, op: ComparisonOp, threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** Compares a metric that may be unknown or only a lower bound. */
function compareMetric(metric: MetricValue, op: ComparisonOp, threshold: number): Truth {
  if (metric.value === null) return null;
  const result = compare(metric.value, op, threshold);
  if (metric.bound === 'exact') return result;
  // A lower bound decides "≥ / >" when it already passes and "< / ≤" when it already fails.
  if ((op === '>=' || op === '>') && result) return true;
  if ((op === '<' || op === '<=') && !result) return false;
  return null;
}

/** Evaluation context for one chip: metric and rule-verdict memos. */
class ChipContext {
  private readonly metrics = new Map<MetricId, MetricValue>();
  private readonly verdicts = new Map<string, RuleVerdict>();
  private readonly active = new Set<string>();

  constructor(
    readonly chip: ChipSpec,
    readonly catalog: Catalog,
  ) {}

  metric(id: MetricId): MetricValue {
    let value = this.metrics.get(id);
    if (!value) {
      value = computeMetric(id, this.chip, this.catalog.defaults);
      this.metrics.set(id, value);
    }
    return value;
  }

  verdict(rule: RuleSpec): RuleVerdict {
    const done = this.verdicts.get(rule.id);
    if (done) return done;
    if (this.active.has(rule.id)) throw new Error(`rules.${rule.id}: depends on itself`);
    this.active.add(rule.id);
    try {
      const verdict = classifyWith(rule, this);
      this.verdicts.set(rule.id, verdict);
      return verdict;
    } finally {
      this.active.delete(rule.id);
    }
  }

  /** The chip and every chip it was derived from (a variant of a named chip is named too). */
  lineage(): string[] {
    const ids = [this.chip.id];
    let current: ChipSpec | undefined = this.chip;
    while (current?.derivedFrom && !ids.includes(current.derivedFrom)) {
      ids.push(current.derivedFrom);
      current = this.catalog.chips.get(current.derivedFrom);
    }
    return ids;
  }
}

function leafText(metric: MetricValue, op: ComparisonOp, threshold: number, truth: Truth): string {
  if (metric.flag) return metric.short;
  if (metric.value === null || truth === null) return `${metric.label} ${metric.short}, tested against ${OP_TEXT[op]} ${formatFigure(threshold)}${metric.unit}`;
  const shown = truth ? op : NEGATED[op];
  return `${metric.label} ${metric.short} ${OP_TEXT[shown]} ${formatFigure(threshold)}${metric.unit}`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function evaluate(criterion: Criterion, ctx: ChipContext): Evaluation {
  if ('all' in criterion || 'any' in criterion) {
    const isAll = 'all' in criterion;
    const children = (isAll ? (criterion as { all: Criterion[] }).all : (criterion as { any: Criterion[] }).any).map((c) => evaluate(c, ctx));
    const decisive = isAll ? false : true;
    const hit = children.find((c) => c.truth === decisive);
    if (hit) {
      // all: every false child tipped it; any: the first true child is enough.
      const reasons = isAll ? children.filter((c) => c.truth === false).flatMap((c) => c.reasons) : hit.reasons;
      return { truth: decisive, reasons: unique(reasons) };
    }
    const unknown = children.filter((c) => c.truth === null);
    if (unknown.length > 0) return { truth: null, reasons: unique(unknown.flatMap((c) => c.reasons)) };
    return { truth: !decisive, reasons: unique(children.flatMap((c) => c.reasons)) };
  }
  if ('not' in criterion) {
    const inner = evaluate(criterion.not, ctx);
    return { truth: inner.truth === null ? null : !inner.truth, reasons: inner.reasons };
  }
  if ('metric' in criterion) {
    const metric = ctx.metric(criterion.metric as MetricId);
    const truth = compareMetric(metric, criterion.op, criterion.value);
    return { truth, reasons: [leafText(metric, criterion.op, criterion.value, truth)] };
  }
  if ('rule' in criterion) {
    const rule = findRule(ctx.catalog, criterion.rule);
    if (!rule) return { truth: null, reasons: [`rule ${criterion.rule} is not in the catalog`] };
    const verdict = ctx.verdict(rule);
    if (!verdict.determined) return { truth: null, reasons: [`${rule.shortName} verdict undetermined`] };
    return { truth: criterion.verdicts.includes(verdict.verdict), reasons: [`${verdict.verdict} under the ${rule.shortName} rule`] };
  }
  const lineage = ctx.lineage();
  const named = criterion.chips.find((id) => lineage.includes(id));
  if (named) {
    const how = named === ctx.chip.id ? `${ctx.chip.id} is named` : `${ctx.chip.id} is derived from named ${named}`;
    return { truth: true, reasons: [how] };
  }
  return { truth: false, reasons: [`${ctx.chip.id} is not on the list (${criterion.chips.join(', ')})`] };
}

function classifyWith(rule: RuleSpec, ctx: ChipContext): RuleVerdict {
  const base = { rule: rule.id, shortName: rule.shortName };
  const missed: { verdict: string; reasons: string[] }[] = [];
  for (const outcome of rule.outcomes) {
    const result = evaluate(outcome.when, ctx);
    if (result.truth === true) {
      return {
        ...base,
        verdict: outcome.verdict,
        caught: outcome.caught === true,
        determined: true,
        reasons: result.reasons,
        explanation: `${outcome.verdict} because ${result.reasons.join(' and ')}`,
      };
    }
    if (result.truth === null) {
      return {
        ...base,
        verdict: 'undetermined',
        caught: false,
        determined: false,
        reasons: result.reasons,
        explanation: `undetermined: ${result.reasons.join(' and ')}; that decides "${outcome.verdict}"`,
      };
    }
    if (!outcome.quiet) missed.push({ verdict: outcome.verdict, reasons: result.reasons });
  }
  const reasons = unique(missed.flatMap((m) => m.reasons));
  const because =
    missed.length === 0
      ? 'no outcome applies'
      : missed.length === 1
        ? missed[0].reasons.join(' and ')
        : missed.map((m) => `not ${m.verdict} (${m.reasons.join('; ')})`).join(' and ');
  return {
    ...base,
    verdict: rule.otherwise,
    caught: rule.otherwiseCaught === true,
    determined: true,
    reasons,
    explanation: `${rule.otherwise} because ${because}`,
  };
}

/** Classifies one chip under one rule (the rule may come from the catalog or be a what-if rule). */
export function classifyChipRule(chip: ChipSpec, rule: RuleSpec, catalog: Catalog): RuleVerdict {
  return new ChipContext(chip, catalog).verdict(rule);
}

export interface ClassifyOptions {
  /** Chip ids or aliases (default: every chip of the catalog). */
  chips?: string[];
  /** Rule ids, aliases or short names (default: every rule). */
  rules?: string[];
  /** Extra rules that are not in the catalog (what-if lines). */
  extraRules?: RuleSpec[];
}

/** Classifies one chip under the given rules (default all), with the metrics shown by `linkcap controls`. */
export function classifyChip(chip: ChipSpec, catalog: Catalog, rules: RuleSpec[] = [...catalog.rules.values()]): ChipClassification {
  const ctx = new ChipContext(chip, catalog);
  const metrics: Record<string, MetricValue> = {};
  for (const id of SHOWN_METRICS) metrics[id] = ctx.metric(id);
  return {
    chip: chip.id,
    name: chip.name,
    hypothetical: chip.hypothetical === true,
    ...(chip.derivedFrom ? { derivedFrom: chip.derivedFrom } : {}),
    metrics,
    verdicts: rules.map((rule) => ctx.verdict(rule)),
  };
}
