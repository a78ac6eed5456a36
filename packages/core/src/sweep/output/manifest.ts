/**
 * manifest.json of a result directory (docs/design/sweep-results.md): what was run (the spec after defaults,
 * linkcap's version, a hash of the model's constants and of every catalog row used) and what is there.
 */
import { createHash } from 'node:crypto';
import * as calibration from '../../training/calibration.js';
import * as tuner from '../../model/tuner-constants.js';
import packageJson from '../../../package.json';
import type { SweepPlan } from '../plan.js';
import type { ShardOption, SweepResult } from '../run.js';

export const MANIFEST_FORMAT = 'linkcap-sweep/1';
export const LINKCAP_VERSION: string = (packageJson as { version: string }).version;

export interface ManifestFile {
  name: string;
  kind: string;
  file: string;
  by: string[];
  metric?: string;
  metrics?: string[];
  pair?: { axis: string; numerator: string; denominator: string };
}

export interface SweepManifest {
  format: typeof MANIFEST_FORMAT;
  linkcapVersion: string;
  modelHash: string;
  kind: 'collective' | 'training';
  name: string;
  spec: unknown;
  complete: boolean;
  points: { total: number | null; evaluated: number; ok: number };
  statuses: number[];
  shard: ShardOption | null;
  range: { begin: number; end: number; done: number; outerCount: number };
  axes: { name: string; type: string; unit?: string; values: (string | number | boolean)[] }[];
  metrics: { name: string; unit: string }[];
  columns: { name: string; type: string; unit?: string }[];
  files: { format: string; rows: string | null; rowCount: number; reductions: ManifestFile[]; state: string };
  createdAt: string;
  elapsedS: number;
  /** Where the spec's relative paths resolve and the extra catalog files: what `linkcap merge` rebuilds the plan from. */
  baseDir: string;
  catalogFiles: string[];
  /** Present on merged results: the shard directories combined. */
  mergedFrom?: string[];
}

/** sha256 of the model constants (collective tuner, training calibration) and every table row the plan uses. */
export function modelHash(plan: SweepPlan): string {
  const hash = createHash('sha256');
  hash.update(`linkcap ${LINKCAP_VERSION}\n`);
  hash.update(JSON.stringify(tuner));
  hash.update(JSON.stringify(calibration));
  for (const table of plan.tables) hash.update(new Uint8Array(table.buffer, table.byteOffset, table.byteLength));
  return `sha256:${hash.digest('hex')}`;
}

export function buildManifest(plan: SweepPlan, result: SweepResult, extras: { shard?: ShardOption; total?: number; format: string; rowsFile: string | null; rowCount: number; reductionFiles: ManifestFile[]; outerCount: number }): SweepManifest {
  return {
    format: MANIFEST_FORMAT,
    linkcapVersion: LINKCAP_VERSION,
    modelHash: modelHash(plan),
    kind: plan.kind,
    name: plan.name,
    spec: plan.spec,
    complete: result.complete,
    points: { total: extras.total ?? null, evaluated: result.points.evaluated, ok: result.points.ok },
    statuses: result.statuses,
    shard: extras.shard ?? null,
    range: { ...result.range, outerCount: extras.outerCount },
    axes: plan.axes.map((a) => ({
      name: a.name,
      type: a.type,
      unit: a.unit,
      values: a.labels ? a.labels : a.type === 'bool' ? [...a.values].map((v) => v === 1) : [...a.values],
    })),
    metrics: plan.metrics.map((m) => ({ name: m.name, unit: m.unit })),
    columns: plan.columns.map((c) => ({ name: c.name, type: c.type, unit: c.unit })),
    files: { format: extras.format, rows: extras.rowsFile, rowCount: extras.rowCount, reductions: extras.reductionFiles, state: 'state.bin' },
    baseDir: plan.baseDir,
    catalogFiles: plan.extraCatalogFiles,
    createdAt: new Date().toISOString(),
    elapsedS: Number(result.elapsedS.toFixed(3)),
  };
}

/** Fields of manifest.json that describe one run (when, where, which shard), not the results. */
const RUN_FIELDS = ['createdAt', 'elapsedS', 'shard', 'range', 'baseDir', 'catalogFiles', 'mergedFrom'] as const;

/**
 * The manifest stored in each file's metadata (Parquet key-value `linkcap.manifest`): manifest.json less the
 * fields of the run itself, so the same results give the same bytes whenever, wherever and however sharded
 * they were computed.
 */
export function fileManifest(manifest: SweepManifest): Omit<SweepManifest, (typeof RUN_FIELDS)[number]> {
  const copy: Record<string, unknown> = { ...manifest };
  for (const field of RUN_FIELDS) delete copy[field];
  return copy as Omit<SweepManifest, (typeof RUN_FIELDS)[number]>;
}
