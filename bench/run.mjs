#!/usr/bin/env node
/**
 * `npm run bench`: the native engine (all threads) against the TypeScript reference (one thread) on the same
 * stream of auto-selected collective evaluations, in one run; writes the rates and their ratio with the
 * machine's description to BENCHMARKS.md (atomically). Points are decoded from a Cartesian grid (every preset
 * cluster × op × size × GPU count) chunk by chunk, as a sweep would stream them: the grid is never materialised.
 *
 * Then the same for full training-configuration evaluations (bench/training.mjs), and the CLI's start-up time
 * against bare Node (bench/cli-startup.mjs).
 *
 * Options: --points N (default 10,000,000), --chunk N (default 1,000,000), --threads N (native, default 0 = all),
 * --training-configs N (default 1,000,000), --startup-runs N (default 30).
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { renameSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import {
  allocateInputColumns,
  allocateOutputColumns,
  getEngine,
  listClusters,
  loadCatalog,
  packClusters,
  AUTO,
} from '@linkcap/core';
import { benchTraining, renderTrainingBench, TRAINING_BENCH_MARKER } from './training.mjs';
import { benchSweep, renderSweepBench, SWEEP_BENCH_MARKER } from './sweep.mjs';
import { benchCliStartup, renderCliStartup, CLI_STARTUP_MARKER } from './cli-startup.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const totalPoints = option('points', 10_000_000);
const chunkSize = option('chunk', 1_000_000);
const threads = option('threads', 0);

const clusters = listClusters(loadCatalog());
const packed = packClusters(clusters.map((c) => c.params));
const sizes = Array.from({ length: 31 }, (_, i) => 2 ** (i + 3)); // 8 B … 8 GiB
const gpuCounts = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
const ops = [0, 1, 2, 3, 4, 5, 6];

/** Decodes grid index i into the point's columns (mixed radix: gpus fastest, then size, op, cluster). */
function fillChunk(inputs, start, length) {
  for (let k = 0; k < length; k += 1) {
    let i = start + k;
    const gpuIndex = i % gpuCounts.length;
    i = Math.floor(i / gpuCounts.length);
    const sizeIndex = i % sizes.length;
    i = Math.floor(i / sizes.length);
    const opIndex = i % ops.length;
    i = Math.floor(i / ops.length);
    const clusterIndex = i % clusters.length;
    const domain = clusters[clusterIndex].params.gpusPerDomain;
    // Round GPU counts to what the cluster can hold, so every point is a real evaluation.
    const wanted = gpuCounts[gpuIndex];
    inputs.gpus[k] = wanted <= domain ? Math.max(2, wanted) : Math.ceil(wanted / domain) * domain;
    inputs.bytes[k] = sizes[sizeIndex];
    inputs.op[k] = ops[opIndex];
    inputs.cluster[k] = clusterIndex;
  }
  inputs.algo.fill(AUTO);
  inputs.proto.fill(AUTO);
}

function timeEngine(engine, options) {
  const inputs = allocateInputColumns(chunkSize);
  const outputs = allocateOutputColumns(chunkSize);
  let seconds = 0;
  let checksum = 0;
  let ok = 0;
  for (let start = 0; start < totalPoints; start += chunkSize) {
    const length = Math.min(chunkSize, totalPoints - start);
    const view = length === chunkSize ? inputs : sliceColumns(inputs, length);
    const outView = length === chunkSize ? outputs : sliceColumns(outputs, length);
    fillChunk(view, start, length);
    const begin = process.hrtime.bigint();
    engine.evaluate(packed, view, outView, options);
    seconds += Number(process.hrtime.bigint() - begin) / 1e9;
    for (let k = 0; k < length; k += 997) checksum += outView.timeS[k];
    for (let k = 0; k < length; k += 1) if (outView.status[k] === 0) ok += 1;
  }
  return { seconds, rate: totalPoints / seconds, checksum, ok };
}

function sliceColumns(columns, length) {
  return Object.fromEntries(Object.entries(columns).map(([name, array]) => [name, array.subarray(0, length)]));
}

