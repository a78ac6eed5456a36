/**
 * `linkcap sweep SPEC`: runs a declarative sweep (docs/sweeps.md) in the native engine and writes its result
 * directory (docs/design/sweep-results.md). Before running it prints the point count and an estimate of time
 * and output size, and refuses above --max-points unless --yes. Ctrl-C stops the workers within a chunk, writes
 * what was done marked incomplete and exits 130; a second Ctrl-C exits at once.
 */
import { basename, extname, join, resolve } from 'node:path';
import {
  buildSweepPlan,
  readTextFile,
  createSweepEngine,
  parseSweepSpec,
  specBaseDir,
  sweep,
  writeSweepResults,
  type ShardOption,
  type SweepPlan,
  type TableFormat,
} from '@linkcap/core';
import type { Command } from 'commander';
import { InputError, UsageError } from '../util/errors.js';
import { parseWholeNumber } from '../util/values.js';
import { emitJsonl, formatCount, formatSeconds, ProgressReporter, progressMode } from '../util/progress.js';
import { printReductionPreviews } from './sweep-preview.js';

interface SweepCommandOptions {
  out?: string;
  format?: string;
  shard?: string;
  yes?: boolean;
  maxPoints: string;
  dryRun?: boolean;
  quiet?: boolean;
  jsonl?: boolean;
  threads: string;
  overwrite?: boolean;
  catalog?: string[];
}

const EXIT_INTERRUPTED = 130;
const DEFAULT_MAX_POINTS = 100_000_000;

function parseWhole(flag: string, text: string, min: number, max = 2 ** 53): number {
  return parseWholeNumber(text, flag, { min, max });
}

/**
 * --shard K/N, or the array index of the scheduler: SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) of
 * SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX (Kubernetes Indexed Job) of --shard N / LINKCAP_SHARD_COUNT.
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ShardOption | undefined {
  if (flag !== undefined && flag.includes('/')) {
    const match = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!match) throw new InputError(`--shard: "${flag}" must be K/N (shard K of N, from 0), e.g. 3/16`);
    const index = Number(match[1]);
    const count = Number(match[2]);
    if (!(count >= 1 && count <= 1_000_000 && index < count)) throw new InputError(`--shard: "${flag}": N must be from 1 to 1000000 and K from 0 to N-1`);
    return { index, count };
  }
  const explicitCount = flag !== undefined ? parseWhole('--shard', flag, 1) : undefined;
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_ID !== '') {
    const id = parseWhole('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID, 0);
    const min = env.SLURM_ARRAY_TASK_MIN ? parseWhole('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN, 0) : 0;
    const count = explicitCount ?? (env.SLURM_ARRAY_TASK_COUNT ? parseWhole('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT, 1) : undefined);
    if (count === undefined) throw new UsageError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard N');
    const index = id - min;
    if (index < 0 || index >= count) throw new InputError(`SLURM array task ${id} (min ${min}) is outside ${count} shards; run the array as --array=0-${count - 1}`);
    return { index, count };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') {
    const index = parseWhole('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX, 0);
    const count = explicitCount ?? (env.LINKCAP_SHARD_COUNT ? parseWhole('LINKCAP_SHARD_COUNT', env.LINKCAP_SHARD_COUNT, 1) : undefined);
    if (count === undefined) throw new UsageError('JOB_COMPLETION_INDEX is set: pass --shard N (the Job\'s completions) or set LINKCAP_SHARD_COUNT');
    if (index >= count) throw new InputError(`JOB_COMPLETION_INDEX ${index} is outside ${count} shards`);
    return { index, count };
  }
  if (explicitCount !== undefined) throw new UsageError('--shard N needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment; otherwise pass --shard K/N');
  return undefined;
}

function bytesPerRow(plan: SweepPlan): number {
  // Parquet, uncompressed: 8 per double, 4 per int, ~1 per dictionary-coded string (a few distinct values).
  return plan.columns.reduce((sum, c) => sum + (c.type === 'float' ? 8 : c.type === 'string' ? 1 : c.type === 'status' ? 1 : 4), 0);
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 1 : 0)} ${units[u]}`;
}

/** Evaluates a small slice on a throwaway engine: points per second for the estimate. */
function measureRate(plan: SweepPlan, begin: number, end: number, threads: number): number {
  const engine = createSweepEngine(plan.native);
  const outer = Math.max(1, Math.min(end - begin, plan.kind === 'collective' ? 200_000 : 64));
  const stop = engine.windowEnd(begin, begin + outer, plan.kind === 'collective' ? outer : 20_000);
  const start = performance.now();
  const w = engine.runWindow(begin, stop, null, threads);
  const seconds = (performance.now() - start) / 1000;
  return Math.max(1, w.evaluated) / Math.max(seconds, 1e-6);
}

