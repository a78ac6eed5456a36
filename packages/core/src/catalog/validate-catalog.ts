/**
 * Validation of catalog documents (the built-in JSON files and users' YAML/JSON files) against one schema.
 * Every problem is reported with the exact field path and the allowed range, e.g.
 * `clusters.my-node.scaleOut.nicGbps = -5: must be > 0`. Validation also normalises: plain numbers become
 * figures ({value, source: "user"}), 0/1 flags become booleans, ids become lower case.
 */
import { METRIC_ALIASES, METRIC_IDS, type MetricId } from '../controls/metrics.js';
import {
  ARCHITECTURES,
  CHIP_TOPOLOGIES,
  CLUSTER_TOPOLOGIES,
  COMPARISON_OPS,
  USER,
  type Criterion,
  type Figure,
  type SourceSpec,
} from './schema.js';

export interface CatalogIssue {
  /** Dotted path of the field, e.g. "clusters.my-node.scaleOut.nicGbps". */
  path: string;
  message: string;
}

/** A catalog document or a merged catalog breaks the schema; `issues` lists every problem found. */
export class CatalogError extends Error {
  constructor(
    readonly issues: CatalogIssue[],
    readonly origin?: string,
  ) {
    const shown = issues.slice(0, 12).map((issue) => `${issue.path}${issue.message}`);
    if (issues.length > 12) shown.push(`… and ${issues.length - 12} more`);
    const where = origin ? `${origin}: ` : '';
    super(issues.length === 1 ? `${where}${shown[0]}` : `${where}${issues.length} problems:\n  ${shown.join('\n  ')}`);
    this.name = 'CatalogError';
  }
}

interface Check {
  test: (v: number) => boolean;
  range: string;
}

const positive: Check = { test: (v) => v > 0, range: 'must be > 0' };
const nonNegative: Check = { test: (v) => v >= 0, range: 'must be ≥ 0' };
const fraction: Check = { test: (v) => v > 0 && v <= 1, range: 'must be in (0, 1]' };
const zeroOrOne: Check = { test: (v) => v === 0 || v === 1, range: 'must be 0 or 1' };
const atLeastOne: Check = { test: (v) => v >= 1, range: 'must be ≥ 1' };
const wholeAtLeast = (min: number): Check => ({ test: (v) => Number.isInteger(v) && v >= min, range: `must be a whole number ≥ ${min}` });
const year: Check = { test: (v) => Number.isInteger(v) && v >= 1990 && v <= 2100, range: 'must be a year from 1990 to 2100' };

type Field =
  | { kind: 'figure'; check: Check; required?: boolean; unknownAllowed?: boolean }
  | { kind: 'string'; required?: boolean; oneOf?: readonly string[] }
  | { kind: 'boolean'; required?: boolean }
  | { kind: 'strings'; required?: boolean }
  | { kind: 'object'; required?: boolean; fields: Record<string, Field> }
  | { kind: 'record'; required?: boolean; of: Field }
  | { kind: 'criterion'; required?: boolean }
  | { kind: 'list'; required?: boolean; of: Field };

const figure = (check: Check, extra: { required?: boolean; unknownAllowed?: boolean } = {}): Field => ({ kind: 'figure', check, ...extra });
const chipFigure = (check: Check, required = false): Field => figure(check, { required, unknownAllowed: true });
const text = (required = false, oneOf?: readonly string[]): Field => ({ kind: 'string', required, oneOf });
const flag = (required = false): Field => ({ kind: 'boolean', required });
const strings: Field = { kind: 'strings' };

