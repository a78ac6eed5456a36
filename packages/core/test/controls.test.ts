/**
 * The export-control classifier against the classification table of shared/reference/hardware.md, the metric
 * arithmetic, what-if lines, and rules added as data.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, deriveChip, loadCatalog, type Catalog, CatalogError } from '../src/catalog/index.js';
import {
  classificationMarkdown,
  classifyCatalog,
  classifyChip,
  evaluateWhatIf,
  selectRules,
  whatIfRule,
  type ChipClassification,
} from '../src/controls/index.js';

const catalog = builtinCatalog();
const byChip = new Map(classifyCatalog(catalog).map((c) => [c.chip, c]));

function verdict(chip: string, rule: string, from: Map<string, ChipClassification> = byChip) {
  const found = from.get(chip)?.verdicts.find((v) => v.rule === rule);
  if (!found) throw new Error(`no verdict for ${chip} under ${rule}`);
  return found;
}

/**
 * hardware.md's table: chip, TPP, PD (null: unconfirmed), 2022 rule, 2023 rule, 2026 review.
 * "–" in the 2026 column (L20) and H20's "licence since 2025-04" are chips outside 3A090, to which the 2026 review
 * does not apply; the 2025-04 licence requirement is its own rule (tested below).
 */
const TABLE: [string, number, number | null, string, string, string][] = [
  ['a100-sxm', 4992, 6.04, 'controlled', '3A090.a', 'case-by-case'],
  ['a800-sxm', 4992, 6.04, 'not controlled', '3A090.a', 'case-by-case'],
  ['h100-sxm', 15832, 19.45, 'controlled', '3A090.a', 'case-by-case'],
  ['h800-sxm', 15832, 19.45, 'not controlled', '3A090.a', 'case-by-case'],
  ['h20', 2368, 2.91, 'not controlled', 'outside 3A090', 'not applicable'],
  ['l20', 1912, 3.14, 'not controlled', 'outside 3A090', 'not applicable'],
  ['h200-sxm', 15832, 19.45, 'controlled', '3A090.a', 'case-by-case'],
  ['b200', 36000, 22.5, 'controlled', '3A090.a', 'denied'],
  ['mi300x', 20920, null, 'controlled', '3A090.a', 'case-by-case'],
  ['gaudi3', 29360, null, 'controlled', '3A090.a', 'denied'],
];

