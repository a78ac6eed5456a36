/** `linkcap collective`, `clusters` and `demo` end to end, through the built CLI. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

describe('linkcap collective', () => {
  it('prints one prediction with time, algbw, busbw, algorithm and bytes per level', () => {
    const r = runCli(['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '16', '--bytes', '1GiB']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/time\s+[\d.]+ µs/);
    expect(r.stdout).toMatch(/busbw [\d.]+ GB\/s/);
    expect(r.stdout).toMatch(/algorithm\s+(ring|tree|nvls-tree|nvls|direct|in-network) \/ (LL|LL128|Simple)/);
    expect(r.stdout).toMatch(/scale-out/);
  });

  it('--json carries the same prediction in machine-readable form', () => {
    const r = runCli(['collective', 'allreduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '8GiB', '--json']);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.cluster).toBe('dgx-h100');
    expect(body.op).toBe('all-reduce');
    expect(body.algorithm).toBe('nvls');
    // NVLS on 8×H100: busbw above the 370.8 GB/s ring figure (nccl-tests #212 measured ≈480).
    expect(body.busbwGBps).toBeGreaterThan(430);
    expect(body.busbwGBps).toBeLessThan(530);
    expect(body.timeS).toBeCloseTo(8 * 2 ** 30 / (body.algbwGBps * 1e9), 9);
  });

  it('--sweep-bytes prints the nccl-tests table, one row per doubling', () => {
    const r = runCli(['collective', 'all-gather', '--cluster', 'dgx-a100', '--gpus', '16', '--sweep-bytes', '8B:1MiB']);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((line) => /^\s*\d+\s+\d+\s+float/.test(line));
    expect(rows.length).toBe(18); // 8 B … 1 MiB
    expect(r.stdout).toContain('busbw');
    expect(r.stdout).toMatch(/\bnone\s+-1\b/);
    const busbw = rows.map((line) => Number(line.trim().split(/\s+/)[7]));
    expect(busbw[busbw.length - 1]).toBeGreaterThan(busbw[0]);
  });

  it('--candidates lists every algorithm/protocol pair, marks the auto choice and says why others cannot run', () => {
    const r = runCli(['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '1GiB', '--candidates']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('← auto');
    expect(r.stdout).toMatch(/nvls-tree\s+Simple.*not eligible: .*at least 2 domains/);
    expect(r.stdout.split('\n').filter((l) => /^(ring|tree|rhd|direct|hier|nvls|nvls-tree|in-network)\s/.test(l)).length).toBe(24);
  });

  it('a user cluster file works like a preset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkcap-'));
    const file = join(dir, 'mine.json');
    writeFileSync(
      file,
      JSON.stringify({ id: 'my-node', name: 'my node', chip: 'h100', gpusPerDomain: 8, scaleUp: { topology: 'switch' }, scaleOut: { nicsPerGpu: 1, nicGbps: 400 } }),
    );
    const r = runCli(['collective', 'all-reduce', '--cluster', file, '--gpus', '16', '--bytes', '1GiB', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).busbwGBps).toBeGreaterThan(0);
  });

  it('bad input exits 1 with the field and the allowed range; bad usage exits 2', () => {
    const notDivisible = runCli(['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '12', '--bytes', '1GiB']);
    expect(notDivisible.status).toBe(1);
    expect(notDivisible.stderr).toMatch(/--gpus: 12: must be ≤ 8 .* multiple of the domain size 8/);
    const unknown = runCli(['collective', 'all-reduce', '--cluster', 'dgx-h1000', '--gpus', '8', '--bytes', '1GiB']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/dgx-h1000/);
    const badSize = runCli(['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', 'lots']);
    expect(badSize.status).toBe(1);
    expect(badSize.stderr).toMatch(/--bytes: expected a whole number of bytes from 1 to .*; got "lots"/);
    const badOp = runCli(['collective', 'all-shuffle', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '1GiB']);
    expect(badOp.status).toBe(1);
    const ineligible = runCli(['collective', 'all-gather', '--cluster', 'dgx-a100', '--gpus', '8', '--bytes', '1GiB', '--algo', 'nvls']);
    expect(ineligible.status).toBe(1);
    expect(ineligible.stderr).toMatch(/no eligible algorithm.*nvls/);
    const unknownFlag = runCli(['collective', 'all-reduce', '--clusterr', 'x']);
    expect(unknownFlag.status).toBe(2);
  });

  it('--help works for the program and the command', () => {
    expect(runCli(['--help']).status).toBe(0);
    const help = runCli(['collective', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--sweep-bytes');
  });
});

describe('linkcap clusters and demo', () => {
  it('clusters lists the presets with key figures and sources', () => {
    const r = runCli(['clusters']);
    expect(r.status).toBe(0);
    for (const id of ['dgx-h100', 'hgx-h800', 'dgx-a100', 'hgx-h200', 'hgx-b200', 'mi300x-node', 'ascend-910b-node']) {
      expect(r.stdout).toContain(id);
    }
    const json = JSON.parse(runCli(['clusters', '--json']).stdout);
    const h800 = json.find((c: { id: string }) => c.id === 'hgx-h800');
    expect(h800.params.scaleUpGBps).toBeCloseTo(164.8, 6);
  });

  it('demo (npm start) prints H100 vs H800 predictions with a slowdown column', () => {
    const r = runCli(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/slowdown/);
    const slowdowns = [...r.stdout.matchAll(/([\d.]+)×\s*$/gm)].map((m) => Number(m[1]));
    expect(slowdowns.length).toBeGreaterThan(3);
    // The NVLink cap must cost something on the single-node all-reduce.
    expect(Math.max(...slowdowns)).toBeGreaterThan(1.5);
  });
});
