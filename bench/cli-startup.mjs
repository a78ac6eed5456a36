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
import { cpus, loadavg, tmpdir } from 'node:os';
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

/**
 * Preloaded into every measured process (bare Node too, so it cancels out): reports the CPU time the process used,
 * all threads, at exit. CPU time is far less disturbed than wall time by other work on a shared machine.
 */
const CPU_REPORTER = `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, '\\nLINKCAP_BENCH_CPU_US ' + (u.user + u.system) + '\\n'); });\n`;

function timeOnce(args, dir, env, reporter) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', reporter, ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const cpu = /LINKCAP_BENCH_CPU_US (\d+)/.exec(result.stderr);
  return { wallMs, cpuMs: cpu ? Number(cpu[1]) / 1000 : NaN };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), min: sorted[0], p90: at(0.9) };
}

/** Runs every command `runs` times (after 3 warm-up rounds), interleaved; returns per-command statistics in ms. */
export function benchCliStartup({ runs = 30 } = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-bench-startup-'));
  try {
    const env = { ...process.env, LINKCAP_CATALOG: '' };
    delete env.NODE_OPTIONS;
    const reporter = join(dir, 'cpu-reporter.cjs');
    writeFileSync(reporter, CPU_REPORTER);
    const list = commands(dir);
    const wall = list.map(() => []);
    const cpu = list.map(() => []);
    for (let round = 0; round < runs + 3; round += 1) {
      list.forEach((command, i) => {
        const sample = timeOnce(command.args, dir, env, reporter);
        if (round < 3) return;
        wall[i].push(sample.wallMs);
        cpu[i].push(sample.cpuMs);
      });
    }
    const results = list.map((command, i) => ({ ...command, wall: stats(wall[i]), cpu: stats(cpu[i]) }));
    const baseline = results.find((r) => r.baseline);
    for (const r of results) {
      r.overWallMin = r.wall.min - baseline.wall.min;
      r.overCpuMedian = r.cpu.median - baseline.cpu.median;
    }
    return { runs, results, node: process.version, cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown CPU', load: loadavg()[0].toFixed(1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x) => x.toFixed(1);
const over = (x) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(1)}`;

export function renderCliStartup(bench) {
  const rows = bench.results.map(
    (r) =>
      `| \`${r.label}\` | ${ms(r.wall.min)} | ${ms(r.wall.median)} | ${ms(r.cpu.min)} | ${ms(r.cpu.median)} | ${r.baseline ? '–' : over(r.overWallMin)} | ${r.baseline ? '–' : over(r.overCpuMedian)} |`,
  );
  const find = (test) => bench.results.find(test);
  const version = find((r) => r.label === 'linkcap --version');
  const help = find((r) => r.label === 'linkcap --help');
  const train = find((r) => r.label.includes('train'));
  const clusters = find((r) => r.label === 'linkcap clusters');
  const yaml = find((r) => r.label.includes('reads YAML'));
  return `${CLI_STARTUP_MARKER}

Measured ${new Date().toISOString().slice(0, 10)} by \`node bench/cli-startup.mjs\` (also run by \`npm run bench\`): each command run as a user runs
it (a new process), ${bench.runs} times after 3 warm-up rounds, the commands interleaved so that noise hits all alike. Wall time is
what a user waits; CPU time (user + system, all threads, reported by the process at exit) is what the process itself
did, and is far steadier than wall time on a shared machine. "Over Node" subtracts bare Node: what linkcap costs.

| command | wall min ms | wall median ms | CPU min ms | CPU median ms | over Node, wall min | over Node, CPU median |
|---|---|---|---|---|---|---|
${rows.join('\n')}

- \`linkcap --version\` answers before loading commander or @linkcap/core: ${over(version.overCpuMedian)} ms of CPU over bare Node
  (${over(version.overWallMin)} ms by the wall-time minimum); the aim is within 30 ms.
- \`linkcap --help\` loads commander and every command's module (${over(help.overCpuMedian)} ms CPU). Commands that read no file also build
  the validated built-in catalog: \`linkcap clusters\` ${over(clusters.overCpuMedian)} ms CPU. They do not load the \`yaml\` package, which
  loads only when a YAML file is read (the last row: ${over(yaml.cpu.median - clusters.cpu.median)} ms CPU over \`linkcap clusters\`), nor the
  file-locking libraries, which load only when a file is written.
- The \`train --best\` row includes the search of every layout (${over(train.overCpuMedian)} ms CPU over bare Node in all).
- Still between these commands and bare Node: loading commander and the @linkcap/core bundle, and validating the
  built-in catalog at every start (the built-ins go through the same checks as a user's file). Validating the
  built-ins once at build time instead is the next step toward the 30 ms aim for commands that read no file.

Machine: ${bench.cpu}, ${bench.cores} logical cores, Node.js ${bench.node}; load average ${bench.load} during the run. Shared: compare
rows of one run.
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
