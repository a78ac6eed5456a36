/**
 * `linkcap train`: one training configuration (step time and its breakdown, MFU/HFU, throughput, memory per
 * GPU, feasibility, time and cost to train N tokens), or with --best the fastest layouts of the model on the
 * cluster.
 */
import { predictTraining, searchLayouts, type SearchSpace } from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption, addEngineOption, parseEngine, resolveClusterOption } from '../util/cluster-option.js';
import { addCudaGraphOption, withCudaGraph } from '../util/cuda-graph.js';
import { addFrameworkOptions, frameworkFromOptions, profileFromOptions, type FrameworkOptions } from './train-framework.js';
import { InputError, UsageError } from '../util/errors.js';
import { formatNumber, printJson, renderTable } from '../util/output.js';
import { LIMITS, parseWholeNumber } from '../util/values.js';
import {
  addLayoutOptions,
  checkTrainingUsage,
  gib,
  layoutFromOptions,
  overlapFromOptions,
  parsePrice,
  parseTokens,
  percent,
  renderPrediction,
  shortLayout,
  type LayoutOptions,
} from './train-shared.js';

interface TrainOptions extends LayoutOptions, FrameworkOptions {
  model?: string;
  cluster?: string;
  gpus?: string;
  tokens?: string;
  price?: string;
  best?: boolean;
  top?: string;
  json?: boolean;
  catalog?: string[];
  engine: string;
  cudaGraph?: boolean;
}

function searchSpace(layout: ReturnType<typeof layoutFromOptions>): SearchSpace {
  const space: SearchSpace = {};
  if (layout.tp !== undefined) space.tp = [layout.tp];
  if (layout.pp !== undefined) space.pp = [layout.pp];
  if (layout.cp !== undefined) space.cp = [layout.cp];
  if (layout.ep !== undefined) space.ep = [layout.ep];
  if (layout.microbatch !== undefined) space.microbatch = [layout.microbatch];
  if (layout.interleave !== undefined) space.interleave = [layout.interleave];
  if (layout.recompute !== undefined) space.recompute = [layout.recompute];
  if (layout.zero !== undefined) space.zero = [layout.zero === 'fsdp' ? 3 : layout.zero];
  return space;
}

async function run(options: TrainOptions): Promise<void> {
  // The shape of the command line first (exit 2), then the values (exit 1).
  if (options.model === undefined) throw new UsageError('--model is required: a preset id (e.g. llama3-70b) or a YAML/JSON model file');
  if (options.gpus === undefined) throw new UsageError('--gpus is required (e.g. --gpus 1024)');
  checkTrainingUsage(options);
  if (options.best && options.dp !== undefined) throw new UsageError('--dp follows from --gpus and the other sizes; drop it with --best');
  if (!options.best && options.top !== undefined) throw new UsageError('--top needs --best');
  const gpus = parseWholeNumber(options.gpus, '--gpus', LIMITS.trainingGpus);
  const engine = parseEngine(options.engine);
  const layout = layoutFromOptions(options);
  const overlap = overlapFromOptions(options);
  const tokens = options.tokens !== undefined ? parseTokens(options.tokens) : undefined;
  const price = options.price !== undefined ? parsePrice(options.price) : undefined;
  const top = options.top !== undefined ? parseWholeNumber(options.top, '--top', LIMITS.top) : 5;
  const profile = profileFromOptions(options);
  const framework = frameworkFromOptions(options);
  const cluster = withCudaGraph(resolveClusterOption(options.cluster, options.catalog), options.cudaGraph);
  const label = `${cluster.id} (${cluster.name})`;

  if (!options.best) {
    const prediction = predictTraining({ model: options.model, cluster, gpus, layout, profile, overlap, framework, tokens, pricePerGpuHour: price, engine });
    if (options.json) printJson(prediction);
    else process.stdout.write(`${renderPrediction(prediction, label)}\n`);
    return;
  }

  const result = searchLayouts({
    model: options.model,
    cluster,
    gpus,
    globalBatch: layout.globalBatch,
    globalBatchTokens: layout.globalBatchTokens,
    space: searchSpace(layout),
    precision: layout.precision,
    commPrecision: layout.commPrecision,
    flashAttention: layout.flashAttention,
    sequenceParallel: layout.sequenceParallel,
    profile,
    overlap,
    framework,
    recomputeLayers: layout.recomputeLayers,
    offloadLayers: layout.offloadLayers,
    recomputeModules: layout.recomputeModules,
    fp8ActivationCache: layout.fp8ActivationCache,
    microbatchGroup: layout.microbatchGroup,
    top,
    tokens,
    pricePerGpuHour: price,
    engine,
  });
  if (result.noLayoutReason) {
    // Nothing could be priced: an error, not an empty table that reads like "nothing fits in memory".
    throw new InputError(`no layout of ${result.model} on ${gpus} GPUs of ${cluster.id} can be evaluated: ${result.noLayoutReason}`);
  }
  if (options.json) {
    printJson(result);
    return;
  }
  const first = result.best[0] ?? result.fastestInfeasible[0];
  const name = first ? first.model.name : result.model;
  process.stdout.write(
    `Best layouts of ${name} on ${gpus} GPUs of ${label}, global batch ${result.globalBatch} sequences, profile ${result.profile}\n` +
      `${result.evaluated} configurations evaluated: ${result.feasible} feasible, ${result.outOfMemory} out of memory, ${result.invalid} invalid for this model/cluster\n\n`,
  );
  const columns = [
    { header: '#' },
    { header: 'layout', align: 'left' as const },
    { header: 'step (s)' },
    { header: 'MFU' },
    { header: 'tok/s/GPU' },
    { header: 'mem GiB' },
    { header: 'bubble' },
    { header: 'exposed comm' },
  ];
  const rows = (list: typeof result.best) =>
    list.map((p, i) => [
      String(i + 1),
      shortLayout(p),
      formatNumber(p.stepS, 3),
      percent(p.mfu),
      formatNumber(p.tokensPerSPerGpu, 1),
      gib(p.memory.totalBytes),
      percent(p.breakdown.bubbleS / p.stepS),
      percent((p.breakdown.tpS + p.breakdown.cpS + p.breakdown.epS + p.breakdown.dpS + p.breakdown.ppS) / p.stepS),
    ]);
  if (result.best.length === 0) process.stdout.write('No layout fits in memory.\n');
  else process.stdout.write(`${renderTable(columns, rows(result.best))}\n`);
  if (result.fastestInfeasible.length > 0) {
    process.stdout.write(`\nFaster but infeasible (out of memory):\n${renderTable(columns, rows(result.fastestInfeasible))}\n`);
  }
  const best = result.best[0];
  if (best) process.stdout.write(`\nBest in detail:\n${renderPrediction(best, label)}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('train')
    .description('predict a training step (time breakdown, MFU, throughput, memory, cost) or search the best layouts (--best)')
    .option('--model <preset|file>', 'model preset id (llama3-70b, gpt3-175b, deepseek-v3, …) or a YAML/JSON model file')
    .option('--cluster <preset|file>', 'cluster preset id (see `linkcap clusters`) or a YAML/JSON cluster file')
    .option('--gpus <n>', 'GPUs of the job, 1 to 2^31');
  addLayoutOptions(command, true)
    .option('--best', 'search every valid layout and print the fastest')
    .option('--top <n>', 'layouts to print with --best, 1 to 1000 (default 5)');
  addCatalogOption(command);
  addEngineOption(command);
  addCudaGraphOption(command);
  addFrameworkOptions(command);
  command.action(run);
}

