/**
 * `linkcap calibrate LOG… --base PRESET --name NAME`: fits a cluster to its nccl-tests logs and writes it to the
 * user catalog, where every command then finds it (`--cluster NAME`). Parsing and fitting are
 * @linkcap/core's calibrateCluster; this file reads the logs, prints the fit and writes the entry.
 *
 * Nothing is written unless every log parses and the fit completes; the catalog file is rewritten atomically
 * under its lock (writeCatalogEntries).
 */
import { relative } from 'node:path';
import {
  calibrateCluster,
  findClusterSpec,
  loadCatalog,
  readTextFile,
  resolveCluster,
  writeCatalogEntries,
  type CalibrateResult,
  type FittedParameter,
  type ResolvedCluster,
} from '@linkcap/core';
import type { Command } from 'commander';
import { catalogTargetFile } from '../util/catalog-target.js';
import { addCatalogOption } from '../util/cluster-option.js';
import { InputError, UsageError } from '../util/errors.js';
import { parseOp } from '../util/op-names.js';
import { formatNumber, printJson, renderTable } from '../util/output.js';
import { formatBytesHuman } from '../util/units.js';

interface CalibrateOptions {
  base?: string;
  name?: string;
  file?: string;
  op?: string;
  skipWrong?: boolean;
  dryRun?: boolean;
  force?: boolean;
  date?: string;
  json?: boolean;
  catalog?: string[];
}

/** Logs larger than this are not nccl-tests output (a full 8 B–16 GiB sweep with NCCL_DEBUG=INFO is a few MB). */
const MAX_LOG_BYTES = 64 * 1024 * 1024;

function readLog(path: string): { file: string; text: string } {
  return { file: path, text: readTextFile(path, { what: 'nccl-tests log', maxBytes: MAX_LOG_BYTES }) };
}

function show(value: number): string {
  return formatNumber(value, Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 3 : 4);
}

function parameterTable(parameters: FittedParameter[]): string {
  return renderTable(
    [
      { header: 'parameter', align: 'left' },
      { header: 'base' },
      { header: 'fitted' },
      { header: '95% interval' },
      { header: 'unit', align: 'left' },
      { header: 'note', align: 'left' },
    ],
    parameters.map((p) => [
      p.parameter,
      show(p.base),
      p.fitted ? show(p.value) : '-',
      p.fitted ? `${show(p.low)} – ${show(p.high)}` : '-',
      p.unit,
      p.note ?? '',
    ]),
  );
}

function runTable(result: CalibrateResult): string {
  return renderTable(
    [
      { header: 'log', align: 'left' },
      { header: 'test', align: 'left' },
      { header: 'ranks' },
      { header: 'nodes × GPUs' },
      { header: 'rows' },
      { header: 'GPU', align: 'left' },
      { header: 'graph', align: 'left' },
    ],
    result.runs.map((run) => [
      `${run.file}:${run.line}`,
      `${run.op}${run.opFrom === 'test-name' ? '' : ` (from ${run.opFrom})`}`,
      String(run.ranks.length),
      `${run.nodes} × ${run.gpusPerNode}`,
      String(run.rows.length),
      run.gpu,
      run.cudaGraph ? 'yes' : 'no',
    ]),
  );
}

function residualTable(result: CalibrateResult): string {
  return renderTable(
    [
      { header: 'log:line', align: 'left' },
      { header: 'op', align: 'left' },
      { header: 'GPUs' },
      { header: 'size' },
      { header: 'measured us' },
      { header: 'model us' },
      { header: 'busbw measured' },
      { header: 'busbw model' },
      { header: 'model/measured' },
      { header: 'algorithm', align: 'left' },
    ],
    result.fit.residuals.map((r) => [
      `${r.file.split(/[\\/]/).pop()}:${r.line}`,
      r.op,
      r.nodes > 1 ? `${r.nodes}×${r.gpus / r.nodes}` : String(r.gpus),
      formatBytesHuman(r.bytes),
      formatNumber(r.measuredUs, 2),
      formatNumber(r.modelUs, 2),
      formatNumber(r.measuredBusbwGBps, 2),
      formatNumber(r.modelBusbwGBps, 2),
      `${formatNumber(r.ratio, 3)}${Math.abs(r.ratio - 1) > 0.2 ? ' *' : ''}`,
      r.algorithm,
    ]),
  );
}

