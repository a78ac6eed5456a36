#!/usr/bin/env node
/**
 * CLI start-up: CPU and wall time of `linkcap` commands against bare Node (`node -e 0`), measured in one run with the
 * runs of every command interleaved (so that machine noise hits all alike). The difference to bare Node is what
 * linkcap itself costs: module loading plus the command's work. Writes the "## CLI start-up (issue 8)" section of
 * BENCHMARKS.md.
 *
 *   node bench/cli-startup.mjs [--runs N] [--compare DIR [--compare-label TEXT]]
 *
 * --runs: runs per command (default 30; npm run bench calls it too). --compare DIR: also time the same commands
 * with another checkout's built CLI (DIR/apps/cli/dist/cli.js), e.g. an older commit, in the same interleaved run;
 * --compare-label says what that build is (default: DIR).
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
const LAUNCHER = fileURLToPath(new URL('../apps/cli/bin/linkcap.cjs', import.meta.url));
export const CLI_STARTUP_MARKER = '## CLI start-up (issue 8)';

/** A small user catalog in YAML, to show the cost of loading the yaml package when a command does read YAML. */
const YAML_CATALOG = `clusters:
  bench-h800:
    name: bench copy of hgx-h800
    derivedFrom: hgx-h800
`;

/** Commands that read no file are held to the aim; `train --best` searches every layout (real work), so it is not. */
export const STARTUP_AIM_MS = 30;

