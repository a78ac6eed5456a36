/**
 * Merging shard results (`linkcap merge`): the shards' reduction states are loaded into one engine built from
 * the same spec (the reductions combine exactly: top-k, argmin, Pareto, counts and histograms are exact, and
 * quantile sketches merge without loss, so their stated relative error holds), and their rows are
 * concatenated in shard order, which is the single run's row order. A test checks that merged shards equal
 * the single run.
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { LinkcapInputError } from '../validate/errors.js';
import { createSweepEngine } from './native.js';
import { buildSweepPlan } from './plan.js';
import { buildReductionResults, type SweepResult } from './run.js';
import type { SweepSpec } from './spec.js';
import { beginTable, finishDirectory, prepareResultDirectory, type PendingTable, type WrittenResults } from './output/directory.js';
import { modelHash, type SweepManifest } from './output/manifest.js';
import { readManifest, readTableChunks } from './output/read.js';
import { FORMAT_EXTENSIONS } from './output/table.js';

export interface MergeOptions {
  out: string;
  overwrite?: boolean;
  /** Merge even when shards are missing (the result is then marked incomplete). */
  allowPartial?: boolean;
}

export async function mergeSweepResults(dirs: readonly string[], options: MergeOptions): Promise<WrittenResults & { shards: number; missing: number[] }> {
  if (dirs.length === 0) throw new LinkcapInputError('merge', 'give the shard result directories to merge');
  const manifests = dirs.map((dir) => ({ dir, manifest: readManifest(dir) }));
  const first = manifests[0].manifest;
  const count = first.shard?.count ?? 1;
  const byIndex = new Map<number, { dir: string; manifest: SweepManifest }>();
  for (const entry of manifests) {
    const m = entry.manifest;
    if (!isDeepStrictEqual(m.spec, first.spec)) throw new LinkcapInputError('merge', `${entry.dir} ran another spec than ${manifests[0].dir}`);
    if (m.modelHash !== first.modelHash) throw new LinkcapInputError('merge', `${entry.dir} was run with other model constants or catalog rows (${m.modelHash} vs ${first.modelHash})`);
    if (m.files.format !== first.files.format) throw new LinkcapInputError('merge', `${entry.dir} is ${m.files.format}, ${manifests[0].dir} is ${first.files.format}`);
    if ((m.shard?.count ?? 1) !== count) throw new LinkcapInputError('merge', `${entry.dir} is a shard of ${m.shard?.count ?? 1}, ${manifests[0].dir} of ${count}`);
    const index = m.shard?.index ?? 0;
    if (byIndex.has(index)) throw new LinkcapInputError('merge', `shard ${index} is given twice (${byIndex.get(index)!.dir} and ${entry.dir})`);
    byIndex.set(index, entry);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && !options.allowPartial) {
    throw new LinkcapInputError('merge', `missing shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''} of ${count}; pass --allow-partial to merge what is there`);
  }
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  const spec = first.spec as SweepSpec;
  const plan = buildSweepPlan(spec, { baseDir: first.baseDir, catalog: first.catalogFiles });
  if (modelHash(plan) !== first.modelHash) {
    throw new LinkcapInputError('merge', 'the model constants or catalog rows changed since the shards ran (model hashes differ); rerun the shards with this linkcap');
  }
  const engine = createSweepEngine(plan.native);
  for (const { dir, manifest } of ordered) engine.loadState(new Uint8Array(readFileSync(join(dir, manifest.files.state))));
  const totals = engine.totals();
  const built = buildReductionResults(plan, engine);
  const result: SweepResult = {
    complete: missing.length === 0 && ordered.every((e) => e.manifest.complete),
    points: { evaluated: totals.evaluated, ok: totals.ok },
    statuses: totals.statuses,
    range: { begin: 0, end: first.range.outerCount, done: ordered.reduce((n, e) => n + e.manifest.range.done, 0) },
    reductions: built.reductions,
    sample: built.sample,
    state: engine.saveState(),
    elapsedS: ordered.reduce((s, e) => s + e.manifest.elapsedS, 0),
  };

  const format = first.files.format as keyof typeof FORMAT_EXTENSIONS;
  const rowsName = `rows.${FORMAT_EXTENSIONS[format]}`;
  prepareResultDirectory(options.out, options.overwrite ?? false);
  let rowCount = 0;
  let rowsTable: PendingTable | undefined;
  if (plan.rows === 'all') {
    rowsTable = await beginTable(format, join(options.out, rowsName));
    try {
      for (const { dir, manifest } of ordered) {
        if (!manifest.files.rows) continue;
        for await (const chunk of readTableChunks(join(dir, manifest.files.rows), format, plan.columns)) {
          await rowsTable.writer.write(chunk.columns, chunk.length);
          rowCount += chunk.length;
        }
      }
    } catch (error) {
      await rowsTable.abort();
      throw error;
    }
  }
  const total = ordered.every((e) => e.manifest.points.total !== null) ? ordered.reduce((n, e) => n + (e.manifest.points.total ?? 0), 0) : undefined;
  const written = await finishDirectory(plan, result, {
    dir: options.out,
    format,
    total,
    rowsTable,
    rowCount,
    rowsName,
    outerCount: first.range.outerCount,
    mergedFrom: ordered.map((e) => e.dir),
  });
  return { ...written, shards: ordered.length, missing };
}