export const CHIP_SCHEMA: Record<string, Field> = {
  name: text(true),
  aliases: strings,
  vendor: text(true),
  architecture: text(true, ARCHITECTURES),
  dataCenter: flag(),
  bf16Tflops: chipFigure(positive, true),
  fp8Tflops: chipFigure(positive),
  int8Tops: chipFigure(positive),
  memoryGB: chipFigure(positive, true),
  memoryType: text(),
  memoryTBps: chipFigure(positive, true),
  hbmStacks: chipFigure(wholeAtLeast(1)),
  hbmStackAreaMm2: chipFigure(positive),
  scaleUp: {
    kind: 'object',
    required: true,
    fields: {
      technology: text(true),
      topology: text(true, CHIP_TOPOLOGIES),
      links: chipFigure(wholeAtLeast(1)),
      bidirectionalGBps: chipFigure(positive),
      note: text(),
    },
  },
  pcieBidirGBps: chipFigure(positive),
  hostLinkBidirGBps: chipFigure(positive),
  scaleOutGbps: chipFigure(positive),
  tdpW: chipFigure(positive),
  logicDieAreaMm2: chipFigure(positive),
  launchYear: chipFigure(year),
  defaultCluster: text(),
  derivedFrom: text(),
  hypothetical: flag(),
  notes: strings,
};

export const CLUSTER_SCHEMA: Record<string, Field> = {
  name: text(true),
  aliases: strings,
  chip: text(true),
  gpusPerDomain: figure(wholeAtLeast(1), { required: true }),
  scaleUp: {
    kind: 'object',
    required: true,
    fields: {
      topology: text(false, CLUSTER_TOPOLOGIES),
      bidirectionalGBps: figure(positive),
      efficiency: figure(fraction),
      hopLatencyUs: figure(nonNegative),
      inSwitchReduction: flag(),
      nvlsEfficiency: figure(fraction),
      llCapGBps: figure(positive),
    },
  },
  scaleOut: {
    kind: 'object',
    required: true,
    fields: {
      fabric: text(),
      nicsPerGpu: figure(positive, { required: true }),
      nicGbps: figure(positive, { required: true }),
      efficiency: figure(fraction),
      hopLatencyUs: figure(nonNegative),
      tierHopLatencyUs: figure(nonNegative),
      leafRadix: figure(wholeAtLeast(2)),
      railOptimized: flag(),
      oversubscription: figure(atLeastOne),
      inNetworkReduction: flag(),
      inNetworkEfficiency: figure(fraction),
    },
  },
  callLatencyUs: figure(nonNegative),
  maxGpus: figure(wholeAtLeast(1)),
  derivedFrom: text(),
  hypothetical: flag(),
  sources: strings,
  notes: strings,
};

const CRITERION: Field = { kind: 'criterion', required: true };

export const RULE_SCHEMA: Record<string, Field> = {
  title: text(true),
  shortName: text(true),
  aliases: strings,
  citation: text(true),
  source: text(true),
  outcomes: {
    kind: 'list',
    required: true,
    of: { kind: 'object', fields: { verdict: text(true), when: CRITERION, caught: flag(), quiet: flag() } },
  },
  otherwise: text(true),
  otherwiseCaught: flag(),
  notes: strings,
};

const ARCHITECTURE_DEFAULTS: Field = {
  kind: 'object',
  fields: {
    scaleUpEfficiency: figure(fraction, { required: true }),
    scaleUpHopLatencyUs: figure(nonNegative, { required: true }),
    inSwitchReduction: figure(zeroOrOne, { required: true }),
    nvlsEfficiency: figure(fraction, { required: true }),
    llCapGBps: figure(positive, { required: true }),
  },
};

/**
 * Calibrated constants of the training model per architecture (docs/model/training.md, "Calibration"). Every
 * field is optional in a document: a user file may override one constant; the rest come from the built-ins.
 */
const TRAINING_ARCHITECTURE_DEFAULTS: Field = {
  kind: 'object',
  fields: {
    gemmEfficiency: figure(fraction),
    gemmEfficiencyFp8: figure(fraction),
    gemmOverheadUs: figure(nonNegative),
    attentionFwdEfficiency: figure(fraction),
    attentionBwdEfficiency: figure(fraction),
    attentionSoftmaxFlops: figure(nonNegative),
    attentionFa2Scale: figure(fraction),
    memoryEfficiency: figure(fraction),
    usableMemoryFraction: figure(fraction),
    memoryReserveGB: figure(nonNegative),
  },
};

const FABRIC_DEFAULTS: Field = {
  kind: 'object',
  fields: { hopLatencyUs: figure(nonNegative, { required: true }), tierHopLatencyUs: figure(nonNegative, { required: true }) },
};

