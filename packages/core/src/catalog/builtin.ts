/**
 * The built-in catalog: packages/core/catalog/{sources,chips,clusters,rules}.json, imported statically so that
 * bundles (CLI, browser) carry the data. No file system access; copied per call.
 *
 * The built-ins go through the same checks as a user's file (validateBuiltinCatalog). The build does that once:
 * tsup.config.ts runs validateBuiltinCatalog and hands the checked result to the bundle as JSON
 * (__LINKCAP_BUILTIN_CATALOG__), so a bundled linkcap starts without re-validating its own data. Unbundled
 * (tests running the TypeScript sources), the catalog is validated on first use; a test checks both agree.
 */
import chipsJson from '../../catalog/chips.json';
import clustersJson from '../../catalog/clusters.json';
import rulesJson from '../../catalog/rules.json';
import sourcesJson from '../../catalog/sources.json';
import { catalogFromJson } from './catalog-json.js';
import { applyDocument, checkCatalog, copyCatalog, emptyCatalog } from './merge.js';
import { resolveClusterSpec } from './resolve-cluster.js';
import type { Catalog } from './schema.js';
import { validateCatalogDocument } from './validate-catalog.js';

/** The checked built-in catalog as catalogToJson wrote it at build time; not defined when running from source. */
declare const __LINKCAP_BUILTIN_CATALOG__: string | undefined;

/** The origin recorded for built-in entries (`catalog.origins`). */
export const BUILTIN_ORIGIN = 'builtin';

/** The raw built-in documents, in load order (for tests and tools that want the JSON itself). */
export const BUILTIN_DOCUMENTS: readonly { file: string; data: unknown }[] = [
  { file: 'sources.json', data: sourcesJson },
  { file: 'chips.json', data: chipsJson },
  { file: 'clusters.json', data: clustersJson },
  { file: 'rules.json', data: rulesJson },
];

/** Validates, layers and cross-checks the built-in documents, exactly as a user's catalog file is checked. */
export function validateBuiltinCatalog(): Catalog {
  let catalog = emptyCatalog();
  for (const { file, data } of BUILTIN_DOCUMENTS) {
    const doc = validateCatalogDocument(data, `packages/core/catalog/${file}`, { requireSources: true });
    catalog = applyDocument({ ...catalog }, { ...doc, origin: BUILTIN_ORIGIN }, { freeze: true });
  }
  checkCatalog(catalog, resolveClusterSpec);
  return catalog;
}

/** Whether builtinCatalog reads the result checked at build time (true in the built package). */
export function builtinCatalogCheckedAtBuild(): boolean {
  return typeof __LINKCAP_BUILTIN_CATALOG__ === 'string';
}

let cached: Catalog | undefined;

/** The built-in chips, clusters, rules and sources. Browser-safe. Each call returns a fresh set of maps. */
export function builtinCatalog(): Catalog {
  cached ??= typeof __LINKCAP_BUILTIN_CATALOG__ === 'string' ? catalogFromJson(__LINKCAP_BUILTIN_CATALOG__) : validateBuiltinCatalog();
  return copyCatalog(cached);
}
