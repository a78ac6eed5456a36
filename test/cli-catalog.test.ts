/** `linkcap chips`, `chips show`, `chips derive` and `controls` end to end, through the built CLI. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const quiet = { LINKCAP_ENGINE: 'reference', LINKCAP_CATALOG: '' };

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'linkcap-cli-catalog-'));
}

describe('linkcap chips', () => {
  it('lists every chip with key figures, unconfirmed marks, a legend and sources', () => {
    const r = runCli(['chips'], { cwd: workDir(), env: quiet });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^h800-sxm\s+989\s+1,979\s+80\s+3\.35\s+400\s+8\s+switch\s+400\s+700\s+814\s+NVIDIA H800/m);
    expect(r.stdout).toMatch(/^h800-pcie\s.*400\*.*350\*/m);
    expect(r.stdout).toMatch(/^b200\s.*1,600\*/m);
    expect(r.stdout).toMatch(/^l20\s.*none/m);
    expect(r.stdout).toContain('* unconfirmed');
    expect(r.stdout).toContain('bidirectional per GPU');
    expect(r.stdout).toMatch(/\[R\] Reuters, 2023-05-03/);
  });

  it('--json carries every figure with its source', () => {
    const r = runCli(['chips', '--json'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout);
    const h20 = body.chips.find((chip: { id: string }) => chip.id === 'h20');
    expect(h20.fp8Tflops).toEqual({ value: 296, source: 'TH' });
    expect(h20.scaleOutGbps.unconfirmed).toBe(true);
    expect(body.sources.E.title).toMatch(/Epoch AI/);
  });

  it('show prints every figure with source, marks, the TPP arithmetic and verdicts', () => {
    const r = runCli(['chips', 'show', 'b200'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/logic die area\s+1600\s+mm²\s+GK\s+UNCONFIRMED\s+2 dies x ~800 mm2/);
    expect(r.stdout).toContain('FP8 4,500 × 8 = 36,000');
    expect(r.stdout).toContain('2026 review: denied because TPP 36,000 ≥ 21,000');
    expect(r.stdout).toMatch(/Node preset hgx-b200: 8 GPUs per domain, scale-up 721.8 GB\/s/);
  });

  it('show rejects unknown chips with exit 1', () => {
    const r = runCli(['chips', 'show', 'h900'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown chip "h900"/);
  });
});

describe('linkcap chips derive', () => {
  it('writes the variant to ./linkcap.catalog.yaml; every command then accepts it', () => {
    const dir = workDir();
    const r = runCli(['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'my-h800'], { cwd: dir, env: quiet });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scale-up 900 → 400 GB/s bidirectional per GPU (achievable 370.8 → 164.8 GB/s per direction)');
    expect(r.stdout).toContain('2022: controlled → not controlled; not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s');
    expect(r.stdout).toContain('Created linkcap.catalog.yaml');
    expect(readdirSync(dir)).toEqual(['linkcap.catalog.yaml']);
    expect(readFileSync(join(dir, 'linkcap.catalog.yaml'), 'utf8')).toMatch(/derivedFrom: h100-sxm/);

    const derived = runCli(['collective', 'all-reduce', '--cluster', 'my-h800', '--gpus', '8', '--bytes', '1GiB', '--json'], { cwd: dir, env: quiet });
    const h800 = runCli(['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '8', '--bytes', '1GiB', '--json'], { cwd: dir, env: quiet });
    const h100 = runCli(['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '1GiB', '--json'], { cwd: dir, env: quiet });
    expect(derived.status).toBe(0);
    expect(JSON.parse(derived.stdout).timeS).toBeCloseTo(JSON.parse(h800.stdout).timeS, 12);
    expect(JSON.parse(derived.stdout).timeS).toBeGreaterThan(JSON.parse(h100.stdout).timeS);

    const chips = runCli(['chips'], { cwd: dir, env: quiet });
    expect(chips.stdout).toMatch(/^my-h800 \(hyp\.\)\s+989/m);
    const controls = runCli(['controls', '--chip', 'my-h800', '--rule', '2022'], { cwd: dir, env: quiet });
    expect(controls.stdout).toContain('2022: not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s');
  });

  it('--file writes elsewhere (JSON too); --catalog then reads it; --dry-run writes nothing', () => {
    const dir = workDir();
    const dry = runCli(['chips', 'derive', 'a100', '--scale-up', '400', '--name', 'a100-capped', '--dry-run'], { cwd: dir, env: quiet });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing written');
    expect(readdirSync(dir)).toEqual([]);
    const r = runCli(['chips', 'derive', 'a100', '--scale-up', '400', '--nics', '2', '--name', 'a100-capped', '--file', 'variants.json'], { cwd: dir, env: quiet });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Pass --catalog variants.json');
    expect(existsSync(join(dir, 'variants.json'))).toBe(true);
    const clusters = runCli(['clusters', '--json', '--catalog', 'variants.json'], { cwd: dir, env: quiet });
    const capped = JSON.parse(clusters.stdout).find((c: { id: string }) => c.id === 'a100-capped');
    expect(capped.params.scaleUpGBps).toBe(160);
    expect(capped.params.scaleOutGBps).toBeCloseTo(48, 9);
  });

  it('rejects malformed values and taken names (exit 1), a missing --name (exit 2)', () => {
    const dir = workDir();
    const bad = runCli(['chips', 'derive', 'h100', '--scale-up', 'fast', '--name', 'x'], { cwd: dir, env: quiet });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--scale-up: expected a number > 0 and ≤ 20,000 \(GB\/s bidirectional per GPU\), got "fast"/);
    const noName = runCli(['chips', 'derive', 'h100', '--scale-up', '400'], { cwd: dir, env: quiet });
    expect(noName.status).toBe(2);
    const taken = runCli(['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'h800'], { cwd: dir, env: quiet });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/--name: "h800" is already chip h800-sxm/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('linkcap controls', () => {
  it('prints the classification table with TPP, PD and a verdict per rule', () => {
    const r = runCli(['controls', '--brief'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^a800-sxm\s+4,992\s+6\.04\s+464\s+2,040\s+not controlled\s+3A090\.a\s+HBM is 3A090\.c\s+not named\s+case-by-case/m);
    expect(r.stdout).toMatch(/^h20\s+2,368\s+2\.91\s+1,028†\s+4,000\s+not controlled\s+outside 3A090\s+HBM is 3A090\.c\s+licence required\s+not applicable/m);
    expect(r.stdout).toMatch(/^b200\s+36,000\s+22\.5\*.*denied$/m);
    expect(r.stdout).toMatch(/^mi300x\s+20,920\s+\?.*case-by-case$/m);
  });

  it('explains each verdict with the arithmetic (--chip, --rule)', () => {
    const r = runCli(['controls', '--chip', 'h800', 'l20', '--rule', '2022', '2023'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('TPP = 2 × MacTOPS × bit length = dense TOPS × bits = max(BF16 989 × 16 = 15,824; FP8 1,979 × 8 = 15,832) = 15,832');
    expect(r.stdout).toContain('2022: not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s');
    expect(r.stdout).toContain('2023: 3A090.a because TPP 15,832 ≥ 4,800');
    expect(r.stdout).toContain('2023: outside 3A090 because not 3A090.a (TPP 1,912 < 4,800; PD 3.14 < 5.92) and not 3A090.b (TPP 1,912 < 2,400; PD 3.14 < 3.2)');
    expect(r.stdout).not.toMatch(/^a100-sxm/m);
  });

  it('--json gives metrics and verdicts with reasons', () => {
    const r = runCli(['controls', '--chip', 'gaudi3', '--json'], { cwd: workDir(), env: quiet });
    const [gaudi] = JSON.parse(r.stdout);
    expect(gaudi.metrics.tpp.value).toBe(29360);
    expect(gaudi.verdicts.find((v: { rule: string }) => v.rule === '2026-01-15').verdict).toBe('denied');
  });

  it('--what-if shows which chips a different line catches', () => {
    const r = runCli(['controls', '--what-if', '--io-cap', '400', '--tpp', '4800'], { cwd: workDir(), env: quiet });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('What-if line: caught if I/O ≥ 400 and TPP ≥ 4,800');
    expect(r.stdout).toMatch(/^h800-sxm\s+caught\s+not controlled\s+newly caught\s+I\/O 400 \+ 128 PCIe = 528 ≥ 400 GB\/s; TPP 15,832 ≥ 4,800/m);
    expect(r.stdout).toMatch(/newly caught: a800-sxm, h800-sxm, h800-pcie/);
    const same = runCli(['controls', '--what-if', '--io-cap', '600', '--tpp', '4800', '--json'], { cwd: workDir(), env: quiet });
    const report = JSON.parse(same.stdout);
    expect(report.newlyCaught).toEqual([]);
    expect(report.noLongerCaught).toEqual([]);
  });

  it('what-if flags need --what-if, and --what-if needs a threshold (exit 2); a bad threshold exits 1', () => {
    expect(runCli(['controls', '--tpp', '4800'], { cwd: workDir(), env: quiet }).status).toBe(2);
    expect(runCli(['controls', '--what-if'], { cwd: workDir(), env: quiet }).status).toBe(2);
    expect(runCli(['controls', '--what-if', '--tpp', 'lots'], { cwd: workDir(), env: quiet }).status).toBe(1);
  });

  it('a bad catalog file is rejected with its name and field (exit 1)', () => {
    const dir = workDir();
    writeFileSync(join(dir, 'linkcap.catalog.yaml'), 'chips:\n  x:\n    derivedFrom: h100\n    bf16Tflops: -1\n');
    const r = runCli(['controls'], { cwd: dir, env: quiet });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/linkcap\.catalog\.yaml: chips\.x\.bf16Tflops = -1: must be > 0/);
  });
});
