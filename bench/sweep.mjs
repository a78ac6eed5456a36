#!/usr/bin/env node
/**
 * Sweep benchmark (issue 10): `node bench/sweep.mjs` alone, or through `npm run bench` (bench/run.mjs).
 * Writes the "## Sweeps (issue 10)" section of BENCHMARKS.md. In one run it measures
 *   1. collective sweep points/s with reductions (argmin per group + quantile sketches), native engine against a
 *      plain TypeScript loop over the reference model (evaluatePoint) doing the same reductions on the same points;
 *   2. training sweep points/s with reductions (layouts: all, argmin per group), native against a TypeScript
 *      loop (enumerateLayouts + the reference evaluateTrainingBatch + argmin) on the same points;
 *   3. time and peak RSS of a 10^9-point collective sweep with reductions and no rows (in a child process, so
 *      its RSS is its own);
 * Options: --billion N (points of step 3, default 1e9), --threads N. Writing rows: bench/writers.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  AUTO,
  enumerateLayouts,
  evaluatePoint,
  evaluateTrainingBatch,
  allocateTrainingOutputs,
  loadCatalog,
  OPS,
  OUTPUT_FIELD_COUNT,
  parseSweepSpec,
  resolveCluster,
  sweep,
} from '@linkcap/core';

export const SWEEP_BENCH_MARKER = '## Sweeps (issue 10)';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const COLLECTIVE_CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100', 'a800-node', 'h20-node', 'hgx-b200', 'mi300x-node', 'hgx-h200'];
// 8, 16, …, 8192: every multiple of the 8-GPU domain (GB200 NVL72 places only some of them: status 1).
const COLLECTIVE_GPUS = Array.from({ length: 1024 }, (_, i) => 8 * (i + 1));

/** A collective spec of about `points` points (sizes from 8 B to 8 GiB, finer steps for more points). */
function collectiveSpec(points, { rows = 'none', reductions = true } = {}) {
  const groups = COLLECTIVE_CLUSTERS.length * OPS.length * COLLECTIVE_GPUS.length;
  const sizes = Math.max(2, Math.round(points / groups));
  const factor = Math.exp(Math.log(2 ** 30) / (sizes - 1));
  return `kind: collective
axes:
  cluster: [${COLLECTIVE_CLUSTERS.join(', ')}]
  op: [${OPS.join(', ')}]
  gpus: { from: 8, to: 8192, step: 8 }
  bytes: { from: 8, to: 8GiB, factor: ${factor} }
metrics: [timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes, scaleOutBytes]
${reductions ? `reduce:
  - { name: fastest, kind: argmin, metric: timeS, by: [cluster, op, gpus] }
  - { name: busbw, kind: quantiles, metric: busbwGBps, by: [cluster, op] }
` : ''}output: { rows: ${rows} }
`;
}

/**
 * Runs a spec end to end: the plan (for training, the layout lists of `layouts: all`, enumerated in TypeScript),
 * the engine's enumeration, evaluation and reductions, and the reduction tables. `engineSeconds` is the engine's
 * share alone.
 */
async function runSpec(text, options = {}) {
  const { spec } = parseSweepSpec(text);
  const start = performance.now();
  const run = sweep(spec, options);
  const planned = performance.now();
  const result = await run.result();
  const end = performance.now();
  return { seconds: (end - start) / 1000, engineSeconds: (end - planned) / 1000, result };
}

/** The plain TypeScript loop a user would write: nested loops, evaluatePoint, argmin and exact quantiles. */
function typescriptCollective(limit) {
  const catalog = loadCatalog();
  const clusters = COLLECTIVE_CLUSTERS.map((id) => resolveCluster(id, catalog).params);
  const out = { status: 0, algo: 0, proto: 0, timeS: 0, algbwGBps: 0, busbwGBps: 0, scaleUpBytes: 0, scaleOutBytes: 0 };
  const groups = COLLECTIVE_CLUSTERS.length * OPS.length * COLLECTIVE_GPUS.length;
  const sizes = Math.max(2, Math.round(limit / groups));
  const factor = Math.exp(Math.log(2 ** 30) / (sizes - 1));
  const best = new Map();
  const busbw = new Map();
  let points = 0;
  const start = performance.now();
  for (let c = 0; c < clusters.length; c += 1) {
    for (let op = 0; op < OPS.length; op += 1) {
      const values = [];
      for (const gpus of COLLECTIVE_GPUS) {
        for (let k = 0, bytes = 8; k < sizes; k += 1, bytes = 8 * factor ** k) {
          points += 1;
          if (evaluatePoint(clusters[c], op, bytes, gpus, AUTO, AUTO, out) !== 0) continue;
          const key = `${c}|${op}|${gpus}`;
          const prior = best.get(key);
          if (prior === undefined || out.timeS < prior) best.set(key, out.timeS);
          values.push(out.busbwGBps);
        }
      }
      values.sort((a, b) => a - b);
      busbw.set(`${c}|${op}`, [0.1, 0.5, 0.9].map((q) => values[Math.floor(q * (values.length - 1))]));
    }
  }
  return { seconds: (performance.now() - start) / 1000, points, groups: best.size + busbw.size };
}

