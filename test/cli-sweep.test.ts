/**
 * `linkcap sweep` and `linkcap merge` end to end through the built CLI: dry runs, the point limit, shards
 * (explicit and from Slurm/Kubernetes variables) merged into exactly the single run's bytes, every output
 * format holding the same rows, Ctrl-C writing an incomplete result and exiting 130, and no user file lost.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSweepPlan, parseSweepSpec, readTableChunks, type Column } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/run-cli.js';
import { tableOf, type Rows } from './helpers/sweep.js';

const SPEC = `name: small
kind: collective
axes:
  cluster: [dgx-h100, hgx-h800]
  op: [all-reduce, all-to-all]
  gpus: [8, 16, 32]
  bytes: 1KiB..1GiB x8
where: bytes >= 4096 || gpus == 8
reduce:
  - { name: fastest, kind: argmin, metric: timeS, by: [cluster, op] }
  - { name: spread, kind: quantiles, metric: busbwGBps, by: [op] }
  - { name: cap, kind: ratio, metric: timeS, axis: cluster, numerator: hgx-h800, denominator: dgx-h100 }
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-sweep-'));
  writeFileSync(join(dir, 'small.yaml'), SPEC);
  return dir;
}

const same = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));

async function readRows(path: string, format: 'parquet' | 'csv' | 'jsonl' | 'arrow'): Promise<Rows> {
  const { spec } = parseSweepSpec(SPEC);
  const plan = buildSweepPlan(spec);
  const rows: Rows = {};
  for await (const chunk of readTableChunks(path, format, plan.columns)) tableOf(chunk.columns as Column[], chunk.length, rows);
  return rows;
}

describe('linkcap sweep', () => {
  it('--dry-run shows the expanded axes and counts and writes nothing', () => {
    const dir = workspace();
    const r = runCli(['sweep', 'small.yaml', '--dry-run'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^small \(collective\): 76 points from 84 axis combinations/);
    expect(r.stdout).toMatch(/bytes\s+7\s+1024, 8192, 65536, 524288, 4194304, 33554432, 268435456/);
    expect(r.stdout).toMatch(/reduce cap: ratio of timeS \(hgx-h800 \/ dgx-h100\)/);
    expect(existsSync(join(dir, 'small.sweep'))).toBe(false);
  });

  it('refuses more points than --max-points without --yes', () => {
    const dir = workspace();
    const r = runCli(['sweep', 'small.yaml', '--max-points', '50'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/76 points is more than --max-points 50 .*pass --yes/);
    expect(runCli(['sweep', 'small.yaml', '--max-points', '50', '--yes', '--quiet'], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'small.sweep', 'manifest.json'), 'utf8')).points.evaluated).toBe(76);
  });

  it('merged shards are byte for byte the single run (explicit K/N, SLURM and JOB_COMPLETION_INDEX)', () => {
    const dir = workspace();
    expect(runCli(['sweep', 'small.yaml', '-o', 'single', '--quiet', '--threads', '1'], { cwd: dir }).status).toBe(0);
    expect(runCli(['sweep', 'small.yaml', '-o', 'parts', '--quiet', '--shard', '0/3'], { cwd: dir }).status).toBe(0);
    expect(runCli(['sweep', 'small.yaml', '-o', 'parts', '--quiet'], { cwd: dir, env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' } }).status).toBe(0);
    expect(runCli(['sweep', 'small.yaml', '-o', 'parts', '--quiet', '--shard', '3'], { cwd: dir, env: { JOB_COMPLETION_INDEX: '2' } }).status).toBe(0);
    const partial = runCli(['merge', 'parts/shard-0000-of-0003', 'parts/shard-0001-of-0003', '-o', 'half'], { cwd: dir });
    expect(partial.status).toBe(1);
    expect(partial.stderr).toMatch(/missing shard 2 of 3; pass --allow-partial/);
    const merge = runCli(['merge', 'parts', '-o', 'merged'], { cwd: dir });
    expect(merge.status).toBe(0);
    expect(merge.stderr).toMatch(/merged 3 shards: 76 points, 76 rows/);
    for (const file of ['rows.parquet', 'state.bin', 'reductions/fastest.parquet', 'reductions/spread.parquet', 'reductions/cap.parquet']) {
      expect(same(join(dir, 'merged', file), join(dir, 'single', file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'merged', 'manifest.json'), 'utf8'));
    expect(manifest.complete).toBe(true);
    expect(manifest.mergedFrom).toHaveLength(3);
  });

  it('writes the same rows as CSV, JSON Lines and Arrow IPC', async () => {
    const dir = workspace();
    expect(runCli(['sweep', 'small.yaml', '-o', 'pq', '--quiet'], { cwd: dir }).status).toBe(0);
    const parquet = await readRows(join(dir, 'pq', 'rows.parquet'), 'parquet');
    expect(parquet.timeS).toHaveLength(76);
    for (const format of ['csv', 'jsonl', 'arrow'] as const) {
      expect(runCli(['sweep', 'small.yaml', '-o', format, '--format', format, '--quiet'], { cwd: dir }).status).toBe(0);
      const ext = format;
      expect(await readRows(join(dir, format, `rows.${ext}`), format), format).toEqual(parquet);
      expect(existsSync(join(dir, format, `reductions/fastest.${ext}`))).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'pq', 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('linkcap-sweep/1');
    expect(manifest.modelHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(manifest.axes.map((a: { name: string }) => a.name)).toEqual(['cluster', 'op', 'gpus', 'bytes']);
    expect(manifest.files.reductions.map((r: { file: string }) => r.file)).toEqual(['reductions/fastest.parquet', 'reductions/spread.parquet', 'reductions/cap.parquet']);
  });

  it('never replaces results without --overwrite, nor a directory that is not one of its own', () => {
    const dir = workspace();
    expect(runCli(['sweep', 'small.yaml', '-o', 'out', '--quiet'], { cwd: dir }).status).toBe(0);
    const again = runCli(['sweep', 'small.yaml', '-o', 'out', '--quiet'], { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/holds results already; pass --overwrite/);
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const foreign = runCli(['sweep', 'small.yaml', '-o', 'mine', '--quiet', '--overwrite'], { cwd: dir });
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toMatch(/not a linkcap result directory/);
    expect(readFileSync(join(dir, 'mine', 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('--jsonl reports plan, progress and done events on stdout', () => {
    const dir = workspace();
    const r = runCli(['sweep', 'small.yaml', '--jsonl'], { cwd: dir });
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ event: 'plan', points: 76, exact: true });
    expect(events.at(-1)).toMatchObject({ event: 'done', complete: true, points: { evaluated: 76 } });
  });

  it('Ctrl-C stops a large sweep quickly, writes what was done marked incomplete and exits 130', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'big.yaml'),
      `kind: collective
axes:
  cluster: [dgx-h100, hgx-h800, dgx-a100, a800-node]
  op: [all-reduce, all-gather, reduce-scatter, all-to-all]
  gpus: { from: 8, to: 65536, step: 8 }
  bytes: 1B..1TiB x1.1
reduce:
  - { name: fastest, kind: argmin, metric: timeS, by: [cluster, op] }
output: { rows: none }
`,
    );
    const child = spawn(process.execPath, [CLI, 'sweep', 'big.yaml', '--yes', '--jsonl'], { cwd: dir });
    let stdout = '';
    const progressed = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"event":"progress"')) resolve();
      });
    });
    await progressed;
    const sent = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(5000);
    const manifest = JSON.parse(readFileSync(join(dir, 'big.sweep', 'manifest.json'), 'utf8'));
    expect(manifest.complete).toBe(false);
    expect(manifest.points.evaluated).toBeGreaterThan(0);
    expect(manifest.points.evaluated).toBeLessThan(manifest.points.total);
    expect(existsSync(join(dir, 'big.sweep', 'reductions', 'fastest.parquet'))).toBe(true);
  });
});
