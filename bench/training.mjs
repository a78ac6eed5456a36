#!/usr/bin/env node
/**
 * Training-configuration evaluations per second: the native engine (all threads) against the TypeScript
 * reference (one thread) on the same batch, in one run. The batch is what `linkcap train --best` evaluates:
 * every enumerated layout of several preset models on several clusters and GPU counts, concatenated and
 * repeated up to --configs rows (default 1,000,000).
 *
 * Used by bench/run.mjs (which writes BENCHMARKS.md) through benchTraining() and renderTrainingBench(); run alone
 * with `node bench/training.mjs [--configs N] [--threads N]` it prints the section.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  allocateTrainingOutputs,
  enumerateLayouts,
  getTrainingEngine,
  loadCatalog,
  resolveCluster,
  LAYOUT_FIELD_COUNT,
  OUTPUT_FIELD_COUNT,
  WORKLOAD_FIELD_COUNT,
  CHIP_FIELD_COUNT,
  CLUSTER_FIELD_COUNT,
} from '@linkcap/core';

const MODELS = ['llama3-8b', 'llama3-70b', 'gpt3-175b', 'mixtral-8x7b', 'deepseek-v3'];
const CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100'];
const GPU_COUNTS = [256, 2048];

/** One batch holding every (model, cluster, GPU count) search space, repeated to `configs` rows. */
export function buildTrainingBatch(configs) {
  const catalog = loadCatalog();
  const parts = [];
  for (const model of MODELS) {
    for (const id of CLUSTERS) {
      const cluster = resolveCluster(id, catalog);
      for (const gpus of GPU_COUNTS) parts.push(enumerateLayouts({ model, cluster, gpus }));
    }
  }
  const unique = parts.reduce((sum, part) => sum + part.count, 0);
  const workloads = new Float64Array(parts.length * WORKLOAD_FIELD_COUNT);
  const chips = new Float64Array(parts.length * CHIP_FIELD_COUNT);
  const clusters = new Float64Array(parts.length * CLUSTER_FIELD_COUNT);
  const layouts = new Float64Array(configs * LAYOUT_FIELD_COUNT);
  parts.forEach((part, i) => {
    workloads.set(part.workloads, i * WORKLOAD_FIELD_COUNT);
    chips.set(part.chips, i * CHIP_FIELD_COUNT);
    clusters.set(part.clusters, i * CLUSTER_FIELD_COUNT);
  });
  // Round-robin blocks from every search space, so a short batch still mixes all models and clusters.
  const offsets = parts.map(() => 0);
  const block = Math.max(1, Math.ceil(configs / parts.length));
  let row = 0;
  while (row < configs) {
    for (let i = 0; i < parts.length && row < configs; i += 1) {
      const part = parts[i];
      const take = Math.min(block, part.count - offsets[i], configs - row);
      layouts.set(part.layouts.subarray(offsets[i] * LAYOUT_FIELD_COUNT, (offsets[i] + take) * LAYOUT_FIELD_COUNT), row * LAYOUT_FIELD_COUNT);
      for (let k = 0; k < take; k += 1) {
        const o = (row + k) * LAYOUT_FIELD_COUNT;
        layouts[o] = i; // workload row
        layouts[o + 1] = i; // chip row
        layouts[o + 2] = i; // cluster row
      }
      offsets[i] = (offsets[i] + take) % part.count;
      row += take;
    }
  }
  return { workloads, chips, clusters, layouts, count: configs, unique, spaces: parts.length };
}

/** Wall seconds of one evaluation; `cpu` receives the CPU seconds all of the process's threads spent. */
function time(engine, batch, outputs, options, cpu = {}) {
  const begin = process.hrtime.bigint();
  const usage = process.cpuUsage();
  engine.evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs, options);
  const used = process.cpuUsage(usage);
  cpu.seconds = (used.user + used.system) / 1e6;
  return Number(process.hrtime.bigint() - begin) / 1e9;
}

export function benchTraining({ configs = 1_000_000, threads = 0 } = {}) {
  const batch = buildTrainingBatch(configs);
  const reference = getTrainingEngine('reference');
  const refOut = allocateTrainingOutputs(configs);
  // Warm-up on a slice (JIT), then the timed run over the whole batch.
  reference.evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts.subarray(0, 20_000 * LAYOUT_FIELD_COUNT), refOut.subarray(0, 20_000 * OUTPUT_FIELD_COUNT));
  const refCpu = {};
  const refSeconds = time(reference, batch, refOut, undefined, refCpu);
  let native = null;
  let single = null;
  let nativeNote = '';
  try {
    const engine = getTrainingEngine('native');
    const out = allocateTrainingOutputs(configs);
    // Warm-up (untimed): the output pages' first touch and each thread's first allocations.
    time(engine, batch, out, { threads });
    const oneCpu = {};
    const oneSeconds = time(engine, batch, out, { threads: 1 }, oneCpu);
    single = { seconds: oneSeconds, rate: configs / oneSeconds, cpuSeconds: oneCpu.seconds };
    const allCpu = {};
    const seconds = time(engine, batch, out, { threads }, allCpu);
    let worst = 0;
    for (let i = 0; i < out.length; i += 1) {
      const a = out[i];
      const b = refOut[i];
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      if (a !== b) worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
    }
    native = { seconds, rate: configs / seconds, cpuSeconds: allCpu.seconds, worstRelativeDifference: worst };
  } catch (error) {
    nativeNote = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  let feasible = 0;
  for (let row = 0; row < configs; row += 1) if (refOut[row * OUTPUT_FIELD_COUNT] === 0) feasible += 1;
  return {
    configs,
    unique: batch.unique,
    spaces: batch.spaces,
    feasible,
    reference: { seconds: refSeconds, rate: configs / refSeconds, cpuSeconds: refCpu.seconds },
    native,
    single,
    nativeNote,
    load: loadavg()[0],
    ratio: native ? native.rate / (configs / refSeconds) : null,
    threads: threads === 0 ? cpus().length : threads,
  };
}

