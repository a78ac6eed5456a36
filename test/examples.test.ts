/**
 * The shipped sweep specs: each says what it answers, is valid (--dry-run), and examples/h800-vs-h100.yaml runs
 * from the repository as README says, giving the H800/H100 slowdown of the best layouts (≥ 1: the capped NVLink
 * is never faster).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));

describe('examples/', () => {
  it('holds the six specs the README lists', () => {
    expect(examples.sort()).toEqual(['best-layout.yaml', 'h800-vs-h100.yaml', 'link-cap.yaml', 'nccl-sizes.yaml', 'pareto-cost.yaml', 'profiles.yaml']);
  });

  for (const file of examples) {
    it(`${file} says what it answers and is a valid sweep`, () => {
      const text = readFileSync(join(root, 'examples', file), 'utf8');
      expect(text.split('\n')[0]).toMatch(/^# What it answers: /);
      const r = runCli(['sweep', `examples/${file}`, '--dry-run'], { cwd: root });
      expect(r.stderr).toMatch(/estimate: /);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^[\w-]+ \((collective|training)\): [\d,]+ points/);
    });
  }

  it('linkcap sweep examples/h800-vs-h100.yaml runs and finds the H800 slower than the H100 for every model and size', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'linkcap-example-')), 'h800.sweep');
    const r = runCli(['sweep', 'examples/h800-vs-h100.yaml', '-o', out], { cwd: root });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/h800-over-h100 \(best-ratio of stepTimeS by model, gpus; hgx-h800 \/ dgx-h100\)/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.complete).toBe(true);
    const entry = manifest.files.reductions.find((x: { name: string }) => x.name === 'h800-over-h100');
    expect(entry).toMatchObject({ kind: 'best-ratio', by: ['model', 'gpus'], pair: { axis: 'cluster', numerator: 'hgx-h800', denominator: 'dgx-h100' } });
    const file = await asyncBufferFromFile(join(out, entry.file));
    const rows = { ratio: (await parquetReadObjects({ file, columns: ['ratio'] })).map((row) => row.ratio as number) };
    expect(rows.ratio).toHaveLength(4 * 3);
    for (const value of rows.ratio as number[]) {
      expect(value).toBeGreaterThanOrEqual(1);
      expect(value).toBeLessThan(2);
    }
    // The best H100 layout run unchanged on the H800: never faster than the H800's own best layout.
    const carried = manifest.files.reductions.find((x: { name: string }) => x.name === 'h100-layout-on-h800');
    expect(carried).toMatchObject({ kind: 'carried-ratio', by: ['model', 'gpus'] });
    const carriedRows = await parquetReadObjects({ file: await asyncBufferFromFile(join(out, carried.file)), columns: ['ratio', 'carriedOverBest', 'cluster', 'baselineCluster'] });
    expect(carriedRows).toHaveLength(4 * 3);
    for (const row of carriedRows) {
      expect([row.cluster, row.baselineCluster]).toEqual(['hgx-h800', 'dgx-h100']);
      expect(row.ratio as number).toBeGreaterThanOrEqual(1);
      expect(row.carriedOverBest as number).toBeGreaterThanOrEqual(1);
    }
  });
});
