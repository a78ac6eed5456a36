/**
 * The built-in catalog: packages/core/catalog/{sources,chips,clusters,rules}.json, imported statically so that
 * bundles (CLI, browser) carry the data. No file system access; validated once, then copied per call.
 */
import chipsJson from '../../catalog/chips.json';
import clustersJson from '../../catalog/clusters.json';
import rulesJson from '../../catalog/rules.json';
import sourcesJson from '../../catalog/sources.json';
import { applyDocument, checkCatalog, copyCatalog, emptyCatalog } from './merge.js';
import { resolveClusterSpec } from './resolve-cluster.js';
import type { Catalog } from './schema.js';
import { validateCatalogDocument } from './validate-catalog.js';

/** The origin recorded for built-in entries (`catalog.origins`). */
export const BUILTIN_ORIGIN = 'builtin';

/** The raw built-in documents, in load order (for tests and tools that want the JSON itself). */
export const BUILTIN_DOCUMENTS: readonly { file: string; data: unknown }[] = [
  { file: 'sources.json', data: sourcesJson },
  { file: 'chips.json', data: chipsJson },
  { file: 'clusters.json', data: clustersJson },
  { file: 'rules.json', data: rulesJson },
];

let cached: Catalog | undefined;

/** The built-in chips, clusters, rules and sources. Browser-safe. Each call returns a fresh set of maps. */
export function builtinCatalog(): Catalog {
  if (!cached) {
    let catalog = emptyCatalog();
    for (const { file, data } of BUILTIN_DOCUMENTS) {
      const doc = validateCatalogDocument(data, `packages/core/catalog/${file}`, { requireSources: true });
      catalog = applyDocument({ ...catalog }, { ...doc, origin: BUILTIN_ORIGIN }, { freeze: true });
    }
    checkCatalog(catalog, resolveClusterSpec);
    cached = catalog;
  }
  return copyCatalog(cached);
}
