/**
 * The quick export-control study, run once: the report's structure, and the invariants any correct model must
 * satisfy, checked on the result tables the report was drawn from.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from '@linkcap/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { loadPlan, readResultDir, runExportControlsStudy, STUDY_SWEEPS, type StudyResult, type StudySweep } from '../src/index.js';
import { median } from '../src/analysis/variants.js';
import { withVariant } from '../src/analysis/profiles.js';
import { efficiencyScales } from '../src/plan/sensitivity.js';
import { efficiencyTable } from '../src/sweeps/sensitivity-axes.js';
import { sameLayoutRows } from '../src/sweeps/carried.js';
import type { Row } from '../src/results/table.js';

let root: string;
let study: StudyResult;
const results: Record<string, { tables: Record<string, Row[]> }> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'linkcap-study-'));
  study = await runExportControlsStudy({ quick: true, out: join(root, 'report') });
  // The tables as the report folder holds them, read back from its files.
  const json = JSON.parse(readFileSync(join(study.dir, 'study.json'), 'utf8')) as { sweeps: { name: string; dir: string; profiles: string[] }[] };
  const plan = loadPlan({ quick: true });
  const etas = new Map();
  for (const s of json.sweeps) efficiencyTable(plan.sweeps[s.name as StudySweep].spec, dirname(plan.sweeps[s.name as StudySweep].file), etas);
  const scales = efficiencyScales(plan.sensitivity);
  for (const s of json.sweeps) {
    const result = await readResultDir(join(study.dir, s.dir));
    const tables: Record<string, Row[]> = {};
    for (const [name, rows] of Object.entries(result.tables)) tables[name] = withVariant(rows, s.profiles[0], etas, scales);
    tables['same-layout'] = withVariant(sameLayoutRows(result), s.profiles[0], etas, scales);
    results[s.name] = { tables };
  }
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const base = (rows: Row[]) => rows.filter((r) => r.profile === 'megatron-core' && r.efficiency === 1);
const groupBy = (rows: Row[], keys: string[]) => {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keys.map((k) => String(row[k])).join('|');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
};

describe('the report folder', () => {
  it('holds report.md, a self-contained report.html, charts, the summary, study.json and one result directory per sweep', () => {
    for (const file of ['report.md', 'report.html', 'summary.txt', 'study.json']) expect(existsSync(join(study.dir, file)), file).toBe(true);
    const json = JSON.parse(readFileSync(join(study.dir, 'study.json'), 'utf8'));
    // Every sweep has a result directory, listed in study.json, its profiles as the engine's profile axis.
    expect(json.sweeps.map((s: { name: string }) => s.name)).toEqual([...STUDY_SWEEPS]);
    for (const { dir, profiles } of json.sweeps) {
      const manifest = JSON.parse(readFileSync(join(study.dir, dir, 'manifest.json'), 'utf8'));
      expect(manifest.format).toBe('linkcap-sweep/1');
      expect(manifest.complete).toBe(true);
      const axis = manifest.axes.find((a: { name: string }) => a.name === 'profile');
      // The base profile first; nemo prices as megatron-core and is not run again.
      expect(axis.values[0]).toBe(profiles[0]);
      expect(axis.values).not.toContain('nemo');
      for (const r of manifest.files.reductions) expect(existsSync(join(study.dir, dir, r.file)), r.file).toBe(true);
    }
    // The folder itself is a result directory for `linkcap view REPORT`: every reduction of the study, inside it.
    const folder = JSON.parse(readFileSync(join(study.dir, 'manifest.json'), 'utf8'));
    expect(folder.format).toBe('linkcap-sweep/1');
    expect(folder.files.rows).toBeNull();
    expect(folder.files.reductions.map((r: { name: string }) => r.name)).toContain('h800-vs-h100.best');
    expect(folder.files.reductions.map((r: { name: string }) => r.name)).toContain('link-cap-line.same-layout-400');
    for (const r of folder.files.reductions) {
      expect(r.file.startsWith('..') || r.file.startsWith('/')).toBe(false);
      expect(existsSync(join(study.dir, r.file)), r.file).toBe(true);
    }
    // No temporary or half-written file is left behind.
    expect(readdirSync(root)).toEqual(['report']);
    expect(readdirSync(study.dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('has the six sections in order, the assumptions, the unsupported claims and the files', () => {
    const md = readFileSync(join(study.dir, 'report.md'), 'utf8');
    const headings = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings[0]).toBe('The claims and what the model says');
    expect(headings[1]).toBe('What the model assumes');
    expect(headings.slice(2, 8).map((h) => h.split('.')[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(headings.slice(8)).toEqual(['Where the data do not support a claim', 'Files']);
    expect(md).toContain('GEMM efficiency η');
    // The base case is named, and the profile table comes from @linkcap/core's PROFILES.
    expect(md).toMatch(/The base case is linkcap's default implementation profile, `megatron-core`/);
    expect(md).toMatch(/\| \*\*megatron-core\*\* \(base\) \| \(t−1\)\/t \|/);
    expect(md).toMatch(/docs\/validation\.md/);
  });

  it('inlines every chart as SVG in report.html and references nothing outside the file', () => {
    const html = readFileSync(join(study.dir, 'report.html'), 'utf8');
    const charts = readdirSync(join(study.dir, 'charts'));
    expect(charts.length).toBeGreaterThanOrEqual(6);
    expect((html.match(/<figure class="chart"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/g) ?? []).length).toBe(charts.length);
    expect(html).not.toMatch(/<img|<script|<link|src="http|href="http/);
    for (const chart of charts) {
      const svg = readFileSync(join(study.dir, 'charts', chart), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toMatch(/<path|<rect/);
    }
  });

  it('gives every headline its sensitivity to the profile and GEMM efficiency, and every verdict the model error', () => {
    const json = JSON.parse(readFileSync(join(study.dir, 'study.json'), 'utf8'));
    expect(json.format).toBe('linkcap-study/1');
    expect(json.sections.map((s: { id: string }) => s.id)).toEqual(['h800-vs-h100', 'workarounds', 'tencent', 'fewer-chips', 'link-cap-line', 'cost']);
    let withProfiles = 0;
    for (const section of json.sections) {
      expect(section.headlines.length).toBeGreaterThan(0);
      for (const h of section.headlines) {
        const labels = h.variants.map((v: { label: string }) => v.label);
        expect(labels[0]).toBe('base');
        if (labels.includes('profile megatron-lm-2021') || labels.includes('profile megatron-core')) withProfiles += 1;
        expect(labels).toContain('η −15%');
        expect(labels).toContain('η +15%');
      }
      expect(section.verdicts.length).toBeGreaterThan(0);
      for (const v of section.verdicts) {
        expect(['supported', 'partly supported', 'not supported', 'not decided']).toContain(v.verdict);
        expect(v.error).toMatch(/^Model error \(docs\/validation\.md\): .*median/);
      }
    }
    // Every section's headlines carry the profile variants.
    expect(withProfiles).toBe(json.sections.reduce((n: number, s: { headlines: unknown[] }) => n + s.headlines.length, 0));
  });

  it('prints a summary that fits one screen', () => {
    const lines = study.summary.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    for (const line of lines.slice(0, -2)) expect(line.length).toBeLessThanOrEqual(120);
    expect(study.summary).toContain(join(study.dir, 'report.html'));
  });

  it('reports the numbers of the run: the section-1 median is the median of the engine’s best-vs-best ratios', () => {
    const ratios = base(results['h800-vs-h100'].tables['best-ratio']).map((r) => Number(r.ratio));
    const json = JSON.parse(readFileSync(join(study.dir, 'study.json'), 'utf8'));
    const headline = json.sections[0].headlines.find((h: { id: string }) => h.id === 'median-best');
    expect(headline.base).toBeCloseTo(median(ratios), 12);
  });
});

describe('invariants any correct model must satisfy', () => {
  it('H800 is never faster than H100 on the same layout (every layout priced on both)', () => {
    let pairs = 0;
    for (const sweep of ['h800-vs-h100', 'workarounds-classic', 'workarounds-no-tp']) {
      for (const row of results[sweep].tables['same-point']) {
        if (!(Number(row.pairs) > 0)) continue;
        // ratioMin is the exact smallest ratio of the group (the sketch's bound applies to the quantiles only).
        expect(Number(row.ratioMin), `${sweep} ${row.model} ${row.gpus}`).toBeGreaterThanOrEqual(1);
        pairs += Number(row.pairs);
      }
    }
    expect(pairs).toBeGreaterThan(10_000);
    for (const row of results['h800-vs-h100'].tables['same-layout']) if (row.status === 0) expect(Number(row.ratio)).toBeGreaterThanOrEqual(1);
  });

  it('the penalty does not grow as scale-up bandwidth grows (best layout and fixed layout)', () => {
    let steps = 0;
    for (const table of ['best', 'same-layout']) {
      const rows = results['link-cap-line'].tables[table];
      for (const curve of groupBy(rows, ['cluster', 'model', 'gpus', 'profile', 'efficiency']).values()) {
        const sorted = curve.filter((r) => r.status === 0).sort((a, b) => Number(a.scaleUpGBps) - Number(b.scaleUpGBps));
        for (let i = 1; i < sorted.length; i += 1) {
          expect(Number(sorted[i].stepTimeS), `${table} ${sorted[i].model} ${sorted[i].scaleUpGBps}`).toBeLessThanOrEqual(Number(sorted[i - 1].stepTimeS) * (1 + 1e-12));
          steps += 1;
        }
      }
    }
    expect(steps).toBeGreaterThan(20);
  });

  it('the penalty is smaller for layouts without tensor parallelism than with TP across the node', () => {
    // The same-layout penalty over every layout without TP vs every TP-8 layout, wherever TP traffic is exposed (not
    // under the `ideal` profile, where TP communication hides entirely and costs nothing on either cluster). Dense
    // models: strictly smaller. MoE models: not larger (a layout without TP still sends its expert all-to-all over
    // NVLink, and with Megatron-Core's TP overlap the two medians can share a bucket of the engine's quantile
    // sketch, whose relative error bounds the comparison).
    const dense = (id: unknown) => (resolveModel(String(id)).spec.moe?.experts ?? 0) === 0;
    const key = (r: Row) => `${r.model}|${r.gpus}|${r.profile}|${r.efficiency}`;
    const medians = (sweep: string) => new Map(results[sweep].tables['same-point'].map((r) => [key(r), r]));
    const noTp = medians('workarounds-no-tp');
    const tp8 = medians('workarounds-classic');
    let compared = 0;
    for (const [k, row] of noTp) {
      const other = tp8.get(k);
      if (!other || !(Number(row.pairs) > 0 && Number(other.pairs) > 0)) continue;
      if (row.profile === 'ideal' || !Number.isFinite(row.efficiency)) continue;
      if (dense(row.model)) expect(Number(row.ratioMedian), k).toBeLessThan(Number(other.ratioMedian));
      else expect(Number(row.ratioMedian), k).toBeLessThanOrEqual(Number(other.ratioMedian) * (1 + 2 * Number(other.relativeError)));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(0);
    // The same with each cluster's best layout: dropping TP leaves a smaller gap than the TP-8 recipe.
    const gap = (sweep: string, k: string) => {
      const rows = results[sweep].tables.best.filter((r) => key(r) === k);
      const h100 = rows.find((r) => r.cluster === 'dgx-h100');
      const h800 = rows.find((r) => r.cluster === 'hgx-h800');
      return h100?.status === 0 && h800?.status === 0 ? Number(h800.stepTimeS) / Number(h100.stepTimeS) : NaN;
    };
    // Dense models only: an MoE layout without TP moves its expert all-to-all onto the capped NVLink instead (EP 8
    // inside the node), which Megatron-Core does not overlap, while TP 8 hides 7/8 of its traffic.
    for (const [k, row] of noTp) {
      if (row.profile === 'ideal' || !Number.isFinite(row.efficiency) || !dense(row.model)) continue;
      const a = gap('workarounds-no-tp', k);
      const b = gap('workarounds-classic', k);
      if (Number.isFinite(a) && Number.isFinite(b)) expect(a, k).toBeLessThan(b);
    }
  });

  it('the carried layout starts from the baseline’s best: the carried-ratio baseline is the argmin of the same group', () => {
    let compared = 0;
    for (const [sweep, axis, baseline] of [['h800-vs-h100', 'cluster', 'dgx-h100'], ['fewer-chips', 'cluster', 'dgx-h100'], ['link-cap-line', 'scaleUpGBps', 900]] as const) {
      const best = results[sweep].tables.best;
      for (const row of results[sweep].tables['same-layout']) {
        if (row[axis] !== baseline || row.status !== 0) continue;
        const match = best.filter((b) => b[axis] === baseline && b.model === row.model && b.gpus === row.gpus && b.cluster === row.cluster && b.profile === row.profile && b['chip.gemmEfficiency'] === row['chip.gemmEfficiency'] && b.globalBatchTokens === row.globalBatchTokens);
        expect(match, `${sweep} ${row.profile} ${row.model} ${row.gpus}`).toHaveLength(1);
        expect(row.stepTimeS).toBe(match[0].stepTimeS);
        expect(['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'interleave', 'recompute', 'zero'].map((f) => row[f])).toEqual(['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'interleave', 'recompute', 'zero'].map((f) => match[0][f]));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('best-vs-best is never worse than the same layout', () => {
    const best = results['h800-vs-h100'].tables.best;
    const same = results['h800-vs-h100'].tables['same-layout'];
    let compared = 0;
    for (const row of same) {
      if (row.cluster !== 'hgx-h800' || row.status !== 0) continue;
      const match = (cluster: string) => best.find((b) => b.cluster === cluster && b.model === row.model && b.gpus === row.gpus && b.profile === row.profile && b['chip.gemmEfficiency'] === row['chip.gemmEfficiency'] && b.globalBatchTokens === row.globalBatchTokens)!;
      const bestVsBest = Number(match('hgx-h800').stepTimeS) / Number(match('dgx-h100').stepTimeS);
      expect(bestVsBest).toBeLessThanOrEqual(Number(row.ratio) * (1 + 1e-12));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
