/**
 * The last-sweep pointer: `linkcap sweep` records its output directory in ./.linkcap/last-sweep (after the
 * manifest), and `linkcap view` with no RESULTS opens it (apps/cli/src/util/last-sweep.ts, docs/viewer.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/run-cli.js';

const SPEC = `name: tiny
kind: collective
axes:
  cluster: [dgx-h100, hgx-h800]
  op: [all-reduce]
  gpus: [8, 16]
  bytes: [1MiB, 1GiB]
`;

const dirs: string[] = [];
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-last-sweep-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tiny.yaml'), SPEC);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `linkcap view` with no RESULTS in `cwd`; resolves with what it printed once it serves (then stops it). */
function viewWithoutResults(cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'view'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/http:\/\/127\.0\.0\.1:\d+\//.test(stdout)) child.kill('SIGTERM');
    });
    child.once('exit', () => {
      clearTimeout(timer);
      if (/http:\/\/127\.0\.0\.1/.test(stdout)) resolve({ stdout, stderr });
      else reject(new Error(`linkcap view did not serve:\n${stdout}${stderr}`));
    });
  });
}

describe('the last sweep', () => {
  it('linkcap sweep records its output, and linkcap view with no RESULTS opens it', async () => {
    const dir = workspace();
    expect(runCli(['sweep', 'tiny.yaml', '-o', 'results/first', '--quiet'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, '.linkcap', 'last-sweep'), 'utf8')).toBe(`${join(dir, 'results', 'first')}\n`);
    // The next sweep moves the pointer.
    expect(runCli(['sweep', 'tiny.yaml', '-o', 'second', '--quiet'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, '.linkcap', 'last-sweep'), 'utf8')).toBe(`${join(dir, 'second')}\n`);
    const view = await viewWithoutResults(dir);
    expect(view.stderr).toContain(`opening ${join(dir, 'second')} (${join('.linkcap', 'last-sweep')})`);
    expect(view.stdout).toMatch(/8 rows/);
  });

  it('a dry run records nothing', () => {
    const dir = workspace();
    expect(runCli(['sweep', 'tiny.yaml', '--dry-run'], { cwd: dir }).status).toBe(0);
    expect(existsSync(join(dir, '.linkcap'))).toBe(false);
  });

  it('a working directory where the pointer cannot be written still gets its results', () => {
    const dir = workspace();
    // .linkcap is a file here, so .linkcap/last-sweep cannot be made.
    writeFileSync(join(dir, '.linkcap'), 'not a directory');
    const r = runCli(['sweep', 'tiny.yaml', '-o', 'out'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/could not record .*out in \.linkcap\/last-sweep/);
    expect(existsSync(join(dir, 'out', 'manifest.json'))).toBe(true);
  });
});
