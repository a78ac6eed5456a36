/**
 * `linkcap calibrate` end to end through the built CLI: it fits logs the model wrote for a known cluster, prints
 * the parameters, residuals and warnings, writes the cluster to the user catalog where `collective` finds it, and
 * loses nothing when a log is bad (the catalog file is untouched, symbolic links stay links, read-only files are
 * refused).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, lstatSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, resolveCluster } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { syntheticLog } from './validation/synthetic-nccl-logs.mjs';

const quiet = { LINKCAP_ENGINE: 'reference', LINKCAP_CATALOG: '' };
const base = resolveCluster('dgx-h100', loadCatalog({ cwd: tmpdir() }));
const truth = { ...base.params, scaleUpGBps: 340, scaleOutGBps: 44, scaleUpHopUs: 0.9, scaleOutHopUs: 3.6, callLatencyUs: 4 };

/** A working directory with one- and two-node all_reduce_perf and all_gather_perf logs. */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-calibrate-'));
  let seed = 1;
  for (const nodes of [1, 2]) {
    for (const op of ['all-reduce', 'all-gather'] as const) {
      writeFileSync(join(dir, `${op.replace('-', '_')}_perf_${nodes}n.log`), syntheticLog({ params: truth, op, nodes, gpusPerNode: 8, seed: seed++, maxBytes: 2 ** 30 }));
    }
  }
  return dir;
}

const LOGS = ['all_reduce_perf_1n.log', 'all_gather_perf_1n.log', 'all_reduce_perf_2n.log', 'all_gather_perf_2n.log'];

describe('linkcap calibrate', () => {
  it('fits, prints parameters with intervals and residuals, writes the cluster; every command then uses it', () => {
    const dir = workDir();
    const r = runCli(['calibrate', ...LOGS, '--base', 'dgx-h100', '--name', 'my-h100', '--date', '2026-11-30'], { cwd: dir, env: quiet });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^all_reduce_perf_2n\.log:3\s+all-reduce\s+16\s+2 × 8\s+28\s+NVIDIA H100 80GB HBM3\s+no$/m);
    expect(r.stdout).toMatch(/^scaleUpGBps\s+370\.8\s+3[34]\d\.\d\s+3\d\d\.\d – 3\d\d\.\d\s+GB\/s per direction/m);
    expect(r.stdout).toMatch(/^inNetworkEfficiency .* kept: the base cluster has no in-network reduction$/m);
    expect(r.stdout).toMatch(/^all_gather_perf_2n\.log:\d+\s+all-gather\s+2×8\s+1 GiB\s/m);
    expect(r.stdout).toContain('Wrote cluster my-h100 to linkcap.catalog.yaml (created).');
    const yaml = readFileSync(join(dir, 'linkcap.catalog.yaml'), 'utf8');
    expect(yaml).toMatch(/derivedFrom: dgx-h100/);
    expect(yaml).toMatch(/efficiency: \{ value: 0\.\d+, source: fit, note: "linkcap calibrate 2026-11-30 from all_reduce_perf_1n\.log/);

    const used = runCli(['collective', 'all-reduce', '--cluster', 'my-h100', '--gpus', '16', '--bytes', '1GiB', '--json'], { cwd: dir, env: quiet });
    expect(used.status).toBe(0);
    const fitted = JSON.parse(used.stdout);
    const preset = JSON.parse(runCli(['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '16', '--bytes', '1GiB', '--json'], { cwd: dir, env: quiet }).stdout);
    // 44 GB/s NICs instead of 48: the fitted cluster is slower across nodes.
    expect(fitted.timeS / preset.timeS).toBeGreaterThan(1.05);
    const clusters = runCli(['clusters', '--json'], { cwd: dir, env: quiet });
    expect(clusters.stdout).toContain('my-h100');
  });

  it('--json carries parameters, residuals and the entry; --dry-run writes nothing', () => {
    const dir = workDir();
    const r = runCli(['calibrate', ...LOGS, '--base', 'dgx-h100', '--name', 'dry', '--dry-run', '--json'], { cwd: dir, env: quiet });
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.parameters.map((p: { parameter: string }) => p.parameter)).toContain('scaleOutHopUs');
    expect(body.residuals.length).toBeGreaterThan(100);
    expect(body.written).toBeNull();
    expect(existsSync(join(dir, 'linkcap.catalog.yaml'))).toBe(false);
  });

  it('a bad log fails with its file and line, exit 1, and leaves the catalog file as it was', () => {
    const dir = workDir();
    const catalog = join(dir, 'linkcap.catalog.yaml');
    const before = '# my notes\nclusters: {}\n';
    writeFileSync(catalog, before);
    const log = readFileSync(join(dir, LOGS[0]), 'utf8').replace(/^( +4096 +(?:\S+ +){7})0/m, '$13');
    writeFileSync(join(dir, 'bad.log'), log);
    const r = runCli(['calibrate', LOGS[1], 'bad.log', '--base', 'dgx-h100', '--name', 'x'], { cwd: dir, env: quiet });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^linkcap: bad\.log:\d+: the run reported 3 wrong elements at 4096 B/);
    expect(readFileSync(catalog, 'utf8')).toBe(before);
    const missing = runCli(['calibrate', 'nope.log', '--base', 'dgx-h100', '--name', 'x'], { cwd: dir, env: quiet });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^linkcap: nope\.log: cannot open the nccl-tests log/);
  });

  it('usage errors exit 2; a taken name or unknown base exit 1', () => {
    const dir = workDir();
    expect(runCli(['calibrate', LOGS[0], '--name', 'x'], { cwd: dir, env: quiet }).status).toBe(2);
    expect(runCli(['calibrate', LOGS[0], '--base', 'dgx-h100'], { cwd: dir, env: quiet }).status).toBe(2);
    const op = runCli(['calibrate', LOGS[0], '--base', 'dgx-h100', '--name', 'x', '--op', 'gather'], { cwd: dir, env: quiet });
    expect(op.status).toBe(1);
    expect(op.stderr).toMatch(/unknown operation "gather"/);
    const taken = runCli(['calibrate', LOGS[0], '--base', 'dgx-h100', '--name', 'hgx-h800'], { cwd: dir, env: quiet });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/cluster "hgx-h800" already exists/);
    expect(runCli(['calibrate', LOGS[0], '--base', 'dgx-h1000', '--name', 'x'], { cwd: dir, env: quiet }).stderr).toMatch(/unknown cluster "dgx-h1000"/);
  });

  it('writes through a symbolic link, keeps the file mode, and refuses a read-only catalog', () => {
    const dir = workDir();
    const real = join(dir, 'real-catalog.yaml');
    writeFileSync(real, 'clusters: {}\n');
    chmodSync(real, 0o640);
    symlinkSync('real-catalog.yaml', join(dir, 'linkcap.catalog.yaml'));
    const r = runCli(['calibrate', LOGS[0], '--base', 'dgx-h100', '--name', 'linked'], { cwd: dir, env: quiet });
    expect(r.status).toBe(0);
    expect(lstatSync(join(dir, 'linkcap.catalog.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'linkcap.catalog.yaml'))).toBe('real-catalog.yaml');
    expect(readFileSync(real, 'utf8')).toMatch(/linked:/);
    expect(statSync(real).mode & 0o777).toBe(0o640);

    chmodSync(real, 0o444);
    const refused = runCli(['calibrate', LOGS[0], '--base', 'dgx-h100', '--name', 'other'], { cwd: dir, env: quiet });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/read-only/);
    expect(readFileSync(real, 'utf8')).not.toMatch(/other:/);
  });
});