describe('hardware.md classification table', () => {
  it.each(TABLE)('%s: TPP %i, PD %s, 2022 %s, 2023 %s, 2026 %s', (chip, tpp, pd, v2022, v2023, v2026) => {
    const c = byChip.get(chip)!;
    expect(c.metrics.tpp.value).toBe(tpp);
    if (pd === null) expect(c.metrics.performanceDensity.value).toBeNull();
    else expect(Number(c.metrics.performanceDensity.value!.toFixed(2))).toBe(pd);
    expect(verdict(chip, '2022-10-07').verdict).toBe(v2022);
    expect(verdict(chip, '2023-10-17').verdict).toBe(v2023);
    expect(verdict(chip, '2026-01-15').verdict).toBe(v2026);
  });

  it('A800 and H800 are free under 2022 because their I/O is under 600 GB/s (PCIe counted)', () => {
    expect(verdict('a800-sxm', '2022-10-07').explanation).toBe('not controlled because I/O 400 + 64 PCIe = 464 < 600 GB/s');
    expect(verdict('h800-sxm', '2022-10-07').explanation).toBe('not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s');
    expect(verdict('a100-sxm', '2022-10-07').explanation).toBe('controlled because I/O 600 + 64 PCIe = 664 ≥ 600 GB/s and TOPS × bits 4,992 ≥ 4,800');
    expect(verdict('h800-sxm', '2022-10-07').caught).toBe(false);
  });

  it('H800 and A800 are 3A090.a in 2023 because of TPP alone', () => {
    expect(verdict('h800-sxm', '2023-10-17').explanation).toBe('3A090.a because TPP 15,832 ≥ 4,800');
    expect(verdict('a800-sxm', '2023-10-17').explanation).toBe('3A090.a because TPP 4,992 ≥ 4,800');
  });

  it('H20 and L20 fall outside 3A090 in 2023, with the tipping criteria', () => {
    const h20 = verdict('h20', '2023-10-17').explanation;
    expect(h20).toBe('outside 3A090 because not 3A090.a (TPP 2,368 < 4,800; PD 2.91 < 5.92) and not 3A090.b (TPP 2,368 < 2,400; PD 2.91 < 3.2)');
    const l20 = verdict('l20', '2023-10-17');
    expect(l20.explanation).toContain('PD 3.14 < 3.2');
    expect(l20.caught).toBe(false);
    expect(verdict('h20', '2022-10-07').explanation).toBe('not controlled because TOPS × bits 2,368 < 4,800');
  });

  it('H20 needs a licence since 2025-04; no other built-in chip is named', () => {
    expect(verdict('h20', '2025-04-h20').verdict).toBe('licence required');
    expect(verdict('h20', '2025-04-h20').explanation).toBe('licence required because h20 is named');
    for (const chip of catalog.chips.keys()) if (chip !== 'h20') expect(verdict(chip, '2025-04-h20').verdict).toBe('not named');
    expect(verdict('h20', '2026-01-15').explanation).toBe('not applicable because outside 3A090 under the 2023 rule');
  });

  it('2026: B200 and Gaudi 3 denied (TPP ≥ 21,000), MI300X just under, H200 eligible', () => {
    expect(verdict('b200', '2026-01-15').explanation).toBe('denied because TPP 36,000 ≥ 21,000 and DRAM bandwidth 8,000 ≥ 6,500 GB/s');
    expect(verdict('b200', '2026-01-15').caught).toBe(true);
    expect(verdict('gaudi3', '2026-01-15').explanation).toBe('denied because TPP 29,360 ≥ 21,000');
    expect(verdict('mi300x', '2026-01-15').explanation).toBe('case-by-case because TPP 20,920 < 21,000 and DRAM bandwidth 5,300 < 6,500 GB/s');
    expect(verdict('h200-sxm', '2026-01-15').explanation).toBe('case-by-case because TPP 15,832 < 21,000 and DRAM bandwidth 4,800 < 6,500 GB/s');
  });

  it('2024 HBM density: HBM stacks above 2 GB/s per mm², GDDR6 not applicable', () => {
    expect(verdict('h100-sxm', '2024-12-02-hbm').verdict).toBe('HBM is 3A090.c');
    expect(verdict('h100-sxm', '2024-12-02-hbm').explanation).toContain('3,350 GB/s / 5 stacks / 110 mm² = 6.09† > 2 GB/s/mm²');
    expect(verdict('l20', '2024-12-02-hbm').verdict).toBe('no HBM');
    expect(verdict('tpu-v5p', '2024-12-02-hbm').verdict).toBe('undetermined');
  });
});

describe('metrics show their arithmetic and marks', () => {
  it('TPP is the maximum over precisions of dense rate × bits', () => {
    const h100 = byChip.get('h100-sxm')!.metrics;
    expect(h100.tpp.arithmetic).toBe('TPP = 2 × MacTOPS × bit length = dense TOPS × bits = max(BF16 989 × 16 = 15,824; FP8 1,979 × 8 = 15,832) = 15,832');
    expect(h100.performanceDensity.arithmetic).toBe('PD = TPP / logic die area = 15,832 / 814 mm² = 19.45');
    expect(byChip.get('gaudi3')!.metrics.tpp.arithmetic).toContain('BF16 1,835 × 16 = 29,360; FP8 1,835 × 8 = 14,680');
    expect(byChip.get('a100-sxm')!.metrics.tpp.arithmetic).toContain('INT8 624 × 8 = 4,992');
  });

  it('unconfirmed inputs are marked * and assumptions †', () => {
    expect(byChip.get('b200')!.metrics.performanceDensity.short).toBe('22.5*');
    expect(byChip.get('b200')!.metrics.performanceDensity.unconfirmed).toBe(true);
    expect(byChip.get('h800-pcie')!.metrics.ioBidirGBps.short).toBe('400 + 128 PCIe = 528*');
    expect(byChip.get('h20')!.metrics.ioBidirGBps.assumption).toBe(true);
  });

  it('missing figures make metrics unknown; partial sums are lower bounds', () => {
    expect(byChip.get('mi300x')!.metrics.performanceDensity.value).toBeNull();
    const gb200 = byChip.get('gb200')!.metrics.ioBidirGBps;
    expect(gb200.bound).toBe('lower');
    expect(gb200.short).toBe('1,800 + ? PCIe = at least 1,800');
    expect(verdict('gb200', '2022-10-07').verdict).toBe('controlled');
  });

  it('verdicts that depend on unknown figures say undetermined and why', () => {
    const tpu = verdict('tpu-v5p', '2022-10-07');
    expect(tpu.verdict).toBe('undetermined');
    expect(tpu.determined).toBe(false);
    expect(tpu.explanation).toMatch(/^undetermined: I\/O unknown \(no scale-up or PCIe bandwidth in the catalog\), tested against ≥ 600 GB\/s; that decides "controlled"$/);
    // MI300X's PD is unknown, but TPP alone makes it 3A090.a.
    expect(verdict('mi300x', '2023-10-17').verdict).toBe('3A090.a');
    expect(verdict('ascend-910b', '2026-01-15').verdict).toBe('undetermined');
  });
});

