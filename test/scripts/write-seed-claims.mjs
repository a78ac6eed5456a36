#!/usr/bin/env node
/**
 * Refreshes the seed-claims block of README.md ("### The seed claims, as the model prices them") from what
 * `linkcap demo` prints now (run by `npm run validation`, after the build). Writes atomically.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../apps/cli/dist/cli.js', import.meta.url));
const target = fileURLToPath(new URL('../../README.md', import.meta.url));
const output = execFileSync(process.execPath, [cli, 'demo'], { encoding: 'utf8' });
const start = output.indexOf('Training step time, H800 against H100.');
const end = output.indexOf('\nTry:');
if (start < 0 || end < 0) throw new Error('linkcap demo did not print the seed claims');
const block = output.slice(start, end).trimEnd();
const readme = readFileSync(target, 'utf8');
const heading = readme.indexOf('### The seed claims, as the model prices them');
const open = readme.indexOf('\n```\n', heading);
const close = readme.indexOf('\n```\n', open + 5);
if (heading < 0 || open < 0 || close < 0) throw new Error('README.md has no seed-claims block to refresh');
const next = `${readme.slice(0, open + 5)}${block}${readme.slice(close)}`;
const temporary = `${target}.${process.pid}.tmp`;
writeFileSync(temporary, next);
renameSync(temporary, target);
process.stdout.write('wrote the seed claims of README.md\n');
