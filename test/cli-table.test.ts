/**
 * The CLI table test (issue 8): every bad or edge input found by trying the CLI as users would, with the exit code
 * the one rule gives it (0 ok, 1 invalid value/file/request, 2 malformed command line; README "Exit codes") and the
 * words its message must contain. Every command is covered for each kind of exit.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from './helpers/run-cli.js';

interface Case {
  /** What the case is about. */
  name: string;
  args: (dir: string) => string[];
  code: 0 | 1 | 2;
  /** Words the message (stderr for errors, stdout for successes) must contain. */
  says?: string[];
  /** Words it must not contain (internal names, temporary files, Infinity). */
  never?: string[];
  /** The message is commander's help, not a "linkcap: …" line. */
  help?: boolean;
}

const NO_INTERNALS = ['sizes[', 'EISDIR', 'ENOENT', '.tmp', 'Infinity', 'e+', 'internal error'];
const H800 = ['--cluster', 'hgx-h800'];
const TRAIN = ['train', '--model', 'llama3-70b', ...H800];
const AR = ['collective', 'all-reduce', ...H800, '--gpus', '8'];

const CASES: Case[] = [
  // Hangs and runaway memory: answered at once.
  { name: '2^31 GPUs --best answers (divisors from the factorisation)', args: () => [...TRAIN, '--gpus', '2147483648', '--best'], code: 1, says: ['2147483648 GPUs', 'global batch of 512 sequences cannot be split', 'dp is at least'] },
  { name: 'compare on 2^31 GPUs answers', args: () => ['compare', '--clusters', 'dgx-h100,hgx-h800', '--model', 'llama3-70b', '--gpus', '2147483648'], code: 1, says: ['global batch'] },
  { name: '--cluster a link to /dev/zero is refused', args: (d) => ['collective', 'all-reduce', '--cluster', join(d, 'zero.yaml'), '--gpus', '8', '--bytes', '1GiB'], code: 1, says: ['zero.yaml', 'is a device, not a regular file'] },
  { name: '--model a link to /dev/zero is refused', args: (d) => ['train', '--model', join(d, 'zero-model.yaml'), ...H800, '--gpus', '8'], code: 1, says: ['zero-model.yaml', 'is a device'] },
  { name: '--catalog a link to /dev/zero is refused', args: (d) => ['clusters', '--catalog', join(d, 'zero.yaml')], code: 1, says: ['zero.yaml', 'is a device'] },
  { name: '--catalog a FIFO is refused without waiting for a writer', args: (d) => ['chips', '--catalog', join(d, 'pipe.yaml')], code: 1, says: ['pipe.yaml', 'is a pipe'] },
  { name: '--catalog above the size limit', args: (d) => ['controls', '--catalog', join(d, 'big.yaml')], code: 1, says: ['big.yaml', 'at most 16 MiB (16,777,216 bytes)'] },
  { name: '--catalog a directory names the path', args: (d) => ['clusters', '--catalog', join(d, 'dir')], code: 1, says: ['dir: is a directory; expected a catalog file'], never: NO_INTERNALS },
  { name: '--catalog a missing file names the path', args: (d) => ['clusters', '--catalog', join(d, 'missing.yaml')], code: 1, says: ['missing.yaml', 'no such file or directory'], never: ['ENOENT'] },

  // Misleading answers: nothing evaluated is an error with the reason.
  { name: '--best --tp 3 --gpus 64: nothing divides', args: () => [...TRAIN, '--gpus', '64', '--best', '--tp', '3'], code: 1, says: ['can be evaluated', 'no tensor-parallel size tp ∈ 3'], never: ['No layout fits'] },
  { name: '--best --tp 128: every layout breaks a rule', args: () => [...TRAIN, '--gpus', '1024', '--best', '--tp', '128'], code: 1, says: ['layouts break a rule', 'must divide the attention heads (64)'] },
  { name: '--gpus 8 --tp 8 --pp 8 --best', args: () => [...TRAIN, '--gpus', '8', '--best', '--tp', '8', '--pp', '8'], code: 1, says: ['no pipeline size pp ∈ 8'] },
  { name: '--gpus 1000000 --best: batch smaller than dp', args: () => [...TRAIN, '--gpus', '1000000', '--best'], code: 1, says: ['global batch of 512 sequences', 'raise the global batch or use fewer GPUs'] },
  { name: 'a tiny model is searched (cp = 1 for short sequences)', args: (d) => ['train', '--model', join(d, 'tiny.yaml'), ...H800, '--gpus', '64', '--best'], code: 0, says: ['Best layouts of Tiny', 'feasible'] },
  { name: 'compare with a fixed global batch smaller than dp', args: () => ['compare', '--clusters', 'dgx-h100,hgx-h800', '--model', 'llama3-70b', '--gpus', '1048576', '--global-batch', '1'], code: 1, says: ['global batch of 1 sequences cannot be split'] },
  { name: '--bytes 1e-300 is below one byte', args: () => [...AR, '--bytes', '1e-300'], code: 1, says: ['--bytes', 'from 1 to 9,007,199,254,740,992 (2^53)', '"1e-300" is below the minimum'] },
  { name: '--bytes 0.5B is below one byte', args: () => [...AR, '--bytes', '0.5B'], code: 1, says: ['below the minimum'] },
  { name: '--bytes 1.5 is not whole bytes', args: () => [...AR, '--bytes', '1.5'], code: 1, says: ['"1.5" is not a whole number of bytes'] },
  { name: '--bytes 4b (bits) is half a byte', args: () => [...AR, '--bytes', '4b'], code: 1, says: ['below the minimum', 'b = bits'] },
  { name: '--bytes 1Gb is gigabits: 125,000,000 bytes', args: () => [...AR, '--bytes', '1Gb'], code: 0, says: ['(125000000 B)'] },
  { name: '--bytes 1gb is ambiguous (GB or Gb?)', args: () => [...AR, '--bytes', '1gb'], code: 1, says: ['"1gb" is ambiguous: write GB for bytes or Gb for bits'] },
  { name: '--bytes 8kb is 8 kilobits (SI k is lower case)', args: () => [...AR, '--bytes', '8kb'], code: 0, says: ['(1000 B)'] },
  { name: '--bytes 1GB is 10^9 bytes', args: () => [...AR, '--bytes', '1GB'], code: 0, says: ['(1000000000 B)'] },
  { name: '--bytes 1.1MB is exactly 1,100,000 bytes', args: () => [...AR, '--bytes', '1.1MB'], code: 0, says: ['(1100000 B)'] },
  { name: '--bytes 2^53 + 1 is refused, not rounded', args: () => [...AR, '--bytes', '9007199254740993'], code: 1, says: ['"9007199254740993" is above the maximum'] },
  { name: '--bytes 2^53 is the largest size', args: () => [...AR, '--bytes', '9007199254740992'], code: 0, says: ['(9007199254740992 B)'] },
  { name: '--bytes 1e30 names both limits', args: () => [...AR, '--bytes', '1e30'], code: 1, says: ['from 1 to 9,007,199,254,740,992', 'above the maximum'] },
  { name: '--bytes 1e400 (beyond a double) is the same kind of error', args: () => [...AR, '--bytes', '1e400'], code: 1, says: ['above the maximum'] },
  { name: '--bytes lots', args: () => [...AR, '--bytes', 'lots'], code: 1, says: ['--bytes', 'got "lots"'] },
  { name: '--sweep-bytes up to 1e30 names the option, not sizes[i]', args: () => [...AR, '--sweep-bytes', '8B:1e30'], code: 1, says: ['--sweep-bytes MAX', 'above the maximum'], never: NO_INTERNALS },
  { name: '--price 1e308 is above the limit (no $Infinity)', args: () => [...TRAIN, '--gpus', '1024', '--tp', '8', '--pp', '4', '--tokens', '15T', '--price', '1e308'], code: 1, says: ['--price', '> 0 and ≤ 10,000', 'US$ per GPU-hour'] },
  { name: '--tokens 1e300 is above the limit', args: () => [...TRAIN, '--gpus', '1024', '--tp', '8', '--pp', '4', '--tokens', '1e300'], code: 1, says: ['--tokens', 'from 1 to 1,000,000,000,000,000,000'] },
  { name: '--tokens 1e18 and --price 10000 format sanely', args: () => [...TRAIN, '--gpus', '1024', '--tp', '8', '--pp', '4', '--tokens', '1e18', '--price', '10000'], code: 0, says: ['1.0e18 tokens', 'years', 'GPU-hours, $'], never: ['Infinity', 'e+'] },
  { name: 'chips derive --scale-up 1e308 is above the limit', args: () => ['chips', 'derive', 'h100', '--scale-up', '1e308', '--name', 'x', '--dry-run'], code: 1, says: ['--scale-up', '> 0 and ≤ 20,000', 'GB/s bidirectional per GPU'] },
  { name: 'chips derive --nics 1.5 is not whole', args: () => ['chips', 'derive', 'h100', '--nics', '1.5', '--name', 'x', '--dry-run'], code: 1, says: ['--nics', 'from 1 to 64'] },
  { name: 'a cluster file with 150,000 notes', args: (d) => ['collective', 'all-reduce', '--cluster', join(d, 'notes.json'), '--gpus', '8', '--bytes', '1GiB'], code: 0, says: ['all-reduce of 1 GiB'] },

  // Range errors name both limits; the GPU count.
  { name: '--gpus 0 (train)', args: () => [...TRAIN, '--gpus', '0'], code: 1, says: ['--gpus', 'from 1 to 2,147,483,648 (2^31)', 'below the minimum'] },
  { name: '--gpus 1e30 (collective)', args: () => [...AR.slice(0, 4), '--gpus', '1e30', '--bytes', '1'], code: 1, says: ['--gpus', 'from 2 to 2,147,483,648 (2^31)', 'above the maximum'] },
  { name: '--gpus 1 is a valid training job', args: () => ['train', '--model', 'megatron-1.7b', ...H800, '--gpus', '1'], code: 0, says: ['on 1 GPUs', 'feasible    yes'] },
  { name: '--gpus 1 for a collective is below its two ranks', args: () => [...AR.slice(0, 4), '--gpus', '1', '--bytes', '1'], code: 1, says: ['from 2 to'] },
  { name: '--gpus 12 on 8-GPU domains (the model refuses, as an option)', args: () => ['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '12', '--bytes', '1GiB'], code: 1, says: ['--gpus: 12: must be ≤ 8'] },
  { name: '--tp 0', args: () => [...TRAIN, '--gpus', '8', '--tp', '0'], code: 1, says: ['--tp', 'from 1 to 16,777,216'] },
  { name: '--top 1001', args: () => [...TRAIN, '--gpus', '64', '--best', '--top', '1001'], code: 1, says: ['--top', 'from 1 to 1,000'] },
  { name: '--overlap-tp 2', args: () => [...TRAIN, '--gpus', '8', '--tp', '8', '--overlap-tp', '2'], code: 1, says: ['--overlap-tp', '≥ 0 and ≤ 1'] },
  { name: '--engine fast', args: () => [...AR, '--bytes', '1', '--engine', 'fast'], code: 1, says: ['--engine', 'auto, native or reference'] },
  { name: 'an unknown operation', args: () => ['collective', 'all-shuffle', ...H800, '--gpus', '8', '--bytes', '1'], code: 1, says: ['unknown operation "all-shuffle"'] },
  { name: 'an unknown cluster', args: () => ['collective', 'all-reduce', '--cluster', 'dgx-h1000', '--gpus', '8', '--bytes', '1'], code: 1, says: ['dgx-h1000'] },
  { name: 'an unknown chip', args: () => ['chips', 'show', 'h900'], code: 1, says: ['unknown chip "h900"'] },
  { name: 'a bad what-if threshold', args: () => ['controls', '--what-if', '--tpp', '-1'], code: 1, says: ['--tpp', '≥ 0 and ≤ 1,000,000,000'] },
  { name: 'compare with one cluster', args: () => ['compare', '--clusters', 'dgx-h100', '--model', 'llama3-8b', '--gpus', '64'], code: 1, says: ['--clusters: give at least two clusters'] },
  { name: 'chips derive into a missing directory names the user path', args: (d) => ['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'x', '--file', join(d, 'no-dir', 'cat.yaml')], code: 1, says: ['no-dir/cat.yaml', 'does not exist'], never: NO_INTERNALS },
  { name: 'chips derive into a read-only catalog is refused', args: (d) => ['chips', 'derive', 'h100', '--scale-up', '400', '--name', 'x', '--file', join(d, 'readonly.yaml')], code: 1, says: ['readonly.yaml: is read-only; left unchanged'] },

  // Usage errors (exit 2), every command.
  { name: 'no command', args: () => [], code: 2, says: ['Usage: linkcap'], help: true },
  { name: 'an unknown command', args: () => ['frobnicate'], code: 2, says: ["unknown command 'frobnicate'"] },
  { name: 'collective: unknown option', args: () => [...AR, '--bytes', '1', '--bogus'], code: 2, says: ["unknown option '--bogus'"] },
  { name: 'collective: missing <op>', args: () => ['collective'], code: 2, says: ["missing required argument 'op'"] },
  { name: 'collective: missing --gpus', args: () => ['collective', 'all-reduce', ...H800, '--bytes', '1'], code: 2, says: ['--gpus is required'] },
  { name: 'collective: --bytes and --sweep-bytes', args: () => [...AR, '--bytes', '1', '--sweep-bytes', '8B:1KiB'], code: 2, says: ['not both'] },
  { name: 'collective: an option without its value', args: () => [...AR, '--bytes'], code: 2, says: ["option '--bytes <size>' argument missing"] },
  { name: 'collective: usage before values (--gpus 0 and no size)', args: () => [...AR.slice(0, 4), '--gpus', '0'], code: 2, says: ['--bytes SIZE or --sweep-bytes'] },
  { name: 'clusters: unknown option', args: () => ['clusters', '--bogus'], code: 2, says: ['unknown option'] },
  { name: 'demo: unknown option', args: () => ['demo', '--bogus'], code: 2, says: ['unknown option'] },
  { name: 'chips: unknown option', args: () => ['chips', '--bogus'], code: 2, says: ['unknown option'] },
  { name: 'chips show: missing <id>', args: () => ['chips', 'show'], code: 2, says: ['missing required argument'] },
  { name: 'chips derive: missing --name', args: () => ['chips', 'derive', 'h100', '--scale-up', '400'], code: 2, says: ['--name is required'] },
  { name: 'controls: a what-if threshold without --what-if', args: () => ['controls', '--tpp', '4800'], code: 2, says: ['add --what-if'] },
  { name: 'controls: --what-if without a threshold', args: () => ['controls', '--what-if'], code: 2, says: ['needs at least one threshold'] },
  { name: 'train: missing --model', args: () => ['train', ...H800, '--gpus', '8'], code: 2, says: ['--model is required'] },
  { name: 'train: --global-batch and --batch-tokens', args: () => [...TRAIN, '--gpus', '8', '--global-batch', '8', '--batch-tokens', '4M'], code: 2, says: ['not both'] },
  { name: 'train: --price without --tokens', args: () => [...TRAIN, '--gpus', '8', '--price', '2'], code: 2, says: ['--price needs --tokens'] },
  { name: 'train: --top without --best', args: () => [...TRAIN, '--gpus', '8', '--top', '3'], code: 2, says: ['--top needs --best'] },
  { name: 'train: --dp with --best', args: () => [...TRAIN, '--gpus', '8', '--best', '--dp', '8'], code: 2, says: ['drop it with --best'] },
  { name: 'compare: missing --clusters', args: () => ['compare', '--model', 'llama3-8b', '--gpus', '8'], code: 2, says: ['--clusters is required'] },
  { name: 'models: unknown option', args: () => ['models', '--bogus'], code: 2, says: ['unknown option'] },

  // Successes, help and version.
  { name: '--version', args: () => ['--version'], code: 0, says: ['0.1.0'] },
  { name: 'train --help shows defaults as numbers', args: () => ['train', '--help'], code: 0, says: ['(default 5)', '(default 1)'], never: ['(default: "'] },
  { name: 'models', args: () => ['models'], code: 0, says: ['llama3-70b'] },
  { name: 'clusters', args: () => ['clusters'], code: 0, says: ['hgx-h800'] },
  { name: 'chips show', args: () => ['chips', 'show', 'h800'], code: 0, says: ['H800'] },
  { name: 'controls', args: () => ['controls', '--brief'], code: 0, says: ['h20'] },
];

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'linkcap-cli-table-'));
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  symlinkSync('/dev/zero', join(dir, 'zero-model.yaml'));
  execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
  writeFileSync(join(dir, 'big.yaml'), '');
  truncateSync(join(dir, 'big.yaml'), 17 * 2 ** 20);
  mkdirSync(join(dir, 'dir'));
  writeFileSync(join(dir, 'tiny.yaml'), 'id: tiny\nname: Tiny\nlayers: 2\nhidden: 128\nffn: 512\nheads: 2\nvocab: 1000\nseqLen: 128\n');
  const notes = Array.from({ length: 150_000 }, (_, i) => `note ${i}`);
  const figure = (value: number) => ({ value, source: 'user' });
  writeFileSync(
    join(dir, 'notes.json'),
    JSON.stringify({ id: 'many-notes', chip: 'h100', name: 'many notes', gpusPerDomain: figure(8), scaleUp: {}, scaleOut: { nicsPerGpu: figure(1), nicGbps: figure(400) }, notes }),
  );
  writeFileSync(join(dir, 'readonly.yaml'), 'chips: {}\n');
  chmodSync(join(dir, 'readonly.yaml'), 0o444);
});

