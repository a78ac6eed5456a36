#!/usr/bin/env node
/**
 * CLI start-up: wall time of `linkcap` commands against bare Node (`node -e 0`), measured in one run with the runs
 * of every command interleaved (so that machine noise hits all alike). The difference to bare Node is what linkcap
 * itself costs: module loading plus the command's work. Writes the "## CLI start-up (issue 8)" section of
 * BENCHMARKS.md.
 *
 *   node bench/cli-startup.mjs [--runs N]     (default 30 runs per command; npm run bench calls it too)
 *
 * Needs the built CLI (npm run build). Commands run in an empty temporary directory with LINKCAP_CATALOG unset, so
 * no user catalog is read unless the command names one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../apps/cli/dist/cli.js', import.meta.url));
export const CLI_STARTUP_MARKER = '## CLI start-up (issue 8)';

/** A small user catalog in YAML, to show the cost of loading the yaml package when a command does read YAML. */
const YAML_CATALOG = `clusters:
  bench-h800:
    name: bench copy of hgx-h800
    derivedFrom: hgx-h800
`;

function commands(dir) {
  const yaml = join(dir, 'bench.catalog.yaml');
  writeFileSync(yaml, YAML_CATALOG);
  return [
    { label: 'node -e 0 (bare Node.js)', args: ['-e', '0'], baseline: true },
    { label: 'linkcap --version', args: [CLI, '--version'], readsFile: false },
    { label: 'linkcap --help', args: [CLI, '--help'], readsFile: false },
    { label: 'linkcap collective all-reduce --cluster hgx-h800 --gpus 16 --bytes 1GiB', args: [CLI, 'collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '16', '--bytes', '1GiB'], readsFile: false },
    { label: 'linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --best', args: [CLI, 'train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--best'], readsFile: false },
    { label: 'linkcap clusters', args: [CLI, 'clusters'], readsFile: false },
    { label: 'linkcap clusters --catalog bench.catalog.yaml (reads YAML)', args: [CLI, 'clusters', '--catalog', yaml], readsFile: true },
  ];
}

function timeOnce(args, dir, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  const sd = Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, samples.length - 1));
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), mean, sd, min: sorted[0], p90: at(0.9) };
}

/** Runs every command `runs` times (after 3 warm-up rounds), interleaved; returns per-command statistics in ms. */
export function benchCliStartup({ runs = 30 } = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-bench-startup-'));
  try {
    const env = { ...process.env, LINKCAP_CATALOG: '' };
    delete env.NODE_OPTIONS;
    const list = commands(dir);
    const samples = list.map(() => []);
    for (let round = 0; round < runs + 3; round += 1) {
      list.forEach((command, i) => {
        const ms = timeOnce(command.args, dir, env);
        if (round >= 3) samples[i].push(ms);
      });
    }
    const results = list.map((command, i) => ({ ...command, ...stats(samples[i]) }));
    const baseline = results.find((r) => r.baseline);
    for (const r of results) {
      r.overMedian = r.median - baseline.median;
      r.overMin = r.min - baseline.min;
    }
    return { runs, results, node: process.version, cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown CPU' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x) => x.toFixed(1);
const over = (x) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(1)}`;

export function renderCliStartup(bench) {
  const rows = bench.results.map(
    (r) => `| \`${r.label}\` | ${ms(r.min)} | ${ms(r.median)} | ${ms(r.mean)} ± ${ms(r.sd)} | ${r.baseline ? '–' : over(r.overMin)} | ${r.baseline ? '–' : over(r.overMedian)} |`,
  );
  const version = bench.results.find((r) => r.label === 'linkcap --version');
  const train = bench.results.find((r) => r.label.includes('train'));
  const clusters = bench.results.find((r) => r.label === 'linkcap clusters');
  const yaml = bench.results.find((r) => r.label.includes('reads YAML'));
  return `${CLI_STARTUP_MARKER}

Measured ${new Date().toISOString().slice(0, 10)} by \`node bench/cli-startup.mjs\` (also run by \`npm run bench\`): wall time of
each command as a user runs it (a new process), ${bench.runs} runs each after 3 warm-up rounds, the commands interleaved
so that noise hits all alike. "Over Node" is a command's time minus bare Node's: what linkcap itself costs. On a busy
machine the minimum is the steadier figure (the median carries the other processes' load).

| command | min ms | median ms | mean ± sd ms | over Node, min (ms) | over Node, median (ms) |
|---|---|---|---|---|---|
${rows.join('\n')}

\`linkcap --version\` answers before loading commander or @linkcap/core (${over(version.overMin)} ms over bare Node by the minimum,
${over(version.overMedian)} by the median; the aim is within 30 ms). Commands that read no file load commander and @linkcap/core
and build the validated built-in catalog, but not the \`yaml\` package, which loads only when a YAML file is read
(the last row against \`linkcap clusters\`: ${over(yaml.min - clusters.min)} ms by the minimum), nor the file-locking
libraries, which load only when a file is written. The \`train --best\` row includes the search itself
(${over(train.overMin)} ms in all by the minimum).

Machine: ${bench.cpu}, ${bench.cores} logical cores, Node.js ${bench.node}. Shared and noisy: compare rows of one run.
`;
}

/** Replaces the section that starts with `marker` (up to the next "## " heading), or appends it. */
export function upsertSection(page, marker, body) {
  const start = page.indexOf(marker);
  if (start < 0) return `${page.trimEnd()}\n\n${body}`;
  const end = page.indexOf('\n## ', start + marker.length);
  return page.slice(0, start) + body + (end >= 0 ? page.slice(end + 1) : '');
}

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bench = benchCliStartup({ runs: option('runs', 30) });
  const section = renderCliStartup(bench);
  process.stdout.write(`${section}\n`);
  const target = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, upsertSection(page, CLI_STARTUP_MARKER, section));
  renameSync(temporary, target);
  process.stdout.write('wrote BENCHMARKS.md\n');
}
