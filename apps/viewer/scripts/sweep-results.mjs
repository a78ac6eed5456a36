#!/usr/bin/env node
/**
 * Result directories for the viewer's tests and benchmark, made by `linkcap sweep` itself (the real pipeline:
 * spec → native engine → Parquet + manifest), sized to about --rows collective points:
 *
 *   cluster (5 presets) × op (7) × gpus (8 … 2048) × bytes (8 B … 16 GiB) × scaleUpGBps (link cap, bidirectional
 *   GB/s per GPU, applied through chips derive) × nicGbps (NIC line rate, per direction)
 *
 * with two reductions (best per cluster/op/gpus, the 100 highest bus bandwidths).
 *
 *   node apps/viewer/scripts/sweep-results.mjs --rows 1000000 --out /tmp/results
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CLI = fileURLToPath(new URL('../../cli/dist/cli.js', import.meta.url));
const CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100', 'a800-node', 'h20-node'];
const OPS = ['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'broadcast', 'reduce', 'send-recv'];
const GPUS = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];
const SIZES = 32; // 8 B … 16 GiB, doubling

/** The two link axes' value counts for about `rows` points. */
export function linkGrid(rows) {
  const base = CLUSTERS.length * OPS.length * GPUS.length * SIZES;
  const links = Math.max(1, Math.ceil(rows / base));
  const nics = links >= 40 ? 10 : links >= 8 ? 4 : 1;
  return { caps: Math.max(1, Math.ceil(links / nics)), nics };
}

/** The sweep spec (YAML) for about `rows` points. */
export function sweepSpec(rows) {
  const { caps, nics } = linkGrid(rows);
  const range = (from, to, n) => (n === 1 ? `[${to}]` : `{ from: ${from}, to: ${to}, points: ${n} }`);
  return [
    'name: viewer-fixture',
    'description: collective points for the viewer tests and benchmark (link cap and NIC rate over presets)',
    'kind: collective',
    'axes:',
    `  cluster: [${CLUSTERS.join(', ')}]`,
    `  op: [${OPS.join(', ')}]`,
    `  gpus: [${GPUS.join(', ')}]`,
    '  bytes: 8B..16GiB x2',
    `  scaleUpGBps: ${range(100, 1800, caps)}`,
    `  nicGbps: ${range(100, 800, nics)}`,
    'metrics: [timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes, scaleOutBytes]',
    'reduce:',
    '  - { name: best-per-op, kind: argmin, metric: timeS, by: [cluster, op, gpus] }',
    '  - { name: top-busbw, kind: top-k, k: 100, metric: busbwGBps, maximize: true }',
    '',
  ].join('\n');
}

/** Runs `linkcap sweep` for about `rows` points into `out` (replaced if it exists). */
export function makeSweepResults({ rows = 100_000, out }) {
  if (!out) throw new Error('out: the result directory to write is required');
  const work = mkdtempSync(join(tmpdir(), 'linkcap-viewer-spec-'));
  const spec = join(work, 'viewer-fixture.yaml');
  writeFileSync(spec, sweepSpec(rows));
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [CLI, 'sweep', spec, '--out', resolve(out), '--yes', '--quiet', '--max-points', String(10 * rows + 1_000_000)], {
    cwd: work,
    encoding: 'utf8',
  });
  rmSync(work, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`linkcap sweep failed (exit ${run.status}): ${run.stderr}${run.stdout}`);
  return { out: resolve(out), seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, out: { type: 'string' } } });
  if (!values.out) {
    process.stderr.write('usage: sweep-results.mjs [--rows N] --out DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(makeSweepResults({ rows: Number(values.rows), out: values.out }))}\n`);
}
