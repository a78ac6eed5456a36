/**
 * Reads a sweep result directory (docs/design/sweep-results.md): manifest.json and the reduction tables it lists.
 * The study reads only reductions; rows.parquet, when present, is for the viewer and for users.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinkcapInputError } from '@linkcap/core';
import { readParquet } from './parquet.js';
import type { Row } from './table.js';

export interface ResultManifest {
  format: string;
  kind: string;
  name?: string;
  spec: unknown;
  complete: boolean;
  points: { total: number | null; evaluated: number; ok: number };
  files: { rows: string | null; reductions: { name: string; kind: string; file: string; by?: string[]; metric?: string }[] };
  createdAt: string;
  [key: string]: unknown;
}

export interface SweepResult {
  dir: string;
  manifest: ResultManifest;
  /** Reduction tables by name. */
  tables: Record<string, Row[]>;
}

/**
 * Reads the manifest and every reduction; with `rows`, also rows.parquet under the table name "rows" (for small
 * sweeps whose every point matters, such as a fixed layout that does not fit in memory and so has no argmin).
 */
export async function readResultDir(dir: string, options: { rows?: boolean } = {}): Promise<SweepResult> {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new LinkcapInputError(dir, 'not a sweep result directory: manifest.json is missing');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ResultManifest;
  if (typeof manifest.format !== 'string' || !manifest.format.startsWith('linkcap-sweep/')) {
    throw new LinkcapInputError(manifestFile, `format ${JSON.stringify(manifest.format)}: expected linkcap-sweep/1`);
  }
  if (!manifest.complete) throw new LinkcapInputError(manifestFile, 'the sweep did not complete (complete: false); rerun it');
  const tables: Record<string, Row[]> = {};
  for (const reduction of manifest.files.reductions) tables[reduction.name] = (await readParquet(join(dir, reduction.file))).rows;
  if (options.rows && manifest.files.rows) tables.rows = (await readParquet(join(dir, manifest.files.rows))).rows;
  return { dir, manifest, tables };
}
