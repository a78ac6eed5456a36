/**
 * README.md quotes the training part of `linkcap demo` (`npm start`): the seed claims priced by the current
 * model, with the implementation profile they assume. This test fails when the model's numbers and the README's
 * part ways (`npm run validation` refreshes README.md's block).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

describe('seed claims in README.md', () => {
  it('match what `linkcap demo` prints now, and name the profile they assume', () => {
    const result = runCli(['demo']);
    expect(result.status).toBe(0);
    const start = result.stdout.indexOf('Training step time, H800 against H100.');
    const end = result.stdout.indexOf('\nTry:');
    expect(start).toBeGreaterThan(0);
    const block = result.stdout.slice(start, end).trimEnd();
    expect(block).toMatch(/Profile megatron-core \(the default\)/);
    expect(block).toMatch(/Tencent \(1T parameters/);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(block);
  });
});
