/**
 * `linkcap collective <op>`: one prediction, the per-candidate table, or an nccl-tests-style size sweep
 * that can be put beside a measured nccl-tests log.
 */
import {
  ALGORITHMS,
  PROTOCOLS,
  collectiveCandidates,
  predictCollectiveSizes,
  type CollectivePrediction,
  type ResolvedCluster,
} from '@linkcap/core';
import type { Command } from 'commander';
import { addCatalogOption, addEngineOption, parseEngine, resolveClusterOption } from '../util/cluster-option.js';
import { addCudaGraphOption, withCudaGraph } from '../util/cuda-graph.js';
import { dtypeBytes } from '../util/dtypes.js';
import { UsageError } from '../util/errors.js';
import { ncclTestsRedop, ncclTestsRoot, parseOp } from '../util/op-names.js';
import { formatNumber, printJson, renderTable } from '../util/output.js';
import { formatBytesHuman } from '../util/units.js';
import { LIMITS, parseBytes, parseChoice, parseSizeRange, parseWholeNumber } from '../util/values.js';

interface CollectiveOptions {
  cluster?: string;
  gpus?: string;
  bytes?: string;
  sweepBytes?: string;
  algo: string;
  proto: string;
  dtype: string;
  candidates?: boolean;
  json?: boolean;
  catalog?: string[];
  engine?: string;
  cudaGraph?: boolean;
}

function describeCluster(cluster: ResolvedCluster, prediction: CollectivePrediction): string {
  const shape = prediction.domains === 1 ? `1 domain of ${prediction.gpusPerDomain}` : `${prediction.domains} domains of ${prediction.gpusPerDomain}`;
  return `${prediction.gpus} GPUs of ${cluster.id} (${cluster.name}; ${shape})`;
}

function printSingle(cluster: ResolvedCluster, p: CollectivePrediction, algoChoice: string): void {
  const how = algoChoice === 'auto' ? 'auto: fastest of NCCL’s algorithms' : algoChoice === 'best' ? 'best: fastest of every modelled algorithm' : 'forced';
  const lines = [
    `${p.op} of ${formatBytesHuman(p.bytes)} (${p.bytes} B) on ${describeCluster(cluster, p)}`,
    `  time           ${formatNumber(p.timeS * 1e6, 2)} µs`,
    `  algbw          ${formatNumber(p.algbwGBps, 2)} GB/s   busbw ${formatNumber(p.busbwGBps, 2)} GB/s   (nccl-tests conventions; decimal GB/s)`,
    `  algorithm      ${p.algorithm} / ${p.protocol}   (${how})`,
    `  bytes per GPU  scale-up ${formatBytesHuman(p.scaleUpBytesPerGpu)}, scale-out ${formatBytesHuman(p.scaleOutBytesPerGpu)} (sent, per direction)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printCandidates(options: CollectiveOptions, op: ReturnType<typeof parseOp>, bytes: number, gpus: number, cluster: ResolvedCluster): void {
  const rows = collectiveCandidates({ op, bytes, gpus, cluster, engine: parseEngine(options.engine) });
  if (options.json) {
    printJson({ op, bytes, gpus, cluster: cluster.id, candidates: rows });
    return;
  }
  process.stdout.write(`${op} of ${formatBytesHuman(bytes)} on ${gpus} GPUs of ${cluster.id}: every algorithm/protocol\n`);
  const table = renderTable(
    [
      { header: 'algorithm', align: 'left' },
      { header: 'protocol', align: 'left' },
      { header: 'time (us)' },
      { header: 'algbw (GB/s)' },
      { header: 'busbw (GB/s)' },
      { header: 'note', align: 'left' },
    ],
    rows.map((row) => [
      row.algorithm,
      row.protocol,
      row.eligible ? formatNumber(row.timeS * 1e6, 2) : '-',
      row.eligible ? formatNumber(row.algbwGBps, 2) : '-',
      row.eligible ? formatNumber(row.busbwGBps, 2) : '-',
      row.eligible ? [row.chosen ? '← auto' : '', row.best ? '← best' : ''].filter(Boolean).join(' ') : `not eligible: ${row.reason}`,
    ]),
  );
  process.stdout.write(`${table}\n`);
}

function printSweep(predictions: CollectivePrediction[], elementBytes: number, dtype: string, cluster: ResolvedCluster): void {
  const first = predictions[0];
  const header = [
    `# linkcap model of nccl-tests ${first.op.replace(/-/g, '_')}_perf on ${describeCluster(cluster, first)}`,
    '# time in us, algbw and busbw in decimal GB/s; one column set (the model has no in-place/out-of-place difference)',
    '#',
  ];
  const table = renderTable(
    [
      { header: '#  size' },
      { header: 'count' },
      { header: 'type' },
      { header: 'redop' },
      { header: 'root' },
      { header: 'time' },
      { header: 'algbw' },
      { header: 'busbw' },
      { header: 'algorithm', align: 'left' },
    ],
    predictions.map((p) => [
      String(p.bytes),
      String(Math.floor(p.bytes / elementBytes)),
      dtype,
      ncclTestsRedop(p.op),
      String(ncclTestsRoot(p.op)),
      formatNumber(p.timeS * 1e6, 2),
      formatNumber(p.algbwGBps, 2),
      formatNumber(p.busbwGBps, 2),
      `${p.algorithm}/${p.protocol}`,
    ]),
  );
  const largest = predictions[predictions.length - 1];
  process.stdout.write(`${header.join('\n')}\n${table}\n# Avg bus bandwidth    : ${formatNumber(predictions.reduce((s, p) => s + p.busbwGBps, 0) / predictions.length, 4)}\n`);
  process.stdout.write(`# Largest size: busbw ${formatNumber(largest.busbwGBps, 2)} GB/s with ${largest.algorithm}/${largest.protocol}\n`);
}

