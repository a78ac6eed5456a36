/**
 * `linkcap controls`: each chip's TPP, performance density, I/O and DRAM bandwidth with the arithmetic shown, and
 * its verdict under each export-control rule of the catalog with the criteria that tipped it.
 * `linkcap controls --what-if --io-cap 600 --tpp 4800`: which chips would a different line catch?
 */
import {
  classifyCatalog,
  evaluateWhatIf,
  formatGrouped,
  loadCatalog,
  selectRules,
  type Catalog,
  type ChipClassification,
  type MetricValue,
  type WhatIfReport,
  type WhatIfThresholds,
} from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption } from '../util/cluster-option.js';
import { UsageError } from '../util/errors.js';
import { printJson, renderTable } from '../util/output.js';
import { parseNumber } from '../util/values.js';

interface ControlsOptions {
  chip?: string[];
  rule?: string[];
  json?: boolean;
  brief?: boolean;
  catalog?: string[];
  whatIf?: boolean;
  ioCap?: string;
  tpp?: string;
  pd?: string;
  dramBw?: string;
  scaleUp?: string;
  any?: boolean;
  compare?: string;
}

const MARKS = 'Marks: * built on an unconfirmed figure, † built on a linkcap assumption, ? a figure the catalog lacks (verdicts that need it are "undetermined"), ≥ a lower bound.';

function metricCell(metric: MetricValue): string {
  if (metric.value === null) return '?';
  const marks = `${metric.unconfirmed ? '*' : ''}${metric.assumption ? '†' : ''}`;
  const prefix = metric.bound === 'lower' ? '≥' : '';
  return `${prefix}${formatGrouped(metric.value, 2)}${marks}`;
}

/** A what-if threshold: ≥ 0 and ≤ 10^9 (the 2022 line is 4,800 TPP and 600 GB/s; every real metric is far below 10^9). */
function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  return parseNumber(text, flag, { min: 0, max: 1e9 });
}

function ruleLegend(catalog: Catalog, rules: string[] | undefined): string[] {
  return selectRules(catalog, rules).map((rule) => `  ${rule.shortName}: ${rule.id}, ${rule.title} (${rule.citation})`);
}