async function run(logPaths: string[], options: CalibrateOptions): Promise<void> {
  if (logPaths.length === 0) throw new UsageError('give one or more nccl-tests logs: linkcap calibrate LOG… --base PRESET --name NAME');
  if (!options.base) throw new UsageError('--base is required: the preset the fit starts from and falls back on (e.g. --base dgx-h100)');
  if (!options.name) throw new UsageError('--name is required: the id of the fitted cluster (e.g. --name my-cluster)');
  if (options.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new UsageError(`--date: "${options.date}" must be YYYY-MM-DD`);
  const op = options.op === undefined ? undefined : parseOp(options.op);
  const name = options.name.toLowerCase();

  const target = catalogTargetFile(options.file);
  const files = [...(options.catalog ?? [])];
  if (!target.autoLoaded && target.exists) files.push(target.path);
  const catalog = loadCatalog({ files });
  const base: ResolvedCluster = resolveCluster(options.base, catalog);
  if (findClusterSpec(catalog, name) && !options.force) {
    throw new InputError(`--name: cluster "${name}" already exists in the catalog; choose another --name, or --force to replace a user entry`);
  }
  if (findClusterSpec(catalog, name) && catalog.origins.get(`clusters.${name}`) === 'builtin') {
    throw new InputError(`--name: "${name}" is a built-in preset; choose another --name`);
  }
  if (name === base.id) throw new InputError(`--name: "${name}" is the base cluster itself; choose another --name`);

  const logs = logPaths.map(readLog);
  const result = calibrateCluster({ logs, base, name, date: options.date, op, skipWrong: options.skipWrong });

  // writeCatalogEntries: the file's lock held while it is re-read, merged and validated; a temporary file renamed
  // over it; symbolic links written through; read-only files refused; the mode kept.
  let written: { created: boolean } | undefined;
  if (!options.dryRun) written = await writeCatalogEntries(target.path, { clusters: { [name]: result.entry } }, { replace: options.force ?? false });
  const shownFile = relative(process.cwd(), target.path) || target.path;

  if (options.json) {
    printJson({
      name,
      base: base.id,
      runs: result.runs.map((r) => ({ file: r.file, line: r.line, op: r.op, opFrom: r.opFrom, ranks: r.ranks.length, nodes: r.nodes, gpusPerNode: r.gpusPerNode, gpu: r.gpu, cudaGraph: r.cudaGraph, rows: r.rows.length })),
      observations: result.fit.observations,
      rmsLogBefore: result.fit.rmsLogBefore,
      rmsLogAfter: result.fit.rmsLogAfter,
      parameters: result.fit.parameters,
      params: result.fit.params,
      residuals: result.fit.residuals,
      warnings: result.warnings,
      entry: result.entry,
      written: written ? { file: target.path, created: written.created } : null,
    });
    return;
  }
  const out: string[] = [];
  out.push(`Read ${logs.length} log${logs.length === 1 ? '' : 's'}: ${result.runs.length} run${result.runs.length === 1 ? '' : 's'}`);
  out.push(runTable(result), '');
  out.push(
    `Fitted ${name} from ${base.id}: ${result.fit.observations} timings (out-of-place and in-place); rms |ln(model/measured)| ${formatNumber(result.fit.rmsLogBefore, 3)} with ${base.id} → ${formatNumber(result.fit.rmsLogAfter, 3)} fitted`,
  );
  out.push(parameterTable(result.fit.parameters), '');
  out.push('Residuals per op and size (out-of-place time; busbw in decimal GB/s; * = off by more than 20%):');
  out.push(residualTable(result), '');
  if (result.warnings.length > 0) {
    out.push(`Warnings (${result.warnings.length}):`);
    for (const w of result.warnings) out.push(`  - ${w}`);
    out.push('');
  }
  if (written) {
    out.push(`Wrote cluster ${name} to ${shownFile}${written.created ? ' (created)' : ''}${target.autoLoaded ? '' : ` (pass --catalog ${shownFile} to use it)`}.`);
    out.push(`Use it like any preset: linkcap collective all-reduce --cluster ${name} --gpus ${result.runs[0].ranks.length} --sweep-bytes 8B:8GiB`);
  } else {
    out.push(`Dry run: nothing written (would write cluster ${name} to ${shownFile}).`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('calibrate')
    .description('fit a cluster to its nccl-tests logs and save it to the user catalog')
    .argument('<logs...>', 'nccl-tests output files (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf, sendrecv_perf, …; one node and several)')
    .option('--base <preset|file>', 'the cluster the fit starts from and keeps for what the logs do not show (e.g. dgx-h100)')
    .option('--name <id>', 'id of the fitted cluster, then usable as --cluster <id>')
    .option('--file <path>', 'user catalog file to write (default ./linkcap.catalog.yaml, read automatically by every command)')
    .option('--op <op>', 'the test of logs that do not name it (no "Collective test starting" line, file not named after the test)')
    .option('--skip-wrong', 'drop rows that report #wrong elements (and out-of-bounds runs) instead of failing')
    .option('--force', 'replace a user cluster of the same name')
    .option('--dry-run', 'fit and print, write nothing')
    .option('--date <YYYY-MM-DD>', 'date recorded with the fitted figures (default today)')
    .option('--json', 'machine-readable output');
  addCatalogOption(command);
  command.action(run);
}