/** Catalog-wide defaults; a document may give any subset (later documents override single fields). */
export const DEFAULTS_SCHEMA: Record<string, Field> = {
  architectures: { kind: 'record', of: ARCHITECTURE_DEFAULTS },
  trainingArchitectures: { kind: 'record', of: TRAINING_ARCHITECTURE_DEFAULTS },
  fabrics: { kind: 'record', of: FABRIC_DEFAULTS },
  fabric: text(),
  nicEfficiency: figure(fraction),
  leafRadix: figure(wholeAtLeast(2)),
  railOptimized: flag(),
  oversubscription: figure(atLeastOne),
  inNetworkReduction: figure(zeroOrOne),
  inNetworkEfficiency: figure(fraction),
  hbmStackAreaMm2: figure(positive),
};

const SOURCE_FIELDS: Record<string, Field> = { title: text(true), url: text() };

const DOCUMENT_KEYS = ['description', 'sources', 'defaults', 'chips', 'clusters', 'rules'] as const;

export interface ValidateOptions {
  /** Built-in data must give every number as {value, source}; user files may write plain numbers. */
  requireSources?: boolean;
  /** Source recorded for plain numbers (default "user"). */
  defaultSource?: string;
}

interface Context extends ValidateOptions {
  issues: CatalogIssue[];
  /** Required fields may be missing and null removes an inherited field (entries with derivedFrom). */
  partial: boolean;
}

/** One validated document: entries are normalised but not yet merged (derivedFrom is expanded later). */
export interface CatalogDocument {
  origin: string;
  sources: Record<string, SourceSpec>;
  defaults: Record<string, unknown>;
  chips: Record<string, Record<string, unknown>>;
  clusters: Record<string, Record<string, unknown>>;
  rules: Record<string, Record<string, unknown>>;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean" hints and the closest known ids. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known names closest to `name` (edit distance, prefix and substring matches first). */
export function closest(name: string, known: Iterable<string>, count = 3): string[] {
  const lower = name.toLowerCase();
  return [...new Set(known)]
    .map((candidate) => {
      const c = candidate.toLowerCase();
      const bonus = c.includes(lower) || lower.includes(c) ? -2 : 0;
      return { candidate, score: editDistance(lower, c) + bonus };
    })
    .sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate))
    .slice(0, count)
    .map((entry) => entry.candidate);
}

function unknownField(path: string, key: string, allowed: string[], ctx: Context): void {
  const hint = closest(key, allowed, 1)[0];
  const near = hint !== undefined && editDistance(key.toLowerCase(), hint.toLowerCase()) <= 3 ? ` (did you mean ${hint}?)` : '';
  ctx.issues.push({ path: `${path}.${key}`, message: `: unknown field${near}; allowed: ${allowed.join(', ')}` });
}

function normaliseFigure(raw: unknown, field: Extract<Field, { kind: 'figure' }>, path: string, ctx: Context): Figure | undefined {
  const bad = (value: unknown, message: string) => {
    ctx.issues.push({ path, message: ` = ${describeValue(value)}: ${message}` });
    return undefined;
  };
  const checkValue = (value: unknown): number | null | undefined => {
    if (value === null && field.unknownAllowed) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return bad(value, `must be a number (${field.check.range})${field.unknownAllowed ? ' or null for unknown' : ''}`) as undefined;
    }
    if (!field.check.test(value)) return bad(value, field.check.range) as undefined;
    return value;
  };
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') {
    if (ctx.requireSources) return bad(raw, 'must be {value, source} (every built-in number cites a source)');
    const value = checkValue(raw);
    return value === undefined ? undefined : { value, source: ctx.defaultSource ?? USER };
  }
  if (!isPlainObject(raw)) return bad(raw, `must be a number or {value, source, unconfirmed?, note?} (${field.check.range})`);
  const allowed = ['value', 'source', 'unconfirmed', 'note'];
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) unknownField(path, key, allowed, ctx);
  if (!('value' in raw)) {
    ctx.issues.push({ path: `${path}.value`, message: `: is required (${field.check.range})` });
    return undefined;
  }
  const value = checkValue(raw.value);
  if (value === undefined) return undefined;
  const out: Figure = { value, source: ctx.defaultSource ?? USER };
  if (raw.source !== undefined) {
    if (typeof raw.source !== 'string' || raw.source.length === 0) return bad(raw.source, 'source must be a source key (a non-empty string)');
    out.source = raw.source;
  } else if (ctx.requireSources) {
    ctx.issues.push({ path: `${path}.source`, message: ': is required (every built-in number cites a source)' });
  }
  if (raw.unconfirmed !== undefined) {
    if (typeof raw.unconfirmed !== 'boolean') return bad(raw.unconfirmed, 'unconfirmed must be true or false');
    if (raw.unconfirmed) out.unconfirmed = true;
  }
  if (raw.note !== undefined) {
    if (typeof raw.note !== 'string') return bad(raw.note, 'note must be a string');
    out.note = raw.note;
  }
  return out;
}

