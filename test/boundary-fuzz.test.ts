/**
 * The boundary fuzz (test/boundary/fuzz.mjs) in a child process: ≥ 10^5 cases per run over both engines —
 * random and adversarial columns and rows, broken tables, wrong shapes, shared and ordinary memory, random
 * abort timing, columns rewritten by other threads — with no crash (exit 0, no signal), no difference between
 * the engines (errors and outputs), and no error outside the documented ones. The seed changes every run
 * (LINKCAP_FUZZ_SEED fixes it); a failure prints it so the case reproduces.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./boundary/fuzz.mjs', import.meta.url));
const seed = Number(process.env.LINKCAP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = 100_000;

it(`fuzzes the native boundary against the reference (seed ${seed}, ≥ ${CASES} cases)`, () => {
  const child = spawnSync(process.execPath, [script, String(seed), String(CASES)], { encoding: 'utf8', timeout: 300_000 });
  const context = `seed ${seed}; stderr:\n${child.stderr}`;
  expect(child.signal, `killed by a signal (${context})`).toBeNull();
  expect(child.status, `exit code (${context})`).toBe(0);
  const line = child.stdout.split('\n').find((l) => l.startsWith('FUZZ '));
  expect(line, `no summary (${context})`).toBeDefined();
  const summary = JSON.parse(line!.slice('FUZZ '.length));
  expect(summary.mismatches, `engines differ (${context})`).toEqual([]);
  expect(summary.undocumented, `undocumented errors (${context})`).toEqual([]);
  expect(summary.cases).toBeGreaterThanOrEqual(CASES);
  // The run must reach every kind of case and both outcomes, not only the error paths.
  expect(summary.collective.ok).toBeGreaterThan(CASES * 0.3);
  expect(summary.collective.errors).toBeGreaterThan(CASES * 0.05);
  expect(summary.training.rows).toBeGreaterThan(1000);
  expect(summary.training.errors).toBeGreaterThan(0);
  expect(summary.async.cases).toBeGreaterThan(0);
  expect(summary.racing.cases).toBeGreaterThan(0);
}, 360_000);
