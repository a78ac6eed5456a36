/**
 * Layering of catalog documents: built-ins first, then user files; a later entry replaces an earlier one with the
 * same id. An entry with `derivedFrom` inherits every field it does not give from its base (an earlier entry,
 * or another entry of the same document); `null` removes an inherited field. After the last layer,
 * `checkCatalog` verifies references (chips, clusters, rules, source keys) across the whole catalog.
 */
import { ASSUMPTION, FIT, USER, type Catalog, type CatalogDefaults, type ChipSpec, type ClusterSpec, type Criterion, type RuleSpec } from './schema.js';
import { CatalogError, closest, describeValue, validateMergedEntry, type CatalogDocument, type CatalogIssue } from './validate-catalog.js';

type Kind = 'chips' | 'clusters' | 'rules';
type Entry = Record<string, unknown> & { id: string; aliases?: string[] };

/** Fields a variant with a new id does not inherit from its base (they name the base itself). */
const NOT_INHERITED: Record<Kind, string[]> = {
  chips: ['aliases', 'defaultCluster'],
  clusters: ['aliases'],
  rules: ['aliases'],
};

export function emptyCatalog(): Catalog {
  return {
    chips: new Map(),
    clusters: new Map(),
    rules: new Map(),
    sources: new Map(),
    defaults: { architectures: {}, fabrics: {} } as unknown as CatalogDefaults,
    origins: new Map(),
  };
}

export function copyCatalog(catalog: Catalog): Catalog {
  return {
    chips: new Map(catalog.chips),
    clusters: new Map(catalog.clusters),
    rules: new Map(catalog.rules),
    sources: new Map(catalog.sources),
    defaults: catalog.defaults,
    origins: new Map(catalog.origins),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A figure ({value, source}) is replaced whole, never merged field by field. */
function isFigure(value: unknown): boolean {
  return isPlainObject(value) && 'value' in value;
}

/** Deep merge for derivedFrom and defaults: objects merge, figures/lists/scalars replace, null deletes. */
export function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key]) && !isFigure(value) && !isFigure(out[key])) {
      out[key] = mergeDeep(out[key] as Record<string, unknown>, value);
    } else out[key] = value;
  }
  return out;
}

/** Finds an entry by id or alias, case-insensitively (exact ids first, then the most recently added alias). */
export function findEntry<T extends { id: string; aliases?: string[] }>(map: Map<string, T>, ref: string): T | undefined {
  const key = ref.trim().toLowerCase();
  const direct = map.get(key);
  if (direct) return direct;
  const values = [...map.values()];
  for (let i = values.length - 1; i >= 0; i -= 1) if (values[i].aliases?.includes(key)) return values[i];
  return undefined;
}

/** Ids and aliases of a map, for "closest known ids" messages. */
export function knownNames(map: Map<string, { id: string; aliases?: string[] }>): string[] {
  return [...map.values()].flatMap((entry) => [entry.id, ...(entry.aliases ?? [])]);
}

export function findChip(catalog: Catalog, ref: string): ChipSpec | undefined {
  return findEntry(catalog.chips, ref);
}

export function findClusterSpec(catalog: Catalog, ref: string): ClusterSpec | undefined {
  return findEntry(catalog.clusters, ref);
}