function validateField(raw: unknown, field: Field, path: string, ctx: Context): unknown {
  switch (field.kind) {
    case 'figure':
      return normaliseFigure(raw, field, path, ctx);
    case 'string':
      if (typeof raw !== 'string' || raw.length === 0) {
        ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be a non-empty string${field.oneOf ? ` (one of ${field.oneOf.join(', ')})` : ''}` });
        return undefined;
      }
      if (field.oneOf && !field.oneOf.includes(raw)) {
        ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be one of ${field.oneOf.join(', ')}` });
        return undefined;
      }
      return raw;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 0 || raw === 1) return raw === 1;
      ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be true or false` });
      return undefined;
    case 'strings':
      if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
        ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be a list of strings` });
        return undefined;
      }
      return [...raw];
    case 'object':
      return validateObject(raw, field.fields, path, ctx);
    case 'record': {
      if (!isPlainObject(raw)) {
        ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be an object keyed by name` });
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw)) out[key] = validateField(value, field.of, `${path}.${key}`, ctx);
      return out;
    }
    case 'list': {
      if (!Array.isArray(raw) || raw.length === 0) {
        ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be a non-empty list` });
        return undefined;
      }
      return raw.map((item, i) => validateField(item, field.of, `${path}[${i}]`, ctx));
    }
    case 'criterion':
      return validateCriterion(raw, path, ctx);
  }
}