function rate(x) {
  return `${Math.round(x).toLocaleString('en-US')} /s`;
}

/** Heading of the section in BENCHMARKS.md (run.mjs replaces the section by this marker). */
export const TRAINING_BENCH_MARKER = '## Training configurations (issue 4)';

export function renderTrainingBench(result) {
  const lines = [
    TRAINING_BENCH_MARKER,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` (or \`node bench/training.mjs\`) in one run, same batch for`,
    `both engines, on ${cpus().length} cores with a 1-minute load average of ${result.load.toFixed(1)} (the machine is shared: compare the`,
    'ratios, measured together, rather than absolute rates across runs).',
    '',
    `Full training-step evaluations (compute, every collective priced on its group's placement, pipeline, memory) of`,
    `${result.configs.toLocaleString('en-US')} configurations drawn in turn from the ${result.unique.toLocaleString('en-US')} layouts \`linkcap train --best\``,
    `enumerates for ${MODELS.join(', ')} on ${CLUSTERS.join(', ')} at ${GPU_COUNTS.join(' and ')} GPUs (${result.spaces} search spaces);`,
    `${((100 * result.feasible) / result.configs).toFixed(1)}% fit in memory. The model prices compute by operation class (roofline GEMMs with`,
    'their epilogue, fused attention, memory-bound work, FP8 casts), partial recompute, offload and the implementation',
    "profile's overlaps; the native engine memoises the schedule-independent layer costs per thread and prices",
    'runs of equal pipeline devices once (docs/model/training.md).',
    '',
    '| engine | threads | seconds | configurations/s | CPU seconds | configurations per CPU-second |',
    '|---|---|---|---|---|---|',
    `| TypeScript reference | 1 | ${result.reference.seconds.toFixed(2)} | ${rate(result.reference.rate)} | ${result.reference.cpuSeconds.toFixed(2)} | ${rate(
      result.configs / result.reference.cpuSeconds,
    )} |`,
    ...(result.single
      ? [
          `| native | 1 | ${result.single.seconds.toFixed(2)} | ${rate(result.single.rate)} | ${result.single.cpuSeconds.toFixed(2)} | ${rate(
            result.configs / result.single.cpuSeconds,
          )} |`,
        ]
      : []),
    result.native
      ? `| native | ${result.threads} | ${result.native.seconds.toFixed(2)} | ${rate(result.native.rate)} | ${result.native.cpuSeconds.toFixed(2)} | ${rate(
          result.configs / result.native.cpuSeconds,
        )} |`
      : `| native | - | - | not available: ${result.nativeNote} | | |`,
    '',
    result.native
      ? `Native / reference: ${result.ratio.toFixed(1)}× on ${result.threads} threads, ${(result.single.rate / result.reference.rate).toFixed(1)}× on one; per CPU-second ` +
        `${(result.reference.cpuSeconds / result.native.cpuSeconds).toFixed(1)}×, i.e. ${rate((result.configs / result.native.cpuSeconds) * result.threads)} on ` +
        `${result.threads} otherwise idle cores (aim ≥ 10× and ≥ 2,000,000 /s; issue 7: ≥ 5,000,000 /s); largest relative difference ` +
        `${result.native.worstRelativeDifference.toExponential(1)}.`
      : 'Native / reference: not measured (the native training engine is not built).',
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const option = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const result = benchTraining({ configs: option('configs', 1_000_000), threads: option('threads', 0) });
  const section = renderTrainingBench(result);
  process.stdout.write(`${section}\n`);
  // Run alone, it replaces its own section of BENCHMARKS.md (atomically), as bench/run.mjs does.
  const target = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
  let next;
  if (!page.includes(TRAINING_BENCH_MARKER)) next = `${page.trimEnd()}\n\n${section}\n`;
  else {
    const start = page.indexOf(TRAINING_BENCH_MARKER);
    const end = page.indexOf('\n## ', start + TRAINING_BENCH_MARKER.length);
    next = page.slice(0, start) + section + (end >= 0 ? `\n${page.slice(end + 1)}` : '\n');
  }
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, next);
  renameSync(temporary, target);
  process.stdout.write('wrote BENCHMARKS.md\n');
}
