/** Result directories for the viewer's tests: one real (generated through @linkcap/core) and broken ones. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeResults } from '../scripts/make-results.mjs';

export interface Fixtures {
  root: string;
  /** A complete collective result directory. */
  good: string;
  goodRows: number;
  /** rows.parquet cut in half. */
  truncated: string;
  /** rows.parquet of zero bytes. */
  empty: string;
  /** manifest.json that is not JSON. */
  badManifest: string;
  /** A manifest whose reduction points outside its directory. */
  escaping: string;
  /** A Parquet file nobody named. */
  secret: string;
}

export async function makeFixtures(rows = 20_000): Promise<Fixtures> {
  const root = mkdtempSync(join(tmpdir(), 'linkcap-viewer-'));
  const good = join(root, 'good');
  const made = await makeResults({ kind: 'collective', rows, out: good });
  const parquet = readFileSync(join(good, 'rows.parquet'));
  const manifest = readFileSync(join(good, 'manifest.json'), 'utf8');

  const truncated = join(root, 'truncated');
  mkdirSync(truncated);
  writeFileSync(join(truncated, 'rows.parquet'), parquet.subarray(0, Math.floor(parquet.length / 2)));
  writeFileSync(join(truncated, 'manifest.json'), manifest.replace(/"reductions": \[[\s\S]*?\]\n  \}/, '"reductions": []\n  }'));

  const empty = join(root, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'rows.parquet'), '');

  const badManifest = join(root, 'bad-manifest');
  mkdirSync(badManifest);
  copyFileSync(join(good, 'rows.parquet'), join(badManifest, 'rows.parquet'));
  writeFileSync(join(badManifest, 'manifest.json'), manifest.slice(0, 200));

  const secret = join(root, 'secret.parquet');
  copyFileSync(join(good, 'rows.parquet'), secret);

  const escaping = join(root, 'escaping');
  mkdirSync(escaping);
  copyFileSync(join(good, 'rows.parquet'), join(escaping, 'rows.parquet'));
  const data = JSON.parse(manifest) as { files: { reductions: { name: string; file: string }[] } };
  data.files.reductions = [{ name: 'stolen', file: '../secret.parquet' }];
  writeFileSync(join(escaping, 'manifest.json'), JSON.stringify(data));

  return { root, good, goodRows: made.rows, truncated, empty, badManifest, escaping, secret };
}
