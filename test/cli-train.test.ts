/**
 * `linkcap train`, `linkcap compare` and `linkcap models` end to end (needs a build: `npx turbo run build`).
 * Runs on the TypeScript reference engine so it does not depend on the native training port.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../apps/cli/dist/cli.js', import.meta.url).pathname;

function linkcap(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LINKCAP_ENGINE: 'reference' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('linkcap train', () => {
  it('prints the breakdown, memory, feasibility and the cost of N tokens', () => {
    const r = linkcap('train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--tp', '8', '--pp', '4', '--tokens', '15T', '--price', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const text of ['Llama 3 70B', 'tp 8 × pp 4 × dp 32', 'MFU', 'HFU', 'tokens/s per GPU', 'exposed TP comm', 'pipeline bubble', 'memory/GPU', 'feasible    yes', 'GPU-hours', '$2/GPU-hour']) {
      expect(r.stdout).toContain(text);
    }
  });

  it('--json has the typed prediction', () => {
    const r = linkcap('train', '--model', 'gpt3-175b', '--cluster', 'dgx-h100', '--gpus', '512', '--tp', '8', '--pp', '8', '--interleave', '2', '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.layout).toMatchObject({ tp: 8, pp: 8, dp: 8, interleave: 2 });
    const b = p.breakdown;
    const sum = b.computeS + b.tpS + b.cpS + b.epS + b.dpS + b.ppS + b.bubbleS + b.optimizerS + b.slowdownS;
    expect(sum / p.stepS).toBeCloseTo(1, 9);
    expect(p.mfu).toBeGreaterThan(0.2);
    expect(p.mfu).toBeLessThan(0.8);
  });

  it('reports a configuration that does not fit as infeasible (exit 0)', () => {
    const r = linkcap('train', '--model', 'llama3-405b', '--cluster', 'dgx-h100', '--gpus', '8', '--tp', '8', '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.feasible).toBe(false);
    expect(p.status).toBe('out of memory');
  });

  it('--best prints the fastest layouts and says what it evaluated', () => {
    const r = linkcap('train', '--model', 'llama3-8b', '--cluster', 'dgx-h100', '--gpus', '64', '--best', '--top', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/configurations evaluated: \d+ feasible, \d+ out of memory/);
    expect(r.stdout).toContain('Best in detail');
    const rows = r.stdout.split('\n').filter((line) => /^[123]\s+tp\d/.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });

  it('--best with a fixed axis keeps it', () => {
    const r = linkcap('train', '--model', 'llama3-8b', '--cluster', 'dgx-h100', '--gpus', '64', '--best', '--tp', '4', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.best.length).toBeGreaterThan(0);
    for (const p of result.best) expect(p.layout.tp).toBe(4);
  });

  it('reads a user model from YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkcap-model-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, 'id: tiny\nname: Tiny\nlayers: 8\nhidden: 1024\nffn: 4096\nheads: 16\nvocab: 32000\nseqLen: 2048\n');
    const r = linkcap('train', '--model', file, '--cluster', 'dgx-h100', '--gpus', '8', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).model.name).toBe('Tiny');
  });

  it('usage errors exit 2; bad values and invalid layouts exit 1 naming the option', () => {
    const value = linkcap('train', '--model', 'llama3-8b', '--cluster', 'dgx-h100', '--gpus', '8', '--tokens', 'lots');
    expect(value.code).toBe(1);
    expect(value.stderr).toMatch(/--tokens/);
    const missing = linkcap('train', '--cluster', 'dgx-h100', '--gpus', '8');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--model is required/);
    const invalid = linkcap('train', '--model', 'llama3-70b', '--cluster', 'dgx-h100', '--gpus', '24', '--tp', '3');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/--tp: 3: must divide the attention heads \(64\)/);
    const zero = linkcap('train', '--model', 'llama3-8b', '--cluster', 'dgx-h100', '--gpus', '8', '--zero', '5');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/--zero/);
  });
});

describe('linkcap compare', () => {
  it('prints each cluster’s best layout, the same layout across clusters and the slowdown', () => {
    const r = linkcap('compare', '--clusters', 'dgx-h100,hgx-h800', '--model', 'gpt3-175b', '--gpus', '1024');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Each cluster with its own best layout');
    expect(r.stdout).toContain('best layout (');
    expect(r.stdout).toMatch(/hgx-h800 .* 1\.\d{3}×/);
  });

  it('--json', () => {
    const r = linkcap('compare', '--clusters', 'dgx-h100,hgx-h800', '--model', 'llama3-8b', '--gpus', '64', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.baseline).toBe('dgx-h100');
    expect(result.clusters[1].slowdownSameLayout).toBeGreaterThanOrEqual(1);
  });

  it('needs two clusters', () => {
    const r = linkcap('compare', '--clusters', 'dgx-h100', '--model', 'llama3-8b', '--gpus', '64');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--clusters: give at least two clusters/);
  });
});

describe('linkcap models', () => {
  it('lists the presets with parameter counts', () => {
    const r = linkcap('models');
    expect(r.code).toBe(0);
    for (const id of ['gpt3-175b', 'llama3-8b', 'llama3-70b', 'llama3-405b', 'mixtral-8x7b', 'deepseek-v3', 'megatron-1t', 'dense-1t']) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(/deepseek-v3\s+671B\s+37\.\d+B/);
  });
});
