/**
 * docs/scale-out.md's DuckDB queries, run as written against `examples/nccl-sizes.yaml` sharded three ways and
 * merged: each query must run and return rows, and the answers must agree (the peaks the argmax reduction kept
 * are the peaks of the shards' rows).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = readFileSync(join(root, 'docs', 'scale-out.md'), 'utf8');
const sql = /```sql\n([\s\S]*?)```/.exec(docs)![1];
const statements = sql
  .split(';')
  .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
  .filter((s) => s.length > 0);

describe('docs/scale-out.md queries', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-scale-out-'));
  for (let k = 0; k < 3; k += 1) {
    const r = runCli(['sweep', join(root, 'examples', 'nccl-sizes.yaml'), '-o', join(dir, 'nccl.sweep'), '--shard', `${k}/3`, '--yes', '--quiet'], { cwd: dir });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const merged = runCli(['merge', join(dir, 'nccl.sweep'), '-o', join(dir, 'nccl.merged')], { cwd: dir });
  if (merged.status !== 0) throw new Error(merged.stderr);
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  // The docs' paths are relative to the directory holding the results.
  const run = async (statement: string) =>
    (await connection.runAndReadAll(statement.replace(/'nccl\.(sweep|merged)\//g, (_, which: string) => `'${dir}/nccl.${which}/`))).getRowObjects();

  it('has the four queries, and each runs and returns rows', async () => {
    expect(statements).toHaveLength(4);
    for (const statement of statements) expect((await run(statement)).length, statement).toBeGreaterThan(0);
  });

  it('answers consistently: the reduction’s peaks are the rows’ peaks, and the manifest names the spec', async () => {
    const [peaks, fromRows, sizes, manifest] = await Promise.all(statements.map(run));
    expect(fromRows.map((r) => [r.cluster, r.op, r.gpus, r.peak])).toEqual(peaks.map((r) => [r.cluster, r.op, r.gpus, r.busbwGBps]));
    for (const r of sizes) expect(Number(r.bytes90)).toBeGreaterThanOrEqual(8);
    expect(manifest[0].version).toBe(JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).version);
    expect(manifest[0].model_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(String(manifest[0].axes)).op).toEqual(['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all']);
  });
});
