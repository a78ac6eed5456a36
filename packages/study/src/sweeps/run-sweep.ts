/**
 * Runs one of the study's sweep specs through the native sweep engine (@linkcap/core `sweep`) and writes its result
 * directory (docs/design/sweep-results.md).
 */
import { sweep, writeSweepResults, type SweepManifest, type SweepSpec } from '@linkcap/core';

export interface SweepRunProgress {
  fraction: number;
  evaluated: number;
}

export async function runSweep(spec: SweepSpec, baseDir: string, dir: string, onProgress?: (p: SweepRunProgress) => void, signal?: AbortSignal): Promise<SweepManifest> {
  const run = sweep(spec, { baseDir, signal, onProgress: (p) => onProgress?.({ fraction: p.fraction, evaluated: p.evaluated }) });
  const { manifest } = await writeSweepResults(run, { dir });
  return manifest;
}