const TRAINING_MODELS = ['llama3-8b', 'llama3-70b', 'mixtral-8x7b'];
const TRAINING_CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100'];
const TRAINING_GPUS = [256, 1024];

const trainingSpec = `kind: training
axes:
  model: [${TRAINING_MODELS.join(', ')}]
  cluster: [${TRAINING_CLUSTERS.join(', ')}]
  gpus: [${TRAINING_GPUS.join(', ')}]
layouts: all
metrics: [stepTimeS, mfu]
reduce:
  - { name: best, kind: argmin, metric: stepTimeS, by: [model, cluster, gpus] }
output: { rows: none }
`;

function typescriptTraining() {
  const catalog = loadCatalog();
  let points = 0;
  let seconds = 0;
  const best = new Map();
  for (const model of TRAINING_MODELS) {
    for (const clusterId of TRAINING_CLUSTERS) {
      const cluster = resolveCluster(clusterId, catalog);
      for (const gpus of TRAINING_GPUS) {
        const start = performance.now();
        const batch = enumerateLayouts({ model, cluster, gpus });
        const outputs = allocateTrainingOutputs(batch.count);
        evaluateTrainingBatch(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs);
        let min = Infinity;
        for (let k = 0; k < batch.count; k += 1) if (outputs[k * OUTPUT_FIELD_COUNT] === 0) min = Math.min(min, outputs[k * OUTPUT_FIELD_COUNT + 1]);
        best.set(`${model}|${clusterId}|${gpus}`, min);
        seconds += (performance.now() - start) / 1000;
        points += batch.count;
      }
    }
  }
  return { seconds, points, best };
}