describe('derived chips are classified like any other', () => {
  it('capping H100’s link at 400 frees it under 2022 but not under 2023', () => {
    const variant = deriveChip(catalog, 'h100', { name: 'my-h800', scaleUpBidirGBps: 400 });
    const c = classifyChip(variant.chip, variant.catalog);
    expect(c.hypothetical).toBe(true);
    expect(c.verdicts.find((v) => v.rule === '2022-10-07')!.explanation).toBe('not controlled because I/O 400 + 128 PCIe = 528 < 600 GB/s');
    expect(c.verdicts.find((v) => v.rule === '2023-10-17')!.verdict).toBe('3A090.a');
  });

  it('a variant of a named chip is named too (2025-04)', () => {
    const variant = deriveChip(catalog, 'h20', { name: 'h20-lite', memoryTBps: 2 });
    const v = classifyChip(variant.chip, variant.catalog).verdicts.find((r) => r.rule === '2025-04-h20')!;
    expect(v.explanation).toBe('licence required because h20-lite is derived from named h20');
  });
});

describe('what-if lines', () => {
  it('I/O ≥ 600 and TPP ≥ 4800 is the 2022 rule: same chips caught, nothing changes', () => {
    const report = evaluateWhatIf(catalog, { ioBidirGBps: 600, tpp: 4800 }, { compareTo: '2022' });
    const controlled2022 = [...byChip.values()].filter((c) => verdict(c.chip, '2022-10-07').verdict === 'controlled').map((c) => c.chip);
    expect(report.caught).toEqual(controlled2022);
    expect(report.newlyCaught).toEqual([]);
    expect(report.noLongerCaught).toEqual([]);
    expect(report.rule.title).toBe('What-if line: caught if I/O ≥ 600 and TPP ≥ 4,800');
  });

  it('an I/O line at 400 GB/s would have caught A800 and H800', () => {
    const report = evaluateWhatIf(catalog, { ioBidirGBps: 400, tpp: 4800 }, { compareTo: '2022-10-07' });
    expect(report.newlyCaught).toEqual(expect.arrayContaining(['a800-sxm', 'h800-sxm', 'h800-pcie']));
    expect(report.newlyCaught).not.toContain('h20');
    const h800 = report.rows.find((r) => r.chip === 'h800-sxm')!;
    expect(h800.whatIf.explanation).toBe('caught because I/O 400 + 128 PCIe = 528 ≥ 400 GB/s and TPP 15,832 ≥ 4,800');
  });

  it('a TPP line at 2000 would catch H20 (not L20) beside the 2023 rule', () => {
    const report = evaluateWhatIf(catalog, { tpp: 2000 }, { compareTo: '2023' });
    expect(report.newlyCaught).toEqual(['h20']);
    expect(report.rows.find((r) => r.chip === 'l20')!.whatIf.explanation).toBe('not caught because TPP 1,912 < 2,000');
  });

  it('"any" catches a chip when one threshold is met', () => {
    const report = evaluateWhatIf(catalog, { dramBandwidthGBps: 3000, tpp: 30000, combine: 'any' }, { chips: ['h20', 'l20', 'b200'] });
    expect(report.caught).toEqual(['h20', 'b200']);
  });

  it('rejects empty or negative thresholds and unknown rules', () => {
    expect(() => whatIfRule({})).toThrow(/give at least one threshold/);
    expect(() => whatIfRule({ tpp: -1 })).toThrow(/^tpp: -1: must be a number ≥ 0/);
    expect(() => evaluateWhatIf(catalog, { tpp: 1 }, { compareTo: '1999' })).toThrow(/unknown rule "1999"/);
  });
});

