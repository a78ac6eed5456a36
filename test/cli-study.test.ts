/**
 * `linkcap study export-controls` end to end through the CLI (needs a build). A tiny plan keeps it fast: the
 * shipped sweep specs with one model and one GPU count each; the quick study itself is tested in
 * packages/study/test/study-report.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../examples/study/', import.meta.url));

/** The shipped plan with every sweep's quick grid cut to one model and one GPU count. */
function tinyPlan(dir: string): string {
  const plan = parse(readFileSync(join(EXAMPLES, 'study.yaml'), 'utf8'));
  for (const [name, file] of Object.entries(plan.sweeps as Record<string, string>)) plan.sweeps[name] = join(EXAMPLES, file);
  plan.quick = {
    'h800-vs-h100': { axes: { model: ['llama3-8b'], gpus: [64], globalBatchTokens: [4194304] }, where: [] },
    workarounds: { axes: { model: ['llama3-8b'], gpus: [64] } },
    'workarounds-classic': { axes: { model: ['llama3-8b'], gpus: [64] } },
    'workarounds-no-tp': { axes: { model: ['llama3-8b'], gpus: [64] } },
    'deepseek-v3': {},
    tencent: { axes: { model: ['llama3-70b'], gpus: [256] } },
    'fewer-chips': { axes: { model: ['llama3-8b'], gpus: [8, 64] } },
    'link-cap-line': { axes: { model: ['llama3-8b'], gpus: [64], scaleUpGBps: [200, 400, 900] } },
    cost: { axes: { cluster: ['dgx-h100', 'hgx-h800', 'a800-node'], model: ['llama3-8b'], gpus: [64] } },
  };
  const file = join(dir, 'study.yaml');
  writeFileSync(file, stringify(plan));
  return file;
}

describe('linkcap study export-controls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-cli-study-'));
  const plan = tinyPlan(dir);

  it('writes the report folder and prints the summary with where the report is', () => {
    const out = join(dir, 'report');
    const r = runCli(['study', 'export-controls', '--quick', '--plan', plan, '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1. H800 vs H100');
    expect(r.stdout).toContain(`Report: ${out}/report.html`);
    for (const file of ['report.md', 'report.html', 'summary.txt', 'study.json', 'sweeps/h800-vs-h100/manifest.json']) expect(existsSync(join(out, file)), file).toBe(true);
    // Running again replaces the earlier report.
    const again = runCli(['study', 'export-controls', '--quick', '--plan', plan, '--out', out, '--quiet']);
    expect(again.status).toBe(0);
  });

  it('refuses to write over a folder that is not a study report, and leaves it as it was', () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const r = runCli(['study', 'export-controls', '--quick', '--plan', plan, '--out', mine, '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--out.*not a linkcap study report/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('names the plan file and field of a bad plan', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'study: export-controls\nsweeps: {}\n');
    const r = runCli(['study', 'export-controls', '--plan', bad, '--out', join(dir, 'x'), '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad.yaml: sweeps.h800-vs-h100');
  });

  it('rejects an unknown study as a usage error', () => {
    expect(runCli(['study', 'nonsense']).status).toBe(2);
  });
});
