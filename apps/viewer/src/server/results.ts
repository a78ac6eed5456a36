/**
 * Finds the files behind each RESULTS argument of `linkcap view` (docs/design/sweep-results.md): a result
 * directory (manifest.json, rows.<ext>, reductions/<name>.<ext>) or one table file. Reads and checks the
 * manifest. Problems that concern one file (unreadable manifest, missing rows file) are collected as readable
 * messages for the page, not thrown: the viewer still opens and says what is wrong. Only an argument that
 * names nothing at all throws, so the command can fail with exit 1.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export const TABLE_EXTENSIONS = ['.parquet', '.csv', '.jsonl'] as const;
export type TableFormat = 'parquet' | 'csv' | 'jsonl';

export interface ManifestColumn {
  name: string;
  type?: string;
  unit?: string;
  /** An axis's values, in spec order (the sweep writes them). */
  values?: (string | number)[];
}

export interface ManifestReduction {
  name: string;
  kind?: string;
  file: string;
  by?: string[];
  metric?: string;
}

/** The parts of manifest.json the viewer uses, checked; the rest is passed through as `raw`. */
export interface Manifest {
  format: string;
  kind?: string;
  complete?: boolean;
  points?: { total?: number; evaluated?: number; ok?: number };
  axes: ManifestColumn[];
  metrics: ManifestColumn[];
  /** The rows file's columns in order, when the manifest lists them (the sweep does). */
  columns: ManifestColumn[];
  files: { rows: string | null; reductions: ManifestReduction[] };
  createdAt?: string;
  raw: Record<string, unknown>;
}

export interface TableFile {
  path: string;
  format: TableFormat;
}

export interface ResultSource {
  /** Short name shown in the page (directory or file name). */
  label: string;
  /** The argument as given, resolved to an absolute path. */
  path: string;
  manifest: Manifest | null;
  rows: TableFile | null;
  reductions: (ManifestReduction & { table: TableFile | null; problem?: string })[];
  /** Readable errors, each naming the file. */
  problems: string[];
  warnings: string[];
}

export class ResultArgumentError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'ResultArgumentError';
  }
}

function formatOf(path: string): TableFormat | null {
  const ext = extname(path).toLowerCase();
  return (TABLE_EXTENSIONS as readonly string[]).includes(ext) ? (ext.slice(1) as TableFormat) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function columnList(value: unknown, field: string): ManifestColumn[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${field} must be a list of { name, … }`);
  return value.map((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || entry.name === '') throw new Error(`${field}[${i}].name must be a non-empty string`);
    const values = Array.isArray(entry.values) ? entry.values.filter((v): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) : undefined;
    return {
      name: entry.name,
      ...(typeof entry.type === 'string' ? { type: entry.type } : {}),
      ...(typeof entry.unit === 'string' ? { unit: entry.unit } : {}),
      ...(values && values.length > 0 && values.length === (entry.values as unknown[]).length ? { values } : {}),
    };
  });
}

/** Checks a parsed manifest; throws an Error naming the bad field. */
export function parseManifest(data: unknown): Manifest {
  if (!isRecord(data)) throw new Error('must be a JSON object');
  if (typeof data.format !== 'string' || !data.format.startsWith('linkcap-sweep/')) {
    throw new Error(`format must be "linkcap-sweep/1" (found ${JSON.stringify(data.format) ?? 'nothing'})`);
  }
  const files = isRecord(data.files) ? data.files : {};
  const rows = files.rows === undefined || files.rows === null ? null : files.rows;
  if (rows !== null && typeof rows !== 'string') throw new Error('files.rows must be a file name or null');
  const reductionsRaw = files.reductions ?? [];
  if (!Array.isArray(reductionsRaw)) throw new Error('files.reductions must be a list');
  const reductions = reductionsRaw.map((entry, i): ManifestReduction => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.file !== 'string') {
      throw new Error(`files.reductions[${i}] must have a name and a file`);
    }
    return {
      name: entry.name,
      file: entry.file,
      ...(typeof entry.kind === 'string' ? { kind: entry.kind } : {}),
      ...(Array.isArray(entry.by) ? { by: entry.by.filter((b): b is string => typeof b === 'string') } : {}),
      ...(typeof entry.metric === 'string' ? { metric: entry.metric } : {}),
    };
  });
  const points = isRecord(data.points) ? (data.points as Manifest['points']) : undefined;
  return {
    format: data.format,
    ...(typeof data.kind === 'string' ? { kind: data.kind } : {}),
    ...(typeof data.complete === 'boolean' ? { complete: data.complete } : {}),
    ...(points ? { points } : {}),
    axes: columnList(data.axes, 'axes'),
    metrics: columnList(data.metrics, 'metrics'),
    columns: columnList(data.columns, 'columns'),
    files: { rows, reductions },
    ...(typeof data.createdAt === 'string' ? { createdAt: data.createdAt } : {}),
    raw: data,
  };
}

/** Parses manifest text; the error says what is wrong in words a user can act on. */
export function readManifestText(text: string): Manifest {
  if (text.trim() === '') throw new Error('the file is empty');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message}); the file may be truncated`);
  }
  return parseManifest(data);
}

