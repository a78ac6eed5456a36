/**
 * `linkcap chips derive` never loses or clobbers a catalog: concurrent runs all land, re-deriving a name needs
 * --force, read-only catalogs are refused and left alone, symlinked catalogs are written through.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, runCliAsync } from './helpers/run-cli.js';

const quiet = { LINKCAP_ENGINE: 'reference', LINKCAP_CATALOG: '' };

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'linkcap-catalog-safety-'));
}

function chipIds(file: string): string[] {
  return Object.keys((parse(readFileSync(file, 'utf8')) as { chips: Record<string, unknown> }).chips).sort();
}

describe('chips derive writes safely', () => {
  it('ten runs at once into the same catalog: every entry is present', async () => {
    const dir = workDir();
    const names = Array.from({ length: 10 }, (_, i) => `variant-${i}`);
    const runs = await Promise.all(
      names.map((name, i) => runCliAsync(['chips', 'derive', 'h100', '--scale-up', String(300 + 10 * i), '--name', name], { cwd: dir, env: quiet })),
    );
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect(runs.filter((r) => r.stdout.includes('Created linkcap.catalog.yaml'))).toHaveLength(1);
    expect(chipIds(join(dir, 'linkcap.catalog.yaml'))).toEqual([...names].sort());
    expect(readdirSync(dir)).toEqual(['linkcap.catalog.yaml']); // no temporary file or lock left behind
    // Every variant resolves with its own figure.
    const listed = runCli(['chips', '--json'], { cwd: dir, env: quiet });
    const chips = JSON.parse(listed.stdout).chips as { id: string; scaleUp: { bidirectionalGBps: { value: number } } }[];
    names.forEach((name, i) => expect(chips.find((c) => c.id === name)?.scaleUp.bidirectionalGBps.value).toBe(300 + 10 * i));
  });

  it('re-deriving an existing name needs --force', () => {
    const dir = workDir();
    expect(runCli(['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'my-h800'], { cwd: dir, env: quiet }).status).toBe(0);
    const before = readFileSync(join(dir, 'linkcap.catalog.yaml'), 'utf8');
    const again = runCli(['chips', 'derive', 'h100', '--scale-up', '600', '--name', 'my-h800'], { cwd: dir, env: quiet });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--name: "my-h800" already exists \(in .*linkcap\.catalog\.yaml\); pass --force to replace it/);
    expect(readFileSync(join(dir, 'linkcap.catalog.yaml'), 'utf8')).toBe(before);
    const forced = runCli(['chips', 'derive', 'h100', '--scale-up', '600', '--name', 'my-h800', '--force'], { cwd: dir, env: quiet });
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'linkcap.catalog.yaml'), 'utf8')).toMatch(/bidirectionalGBps: \{ value: 600/);
  });

  it('a read-only catalog is refused and left as it was (mode and content)', () => {
    const dir = workDir();
    const file = join(dir, 'linkcap.catalog.yaml');
    writeFileSync(file, '# shared, do not touch\nchips: {}\n');
    chmodSync(file, 0o444);
    const r = runCli(['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'my-h800'], { cwd: dir, env: quiet });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/linkcap\.catalog\.yaml: is read-only; left unchanged/);
    expect(readFileSync(file, 'utf8')).toBe('# shared, do not touch\nchips: {}\n');
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(readdirSync(dir)).toEqual(['linkcap.catalog.yaml']);
  });

  it('a symlinked catalog is written through: the link stays, the shared target gets the entry', () => {
    const dir = workDir();
    mkdirSync(join(dir, 'team'));
    const shared = join(dir, 'team', 'catalog.yaml');
    writeFileSync(shared, '# team catalog\nchips: {}\n');
    const project = join(dir, 'project');
    mkdirSync(project);
    symlinkSync('../team/catalog.yaml', join(project, 'linkcap.catalog.yaml'));
    const r = runCli(['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'my-h800'], { cwd: project, env: quiet });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Updated linkcap.catalog.yaml (a link to ${shared})`);
    expect(lstatSync(join(project, 'linkcap.catalog.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(shared, 'utf8')).toMatch(/^# team catalog/);
    expect(chipIds(shared)).toEqual(['my-h800']);
    expect(readdirSync(join(dir, 'team'))).toEqual(['catalog.yaml']);
  });
});