describe('rules are data', () => {
  function withRules(yaml: string): Catalog {
    const dir = mkdtempSync(join(tmpdir(), 'linkcap-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), yaml);
    return loadCatalog({ cwd: dir, env: {}, files: ['rules.yaml'] });
  }

  it('a new rule in a user file classifies without code (shorthand comparisons, metric aliases, nesting)', () => {
    const c = withRules(`
sources:
  memo: { title: An imagined rule }
rules:
  imagined:
    title: Imagined bandwidth line
    shortName: imagined
    citation: none
    source: memo
    outcomes:
      - verdict: restricted
        caught: true
        when:
          any:
            - { metric: tops_x_bits, ">=": 30000 }
            - all:
                - { metric: dramBandwidthGBps, op: ">=", value: 3000 }
                - not: { rule: 2023-10-17, verdicts: [3A090.a] }
    otherwise: free
`);
    const result = new Map(classifyCatalog(c, { rules: ['imagined'] }).map((r) => [r.chip, r.verdicts[0]]));
    expect(result.get('b200')!.explanation).toBe('restricted because TOPS × bits 36,000 ≥ 30,000');
    expect(result.get('h20')!.explanation).toBe('restricted because DRAM bandwidth 4,000 ≥ 3,000 GB/s and outside 3A090 under the 2023 rule');
    expect(result.get('l20')!.verdict).toBe('free');
  });

  it('rule files are validated: unknown metrics, bad operators, cycles, unknown rule references', () => {
    const rule = (when: string, id = 'r') => `rules:\n  ${id}:\n    title: t\n    shortName: ${id}\n    citation: c\n    source: FR\n    outcomes:\n      - verdict: v\n        when: ${when}\n    otherwise: o\n`;
    const error = (yaml: string) => {
      try {
        withRules(yaml);
      } catch (e) {
        expect(e).toBeInstanceOf(CatalogError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(error(rule('{ metric: flops, op: ">=", value: 1 }'))).toMatch(/rules\.r\.outcomes\[0\]\.when\.metric = "flops": must be one of ioBidirGBps, topsXBits, tpp/);
    expect(error(rule('{ metric: tpp, op: "=>", value: 1 }'))).toMatch(/rules\.r\.outcomes\[0\]\.when\.op = "=>": must be one of >=/);
    expect(error(rule('{ all: [] }'))).toMatch(/when\.all = a list: must be a non-empty list of criteria/);
    expect(error(rule('{ rule: r, verdicts: [v] }'))).toMatch(/rules\.r: rules depend on each other in a cycle \(r → r\)/);
    expect(error(rule('{ rule: 1999, verdicts: [v] }'))).toMatch(/names unknown rule "1999"/);
    expect(error(rule('{ sometimes: true }'))).toMatch(/when: must be a criterion/);
  });

  it('rules are found by id, alias or short name', () => {
    expect(selectRules(catalog, ['2022', '2023-10-17', '2026 review', 'hbm']).map((r) => r.id)).toEqual([
      '2022-10-07',
      '2023-10-17',
      '2026-01-15',
      '2024-12-02-hbm',
    ]);
    expect(() => selectRules(catalog, ['2030'])).toThrow(/unknown rule "2030"/);
    expect(() => classifyCatalog(catalog, { chips: ['h900'] })).toThrow(/unknown chip "h900"/);
  });
});

describe('docs/catalog.md', () => {
  it('holds the classification table the classifier produces now (LINKCAP_UPDATE_DOCS=1 rewrites it)', () => {
    const path = new URL('../../../docs/catalog.md', import.meta.url);
    const text = readFileSync(path, 'utf8');
    const start = '<!-- classification-table:start -->';
    const end = '<!-- classification-table:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const table = classificationMarkdown(catalog);
    if (process.env.LINKCAP_UPDATE_DOCS === '1') {
      writeFileSync(path, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
      return;
    }
    expect(text.slice(from + start.length, to).trim()).toBe(table);
  });
});
