/**
 * User catalog files (YAML or JSON): reading, layering onto the built-ins, and writing entries atomically under a
 * lock (files/safe-write.ts). The only module of the catalog that touches the file system. The yaml package is
 * loaded on the first YAML file, not at import.
 *
 * loadCatalog order (later entries replace earlier ones with the same id):
 *   built-ins → ./linkcap.catalog.yaml|yml|json in cwd → $LINKCAP_CATALOG (paths separated by ':') → options.files
 */
import { existsSync } from 'node:fs';
import { delimiter, extname, resolve } from 'node:path';
import type * as YamlModule from 'yaml';
import { lazyRequire } from '../files/lazy-require.js';
import { readTextFile } from '../files/read-text.js';
import { updateFileSafely, type LockOptions } from '../files/safe-write.js';
import { LinkcapInputError } from '../validate/errors.js';
import { builtinCatalog } from './builtin.js';
import { applyDocument, checkCatalog } from './merge.js';
import { resolveClusterSpec } from './resolve-cluster.js';
import type { Catalog } from './schema.js';
import { CatalogError, validateCatalogDocument } from './validate-catalog.js';

const yaml = lazyRequire<typeof YamlModule>('yaml');

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
    return yaml().parse(text, { prettyErrors: true });
  } catch (error) {
    const kind = isJsonPath(origin) ? 'JSON' : 'YAML';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CatalogError([{ path: '(document)', message: `: not valid ${kind}: ${message}` }], origin);
  }
}

/**
 * Reads and parses one file (not yet validated). Only regular files up to MAX_INPUT_FILE_BYTES are read; anything
 * else throws LinkcapFileError naming the path.
 */
export function readCatalogFile(path: string): unknown {
  return parseCatalogText(readTextFile(path, { what: 'catalog file' }), path);
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

const ENTRY_KINDS = ['chips', 'clusters', 'rules'] as const;

/** "chips.my-h800", … for every entry of `entries` that `data` (a parsed catalog file) already holds. */
function existingEntries(data: unknown, entries: CatalogEntries): string[] {
  if (!isPlainObject(data)) return [];
  const found: string[] = [];
  for (const kind of ENTRY_KINDS) {
    const current = data[kind];
    if (!isPlainObject(current)) continue;
    for (const id of Object.keys(entries[kind] ?? {})) if (Object.hasOwn(current, id)) found.push(`${kind}.${id}`);
  }
  return found;
}

/**
 * The text of a catalog file with `entries` added or replaced, keeping the rest (YAML comments included).
 * `text` undefined means a new file. Throws CatalogError when the file is not a catalog, and LinkcapInputError
 * when an entry exists already and `replace` is false.
 */
export function catalogTextWithEntries(text: string | undefined, path: string, entries: CatalogEntries, replace = true): string {
  const created = text === undefined || text.trim() === '';
  let output: string;
  if (isJsonPath(path)) {
    const data = created ? {} : parseCatalogText(text ?? '', path);
    if (!isPlainObject(data)) throw new CatalogError([{ path: '(document)', message: ': must be an object (a catalog file)' }], path);
    refuseExisting(data, entries, replace, path);
    for (const kind of ENTRY_KINDS) {
      const add = entries[kind];
      if (!add) continue;
      const current = isPlainObject(data[kind]) ? data[kind] : {};
      data[kind] = { ...current, ...add };
    }
    output = `${JSON.stringify(data, null, 2)}\n`;
  } else {
    const YAML = yaml();
    const doc = created ? new YAML.Document({}) : YAML.parseDocument(text ?? '');
    if (doc.errors.length > 0) throw new CatalogError([{ path: '(document)', message: `: not valid YAML: ${doc.errors[0].message.split('\n')[0]}` }], path);
    if (!YAML.isMap(doc.contents)) throw new CatalogError([{ path: '(document)', message: ': must be a mapping with chips, clusters, … (a catalog file)' }], path);
    refuseExisting(doc.toJS(), entries, replace, path);
    if (created) doc.commentBefore = ' linkcap user catalog: chips, clusters and rules added to or replacing the built-ins (docs/catalog.md)';
    for (const kind of ENTRY_KINDS) {
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
  return output;
}

function refuseExisting(data: unknown, entries: CatalogEntries, replace: boolean, path: string): void {
  if (replace) return;
  const taken = existingEntries(data, entries);
  if (taken.length > 0) {
    throw new LinkcapInputError(taken[0], `already in ${path}; choose another name, or replace it (linkcap chips derive --force)`);
  }
}

export interface WriteCatalogOptions extends LockOptions {
  /** Replace entries the file already holds (default false: refuse with an error naming the entry). */
  replace?: boolean;
}

/**
 * Adds entries to a user catalog file (created when missing), keeping the rest of the file (YAML comments
 * included). Safe against concurrent writers and crashes: the file's lock is held while it is re-read, merged and
 * written (another writer's entries are kept), the merged text is validated, then written to a temporary file,
 * flushed and renamed over the original (through symbolic links; a read-only file is refused, not replaced).
 */
export async function writeCatalogEntries(path: string, entries: CatalogEntries, options: WriteCatalogOptions = {}): Promise<{ created: boolean; target: string }> {
  const result = await updateFileSafely(path, (current) => catalogTextWithEntries(current, path, entries, options.replace ?? false), {
    ...options,
    what: 'catalog file',
  });
  return { created: result.created, target: result.target };
}
