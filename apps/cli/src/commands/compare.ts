/**
 * `linkcap compare`: the best layout of a model on each cluster, the first cluster's best layout carried to
 * the others unchanged, and the slowdown of each against the first.
 */
import { compareClusters } from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption, addEngineOption, parseEngine, resolveClusterOption } from '../util/cluster-option.js';
import { InputError, UsageError } from '../util/errors.js';
import { formatNumber, printJson, renderTable } from '../util/output.js';
import { LIMITS, parseChoice, parseCount, parseWholeNumber } from '../util/values.js';
import { checkTrainingUsage, formatDuration, humanCount, parsePrice, parseTokens, percent, shortLayout } from './train-shared.js';
import { addFrameworkOptions, frameworkFromOptions, profileFromOptions, type FrameworkOptions } from './train-framework.js';

interface CompareOptions extends FrameworkOptions {
  clusters?: string;
  model?: string;
  gpus?: string;
  globalBatch?: string;
  batchTokens?: string;
  precision?: string;
  tokens?: string;
  price?: string;
  json?: boolean;
  catalog?: string[];
  engine: string;
}

function times(x: number): string {
  return Number.isFinite(x) ? `${formatNumber(x, 3)}×` : '-';
}

async function run(options: CompareOptions): Promise<void> {
  // The shape of the command line first (exit 2), then the values (exit 1).
  if (options.clusters === undefined) throw new UsageError('--clusters is required: two or more cluster ids separated by commas (the first is the baseline)');
  if (options.model === undefined) throw new UsageError('--model is required: a preset id or a YAML/JSON model file');
  if (options.gpus === undefined) throw new UsageError('--gpus is required (e.g. --gpus 1024)');
  checkTrainingUsage(options);
  const refs = options.clusters.split(',').map((s) => s.trim()).filter(Boolean);
  if (refs.length < 2) throw new InputError(`--clusters: give at least two clusters separated by commas, e.g. dgx-h100,hgx-h800 (got "${options.clusters}")`);
  const gpus = parseWholeNumber(options.gpus, '--gpus', LIMITS.trainingGpus);
  const globalBatch = options.globalBatch !== undefined ? parseWholeNumber(options.globalBatch, '--global-batch', LIMITS.globalBatch) : undefined;
  const globalBatchTokens = options.batchTokens !== undefined ? parseCount(options.batchTokens, '--batch-tokens', LIMITS.batchTokens, 'tokens') : undefined;
  const tokens = options.tokens !== undefined ? parseTokens(options.tokens) : undefined;
  const price = options.price !== undefined ? parsePrice(options.price) : undefined;
  const precision = options.precision !== undefined ? parseChoice('--precision', options.precision, ['bf16', 'fp8'] as const) : undefined;
  const clusters = refs.map((ref) => resolveClusterOption(ref, options.catalog));
  const result = compareClusters({
    model: options.model,
    clusters,
    gpus,
    globalBatch,
    globalBatchTokens,
    precision,
    profile: profileFromOptions(options),
    framework: frameworkFromOptions(options),
    tokens,
    pricePerGpuHour: price,
    engine: parseEngine(options.engine),
  });
  const unpriced = result.clusters.filter((c) => c.noLayoutReason);
  if (unpriced.length === result.clusters.length) {
    // Nothing could be priced anywhere: an error, not a table of "no layout fits".
    throw new InputError(`no layout of ${result.model} on ${gpus} GPUs can be evaluated on ${unpriced[0].cluster}: ${unpriced[0].noLayoutReason}`);
  }
  if (options.json) {
    printJson(result);
    return;
  }
  const name = result.clusters.find((c) => c.best)?.best?.model.name ?? result.model;
  process.stdout.write(`${name} on ${gpus} GPUs, global batch ${result.globalBatch} sequences; baseline ${result.baseline}; profile ${result.profile}\n\n`);
  process.stdout.write('Each cluster with its own best layout:\n');
  process.stdout.write(
    `${renderTable(
      [
        { header: 'cluster', align: 'left' },
        { header: 'best layout', align: 'left' },
        { header: 'step (s)' },
        { header: 'MFU' },
        { header: 'tok/s/GPU' },
        { header: 'slowdown' },
        ...(tokens !== undefined ? [{ header: `time for ${humanCount(tokens)}` }] : []),
      ],
      result.clusters.map((c) => [
        c.cluster,
        c.best ? shortLayout(c.best) : c.noLayoutReason ? 'no valid layout (see below)' : 'no layout fits in memory',
        c.best ? formatNumber(c.best.stepS, 3) : '-',
        c.best ? percent(c.best.mfu) : '-',
        c.best ? formatNumber(c.best.tokensPerSPerGpu, 1) : '-',
        times(c.slowdownBest),
        ...(tokens !== undefined ? [c.best?.training ? formatDuration(c.best.training.timeS) : '-'] : []),
      ]),
    )}\n\n`,
  );
  const base = result.clusters[0].best;
  process.stdout.write(`The baseline's best layout (${base ? shortLayout(base) : 'none'}) on every cluster:\n`);
  process.stdout.write(
    `${renderTable(
      [
        { header: 'cluster', align: 'left' },
        { header: 'step (s)' },
        { header: 'MFU' },
        { header: 'exposed comm' },
        { header: 'feasible', align: 'left' },
        { header: 'slowdown' },
      ],
      result.clusters.map((c) => {
        const p = c.sameLayout;
        if (!p) return [c.cluster, '-', '-', '-', c.sameLayoutError ?? '-', '-'];
        const b = p.breakdown;
        return [
          c.cluster,
          formatNumber(p.stepS, 3),
          percent(p.mfu),
          percent((b.tpS + b.cpS + b.epS + b.dpS + b.ppS) / p.stepS),
          p.feasible ? 'yes' : p.status,
          times(c.slowdownSameLayout),
        ];
      }),
    )}\n`,
  );
  for (const c of unpriced) process.stdout.write(`\n${c.cluster}: no layout can be evaluated: ${c.noLayoutReason}\n`);
  process.stdout.write(
    '\nslowdown = step time ÷ the baseline’s best step time (same global batch, so also the ratio of training time).\n' +
      'The gap between the two tables is what re-tuning the layout wins back on each cluster.\n',
  );
}

export function register(program: Command): void {
  const command = program
    .command('compare')
    .description('compare clusters on one model: best layout per cluster, the same layout everywhere, and the slowdown')
    .option('--clusters <ids>', 'two or more cluster ids, comma-separated; the first is the baseline (e.g. dgx-h100,hgx-h800)')
    .option('--model <preset|file>', 'model preset id or a YAML/JSON model file')
    .option('--gpus <n>', 'GPUs of the job, 1 to 2^31')
    .option('--global-batch <n>', 'sequences per step (default: the model’s batch, else 4M tokens)')
    .option('--batch-tokens <count>', 'tokens per step instead of --global-batch (e.g. 4M)')
    .option('--precision <p>', 'GEMM precision: bf16 (default) or fp8')
    .option('--tokens <count>', 'tokens to train, 1 to 10^18 (15T, 300B): adds the training time')
    .option('--price <dollars>', 'US$ per GPU-hour, > 0 and ≤ 10,000')
    .option('--json', 'machine-readable output');
  addFrameworkOptions(command);
  addCatalogOption(command);
  addEngineOption(command);
  command.action(run);
}