/** Step 3 in a child: this file with --child-billion prints {seconds, points, maxRssMB}. */
async function childBillion(points, threads) {
  const { seconds, result } = await runSpec(collectiveSpec(points), { threads });
  process.stdout.write(`${JSON.stringify({ seconds, points: result.points.evaluated, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

export async function benchSweep({ billion = 1e9, threads = 0 } = {}) {
  // 1. Collective.
  const collectivePoints = 100_000_000;
  await runSpec(collectiveSpec(1_000_000), { threads }); // warm
  const native = await runSpec(collectiveSpec(collectivePoints), { threads });
  const ts = typescriptCollective(2_000_000);
  // 2. Training.
  await runSpec(trainingSpec, { threads });
  const nativeTraining = await runSpec(trainingSpec, { threads });
  const tsTraining = typescriptTraining();
  const nativeBest = nativeTraining.result.reductions[0];
  // 3. 10^9 points in a child.
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child-billion', String(billion), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`the 10^9-point child failed: ${child.stderr}`);
  const big = JSON.parse(child.stdout.trim().split('\n').pop());
  return {
    threads,
    collective: { native: { points: native.result.points.evaluated, seconds: native.seconds, engineSeconds: native.engineSeconds }, typescript: ts },
    training: {
      native: { points: nativeTraining.result.points.evaluated, seconds: nativeTraining.seconds, engineSeconds: nativeTraining.engineSeconds, groups: nativeBest.length },
      typescript: { points: tsTraining.points, seconds: tsTraining.seconds },
    },
    big,
    loadavg: loadavg(),
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

export function renderSweepBench(r) {
  const cpu = cpus();
  const c = r.collective;
  const cRate = c.native.points / c.native.seconds;
  const cTs = c.typescript.points / c.typescript.seconds;
  const t = r.training;
  const tRate = t.native.points / t.native.seconds;
  const tTs = t.typescript.points / t.typescript.seconds;
  return `${SWEEP_BENCH_MARKER}

Measured ${new Date().toISOString().slice(0, 10)} by \`node bench/sweep.mjs\` (also part of \`npm run bench\`), in one run, load average
${r.loadavg ? r.loadavg.map((l) => l.toFixed(2)).join(' / ') : 'not recorded'} (1 / 5 / 15 min; the machine is shared by several engineers).
The native side is the whole sweep end to end: the plan (for training, the layout lists \`layouts: all\` enumerates
in TypeScript), the engine's enumeration, evaluation and reductions (rows none) and the reduction tables; the
TypeScript side is the plain loop a user would otherwise write over the reference model (enumerateLayouts for
training), with the same reductions, on the same points (a prefix of them for collectives: its rate is what is
compared). The engine's own rate, without the plan: collective ${fmt(c.native.points / (c.native.engineSeconds ?? c.native.seconds))}, training
${fmt(t.native.points / (t.native.engineSeconds ?? t.native.seconds))} points/s.

| sweep | engine | threads | points | seconds | points/s | ratio |
|---|---|---|---|---|---|---|
| collective, argmin per (cluster, op, GPUs) + busbw quantiles per (cluster, op) | native | ${r.threads === 0 ? `all (${cpu.length})` : r.threads} | ${fmt(c.native.points)} | ${c.native.seconds.toFixed(2)} | ${fmt(cRate)} | **${(cRate / cTs).toFixed(1)}×** |
| same | TypeScript loop (evaluatePoint) | 1 | ${fmt(c.typescript.points)} | ${c.typescript.seconds.toFixed(2)} | ${fmt(cTs)} | 1 |
| training, layouts: all of ${TRAINING_MODELS.length} models × ${TRAINING_CLUSTERS.length} clusters × ${TRAINING_GPUS.length} GPU counts, argmin per group | native | ${r.threads === 0 ? `all (${cpu.length})` : r.threads} | ${fmt(t.native.points)} | ${t.native.seconds.toFixed(2)} | ${fmt(tRate)} | **${(tRate / tTs).toFixed(1)}×** |
| same | TypeScript loop (enumerateLayouts + reference batch) | 1 | ${fmt(t.typescript.points)} | ${t.typescript.seconds.toFixed(2)} | ${fmt(tTs)} | 1 |

A ${fmt(r.big.points)}-point collective sweep with the same reductions and no rows took **${r.big.seconds.toFixed(1)} s**
(${fmt(r.big.points / r.big.seconds)} points/s) with a peak RSS of **${r.big.maxRssMB.toFixed(0)} MB** for the whole process (Node.js included),
measured in a child process. Aims: ≥ 50M collective and ≥ 2M training points/s, 10^9 collective points in under a minute, under 500 MB.

Writing the rows (Parquet, CSV, JSON Lines, Arrow IPC) is measured in bench/writers.mjs ("Writing sweep results" below).

Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
${platform()} ${release()}, Node.js ${process.version}. Shared and noisy: compare ratios, not absolute rates.
`;
}

function upsertSection(page, marker, body) {
  const start = page.indexOf(marker);
  if (start < 0) return `${page.trimEnd()}\n\n${body}`;
  const end = page.indexOf('\n## ', start + marker.length);
  return page.slice(0, start) + body + (end >= 0 ? page.slice(end + 1) : '');
}

export function writeSweepSection(body) {
  const target = new URL('../BENCHMARKS.md', import.meta.url);
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
  const temporary = new URL(`../BENCHMARKS.md.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temporary, upsertSection(page, SWEEP_BENCH_MARKER, body));
  renameSync(temporary, target);
}

// --render FILE: rewrite the section from a saved result (the JSON this script prints), without measuring again.
const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  if (process.argv.includes('--render')) {
    const saved = readFileSync(process.argv[process.argv.indexOf('--render') + 1], 'utf8');
    writeSweepSection(renderSweepBench(JSON.parse(saved.slice(saved.indexOf('{'), saved.lastIndexOf('}') + 1))));
  } else if (process.argv.includes('--child-billion')) {
    await childBillion(option('child-billion', 1e9), option('threads', 0));
  } else {
    const result = await benchSweep({ billion: option('billion', 1e9), threads: option('threads', 0) });
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    writeSweepSection(renderSweepBench(result));
    process.stdout.write('wrote the sweep section of BENCHMARKS.md\n');
  }
}
