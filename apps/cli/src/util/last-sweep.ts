/**
 * "The last sweep", which `linkcap view` opens when it is given no RESULTS:
 *
 *   1. the directory recorded in `.linkcap/last-sweep` under the working directory (one line, an absolute path),
 *      which `linkcap sweep` writes after its manifest (writeLastSweep; docs/design/sweep-results.md);
 *   2. else the newest `*.sweep/` result directory in the working directory (a sweep's default output name),
 *      by its manifest's modification time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileSafely } from '@linkcap/core';

export const LAST_SWEEP_FILE = join('.linkcap', 'last-sweep');

/** The directory recorded by the last `linkcap sweep` run here, or null. */
export function readLastSweep(cwd = process.cwd()): string | null {
  const file = join(cwd, LAST_SWEEP_FILE);
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8').split('\n')[0].trim();
  return line === '' ? null : resolve(cwd, line);
}

/** Records `out` as the last sweep (atomically). For `linkcap sweep`, after its manifest is written. */
export async function writeLastSweep(out: string, cwd = process.cwd()): Promise<void> {
  const file = join(cwd, LAST_SWEEP_FILE);
  mkdirSync(dirname(file), { recursive: true });
  await writeFileSafely(file, `${resolve(cwd, out)}\n`);
}

/** The newest `*.sweep/` directory holding a manifest.json in `cwd`, or null. */
export function newestSweepDirectory(cwd = process.cwd()): string | null {
  let best: { path: string; time: number } | null = null;
  for (const entry of readdirSync(cwd, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.endsWith('.sweep')) continue;
    const manifest = join(cwd, entry.name, 'manifest.json');
    if (!existsSync(manifest)) continue;
    const time = statSync(manifest).mtimeMs;
    if (!best || time > best.time) best = { path: join(cwd, entry.name), time };
  }
  return best?.path ?? null;
}

/** Where `linkcap view` without RESULTS looks, in order; null when neither gives a directory. */
export function lastSweep(cwd = process.cwd()): { path: string; from: string } | null {
  const recorded = readLastSweep(cwd);
  if (recorded) return { path: recorded, from: LAST_SWEEP_FILE };
  const newest = newestSweepDirectory(cwd);
  return newest ? { path: newest, from: 'the newest *.sweep directory here' } : null;
}