export function findRule(catalog: Catalog, ref: string): RuleSpec | undefined {
  const rule = findEntry(catalog.rules, ref);
  if (rule) return rule;
  const key = ref.trim().toLowerCase();
  return [...catalog.rules.values()].find((r) => r.shortName.toLowerCase() === key);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** Applies one validated document on top of `catalog`, returning a new catalog (the input is not changed). */
export function applyDocument(catalog: Catalog, doc: CatalogDocument, options: { freeze?: boolean } = {}): Catalog {
  const next = copyCatalog(catalog);
  const issues: CatalogIssue[] = [];
  for (const [key, spec] of Object.entries(doc.sources)) next.sources.set(key, spec);
  if (Object.keys(doc.defaults).length > 0) {
    next.defaults = mergeDeep(next.defaults as unknown as Record<string, unknown>, doc.defaults) as unknown as CatalogDefaults;
  }
  for (const kind of ['chips', 'clusters', 'rules'] as const) {
    const entries = doc[kind];
    const previous = catalog[kind] as unknown as Map<string, Entry>;
    const target = next[kind] as unknown as Map<string, Entry>;
    const done = new Map<string, Entry>();
    const expand = (id: string, stack: string[]): Entry | undefined => {
      const cached = done.get(id);
      if (cached) return cached;
      const raw = entries[id];
      const baseRef = typeof raw.derivedFrom === 'string' ? raw.derivedFrom : undefined;
      let merged: Record<string, unknown>;
      if (baseRef === undefined) merged = raw;
      else {
        let base: Entry | undefined;
        if (baseRef !== id && baseRef in entries) {
          if (stack.includes(baseRef)) {
            issues.push({ path: `${kind}.${id}.derivedFrom`, message: ` = ${describeValue(baseRef)}: derivation cycle (${[...stack, id, baseRef].join(' → ')})` });
            return undefined;
          }
          base = expand(baseRef, [...stack, id]);
          if (!base) return undefined;
        } else {
          base = findEntry(previous, baseRef);
        }
        if (!base) {
          const near = closest(baseRef, knownNames(previous));
          issues.push({ path: `${kind}.${id}.derivedFrom`, message: ` = ${describeValue(baseRef)}: unknown ${kind.slice(0, -1)}; closest known ids: ${near.join(', ')}` });
          return undefined;
        }
        const sameId = base.id === id;
        const inherited: Record<string, unknown> = { ...base };
        delete inherited.id;
        if (!sameId) for (const key of NOT_INHERITED[kind]) delete inherited[key];
        merged = mergeDeep(inherited, raw);
        if (sameId) delete merged.derivedFrom;
        else merged.derivedFrom = base.id;
        if (!sameId && raw.name === undefined && typeof base.name === 'string') merged.name = `${base.name} (variant ${id})`;
      }
      const checked = validateMergedEntry(merged, kind, id, issues);
      if (!checked) return undefined;
      const entry = { id, ...checked } as Entry;
      if (options.freeze) deepFreeze(entry);
      done.set(id, entry);
      return entry;
    };
    for (const id of Object.keys(entries)) {
      const entry = expand(id, []);
      if (entry) {
        target.set(id, entry);
        next.origins.set(`${kind}.${id}`, doc.origin);
      }
    }
  }
  if (issues.length > 0) throw new CatalogError(issues, doc.origin);
  return next;
}

function collectFigureSources(value: unknown, path: string, out: { path: string; source: string }[]): void {
  if (!isPlainObject(value)) return;
  if ('value' in value && typeof value.source === 'string') {
    out.push({ path: `${path}.source`, source: value.source });
    return;
  }
  for (const [key, child] of Object.entries(value)) collectFigureSources(child, `${path}.${key}`, out);
}

function criterionRules(criterion: Criterion, out: string[]): void {
  if ('all' in criterion) criterion.all.forEach((c) => criterionRules(c, out));
  else if ('any' in criterion) criterion.any.forEach((c) => criterionRules(c, out));
  else if ('not' in criterion) criterionRules(criterion.not, out);
  else if ('rule' in criterion) out.push(criterion.rule);
}

/**
 * Cross-entry checks of a complete catalog: every chip, cluster, rule and source key an entry names exists,
 * rules do not depend on themselves, and every cluster resolves into valid model parameters (`resolve`).
 * Throws CatalogError naming the file of the offending entry.
 */
export function checkCatalog(catalog: Catalog, resolve: (spec: ClusterSpec, catalog: Catalog) => unknown): void {
  const issues: (CatalogIssue & { origin: string })[] = [];
  const push = (kind: Kind, id: string, path: string, message: string) =>
    issues.push({ origin: catalog.origins.get(`${kind}.${id}`) ?? 'catalog', path, message });
  const knownSources = new Set([...catalog.sources.keys(), ASSUMPTION, USER, FIT]);
  const checkSources = (kind: Kind, id: string, entry: unknown) => {
    const found: { path: string; source: string }[] = [];
    collectFigureSources(entry, `${kind}.${id}`, found);
    for (const { path, source } of found) {
      if (!knownSources.has(source)) push(kind, id, path, ` = ${describeValue(source)}: unknown source key; known: ${[...knownSources].join(', ')}`);
    }
  };
  const defaults = catalog.defaults as unknown as Record<string, unknown>;
  for (const key of ['fabric', 'nicEfficiency', 'leafRadix', 'railOptimized', 'oversubscription', 'inNetworkReduction', 'inNetworkEfficiency', 'hbmStackAreaMm2']) {
    if (defaults[key] === undefined) issues.push({ origin: 'catalog', path: `defaults.${key}`, message: ': is required (the built-in catalog sets it)' });
  }
  if (!catalog.defaults.architectures?.other) issues.push({ origin: 'catalog', path: 'defaults.architectures.other', message: ': is required (scale-up defaults for chips of other architectures)' });
  if (!catalog.defaults.trainingArchitectures?.other) {
    issues.push({ origin: 'catalog', path: 'defaults.trainingArchitectures.other', message: ': is required (training-model constants for chips of other architectures)' });
  }
  const trainingFigures: { path: string; source: string }[] = [];
  collectFigureSources(catalog.defaults.trainingArchitectures ?? {}, 'defaults.trainingArchitectures', trainingFigures);
  for (const { path, source } of trainingFigures) {
    if (!knownSources.has(source)) issues.push({ origin: 'catalog', path, message: ` = ${describeValue(source)}: unknown source key` });
  }
  for (const chip of catalog.chips.values()) {
    checkSources('chips', chip.id, chip);
    if (chip.defaultCluster !== undefined && !findClusterSpec(catalog, chip.defaultCluster)) {
      push('chips', chip.id, `chips.${chip.id}.defaultCluster`, ` = ${describeValue(chip.defaultCluster)}: unknown cluster; closest known ids: ${closest(chip.defaultCluster, knownNames(catalog.clusters)).join(', ')}`);
    }
  }
  for (const cluster of catalog.clusters.values()) {
    checkSources('clusters', cluster.id, cluster);
    for (const [i, key] of (cluster.sources ?? []).entries()) {
      if (!knownSources.has(key)) push('clusters', cluster.id, `clusters.${cluster.id}.sources[${i}]`, ` = ${describeValue(key)}: unknown source key`);
    }
    if (!findChip(catalog, cluster.chip)) {
      push('clusters', cluster.id, `clusters.${cluster.id}.chip`, ` = ${describeValue(cluster.chip)}: unknown chip; closest known ids: ${closest(cluster.chip, knownNames(catalog.chips)).join(', ')}`);
      continue;
    }
    try {
      resolve(cluster, catalog);
    } catch (error) {
      if (error instanceof CatalogError) for (const issue of error.issues) push('clusters', cluster.id, issue.path, issue.message);
      else push('clusters', cluster.id, `clusters.${cluster.id}`, `: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const rule of catalog.rules.values()) {
    if (!knownSources.has(rule.source)) push('rules', rule.id, `rules.${rule.id}.source`, ` = ${describeValue(rule.source)}: unknown source key`);
    rule.outcomes.forEach((outcome, i) => {
      const refs: string[] = [];
      criterionRules(outcome.when, refs);
      for (const ref of refs) {
        if (!findRule(catalog, ref)) push('rules', rule.id, `rules.${rule.id}.outcomes[${i}].when`, `: names unknown rule ${describeValue(ref)}; known: ${[...catalog.rules.keys()].join(', ')}`);
      }
    });
  }
  // Rules may depend on other rules' verdicts; a cycle would never finish.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (rule: RuleSpec, stack: string[]): void => {
    if (state.get(rule.id) === 'done') return;
    if (state.get(rule.id) === 'visiting') {
      push('rules', rule.id, `rules.${rule.id}`, `: rules depend on each other in a cycle (${[...stack, rule.id].join(' → ')})`);
      return;
    }
    state.set(rule.id, 'visiting');
    const refs: string[] = [];
    rule.outcomes.forEach((outcome) => criterionRules(outcome.when, refs));
    for (const ref of refs) {
      const dep = findRule(catalog, ref);
      if (dep) visit(dep, [...stack, rule.id]);
    }
    state.set(rule.id, 'done');
  };
  for (const rule of catalog.rules.values()) visit(rule, []);
  if (issues.length === 0) return;
  const origins = new Set(issues.map((issue) => issue.origin));
  if (origins.size === 1) throw new CatalogError(issues, issues[0].origin);
  throw new CatalogError(issues.map((issue) => ({ path: `${issue.origin}: ${issue.path}`, message: issue.message })));
}