async function run(opArg: string, options: CollectiveOptions): Promise<void> {
  // The shape of the command line first (exit 2), then the values (exit 1).
  if (options.gpus === undefined) throw new UsageError('--gpus is required (ranks taking part, e.g. --gpus 16)');
  if (options.bytes !== undefined && options.sweepBytes !== undefined) throw new UsageError('give either --bytes or --sweep-bytes, not both');
  if (options.bytes === undefined && options.sweepBytes === undefined) throw new UsageError('--bytes SIZE or --sweep-bytes MIN:MAX is required (e.g. --bytes 1GiB)');
  if (options.candidates && options.bytes === undefined) throw new UsageError('--candidates needs --bytes (one size), not --sweep-bytes');
  const op = parseOp(opArg);
  const gpus = parseWholeNumber(options.gpus, '--gpus', LIMITS.collectiveGpus);
  const algorithm = parseChoice('--algo', options.algo, ['auto', 'best', ...ALGORITHMS]) as never;
  const protocol = parseChoice('--proto', options.proto, ['auto', ...PROTOCOLS]) as never;
  const elementBytes = dtypeBytes(options.dtype);
  const engine = parseEngine(options.engine);
  const sizes = options.sweepBytes !== undefined ? parseSizeRange(options.sweepBytes, '--sweep-bytes') : [parseBytes(options.bytes!, '--bytes')];
  const cluster = withCudaGraph(resolveClusterOption(options.cluster, options.catalog), options.cudaGraph);
  if (options.candidates) {
    printCandidates(options, op, sizes[0], gpus, cluster);
    return;
  }
  const predictions = predictCollectiveSizes({ op, gpus, cluster, algorithm, protocol, engine }, sizes);
  if (options.json) {
    printJson(options.sweepBytes ? { cluster: cluster.id, dtype: options.dtype, results: predictions } : { cluster: cluster.id, ...predictions[0] });
  } else if (options.sweepBytes) {
    printSweep(predictions, elementBytes, options.dtype, cluster);
  } else {
    printSingle(cluster, predictions[0], options.algo);
  }
}

export function register(program: Command): void {
  const command = program
    .command('collective')
    .description('predict a collective on a cluster: time, algbw/busbw (nccl-tests conventions), algorithm and bytes per link level')
    .argument('<op>', 'all-reduce | reduce-scatter | all-gather | broadcast | reduce | all-to-all | send-recv')
    .option('--cluster <preset|file>', 'cluster preset id (see `linkcap clusters`) or a YAML/JSON cluster file')
    .option('--gpus <n>', 'ranks taking part, 2 to 2^31 (≤ the domain size, or a multiple of it)')
    .option('--bytes <size>', 'message size as nccl-tests counts it, whole bytes from 1 to 2^53 (8B, 64KiB, 1GiB, 1e9; b = bits)')
    .option('--sweep-bytes <min:max[:factor]>', 'nccl-tests table over sizes, doubling by default (e.g. 8B:8GiB)')
    .option('--algo <algorithm>', `auto (NCCL's algorithms), best (all modelled), or one of ${ALGORITHMS.join(', ')}`, 'auto')
    .option('--proto <protocol>', `auto or one of ${PROTOCOLS.join(', ')}`, 'auto')
    .option('--dtype <type>', 'element type for the count column (nccl-tests -d)', 'float')
    .option('--candidates', 'print every algorithm/protocol pair with its time, or why it cannot run')
    .option('--json', 'machine-readable output');
  addCatalogOption(command);
  addEngineOption(command);
  addCudaGraphOption(command);
  command.action(run);
}
