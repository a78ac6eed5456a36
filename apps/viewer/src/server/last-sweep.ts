/**
 * "The last sweep": `linkcap sweep` records the result directory it wrote in `.linkcap/last-sweep` under the
 * directory it ran in (one line, the absolute path), and `linkcap view` with no RESULTS opens it.
 * docs/design/sweep-results.md states the convention.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const LAST_SWEEP_FILE = join('.linkcap', 'last-sweep');

/** The recorded result directory, or null when none was recorded under `cwd`. */
export function readLastSweep(cwd = process.cwd()): string | null {
  const file = join(cwd, LAST_SWEEP_FILE);
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8').split('\n')[0].trim();
  return line === '' ? null : resolve(cwd, line);
}

/** Records `out` as the last sweep (atomically: temporary file, then rename). For `linkcap sweep`. */
export function writeLastSweep(out: string, cwd = process.cwd()): void {
  const file = join(cwd, LAST_SWEEP_FILE);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${resolve(cwd, out)}\n`);
  renameSync(temporary, file);
}
