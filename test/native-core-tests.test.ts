/**
 * The standalone C++ tests of the numeric core (native/tests/core_tests.cpp: number formatting, cluster and input
 * validation messages, the tuner's selection against its candidates, the thread pool, training validation,
 * placement and the per-thread memo), built with CMake into node_modules/.cache/linkcap-core-tests (kept between
 * runs, so only changed sources recompile; outside native/build, which turbo caches) and run. Without this they are built by nobody and rot when a row layout changes.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const NATIVE = resolve(fileURLToPath(import.meta.url), '../../native');
const BUILD = resolve(NATIVE, '../node_modules/.cache/linkcap-core-tests');

function run(command: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd: NATIVE, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

it('builds linkcap_core_tests and every check passes', () => {
  const generator = spawnSync('ninja', ['--version']).status === 0 ? ['-G', 'Ninja'] : [];
  const configure = run('cmake', ['-S', '.', '-B', BUILD, ...generator, '-DLINKCAP_BUILD_TESTS=ON', '-DCMAKE_BUILD_TYPE=Release']);
  expect(configure.status, configure.output).toBe(0);
  const build = run('cmake', ['--build', BUILD, '--target', 'linkcap_core_tests']);
  expect(build.status, build.output).toBe(0);
  const tests = run(resolve(BUILD, 'linkcap_core_tests'), []);
  expect(tests.status, tests.output).toBe(0);
  expect(tests.output).toContain('all checks passed');
}, 600_000);
