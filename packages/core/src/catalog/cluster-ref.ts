/**
 * `resolveCluster(ref)`: what every command's --cluster accepts. A ref is a preset id or alias
 * (case-insensitive; "dgx-h100" and "hgx-h100" are the same preset), a chip id with a node preset ("h800"), or
 * a path to a YAML/JSON file holding one cluster.
 */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { LinkcapInputError } from '../validate/errors.js';
import { readCatalogFile } from './load-file.js';
import { applyDocument, checkCatalog } from './merge.js';
import { resolveClusterId, resolveClusterSpec, type ResolvedCluster } from './resolve-cluster.js';
import type { Catalog } from './schema.js';
import { CatalogError, validateCatalogDocument } from './validate-catalog.js';

/** A ref is read as a file when it has a path separator or a .yaml/.yml/.json extension. */
export function isClusterFileRef(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
}

const CATALOG_KEYS = ['chips', 'clusters', 'rules', 'sources', 'defaults', 'description'];

/**
 * Reads a cluster file. Two forms: a single cluster (fields of a catalog cluster at the top level, plus an
 * optional `id`, default the file name), or a catalog document with exactly one cluster (and any chips it needs).
 */
export function resolveClusterFile(path: string, catalog: Catalog): ResolvedCluster {
  const raw = readCatalogFile(path);
  let document: unknown = raw;
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (isObject && !Object.keys(raw).some((key) => CATALOG_KEYS.includes(key))) {
    const { id, ...cluster } = raw as Record<string, unknown>;
    const fallback = basename(path, extname(path));
    if (id !== undefined && typeof id !== 'string') throw new CatalogError([{ path: 'id', message: ` = ${String(id)}: must be a string` }], path);
    const clusterId = (id as string | undefined) ?? fallback;
    document = { clusters: { [clusterId]: { name: clusterId, ...cluster } } };
  }
  const validated = validateCatalogDocument(document, path);
  const ids = Object.keys(validated.clusters);
  if (ids.length !== 1) {
    throw new CatalogError(
      [{ path: 'clusters', message: `: a --cluster file must hold exactly one cluster, this one holds ${ids.length}${ids.length ? ` (${ids.join(', ')})` : ''}; pass it with --catalog and pick one with --cluster ID` }],
      path,
    );
  }
  const next = applyDocument(catalog, validated);
  checkCatalog(next, resolveClusterSpec);
  const spec = next.clusters.get(ids[0]);
  if (!spec) throw new CatalogError([{ path: `clusters.${ids[0]}`, message: ': could not be loaded' }], path);
  return resolveClusterSpec(spec, next);
}

/**
 * Resolves what a user typed after --cluster. Unknown ids throw an error listing the closest known ids;
 * file problems throw CatalogError naming the file and field.
 */
export function resolveCluster(ref: string, catalog: Catalog, cwd?: string): ResolvedCluster {
  if (typeof ref !== 'string' || ref.trim() === '') throw new LinkcapInputError('cluster', 'must be a preset id or a YAML/JSON cluster file');
  if (isClusterFileRef(ref)) {
    const path = resolve(cwd ?? process.cwd(), ref);
    if (!existsSync(path)) throw new LinkcapInputError('cluster', `"${ref}" looks like a file but ${path} does not exist`);
    return resolveClusterFile(path, catalog);
  }
  return resolveClusterId(ref, catalog);
}
