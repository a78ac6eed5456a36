/**
 * Issue 7's crash reproductions, each in its own child process (test/boundary/scenarios.mjs) so that a crash
 * fails the test instead of killing the runner: the process must exit 0, killed by no signal (a SIGSEGV was
 * exit 139 before), and the call must end in a documented way: resolved, a LinkcapInputError naming the value
 * it met, a TypeError naming the misused array, or a rejected transfer.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./boundary/scenarios.mjs', import.meta.url));

interface Outcome {
  resolved?: true;
  name?: string;
  message?: string;
}

function run(name: string): Record<string, unknown> {
  const child = spawnSync(process.execPath, ['--expose-gc', script, name], { encoding: 'utf8', timeout: 120_000 });
  expect(child.signal, `${name} killed by a signal; stderr:\n${child.stderr}`).toBeNull();
  expect(child.status, `${name} exit code; stderr:\n${child.stderr}`).toBe(0);
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, `${name} printed no RESULT; stdout:\n${child.stdout}\nstderr:\n${child.stderr}`).toBeDefined();
  return JSON.parse(line!.slice('RESULT '.length)) as Record<string, unknown>;
}

/** Resolved, or the value error of a point or row that changed under the engine. */
function expectValueErrorOrSuccess(outcome: Outcome, pattern: RegExp): void {
  if (outcome.resolved) return;
  expect(outcome.name).toBe('LinkcapInputError');
  expect(outcome.message).toMatch(pattern);
}

describe('the native boundary survives hostile callers (each case in a child process)', () => {
  it('inputs rewritten during evaluateAsync: ordinary columns (staged) and shared ones (read in place)', () => {
    for (const name of ['async-input-rewritten', 'async-shared-input-rewritten']) {
      const outcome = run(name) as Outcome;
      expectValueErrorOrSuccess(outcome, /^inputs\.cluster\[\d+\] = 65535: must be < 1 \(cluster rows\)$/);
    }
  });

  it('a training layout row rewritten during evaluateAsync', () => {
    expectValueErrorOrSuccess(run('training-async-row-rewritten') as Outcome, /^layouts\[\d+\]\.chip = 1000000000: must be a row index from 0 to 0$/);
  });

  it('an output buffer transferred away and collected during evaluateAsync', () => {
    const outcome = run('async-output-detached') as Outcome;
    expect(outcome.name).toBe('TypeError');
    expect(outcome.message).toMatch(/^outputs\.timeS was detached or resized during evaluateAsync/);
  });

  it('the raw asynchronous entry point takes only shared memory, which cannot be transferred', () => {
    const { refused, transfer, flag } = run('raw-async-memory') as Record<string, Outcome>;
    expect(refused.name).toBe('TypeError');
    expect(refused.message).toMatch(/^inputs\.op must be a Uint8Array on a SharedArrayBuffer/);
    expect(transfer.name).toMatch(/TypeError|DataCloneError/);
    expect(flag.message).toMatch(/^cancelFlag must be an Int32Array on a SharedArrayBuffer/);
  });

  it('SharedArrayBuffer columns rewritten by a worker thread during a synchronous evaluate', () => {
    expectValueErrorOrSuccess(
      run('sync-shared-rewritten-by-worker') as Outcome,
      /^inputs\.(cluster\[\d+\] = 65535: must be < 1|bytes\[\d+\] = -1: must be a finite number of bytes|op\[\d+\] = 200: must be 0\.\.6)/,
    );
  });

  it('training layouts rewritten by a worker thread during a synchronous evaluate', () => {
    expectValueErrorOrSuccess(
      run('training-sync-shared-rewritten-by-worker') as Outcome,
      /^layouts\[\d+\](\.(workload|chip|cluster) = 1e\+300: must be a row index|: tp × cp × dp × pp)/,
    );
  });

  it('a getter that detaches an array already read, and an array detached before a raw call', () => {
    const { engine, raw } = run('getter-detaches-earlier-column') as Record<string, Outcome>;
    expect(engine.name).toBe('LinkcapInputError');
    expect(engine.message).toBe('inputs.bytes: has length 100000, expected 0');
    expect(raw.name).toBe('TypeError');
    expect(raw.message).toBe('inputs.bytes has length 100000, expected 0');
  });

  it('a resizable ArrayBuffer shrunk during evaluateAsync', () => {
    const outcome = run('async-resizable-shrunk') as Outcome;
    expect(outcome.name).toBe('TypeError');
    expect(outcome.message).toMatch(/^inputs\.bytes was detached or resized during evaluateAsync/);
  });
});
