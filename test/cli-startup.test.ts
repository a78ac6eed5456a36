/**
 * What `linkcap` loads at start (how fast it starts is measured in bench/cli-startup.mjs, not here): each command
 * line loads only the code it runs, and no ES module loader. The list of loaded files comes from require.cache at
 * exit, written by a preloaded script; a file "holds" a part of linkcap when it defines that part's entry function.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/run-cli.js';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'linkcap-startup-'));
const reporter = join(dir, 'loaded.cjs');
// Also notes any use of Intl (whose first use loads ICU's locale data, ~15 ms).
writeFileSync(
  reporter,
  `let intl = false;
for (const [owner, name] of [[Number.prototype, 'toLocaleString'], [String.prototype, 'localeCompare'], [Date.prototype, 'toLocaleString']]) {
  const original = owner[name];
  owner[name] = function (...args) { intl = true; return original.apply(this, args); };
}
for (const name of ['NumberFormat', 'Collator', 'DateTimeFormat', 'PluralRules', 'Segmenter', 'ListFormat']) {
  const Original = Intl[name];
  Intl[name] = function (...args) { intl = true; return new Original(...args); };
}
process.on('exit', () => {
  const esm = process.moduleLoadList.some((m) => m.includes('esm/module_job'));
  require('fs').writeFileSync(process.env.LINKCAP_LOADED_OUT, JSON.stringify({ files: Object.keys(require.cache), esm, intl }));
});\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parts of linkcap, each known by a function only it defines. */
const PARTS = {
  'commander': /\bfunction humanReadableArgName\b/,
  'command list': /\bfunction registerCommands\b/,
  'catalog': /\bfunction loadCatalog\b/,
  'collective model': /\bfunction predictCollectiveSizes\b/,
  'training model': /\bfunction predictTraining\b/,
  'layout search': /\bfunction searchLayouts\b/,
  'model presets': /\bfunction normaliseWorkload\b/,
  'yaml': /node_modules[\\/]yaml[\\/]/,
} as const;
type Part = keyof typeof PARTS;

let run = 0;
function loadedParts(args: string[]): { parts: Set<Part>; esm: boolean; intl: boolean } {
  const out = join(dir, `loaded-${(run += 1)}.json`);
  const result = spawnSync(process.execPath, ['--require', reporter, CLI, ...args], {
    cwd: dir,
    env: { ...process.env, LINKCAP_CATALOG: '', LINKCAP_LOADED_OUT: out },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const { files, esm, intl } = JSON.parse(readFileSync(out, 'utf8')) as { files: string[]; esm: boolean; intl: boolean };
  const parts = new Set<Part>();
  for (const file of files) {
    if (file === reporter) continue;
    const text = file.includes('node_modules') ? '' : readFileSync(file, 'utf8');
    for (const [part, pattern] of Object.entries(PARTS) as [Part, RegExp][]) {
      if (pattern.test(file) || pattern.test(text)) parts.add(part);
    }
  }
  return { parts, esm, intl };
}

describe('linkcap start-up loads only what the command line needs', () => {
  it('--version: nothing but cli.js, and no ES module loader', () => {
    const { parts, esm } = loadedParts(['--version']);
    expect([...parts]).toEqual([]);
    expect(esm).toBe(false);
  });

  it('--help: commander and the command list, no command and no model', () => {
    const { parts, esm } = loadedParts(['--help']);
    expect([...parts].sort()).toEqual(['command list', 'commander']);
    expect(esm).toBe(false);
  });

  it('clusters: the catalog, not the models, the search or the yaml package', () => {
    const { parts } = loadedParts(['clusters']);
    expect(parts).toContain('catalog');
    for (const part of ['collective model', 'training model', 'layout search', 'model presets', 'yaml'] as const) expect(parts).not.toContain(part);
  });

  it('collective: the collective model, not the training model', () => {
    const { parts } = loadedParts(['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '16', '--bytes', '1GiB']);
    expect(parts).toContain('collective model');
    for (const part of ['training model', 'layout search', 'model presets', 'yaml'] as const) expect(parts).not.toContain(part);
  });

  it('models: the presets, not the catalog or the search', () => {
    const { parts } = loadedParts(['models']);
    expect(parts).toContain('model presets');
    for (const part of ['catalog', 'layout search', 'collective model', 'yaml'] as const) expect(parts).not.toContain(part);
  });

  it.each([['chips'], ['controls'], ['clusters']])('%s: prints its numbers without Intl', (command) => {
    expect(loadedParts([command]).intl).toBe(false);
  });
});

describe('code cache (apps/cli/src/code-cache.ts)', () => {
  const env = { ...process.env, LINKCAP_CATALOG: '' };
  const run = (cli: string, args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [cli, ...args], { cwd: dir, env: { ...env, ...extra }, encoding: 'utf8' });
  const lines = [['--help'], ['clusters'], ['chips', 'show', 'h800'], ['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '16', '--bytes', '1GiB'], ['train', '--model', 'llama3-8b', '--cluster', 'hgx-h800', '--gpus', '64', '--best']];

  it.each(lines.map((args) => [args.join(' '), args]))('%s: every chunk loads with its cached data, and prints what it prints without', (_label, args) => {
    const cached = run(CLI, args, { LINKCAP_DEBUG_CODE_CACHE: '1' });
    expect(cached.status).toBe(0);
    const reports = cached.stderr.split('\n').filter((line) => line.startsWith('code cache: '));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.filter((line) => !line.endsWith(' used'))).toEqual([]);
    const plain = run(CLI, args, { LINKCAP_NO_CODE_CACHE: '1' });
    expect(plain.status).toBe(0);
    expect(cached.stdout).toBe(plain.stdout);
  });

  it('cached data that does not fit its chunk is rejected by V8 and the chunk compiles as usual', () => {
    // A copy of dist/ inside it (so node_modules resolve alike) whose cache files are all swapped for one another's.
    const dist = dirname(CLI);
    const copy = join(dist, `cache-test-${process.pid}`);
    try {
      for (const entry of readdirSync(dist)) if (!entry.startsWith('cache-test-')) cpSync(join(dist, entry), join(copy, entry), { recursive: true });
      const [cacheDir] = readdirSync(join(copy, 'code-cache')).map((name) => join(copy, 'code-cache', name));
      const files = readdirSync(cacheDir).sort();
      const contents = files.map((file) => readFileSync(join(cacheDir, file)));
      files.forEach((file, i) => writeFileSync(join(cacheDir, file), contents[(i + 1) % files.length]));
      const swapped = run(join(copy, 'cli.js'), ['clusters'], { LINKCAP_DEBUG_CODE_CACHE: '1' });
      expect(swapped.status).toBe(0);
      expect(swapped.stderr).toMatch(/code cache: clusters-\S+ rejected/);
      expect(swapped.stdout).toBe(run(CLI, ['clusters']).stdout);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