describe('linkcap: every input of issue 8 and the exit-code rule for every command', () => {
  it.concurrent.each(CASES)('$name → exit $code', async (c) => {
    const work = mkdtempSync(join(dir, 'cwd-'));
    // A 20 s limit: an input that would hang (reading /dev/zero, a FIFO, 2^31 trial divisions) fails instead.
    const r = await runCliAsync(c.args(dir), { cwd: work, env: { LINKCAP_CATALOG: '' }, timeoutMs: 20_000 });
    const message = c.code === 0 || c.args(dir).includes('--help') ? r.stdout : r.stderr;
    expect(r.status, `${r.stderr}${r.stdout.slice(0, 500)}`).toBe(c.code);
    for (const word of c.says ?? []) expect(message).toContain(word);
    if (c.code !== 0 && !c.help) {
      expect(r.stderr).toMatch(/^linkcap: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    }
    for (const word of c.never ?? []) expect(message).not.toContain(word);
    expect(readdirSync(work)).toEqual([]); // nothing written where the command ran
  });
});

/** Every command and subcommand listed by --help, so that commands added later are held to the rule too. */
async function listCommands(path: string[] = []): Promise<string[][]> {
  const help = await runCliAsync([...path, '--help'], { env: { LINKCAP_CATALOG: '' } });
  const section = help.stdout.split(/^Commands:$/m)[1] ?? '';
  const names = [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((name) => name !== 'help');
  const nested = await Promise.all(names.map((name) => listCommands([...path, name])));
  return [...names.map((name) => [...path, name]), ...nested.flat()];
}

describe('linkcap: the exit-code rule holds for every command --help lists', () => {
  it('--help exits 0 and an unknown option exits 2 with "unknown option", for each command', async () => {
    const commands = await listCommands();
    expect(commands.map((c) => c.join(' '))).toEqual(expect.arrayContaining(['collective', 'train', 'compare', 'chips', 'chips derive', 'controls', 'models']));
    const results = await Promise.all(
      commands.map(async (command) => ({
        command: command.join(' '),
        help: await runCliAsync([...command, '--help'], { env: { LINKCAP_CATALOG: '' } }),
        bogus: await runCliAsync([...command, '--no-such-option'], { env: { LINKCAP_CATALOG: '' } }),
      })),
    );
    for (const { command, help, bogus } of results) {
      expect(help.status, command).toBe(0);
      expect(help.stdout, command).toMatch(/^Usage: linkcap /);
      expect(bogus.status, command).toBe(2);
      expect(bogus.stderr, command).toMatch(/^linkcap: unknown option '--no-such-option'/);
    }
  });
});