const native = getEngine('native');
const reference = getEngine('reference');
// Warm both (JIT, thread pool) on a small chunk before timing.
{
  const inputs = allocateInputColumns(10_000);
  const outputs = allocateOutputColumns(10_000);
  fillChunk(inputs, 0, 10_000);
  native.evaluate(packed, inputs, outputs, { threads });
  reference.evaluate(packed, inputs, outputs);
}
process.stdout.write(`benchmark: ${totalPoints.toLocaleString('en-US')} auto-selected collective evaluations over ${clusters.length} clusters\n`);
const nativeResult = timeEngine(native, { threads });
process.stdout.write(`native    ${nativeResult.seconds.toFixed(2)} s  ${(nativeResult.rate / 1e6).toFixed(2)} M points/s\n`);
const referenceResult = timeEngine(reference, {});
process.stdout.write(`reference ${referenceResult.seconds.toFixed(2)} s  ${(referenceResult.rate / 1e6).toFixed(2)} M points/s\n`);
const ratio = nativeResult.rate / referenceResult.rate;
process.stdout.write(`ratio native/reference ${ratio.toFixed(1)}×\n`);
if (Math.abs(nativeResult.checksum - referenceResult.checksum) > 1e-9 * Math.abs(referenceResult.checksum) || nativeResult.ok !== referenceResult.ok) {
  throw new Error(`native and reference disagree (checksums ${nativeResult.checksum} vs ${referenceResult.checksum})`);
}

const cpu = cpus();
const section = `## Collective evaluations (issue 2)

Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` in one run, same points for both engines.

| engine | threads | points | seconds | points/s |
|---|---|---|---|---|
| native (C++) | ${threads === 0 ? `all (${cpu.length})` : threads} | ${totalPoints.toLocaleString('en-US')} | ${nativeResult.seconds.toFixed(2)} | ${Math.round(nativeResult.rate).toLocaleString('en-US')} |
| TypeScript reference | 1 | ${totalPoints.toLocaleString('en-US')} | ${referenceResult.seconds.toFixed(2)} | ${Math.round(referenceResult.rate).toLocaleString('en-US')} |

**Ratio native / reference: ${ratio.toFixed(1)}×.** Every point is auto-selected (the 18 algorithm × protocol pairs of NCCL's algorithms
considered, the fastest eligible kept); ${nativeResult.ok.toLocaleString('en-US')} of ${totalPoints.toLocaleString('en-US')} points are
eligible. Points stream in chunks of ${chunkSize.toLocaleString('en-US')} through preallocated columns, decoded from a grid of
${clusters.length} clusters × ${ops.length} ops × ${sizes.length} sizes × ${gpuCounts.length} GPU counts.

Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
${platform()} ${release()}, Node.js ${process.version}. Shared and noisy: compare the ratio, not absolute rates.
`;

process.stdout.write('training configurations: native vs reference …\n');
const trainingSection = renderTrainingBench(benchTraining({ configs: option('training-configs', 1_000_000), threads }));

process.stdout.write('CLI start-up against bare Node …\n');
const startupSection = renderCliStartup(benchCliStartup({ runs: option('startup-runs', 30) }));

process.stdout.write('sweeps: collective and training sweeps, 10^9 points, writers …\n');
const sweepSection = renderSweepBench(await benchSweep({ billion: option('sweep-billion', 1e9), rows: option('sweep-rows', 1e7), threads }));

/** Replaces the section that starts with `marker` (up to the next "## " heading), or appends it. */
function upsertSection(page, marker, body) {
  const start = page.indexOf(marker);
  if (start < 0) return `${page.trimEnd()}\n\n${body}`;
  const end = page.indexOf('\n## ', start + marker.length);
  return page.slice(0, start) + body + (end >= 0 ? page.slice(end + 1) : '');
}

const target = new URL('../BENCHMARKS.md', import.meta.url);
let page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
page = upsertSection(page, '## Collective evaluations (issue 2)', section);
page = upsertSection(page, TRAINING_BENCH_MARKER, trainingSection);
page = upsertSection(page, CLI_STARTUP_MARKER, startupSection);
page = upsertSection(page, SWEEP_BENCH_MARKER, sweepSection);
const temporary = new URL(`../BENCHMARKS.md.${process.pid}.tmp`, import.meta.url);
writeFileSync(temporary, page);
renameSync(temporary, target);
process.stdout.write('wrote BENCHMARKS.md\n');