function printClassification(catalog: Catalog, results: ChipClassification[], options: ControlsOptions): void {
  const rules = results[0]?.verdicts ?? [];
  const table = renderTable(
    [
      { header: 'chip', align: 'left' },
      { header: 'TPP' },
      { header: 'PD' },
      { header: 'I/O GB/s' },
      { header: 'DRAM GB/s' },
      ...rules.map((v) => ({ header: v.shortName, align: 'left' as const })),
    ],
    results.map((c) => [
      `${c.chip}${c.hypothetical ? ' (hyp.)' : ''}`,
      metricCell(c.metrics.tpp),
      metricCell(c.metrics.performanceDensity),
      metricCell(c.metrics.ioBidirGBps),
      metricCell(c.metrics.dramBandwidthGBps),
      ...c.verdicts.map((v) => v.verdict),
    ]),
  );
  const out = [table, '', MARKS, 'I/O = scale-up + PCIe, bidirectional (the 2022 rule counts both); TPP = dense TOPS × bits, best precision; PD = TPP / logic die mm².', '', 'Rules:', ...ruleLegend(catalog, options.rule)];
  if (!options.brief) {
    out.push('', 'Why (the criteria that tipped each verdict):');
    for (const c of results) {
      out.push('', `${c.chip}: ${c.name}${c.hypothetical ? ` (hypothetical${c.derivedFrom ? `, derived from ${c.derivedFrom}` : ''})` : ''}`);
      for (const metric of Object.values(c.metrics)) out.push(`  ${metric.arithmetic}`);
      for (const v of c.verdicts) out.push(`  ${v.shortName}: ${v.explanation}`);
    }
  } else {
    out.push('', 'Run without --brief (or with --chip ID) for the arithmetic and the criteria behind each verdict.');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function printWhatIf(report: WhatIfReport): void {
  const compared = report.compareTo;
  const table = renderTable(
    [
      { header: 'chip', align: 'left' },
      { header: 'what-if', align: 'left' },
      ...(compared ? [{ header: compared.shortName, align: 'left' as const }, { header: 'change', align: 'left' as const }] : []),
      { header: 'because', align: 'left' },
    ],
    report.rows.map((row) => [
      `${row.chip}${row.hypothetical ? ' (hyp.)' : ''}`,
      row.whatIf.verdict,
      ...(compared ? [row.compared?.verdict ?? '', row.change] : []),
      row.whatIf.reasons.join('; '),
    ]),
  );
  const total = report.rows.length;
  const out = [report.rule.title, '', table, '', `Caught: ${report.caught.length} of ${total} chips${report.caught.length ? `: ${report.caught.join(', ')}` : ''}.`];
  if (compared) {
    out.push(`Compared with ${compared.id} (${compared.citation}):`);
    out.push(`  newly caught: ${report.newlyCaught.length ? report.newlyCaught.join(', ') : 'none'}`);
    out.push(`  no longer caught: ${report.noLongerCaught.length ? report.noLongerCaught.join(', ') : 'none'}`);
  }
  out.push('', MARKS);
  process.stdout.write(`${out.join('\n')}\n`);
}

function run(options: ControlsOptions): void {
  // The shape of the command line first (exit 2), then the values (exit 1).
  const given = [options.ioCap, options.tpp, options.pd, options.dramBw, options.scaleUp].filter((value) => value !== undefined);
  if (!options.whatIf && (given.length > 0 || options.any || options.compare)) {
    throw new UsageError('--io-cap, --tpp, --pd, --dram-bw, --scale-up, --any and --compare describe a hypothetical line: add --what-if');
  }
  if (options.whatIf && given.length === 0) throw new UsageError('--what-if needs at least one threshold: --io-cap GB/s, --tpp N, --pd N, --dram-bw GB/s or --scale-up GB/s');
  if (options.whatIf && options.rule) throw new UsageError('--rule does not apply with --what-if; use --compare RULE to put the line beside an existing rule');
  const thresholds: WhatIfThresholds = {
    ioBidirGBps: number(options.ioCap, '--io-cap'),
    tpp: number(options.tpp, '--tpp'),
    performanceDensity: number(options.pd, '--pd'),
    dramBandwidthGBps: number(options.dramBw, '--dram-bw'),
    scaleUpBidirGBps: number(options.scaleUp, '--scale-up'),
    combine: options.any ? 'any' : 'all',
  };
  const catalog = loadCatalog({ files: options.catalog });
  if (!options.whatIf) {
    const results = classifyCatalog(catalog, { chips: options.chip, rules: options.rule });
    if (options.json) printJson(results);
    else printClassification(catalog, results, options);
    return;
  }
  const compareTo =
    options.compare === 'none' ? undefined : (options.compare ?? (thresholds.ioBidirGBps !== undefined || thresholds.scaleUpBidirGBps !== undefined ? '2022-10-07' : '2023-10-17'));
  const report = evaluateWhatIf(catalog, thresholds, { chips: options.chip, compareTo });
  if (options.json) printJson(report);
  else printWhatIf(report);
}

export function register(program: Command): void {
  const command = program
    .command('controls')
    .description('export-control classification of every chip (TPP, performance density, I/O) with the criteria behind each verdict')
    .option('--chip <ids...>', 'only these chips (ids or aliases)')
    .option('--rule <ids...>', 'only these rules (ids, aliases or short names: 2022, 2023, 2024, 2025, 2026)')
    .option('--brief', 'the table only, without the arithmetic and reasons')
    .option('--json', 'machine-readable: metrics with arithmetic, verdicts with reasons')
    .option('--what-if', 'evaluate a hypothetical line instead: which chips would it catch?')
    .option('--io-cap <GB/s>', 'what-if (thresholds: ≥ 0 and ≤ 10^9): caught when I/O (scale-up + PCIe, bidirectional) ≥ this (2022: 600)')
    .option('--tpp <n>', 'what-if: caught when TPP ≥ this (2022/2023: 4800)')
    .option('--pd <n>', 'what-if: caught when performance density ≥ this (3A090.a: 5.92)')
    .option('--dram-bw <GB/s>', 'what-if: caught when DRAM bandwidth ≥ this')
    .option('--scale-up <GB/s>', 'what-if: caught when scale-up bandwidth (bidirectional) ≥ this')
    .option('--any', 'what-if: one threshold is enough (default: all must be met, like the 2022 rule)')
    .option('--compare <rule>', 'what-if: the rule to compare with (default 2022-10-07 with --io-cap/--scale-up, else 2023-10-17; "none" to skip)');
  addCatalogOption(command);
  command.action((options: ControlsOptions) => run(options));
}
