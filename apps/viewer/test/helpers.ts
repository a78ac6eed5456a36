/** Result directories for the viewer's tests: one real (written by `linkcap sweep`) and broken ones. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSweepResults } from '../scripts/sweep-results.mjs';

const CLI = fileURLToPath(new URL('../../cli/dist/cli.js', import.meta.url));

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
  /** A training sweep with rows, and one with only its reductions. */
  training: string;
  trainingNoRows: string;
  /** Collective points, some of which could not be priced. */
  unpriced: string;
}

/**
 * A small training sweep (every layout of Llama 3 8B on H100 and H800 nodes at 64 and 256 GPUs): layout fields
 * as columns, NaN metrics for invalid layouts, a Pareto reduction. `rows: none` keeps only the reductions.
 */
export function makeTrainingSweep(out: string, rows: 'all' | 'none'): void {
  runSweep(out, [
    'name: viewer-train',
    'kind: training',
    'axes:',
    '  model: [llama3-8b]',
    '  cluster: [dgx-h100, hgx-h800]',
    '  gpus: [64, 256]',
    'layouts: all',
    'train: { tokens: 1T, pricePerGpuHour: { dgx-h100: 2.5, hgx-h800: 2.0 } }',
    'metrics: [stepTimeS, mfu, costUsd]',
    'reduce:',
    '  - { name: frontier, kind: pareto, metrics: [stepTimeS, costUsd] }',
    '  - { name: best-layout, kind: argmin, metric: stepTimeS, by: [cluster, gpus] }',
    `output: { rows: ${rows} }`,
  ]);
}

/** Collective points some of which cannot be priced (GPU counts an NVL72 domain cannot hold): NaN metrics. */
export function makeUnpricedSweep(out: string): void {
  runSweep(out, [
    'name: viewer-unpriced',
    'kind: collective',
    'axes:',
    '  cluster: [dgx-h100, gb200-nvl72]',
    '  op: [all-reduce, all-gather]',
    '  gpus: [16, 100, 144]',
    '  bytes: 1KiB..1GiB x4',
  ]);
}

function runSweep(out: string, lines: string[]): void {
  const work = mkdtempSync(join(tmpdir(), 'linkcap-viewer-spec-'));
  const spec = join(work, 'spec.yaml');
  writeFileSync(spec, `${lines.join('\n')}\n`);
  const run = spawnSync(process.execPath, [CLI, 'sweep', spec, '--out', out, '--yes', '--quiet'], { cwd: work, encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`linkcap sweep failed: ${run.stderr}`);
}

export async function makeFixtures(rows = 20_000): Promise<Fixtures> {
  const root = mkdtempSync(join(tmpdir(), 'linkcap-viewer-'));
  const good = join(root, 'good');
  makeSweepResults({ rows, out: good });
  const parquet = readFileSync(join(good, 'rows.parquet'));
  const manifest = readFileSync(join(good, 'manifest.json'), 'utf8');
  const goodRows = (JSON.parse(manifest) as { files: { rowCount: number } }).files.rowCount;

  const truncated = join(root, 'truncated');
  mkdirSync(truncated);
  writeFileSync(join(truncated, 'rows.parquet'), parquet.subarray(0, Math.floor(parquet.length / 2)));
  const withoutReductions = JSON.parse(manifest) as { files: { reductions: unknown[] } };
  withoutReductions.files.reductions = [];
  writeFileSync(join(truncated, 'manifest.json'), JSON.stringify(withoutReductions));

  const empty = join(root, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'rows.parquet'), '');

  const badManifest = join(root, 'bad-manifest');
  mkdirSync(badManifest);
  copyFileSync(join(good, 'rows.parquet'), join(badManifest, 'rows.parquet'));
  writeFileSync(join(badManifest, 'manifest.json'), manifest.slice(0, 200));

  const secret = join(root, 'secret.parquet');
  // Small valid Parquet files where any will do (the rows file is 64 MB at 10^6 rows).
  const small = join(good, 'reductions', 'top-busbw.parquet');
  copyFileSync(small, secret);

  const escaping = join(root, 'escaping');
  mkdirSync(escaping);
  copyFileSync(small, join(escaping, 'rows.parquet'));
  const data = JSON.parse(manifest) as { files: { reductions: { name: string; file: string }[] } };
  data.files.reductions = [{ name: 'stolen', file: '../secret.parquet' }];
  writeFileSync(join(escaping, 'manifest.json'), JSON.stringify(data));

  const training = join(root, 'training');
  makeTrainingSweep(training, 'all');
  const trainingNoRows = join(root, 'training-no-rows');
  makeTrainingSweep(trainingNoRows, 'none');
  const unpriced = join(root, 'unpriced');
  makeUnpricedSweep(unpriced);
  return { root, good, goodRows, truncated, empty, badManifest, escaping, secret, training, trainingNoRows, unpriced };
}