function validateObject(raw: unknown, fields: Record<string, Field>, path: string, ctx: Context): Record<string, unknown> | undefined {
  if (!isPlainObject(raw)) {
    ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be an object with fields ${Object.keys(fields).join(', ')}` });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const allowed = Object.keys(fields);
  for (const key of Object.keys(raw)) if (!(key in fields)) unknownField(path, key, allowed, ctx);
  for (const [key, field] of Object.entries(fields)) {
    const value = raw[key];
    if (value === undefined || value === null) {
      if (value === null && ctx.partial) out[key] = null; // removes an inherited field
      else if (field.required && !ctx.partial) ctx.issues.push({ path: `${path}.${key}`, message: `: is required${requiredHint(field)}` });
      continue;
    }
    const normalised = validateField(value, field, `${path}.${key}`, ctx);
    if (normalised !== undefined) out[key] = normalised;
  }
  return out;
}

function requiredHint(field: Field): string {
  if (field.kind === 'figure') return ` (${field.check.range})`;
  if (field.kind === 'string' && field.oneOf) return ` (one of ${field.oneOf.join(', ')})`;
  return '';
}

const LEAF_FORMS = 'all: […], any: […], not: {…}, {metric, op, value}, {rule, verdicts} or {chips: […]}';

function validateCriterion(raw: unknown, path: string, ctx: Context): Criterion | undefined {
  if (!isPlainObject(raw)) {
    ctx.issues.push({ path, message: ` = ${describeValue(raw)}: must be a criterion (${LEAF_FORMS})` });
    return undefined;
  }
  const keys = Object.keys(raw);
  const only = (allowed: string[]) => {
    for (const key of keys) if (!allowed.includes(key)) unknownField(path, key, allowed, ctx);
  };
  if ('all' in raw || 'any' in raw) {
    const kind = 'all' in raw ? 'all' : 'any';
    only([kind]);
    const list = raw[kind];
    if (!Array.isArray(list) || list.length === 0) {
      ctx.issues.push({ path: `${path}.${kind}`, message: ` = ${describeValue(list)}: must be a non-empty list of criteria` });
      return undefined;
    }
    const children = list.map((child, i) => validateCriterion(child, `${path}.${kind}[${i}]`, ctx));
    if (children.some((child) => child === undefined)) return undefined;
    return kind === 'all' ? { all: children as Criterion[] } : { any: children as Criterion[] };
  }
  if ('not' in raw) {
    only(['not']);
    const child = validateCriterion(raw.not, `${path}.not`, ctx);
    return child === undefined ? undefined : { not: child };
  }
  if ('metric' in raw) {
    const shorthand = COMPARISON_OPS.filter((op) => op in raw);
    only(['metric', 'op', 'value', ...COMPARISON_OPS]);
    const metric =
      typeof raw.metric !== 'string'
        ? undefined
        : (METRIC_IDS as readonly string[]).includes(raw.metric)
          ? (raw.metric as MetricId)
          : METRIC_ALIASES[raw.metric.toLowerCase()];
    if (metric === undefined) {
      ctx.issues.push({ path: `${path}.metric`, message: ` = ${describeValue(raw.metric)}: must be one of ${METRIC_IDS.join(', ')}` });
      return undefined;
    }
    let op: unknown = raw.op;
    let value: unknown = raw.value;
    if (shorthand.length === 1 && op === undefined && value === undefined) {
      op = shorthand[0];
      value = raw[shorthand[0]];
    } else if (shorthand.length > 0) {
      ctx.issues.push({ path, message: ': give either {metric, op, value} or one shorthand {metric, ">=": value}' });
      return undefined;
    }
    if (typeof op !== 'string' || !(COMPARISON_OPS as readonly string[]).includes(op)) {
      ctx.issues.push({ path: `${path}.op`, message: ` = ${describeValue(op)}: must be one of ${COMPARISON_OPS.join(', ')}` });
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      ctx.issues.push({ path: `${path}.value`, message: ` = ${describeValue(value)}: must be a finite number` });
      return undefined;
    }
    return { metric, op: op as (typeof COMPARISON_OPS)[number], value };
  }
  if ('rule' in raw) {
    only(['rule', 'verdicts']);
    const verdicts = raw.verdicts;
    const ruleRef = typeof raw.rule === 'number' ? String(raw.rule) : raw.rule; // YAML reads `rule: 2022` as a number
    if (typeof ruleRef !== 'string' || ruleRef.length === 0) {
      ctx.issues.push({ path: `${path}.rule`, message: ` = ${describeValue(raw.rule)}: must be a rule id` });
      return undefined;
    }
    if (!Array.isArray(verdicts) || verdicts.length === 0 || verdicts.some((v) => typeof v !== 'string')) {
      ctx.issues.push({ path: `${path}.verdicts`, message: ` = ${describeValue(verdicts)}: must be a non-empty list of verdicts` });
      return undefined;
    }
    return { rule: ruleRef.toLowerCase(), verdicts: [...verdicts] as string[] };
  }
  if ('chips' in raw) {
    only(['chips']);
    const chips = raw.chips;
    if (!Array.isArray(chips) || chips.length === 0 || chips.some((v) => typeof v !== 'string')) {
      ctx.issues.push({ path: `${path}.chips`, message: ` = ${describeValue(chips)}: must be a non-empty list of chip ids` });
      return undefined;
    }
    return { chips: chips.map((id) => (id as string).toLowerCase()) };
  }
  ctx.issues.push({ path, message: `: must be a criterion (${LEAF_FORMS}); got fields ${keys.join(', ') || 'none'}` });
  return undefined;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._+-]*$/;

function validateEntries(
  raw: unknown,
  kind: 'chips' | 'clusters' | 'rules',
  fields: Record<string, Field>,
  ctx: Context,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (raw === undefined || raw === null) return out;
  if (!isPlainObject(raw)) {
    ctx.issues.push({ path: kind, message: ` = ${describeValue(raw)}: must be an object keyed by id` });
    return out;
  }
  for (const [rawId, entry] of Object.entries(raw)) {
    const id = rawId.toLowerCase();
    if (!ID_PATTERN.test(id)) {
      ctx.issues.push({ path: `${kind}.${rawId}`, message: ': id must start with a letter or digit and hold only letters, digits, ".", "_", "+" or "-"' });
      continue;
    }
    if (id in out) {
      ctx.issues.push({ path: `${kind}.${rawId}`, message: ': duplicate id (ids are case-insensitive)' });
      continue;
    }
    const partial = isPlainObject(entry) && typeof entry.derivedFrom === 'string';
    const normalised = validateObject(entry, fields, `${kind}.${id}`, { ...ctx, partial });
    if (normalised) {
      if (Array.isArray(normalised.aliases)) normalised.aliases = (normalised.aliases as string[]).map((alias) => alias.toLowerCase());
      if (typeof normalised.derivedFrom === 'string') normalised.derivedFrom = normalised.derivedFrom.toLowerCase();
      out[id] = normalised;
    }
  }
  return out;
}

/**
 * Validates one parsed document (from JSON or YAML). Throws CatalogError listing every problem, each with its
 * field path; `origin` (a file path or "builtin") prefixes the message.
 */
export function validateCatalogDocument(raw: unknown, origin: string, options: ValidateOptions = {}): CatalogDocument {
  const ctx: Context = { ...options, issues: [], partial: false };
  const doc: CatalogDocument = { origin, sources: {}, defaults: {}, chips: {}, clusters: {}, rules: {} };
  if (!isPlainObject(raw)) {
    throw new CatalogError([{ path: '(document)', message: ` = ${describeValue(raw)}: must be an object with chips, clusters, rules, sources or defaults` }], origin);
  }
  for (const key of Object.keys(raw)) if (!(DOCUMENT_KEYS as readonly string[]).includes(key)) unknownField('(document)', key, [...DOCUMENT_KEYS], ctx);
  if (raw.description !== undefined && typeof raw.description !== 'string') {
    ctx.issues.push({ path: 'description', message: ` = ${describeValue(raw.description)}: must be a string` });
  }
  if (raw.sources !== undefined) {
    if (!isPlainObject(raw.sources)) ctx.issues.push({ path: 'sources', message: ` = ${describeValue(raw.sources)}: must be an object keyed by source key` });
    else {
      for (const [key, value] of Object.entries(raw.sources)) {
        const spec = typeof value === 'string' ? { title: value } : validateObject(value, SOURCE_FIELDS, `sources.${key}`, ctx);
        if (spec) doc.sources[key] = spec as unknown as SourceSpec;
      }
    }
  }
  if (raw.defaults !== undefined) {
    doc.defaults = validateObject(raw.defaults, DEFAULTS_SCHEMA, 'defaults', ctx) ?? {};
  }
  doc.chips = validateEntries(raw.chips, 'chips', CHIP_SCHEMA, ctx);
  doc.clusters = validateEntries(raw.clusters, 'clusters', CLUSTER_SCHEMA, ctx);
  doc.rules = validateEntries(raw.rules, 'rules', RULE_SCHEMA, ctx);
  if (ctx.issues.length > 0) throw new CatalogError(ctx.issues, origin);
  return doc;
}

/** Re-checks one merged entry (after derivedFrom expansion) with every required field. */
export function validateMergedEntry(
  entry: Record<string, unknown>,
  kind: 'chips' | 'clusters' | 'rules',
  id: string,
  issues: CatalogIssue[],
): Record<string, unknown> | undefined {
  const fields = kind === 'chips' ? CHIP_SCHEMA : kind === 'clusters' ? CLUSTER_SCHEMA : RULE_SCHEMA;
  const { id: _id, ...body } = entry;
  const ctx: Context = { issues, partial: false };
  return validateObject(body, fields, `${kind}.${id}`, ctx);
}
