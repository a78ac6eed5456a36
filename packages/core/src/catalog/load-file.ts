/**
 * User catalog files (YAML or JSON): reading, layering onto the built-ins, and writing entries atomically.
 * The only module of the catalog that touches the file system.
 *
 * loadCatalog order (later entries replace earlier ones with the same id):
 *   built-ins → ./linkcap.catalog.yaml|yml|json in cwd → $LINKCAP_CATALOG (paths separated by ':') → options.files
 */
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { delimiter, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { builtinCatalog } from './builtin.js';
import { applyDocument, checkCatalog } from './merge.js';
import { resolveClusterSpec } from './resolve-cluster.js';
import type { Catalog } from './schema.js';
import { CatalogError, validateCatalogDocument } from './validate-catalog.js';

/** Files in the working directory that loadCatalog reads when present, in this order. */
export const DEFAULT_CATALOG_FILES = ['linkcap.catalog.yaml', 'linkcap.catalog.yml', 'linkcap.catalog.json'] as const;

/** The environment variable holding extra catalog files. */
export const CATALOG_ENV = 'LINKCAP_CATALOG';

export interface LoadCatalogOptions {
  /** Extra catalog files, read last (the CLI's --catalog). Relative paths resolve against cwd. */
  files?: string[];
  /** Directory searched for linkcap.catalog.yaml (default process.cwd()). */
  cwd?: string;
  /** Environment to read LINKCAP_CATALOG from (default process.env). */
  env?: Record<string, string | undefined>;
}

function isJsonPath(path: string): boolean {
  return extname(path).toLowerCase() === '.json';
}

/** Parses catalog text: JSON for .json files, YAML otherwise. Errors name the file and the line. */
export function parseCatalogText(text: string, origin: string): unknown {
  try {
    if (isJsonPath(origin)) return JSON.parse(text);
    return YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    const kind = isJsonPath(origin) ? 'JSON' : 'YAML';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CatalogError([{ path: '(document)', message: `: not valid ${kind}: ${message}` }], origin);
  }
}

/** Reads and parses one file (not yet validated). */
export function readCatalogFile(path: string): unknown {
  if (!existsSync(path)) throw new CatalogError([{ path: '(file)', message: ': not found' }], path);
  return parseCatalogText(readFileSync(path, 'utf8'), path);
}

/** The catalog files loadCatalog would read, in order, as absolute paths. */
export function catalogFiles(options: LoadCatalogOptions = {}): string[] {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const files: string[] = [];
  for (const name of DEFAULT_CATALOG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) files.push(path);
  }
  const fromEnv = env[CATALOG_ENV];
  if (fromEnv) for (const part of fromEnv.split(delimiter)) if (part.trim()) files.push(resolve(cwd, part.trim()));
  for (const file of options.files ?? []) files.push(resolve(cwd, file));
  return [...new Set(files)];
}

/** Applies one file on top of a catalog (validated; references are checked by the caller or loadCatalog). */
export function applyCatalogFile(catalog: Catalog, path: string): Catalog {
  return applyDocument(catalog, validateCatalogDocument(readCatalogFile(path), path));
}

/**
 * The built-in catalog plus the user's files (see the module comment for the order). Every file is validated;
 * errors name the file and the field.
 */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  let catalog = builtinCatalog();
  const files = catalogFiles(options);
  if (files.length === 0) return catalog;
  for (const file of files) catalog = applyCatalogFile(catalog, file);
  checkCatalog(catalog, resolveClusterSpec);
  return catalog;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface CatalogEntries {
  chips?: Record<string, unknown>;
  clusters?: Record<string, unknown>;
  rules?: Record<string, unknown>;
}

/**
 * Adds or replaces entries in a user catalog file (created when missing), keeping the rest of the file
 * (YAML comments included). The new text is validated, written to a temporary file and renamed over the
 * original, so the file is never left half-written. Returns whether the file was created.
 */
export function writeCatalogEntries(path: string, entries: CatalogEntries): { created: boolean } {
  const created = !existsSync(path);
  const text = created ? '' : readFileSync(path, 'utf8');
  let output: string;
  if (isJsonPath(path)) {
    const data = text.trim() ? parseCatalogText(text, path) : {};
    if (!isPlainObject(data)) throw new CatalogError([{ path: '(document)', message: ': must be an object (a catalog file)' }], path);
    for (const kind of ['chips', 'clusters', 'rules'] as const) {
      const add = entries[kind];
      if (!add) continue;
      const current = isPlainObject(data[kind]) ? data[kind] : {};
      data[kind] = { ...current, ...add };
    }
    output = `${JSON.stringify(data, null, 2)}\n`;
  } else {
    const doc = text.trim() ? YAML.parseDocument(text) : new YAML.Document({});
    if (doc.errors.length > 0) throw new CatalogError([{ path: '(document)', message: `: not valid YAML: ${doc.errors[0].message.split('\n')[0]}` }], path);
    if (!YAML.isMap(doc.contents)) throw new CatalogError([{ path: '(document)', message: ': must be a mapping with chips, clusters, … (a catalog file)' }], path);
    if (created) doc.commentBefore = ' linkcap user catalog: chips, clusters and rules added to or replacing the built-ins (docs/catalog.md)';
    for (const kind of ['chips', 'clusters', 'rules'] as const) {
      for (const [id, entry] of Object.entries(entries[kind] ?? {})) {
        const node = doc.createNode(entry);
        // One line per figure: {value: 400, source: user, note: …}
        YAML.visit(node, {
          Map(_, map) {
            if (map.has('value')) map.flow = true;
          },
        });
        doc.setIn([kind, id], node);
        const parent = doc.get(kind, true);
        if (YAML.isMap(parent)) parent.flow = false; // `chips: {}` would otherwise turn the entries into one flow block
      }
    }
    output = doc.toString({ lineWidth: 0 });
  }
  validateCatalogDocument(parseCatalogText(output, path), path);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, output, 'utf8');
    renameSync(temporary, path);
  } catch (error) {
    if (existsSync(temporary)) unlinkSync(temporary);
    throw error;
  }
  return { created };
}