function commands(dir, cli, tag = '') {
  const yaml = join(dir, 'bench.catalog.yaml');
  writeFileSync(yaml, YAML_CATALOG);
  const c = (label, args, extra = {}) => ({ label: `${tag}${label}`, args: [cli, ...args], readsFile: false, aim: true, ...extra });
  return [
    c('linkcap --version', ['--version']),
    c('linkcap --help', ['--help']),
    c('linkcap clusters', ['clusters']),
    c('linkcap models', ['models']),
    c('linkcap chips', ['chips']),
    c('linkcap collective all-reduce --cluster hgx-h800 --gpus 16 --bytes 1GiB', ['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '16', '--bytes', '1GiB']),
    c('linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --tp 8 --pp 8', ['train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--tp', '8', '--pp', '8']),
    c('linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --best', ['train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--best'], { aim: false, search: true }),
    c('linkcap clusters --catalog bench.catalog.yaml (reads YAML)', ['clusters', '--catalog', yaml], { readsFile: true, aim: false }),
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
export function benchCliStartup({ runs = 30, compare, compareLabel } = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const compareCli = compare ? join(compare, 'apps/cli/dist/cli.js') : undefined;
  if (compareCli && !existsSync(compareCli)) throw new Error(`${compareCli} is missing: build that checkout first`);
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-bench-startup-'));
  try {
    const env = { ...process.env, LINKCAP_CATALOG: '' };
    delete env.NODE_OPTIONS;
    const reporter = join(dir, 'cpu-reporter.cjs');
    writeFileSync(reporter, CPU_REPORTER);
    const list = [
      { label: 'node -e 0 (bare Node.js)', args: ['-e', '0'], baseline: true },
      ...commands(dir, CLI),
      // The installed command: npm links `linkcap` to this launcher, which requires dist/cli.js.
      { label: 'linkcap --help via bin/linkcap.cjs (the installed command)', args: [LAUNCHER, '--help'], readsFile: false, aim: true },
      // What V8's code cache (apps/cli/src/code-cache.ts) saves: the same command without it.
      // What the native engine's first call costs a single prediction (its numbers are the reference engine's).
      { label: 'linkcap train … --tp 8 --pp 8 --engine reference', args: [CLI, 'train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--tp', '8', '--pp', '8', '--engine', 'reference'], readsFile: false, aim: false, informational: true },
      { label: 'linkcap train … --tp 8 --pp 8 with LINKCAP_NO_CODE_CACHE=1', args: [CLI, 'train', '--model', 'llama3-70b', '--cluster', 'hgx-h800', '--gpus', '1024', '--tp', '8', '--pp', '8'], env: { LINKCAP_NO_CODE_CACHE: '1' }, readsFile: false, aim: false, informational: true },
      ...(compareCli ? commands(dir, compareCli, 'compared: ') : []),
    ];
    const wall = list.map(() => []);
    const cpu = list.map(() => []);
    for (let round = 0; round < runs + 3; round += 1) {
      list.forEach((command, i) => {
        const sample = timeOnce(command.args, dir, { ...env, ...command.env }, reporter);
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
    return { runs, compare: compare && (compareLabel ?? compare), results, node: process.version, cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown CPU', load: loadavg()[0].toFixed(1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x) => x.toFixed(1);
const over = (x) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(1)}`;

function aimCell(r) {
  if (r.baseline) return '–';
  if (r.search) return 'not held to it (searches every layout)';
  if (r.informational) return 'for comparison';
  if (!r.aim) return 'not held to it (reads a file)';
  return r.overCpuMedian <= STARTUP_AIM_MS ? 'met' : '**missed**';
}

export function renderCliStartup(bench) {
  const rows = bench.results.map(
    (r) =>
      `| \`${r.label}\` | ${ms(r.wall.min)} | ${ms(r.wall.median)} | ${ms(r.cpu.min)} | ${ms(r.cpu.median)} | ${r.baseline ? '–' : over(r.overWallMin)} | ${r.baseline ? '–' : over(r.overCpuMedian)} | ${aimCell(r)} |`,
  );
  const find = (label) => bench.results.find((r) => r.label === label);
  const version = find('linkcap --version');
  const help = find('linkcap --help');
  const clusters = find('linkcap clusters');
  const train = find('linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --tp 8 --pp 8');
  const best = find('linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --best');
  const noCache = bench.results.find((r) => r.env?.LINKCAP_NO_CODE_CACHE);
  const reference = bench.results.find((r) => r.label.endsWith('--engine reference'));
  const yaml = bench.results.find((r) => !r.label.startsWith('compared') && r.label.includes('reads YAML'));
  const held = bench.results.filter((r) => r.aim && !r.label.startsWith('compared'));
  const missed = held.filter((r) => r.overCpuMedian > STARTUP_AIM_MS);
  const compared = bench.compare
    ? `\nRows marked "compared:" run another build of linkcap in the same interleaved run: ${bench.compare}.\n`
    : '';
  return `${CLI_STARTUP_MARKER}

Measured ${new Date().toISOString().slice(0, 10)} by \`node bench/cli-startup.mjs\` (also run by \`npm run bench\`): each command run as a user runs
it (a new process), ${bench.runs} times after 3 warm-up rounds, the commands interleaved so that noise hits all alike. Wall time is
what a user waits; CPU time (user + system, all threads, reported by the process at exit) is what the process itself
did, and is far steadier than wall time on a shared machine. "Over Node" subtracts bare Node: what linkcap costs.
The aim (issue 8): within ${STARTUP_AIM_MS} ms of CPU over bare Node for commands that read no file.
${compared}
| command | wall min ms | wall median ms | CPU min ms | CPU median ms | over Node, wall min | over Node, CPU median | aim: ≤ ${STARTUP_AIM_MS} ms CPU over Node |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${missed.length === 0 ? `Every command held to the aim meets it in this run.` : `Missed in this run: ${missed.map((r) => `\`${r.label}\` (${over(r.overCpuMedian)} ms)`).join(', ')}.`}

Where start-up goes, and what keeps it short (apps/cli/rolldown.config.ts, apps/cli/src/cli.ts, commands/index.ts):
- \`linkcap --version\` is answered by dist/cli.js alone (${over(version.overCpuMedian)} ms CPU over bare Node).
- Every other command line loads commander and the list of commands, then only the module of the command it runs:
  \`linkcap --help\` loads no command (${over(help.overCpuMedian)} ms). The list carries what the top-level help shows of each
  command; a test checks it against the modules.
- @linkcap/core is bundled into the CLI from its sources (Rolldown), so each command's chunks hold only the core
  modules it uses: \`linkcap clusters\` (${over(clusters.overCpuMedian)} ms) loads the catalog code, not the training model, the sweep
  engine or Parquet; a test checks what each command loads.
- The CLI is CommonJS: Node's ES module loader (~10 ms of CPU per start on this machine) never starts.
- V8's code cache for every chunk is made at build time and used at start (Node 20 has no module.enableCompileCache):
  ${noCache ? `\`train … --tp 8 --pp 8\` takes ${over(train.overCpuMedian)} ms with it, ${over(noCache.overCpuMedian)} ms with LINKCAP_NO_CODE_CACHE=1` : 'see src/code-cache.ts'}. V8 checks the
  data against its version, flags and the source and compiles as usual when it does not fit (another Node).
- The built-in catalog is validated once, at build time, with the same checks a user's file goes through; the bundle
  carries the checked result as JSON (a test checks it equals a run-time validation).
- \`chips\` and \`controls\` format numbers without Intl, whose first use loads ICU's locale data (~15 ms).
- The \`yaml\` package loads only when a YAML file is read (the "reads YAML" row: ${over(yaml.cpu.median - clusters.cpu.median)} ms CPU over
  \`linkcap clusters\`), the file-locking libraries only when a file is written.
- \`train\` also loads the native engine and makes its first call${reference ? ` (${over(train.overCpuMedian - reference.overCpuMedian)} ms over the same line with` : ''}
  ${reference ? '\`--engine reference\`): ' : ''}dlopen of the addon and, on first use, its per-thread training memo (about 6 MB, written in
  full: ~1,800 page faults).
- \`train --best\` searches every layout of the model on the cluster (${over(best.overCpuMedian - train.overCpuMedian)} ms over one \`train\` here): real work,
  not start-up, so it is not held to the aim.

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
  const text = (name) => (process.argv.indexOf(`--${name}`) > 0 ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
  const bench = benchCliStartup({ runs: option('runs', 30), compare: text('compare'), compareLabel: text('compare-label') });
  const section = renderCliStartup(bench);
  process.stdout.write(`${section}\n`);
  const target = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, upsertSection(page, CLI_STARTUP_MARKER, section));
  renameSync(temporary, target);
  process.stdout.write('wrote BENCHMARKS.md\n');
}