/** A path named by the manifest, kept inside the result directory (no "..", no absolute paths). */
function insideDirectory(dir: string, file: string): string | null {
  if (isAbsolute(file)) return null;
  const full = resolve(dir, file);
  const rel = relative(dir, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  if (!existsSync(full)) return full;
  // Follow links, then check again: a link inside the directory must not lead out of it.
  const real = realpathSync(full);
  const realDir = realpathSync(dir);
  return real.startsWith(realDir + sep) ? real : null;
}

function tableFile(path: string): TableFile | null {
  const format = formatOf(path);
  return format ? { path, format } : null;
}

/** The rows file of a directory without a usable manifest: rows.parquet, rows.csv or rows.jsonl. */
function findRowsFile(dir: string): string | null {
  for (const ext of TABLE_EXTENSIONS) {
    const path = join(dir, `rows${ext}`);
    if (existsSync(path)) return path;
  }
  return null;
}

function describeDirectory(dir: string, label: string): ResultSource {
  const source: ResultSource = { label, path: dir, manifest: null, rows: null, reductions: [], problems: [], warnings: [] };
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    try {
      source.manifest = readManifestText(readFileSync(manifestPath, 'utf8'));
    } catch (error) {
      source.problems.push(`manifest.json: ${(error as Error).message}`);
    }
  } else {
    source.warnings.push('no manifest.json: columns are classified by type (strings and integers as axes, floats as metrics)');
  }
  const manifest = source.manifest;
  if (manifest) {
    if (manifest.complete === false) {
      const p = manifest.points;
      source.warnings.push(`the sweep stopped early: rows are a prefix${p?.evaluated !== undefined && p.total !== undefined ? ` (${p.evaluated} of ${p.total} points)` : ''}`);
    }
    if (manifest.files.rows !== null) {
      const path = insideDirectory(dir, manifest.files.rows);
      if (!path) source.problems.push(`manifest.json: files.rows "${manifest.files.rows}" must be a file inside the result directory`);
      else if (!existsSync(path)) source.problems.push(`${manifest.files.rows}: missing (named by manifest.json)`);
      else if (!tableFile(path)) source.problems.push(`${manifest.files.rows}: unsupported format (the viewer reads ${TABLE_EXTENSIONS.join(', ')})`);
      else source.rows = tableFile(path);
    }
    for (const reduction of manifest.files.reductions) {
      const path = insideDirectory(dir, reduction.file);
      let problem: string | undefined;
      if (!path) problem = `manifest.json: reduction "${reduction.name}" file "${reduction.file}" must be inside the result directory`;
      else if (!existsSync(path)) problem = `${reduction.file}: missing (named by manifest.json)`;
      else if (!tableFile(path)) problem = `${reduction.file}: unsupported format (the viewer reads ${TABLE_EXTENSIONS.join(', ')})`;
      if (problem) source.problems.push(problem);
      source.reductions.push({ ...reduction, table: problem || !path ? null : tableFile(path), ...(problem ? { problem } : {}) });
    }
  } else {
    const rows = findRowsFile(dir);
    if (rows) source.rows = tableFile(rows);
    else if (source.problems.length === 0) source.problems.push(`no rows file (rows.parquet, rows.csv or rows.jsonl) in ${label}`);
  }
  return source;
}

/** Describes one RESULTS argument. Throws ResultArgumentError when it names nothing the viewer can open. */
export function describeResult(argument: string, cwd = process.cwd()): ResultSource {
  const path = resolve(cwd, argument);
  if (!existsSync(path)) throw new ResultArgumentError(argument, 'no such file or directory');
  const stat = statSync(path);
  if (stat.isDirectory()) {
    const hasManifest = existsSync(join(path, 'manifest.json'));
    if (!hasManifest && !findRowsFile(path)) {
      throw new ResultArgumentError(argument, 'not a sweep result directory (no manifest.json and no rows.parquet/.csv/.jsonl)');
    }
    return describeDirectory(path, basename(path));
  }
  if (!stat.isFile()) throw new ResultArgumentError(argument, 'not a file or directory');
  const table = tableFile(path);
  if (!table) throw new ResultArgumentError(argument, `unsupported file type (the viewer reads a result directory or ${TABLE_EXTENSIONS.join(', ')})`);
  return { label: basename(path), path, manifest: null, rows: table, reductions: [], problems: [], warnings: [] };
}

/** Every file a source names (the only files the server lets DuckDB read and the page download). */
export function sourceFiles(source: ResultSource): string[] {
  const files = [source.rows?.path, ...source.reductions.map((r) => r.table?.path)].filter((p): p is string => typeof p === 'string');
  return [...new Set(files)];
}
