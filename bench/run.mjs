#!/usr/bin/env node
/**
 * `npm run bench`: writes BENCHMARKS.md (atomically), one section per benchmark file: collective evaluations,
 * one-point calls and peak memory (bench/collectives.mjs, in a child process), full training-configuration
 * evaluations (bench/training.mjs), and the CLI's start-up time against bare Node (bench/cli-startup.mjs).
 *
 * Options: --points N (default 10,000,000), --chunk N (default 1,000,000), --threads N (native, default 0 = all),
 * --training-configs N (default 1,000,000), --startup-runs N (default 30).
 */
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCollectiveBench, COLLECTIVE_BENCH_MARKER } from './collectives.mjs';
import { benchTraining, renderTrainingBench, TRAINING_BENCH_MARKER } from './training.mjs';
import { benchSweep, renderSweepBench, SWEEP_BENCH_MARKER } from './sweep.mjs';
import { benchCliStartup, renderCliStartup, CLI_STARTUP_MARKER } from './cli-startup.mjs';
import { benchWriters, renderWritersBench, WRITERS_BENCH_MARKER } from './writers.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const threads = option('threads', 0);

// Collective evaluations (bench/collectives.mjs) in a process of their own, so that the peak memory it reports
// is that benchmark's alone.
process.stdout.write('collective evaluations and small calls: native vs reference …\n');
const collectiveScript = fileURLToPath(new URL('./collectives.mjs', import.meta.url));
const collectiveResult = JSON.parse(
  execFileSync(
    process.execPath,
    [collectiveScript, '--json', '--points', String(option('points', 10_000_000)), '--chunk', String(option('chunk', 1_000_000)), '--threads', String(threads)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  ),
);
const section = renderCollectiveBench(collectiveResult);
process.stdout.write(
  `native ${(collectiveResult.native.rate / 1e6).toFixed(1)} M points/s, reference ${(collectiveResult.reference.rate / 1e6).toFixed(2)} M points/s, peak RSS ${(collectiveResult.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`,
);

process.stdout.write('training configurations: native vs reference …\n');
const trainingSection = renderTrainingBench(benchTraining({ configs: option('training-configs', 1_000_000), threads }));

process.stdout.write('CLI start-up against bare Node …\n');
const startupSection = renderCliStartup(benchCliStartup({ runs: option('startup-runs', 30) }));

process.stdout.write('sweeps: collective and training sweeps, 10^9 points …\n');
const sweepSection = renderSweepBench(await benchSweep({ billion: option('sweep-billion', 1e9), threads }));

process.stdout.write('writing sweep results: every Parquet, CSV, JSON Lines and Arrow writer on the same rows …\n');
const writersSection = renderWritersBench(await benchWriters({ rows: option('sweep-rows', 1e7) }));

/** Replaces the section that starts with `marker` (up to the next "## " heading), or appends it. */
function upsertSection(page, marker, body) {
  const section = `${body.trimEnd()}\n`;
  const start = page.indexOf(marker);
  if (start < 0) return `${page.trimEnd()}\n\n${section}`;
  const end = page.indexOf('\n## ', start + marker.length);
  return page.slice(0, start) + section + (end >= 0 ? `\n${page.slice(end + 1)}` : '');
}

const target = new URL('../BENCHMARKS.md', import.meta.url);
let page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
// The section's heading before issue 7: renamed in place, so the section keeps its place on the page.
page = page.replace('## Collective evaluations (issue 2)\n', `${COLLECTIVE_BENCH_MARKER}\n`);
page = upsertSection(page, COLLECTIVE_BENCH_MARKER, section);
page = upsertSection(page, TRAINING_BENCH_MARKER, trainingSection);
page = upsertSection(page, CLI_STARTUP_MARKER, startupSection);
page = upsertSection(page, SWEEP_BENCH_MARKER, sweepSection);
page = upsertSection(page, WRITERS_BENCH_MARKER, writersSection);
const temporary = new URL(`../BENCHMARKS.md.${process.pid}.tmp`, import.meta.url);
writeFileSync(temporary, page);
renameSync(temporary, target);
process.stdout.write('wrote BENCHMARKS.md\n');

// The web viewer in headless Chromium (bench/viewer.mjs writes its own section).
process.stdout.write('web viewer: first paint and brush latency in headless Chromium …\n');
await (await import('./viewer.mjs')).runViewerBench();