function describeAxes(plan: SweepPlan): string {
  const lines = plan.axes.map((a) => {
    const values = a.labels ?? [...a.values].map((v) => (a.type === 'bool' ? String(v === 1) : String(Number(v.toPrecision(12)))));
    const shown = values.length > 10 ? [...values.slice(0, 4), '…', ...values.slice(-3)] : values;
    return `  ${a.name.padEnd(16)} ${String(values.length).padStart(7)}  ${shown.join(', ')}${a.unit ? `   (${a.unit})` : ''}`;
  });
  return [`  ${'axis'.padEnd(16)} ${'values'.padStart(7)}`, ...lines].join('\n');
}

async function run(specPath: string, options: SweepCommandOptions): Promise<void> {
  const file = resolve(specPath);
  const text = readTextFile(specPath, { what: 'sweep spec' });
  const { spec, source } = parseSweepSpec(text, specPath);
  const plan = buildSweepPlan(spec, { baseDir: specBaseDir(file), catalog: options.catalog, source });
  const format = (options.format ?? plan.format) as TableFormat;
  if (!['parquet', 'csv', 'jsonl', 'arrow'].includes(format)) throw new InputError(`--format: "${options.format}" must be parquet, csv, jsonl or arrow`);
  const threads = parseWhole('--threads', options.threads, 0, 1024);
  const maxPoints = parseWhole('--max-points', options.maxPoints, 1);
  const shard = resolveShard(options.shard);
  const name = spec.name ?? basename(file, extname(file));
  const baseOut = options.out ?? (spec.output?.dir ? resolve(specBaseDir(file), spec.output.dir) : `${name}.sweep`);
  const out = shard ? join(baseOut, `shard-${String(shard.index).padStart(4, '0')}-of-${String(shard.count).padStart(4, '0')}`) : baseOut;
  const mode = progressMode(options);
  const say = (line: string) => {
    if (mode !== 'quiet' && mode !== 'jsonl') process.stderr.write(`${line}\n`);
  };

  const controller = new AbortController();
  const runner = sweep(plan, { signal: controller.signal, threads, shard });
  const { begin, end } = runner.range;
  // Exact when it is cheap: no filter, an unsharded run (the engine counts the combinations of the axes `where`
  // reads), or a shard of at most 5e8 outer points; else an upper bound.
  const exact = !plan.hasFilter || !shard || end - begin <= 5e8;
  const total = exact ? runner.countPoints() : (end - begin) * runner.engine.layoutsPerOuter();
  const rate = total > 0 ? measureRate(plan, begin, end, threads) : 1;
  const etaS = total / rate;
  const rowsOut = plan.rows === 'all' ? total : plan.rows === 'none' ? 0 : Math.min(total, plan.rows.sample);
  const size = rowsOut * bytesPerRow(plan);
  const shardText = shard ? ` (shard ${shard.index} of ${shard.count}: outer points ${begin}–${end - 1} of ${runner.engine.outerCount()})` : '';
  say(`linkcap sweep ${name}: ${exact ? '' : 'at most '}${total.toLocaleString('en-US')} ${plan.kind} points${shardText}`);
  say(`  estimate: ${formatSeconds(etaS)} at ${formatCount(rate)} points/s; rows: ${plan.rows === 'all' ? 'all' : plan.rows === 'none' ? 'none' : `sample of ${rowsOut}`} (~${formatBytes(size)} ${format}); ${plan.reductions.filter((r) => r.kind !== 'sample').length} reductions`);
  if (mode === 'jsonl') emitJsonl({ event: 'plan', name, kind: plan.kind, points: total, exact, estimateS: etaS, ratePerS: rate, outputBytes: size, shard: shard ?? null, out });

  if (options.dryRun) {
    process.stdout.write(`${name} (${plan.kind}): ${total.toLocaleString('en-US')} points${exact ? '' : ' at most (before where)'} from ${runner.engine.outerCount().toLocaleString('en-US')} axis combinations${runner.engine.layoutsPerOuter() > 1 ? ` × up to ${runner.engine.layoutsPerOuter()} layouts` : ''}\n`);
    process.stdout.write(`${describeAxes(plan)}\n`);
    if (spec.where) process.stdout.write(`  where: ${(Array.isArray(spec.where) ? spec.where : [spec.where]).join(' && ')}\n`);
    process.stdout.write(`  metrics: ${plan.metrics.map((m) => m.name).join(', ')}\n`);
    for (const r of plan.reductions) if (r.kind !== 'sample') process.stdout.write(`  reduce ${r.name}: ${r.kind}${r.metric ? ` of ${r.metric}` : ''}${r.metrics ? ` of ${r.metrics.join(' × ')}` : ''}${r.by.length ? ` by ${r.by.join(', ')}` : ''}${r.pair ? ` (${r.pair.numerator} / ${r.pair.denominator})` : ''}\n`);
    process.stdout.write(`  output: ${out} (${format}); estimate ${formatSeconds(etaS)}, ~${formatBytes(size)}\n`);
    return;
  }
  if (total > maxPoints && !options.yes) {
    throw new UsageError(`${total.toLocaleString('en-US')} points is more than --max-points ${maxPoints.toLocaleString('en-US')} (estimate ${formatSeconds(etaS)}, ~${formatBytes(size)}); pass --yes or a larger --max-points to run it`);
  }

  // Ctrl-C (or SIGTERM, as scancel and Kubernetes send): the first stops the workers and writes what was done;
  // the second exits at once. The exit code is 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
  let interrupts = 0;
  let exitCode = EXIT_INTERRUPTED;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    exitCode = signal === 'SIGTERM' ? 143 : EXIT_INTERRUPTED;
    if (interrupts === 1) {
      say(`\nlinkcap sweep: stopping (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once); writing what was done…`);
      controller.abort();
    } else {
      process.exit(exitCode);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reporter = new ProgressReporter(mode, `linkcap sweep ${name}`);
  const started = performance.now();
  let written;
  try {
    const runWithProgress = sweep(plan, {
      signal: controller.signal,
      threads,
      shard,
      onProgress: (p) => {
        const elapsed = (performance.now() - started) / 1000;
        const points = p.fraction * total;
        const speed = points / Math.max(elapsed, 1e-3);
        reporter.update({ fraction: p.fraction, points, total, rate: speed, etaS: (total - points) / Math.max(speed, 1) });
      },
    });
    written = await writeSweepResults(runWithProgress, { dir: out, format, overwrite: options.overwrite, shard, total });
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { manifest, result } = written;
  const seconds = (performance.now() - started) / 1000;
  if (mode === 'jsonl') {
    emitJsonl({ event: 'done', complete: manifest.complete, points: manifest.points, seconds, out, files: manifest.files });
  } else if (mode !== 'quiet') {
    process.stderr.write(
      `${manifest.complete ? 'done' : 'stopped early (incomplete)'}: ${result.points.evaluated.toLocaleString('en-US')} points (${result.points.ok.toLocaleString('en-US')} ok) in ${formatSeconds(seconds)}, ${formatCount(result.points.evaluated / Math.max(seconds, 1e-6))} points/s\n`,
    );
    process.stderr.write(`results: ${out}/ (manifest.json${manifest.files.rows ? `, ${manifest.files.rows} ${manifest.files.rowCount.toLocaleString('en-US')} rows` : ''}${manifest.files.reductions.map((r) => `, ${r.file}`).join('')})\n`);
    printReductionPreviews(result.reductions);
  }
  if (!manifest.complete && controller.signal.aborted) process.exitCode = exitCode;
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('run a declarative sweep (YAML/JSON spec: axes, where, metrics, reduce) in the native engine; writes Parquet (docs/sweeps.md)')
    .argument('<spec>', 'sweep spec file (YAML or JSON; schema: @linkcap/core/schema/sweep.schema.json)')
    .option('-o, --out <dir>', 'result directory (default: output.dir of the spec, else <name>.sweep)')
    .option('--format <format>', 'parquet (default), csv, jsonl or arrow')
    .option('--shard <K/N|N>', 'evaluate shard K of N (from 0); N alone takes K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (read automatically when set)')
    .option('--yes', 'run even when the point count is above --max-points')
    .option('--max-points <n>', 'refuse larger sweeps without --yes', String(DEFAULT_MAX_POINTS))
    .option('--dry-run', 'print the expanded axes, point count and estimates; run nothing')
    .option('--quiet', 'no progress or summary')
    .option('--jsonl', 'JSON Lines events (plan, progress, done) on stdout for programs')
    .option('--threads <n>', 'engine threads (0 = every core)', '0')
    .option('--overwrite', 'replace an existing result directory (only the files its manifest lists)')
    .option('--catalog <files...>', 'extra catalog files (YAML/JSON) with chips and clusters')
    .action(run);
}
