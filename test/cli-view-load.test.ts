/**
 * DuckDB (the viewer's query engine, a native addon of ~50 MB) is loaded by `linkcap view` alone: every other
 * command starts without it (apps/cli/src/commands/view.ts imports @linkcap/viewer/server when it runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'linkcap-view-load-'));
// Preloaded into the CLI's process: says at exit whether a DuckDB shared object was mapped into it.
const hook = join(work, 'duckdb-hook.cjs');
writeFileSync(hook, `process.on('exit', () => process.stderr.write('duckdb loaded: ' + /duckdb/.test(require('fs').readFileSync('/proc/self/maps', 'utf8')) + '\\n'));\n`);
const env = { ...process.env, NODE_OPTIONS: `--require ${hook}` };
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('DuckDB is loaded by linkcap view only', () => {
  it.each([['clusters'], ['collective', 'all-reduce', '--cluster', 'hgx-h800', '--bytes', '1GiB', '--gpus', '16'], ['--help']])('linkcap %s does not load it', (...args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: work });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('duckdb loaded: false');
  });

  it('linkcap view does', async () => {
    const table = join(work, 'rows.csv');
    writeFileSync(table, 'cluster,timeS\nh800,1.5\n');
    const stderr = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'view', table], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('http://127.0.0.1')) child.kill('SIGTERM');
      });
      child.once('close', () => resolve(err));
    });
    expect(stderr).toContain('duckdb loaded: true');
  });
});
