/**
 * Writing a sweep's result directory (docs/design/sweep-results.md): rows.<ext>, reductions/<name>.<ext>,
 * state.bin (the reductions' mergeable state, for `linkcap merge`) and manifest.json, written last. Every file
 * is written under a temporary name in the same directory and renamed, so a reader never sees a half-written
 * file; an interrupted run still writes what it did, marked complete: false.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinkcapInputError } from '../../validate/errors.js';
import { beginSafeWrite, type PendingWrite } from '../../files/safe-write.js';
import type { SweepPlan } from '../plan.js';
import type { Column, ReductionResult, RowChunk, ShardOption, SweepResult, SweepRun } from '../run.js';
import { buildManifest, fileManifest, type ManifestFile, type SweepManifest } from './manifest.js';
import { NativeTableWriter } from './native-writer.js';
import { FORMAT_EXTENSIONS, type TableFormat, type TableWriter } from './table.js';

/** A writer of one table file in `format` (native: see native-writer.ts). */
export async function createTableWriter(format: TableFormat, path: string, options: { rowGroupRows?: number; threads?: number } = {}): Promise<TableWriter> {
  if (!(format in FORMAT_EXTENSIONS)) throw new LinkcapInputError('format', `${JSON.stringify(format)}: must be one of ${Object.keys(FORMAT_EXTENSIONS).join(', ')}`);
  return new NativeTableWriter(path, format, options);
}

/**
 * A table file being written: the writer works on a temporary file beside the target (beginSafeWrite: removed
 * if the process dies first) that commit() renames into place.
 */
export interface PendingTable {
  writer: TableWriter;
  pending: PendingWrite;
  finish(metadata: Record<string, string>, columns: readonly Column[]): Promise<void>;
  abort(): Promise<void>;
}

export async function beginTable(format: TableFormat, path: string): Promise<PendingTable> {
  const pending = beginSafeWrite(path);
  let writer: TableWriter;
  try {
    writer = await createTableWriter(format, pending.temporaryPath);
  } catch (error) {
    await pending.abort();
    throw error;
  }
  return {
    writer,
    pending,
    async finish(metadata, columns) {
      try {
        await writer.finish(metadata, columns);
      } catch (error) {
        await pending.abort();
        throw error;
      }
      await pending.commit();
    },
    async abort() {
      writer.abort();
      await pending.abort();
    },
  };
}

/** Writes one whole table to `path` atomically. */
export async function writeTable(format: TableFormat, path: string, columns: readonly Column[], length: number, metadata: Record<string, string>): Promise<void> {
  const table = await beginTable(format, path);
  try {
    await table.writer.write(columns, length);
  } catch (error) {
    await table.abort();
    throw error;
  }
  await table.finish(metadata, columns);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const pending = beginSafeWrite(path);
  try {
    writeFileSync(pending.temporaryPath, data);
  } catch (error) {
    await pending.abort();
    throw error;
  }
  await pending.commit();
}

/**
 * Makes `dir` ready: created when missing; an existing result directory is replaced only with `overwrite`
 * (its files, as its manifest lists them); a directory holding anything else is refused.
 */
export function prepareResultDirectory(dir: string, overwrite: boolean): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (!statSync(dir).isDirectory()) throw new LinkcapInputError('output', `${dir} exists and is not a directory`);
  const entries = readdirSync(dir).filter((e) => !e.endsWith('.tmp'));
  if (entries.length === 0) return;
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new LinkcapInputError('output', `${dir} exists and is not a linkcap result directory (no manifest.json); choose another --out`);
  if (!overwrite) throw new LinkcapInputError('output', `${dir} holds results already; pass --overwrite to replace them or choose another --out`);
  // Remove only the files the old manifest names (ours), never anything else the user put there.
  let old: SweepManifest | undefined;
  try {
    old = JSON.parse(readFileSync(manifestPath, 'utf8')) as SweepManifest;
  } catch {
    old = undefined;
  }
  const files = [old?.files?.rows, old?.files?.state, ...(old?.files?.reductions ?? []).map((r) => r.file)].filter((f): f is string => typeof f === 'string');
  for (const f of files) if (!f.includes('..')) rmSync(join(dir, f), { force: true });
  rmSync(manifestPath, { force: true });
}

export interface WriteResultsOptions {
  dir: string;
  format?: TableFormat;
  overwrite?: boolean;
  shard?: ShardOption;
  /** The number of points the run was expected to evaluate (for the manifest), when counted. */
  total?: number;
  /** Called after each row chunk is written. */
  onRows?: (rowsWritten: number) => void;
}

export interface WrittenResults {
  manifest: SweepManifest;
  result: SweepResult;
}

/** Runs `run` to the end (or until aborted) and writes its result directory. */
export async function writeSweepResults(run: SweepRun, options: WriteResultsOptions): Promise<WrittenResults> {
  const plan = run.plan;
  const format = options.format ?? plan.format;
  const ext = FORMAT_EXTENSIONS[format];
  const dir = options.dir;
  prepareResultDirectory(dir, options.overwrite ?? false);
  const rowsName = `rows.${ext}`;
  const rowsPath = join(dir, rowsName);
  let rowsTable: PendingTable | undefined;
  let rowColumns: readonly Column[] | undefined;
  let rowCount = 0;
  try {
    if (run.withRows) {
      rowsTable = await beginTable(format, rowsPath);
      for await (const chunk of run) {
        await rowsTable.writer.write(chunk.columns, chunk.length);
        rowColumns = chunk.columns;
        rowCount += chunk.length;
        options.onRows?.(rowCount);
      }
    }
    const result = await run.result();
    return await finishDirectory(plan, result, { ...options, format, rowsTable, rowColumns, rowCount, rowsName, outerCount: run.engine.outerCount() });
  } catch (error) {
    await rowsTable?.abort();
    throw error;
  }
}

function emptyColumns(plan: SweepPlan): Column[] {
  return plan.columns.map((c) => ({ name: c.name, type: c.type, unit: c.unit, data: new Float64Array(0), labels: c.labels }));
}

/** Writes the reductions, state and manifest of a finished (or merged) result. */
export async function finishDirectory(
  plan: SweepPlan,
  result: SweepResult,
  o: WriteResultsOptions & { format: TableFormat; rowsTable?: PendingTable; rowColumns?: readonly Column[]; rowCount: number; rowsName: string; outerCount: number; mergedFrom?: string[]; rowsFromMerge?: boolean },
): Promise<WrittenResults> {
  const dir = o.dir;
  const ext = FORMAT_EXTENSIONS[o.format];
  const reductionFiles: ManifestFile[] = result.reductions.map((r) => ({
    name: r.name,
    kind: r.kind,
    file: `reductions/${r.name}.${ext}`,
    by: r.by,
    ...(r.metric ? { metric: r.metric } : {}),
    ...(r.metrics ? { metrics: r.metrics } : {}),
    ...(r.pair ? { pair: r.pair } : {}),
  }));
  let rowCount = o.rowCount;
  const sampled = typeof plan.rows === 'object' && result.sample;
  if (sampled) rowCount = result.sample!.length;
  const hasRows = plan.rows !== 'none' || o.rowsFromMerge === true;
  const manifest = buildManifest(plan, result, { shard: o.shard, total: o.total, format: o.format, rowsFile: hasRows ? o.rowsName : null, rowCount, reductionFiles, outerCount: o.outerCount });
  if (o.mergedFrom) manifest.mergedFrom = o.mergedFrom;
  const metadata = { 'linkcap.manifest': JSON.stringify(fileManifest(manifest)) };
  const rowsPath = join(dir, o.rowsName);
  if (o.rowsTable) {
    await o.rowsTable.finish(metadata, o.rowColumns ?? emptyColumns(plan));
  } else if (sampled) {
    const sample = result.sample as RowChunk;
    await writeTable(o.format, rowsPath, sample.columns, sample.length, metadata);
  }
  if (result.reductions.length > 0) mkdirSync(join(dir, 'reductions'), { recursive: true });
  for (const r of result.reductions as ReductionResult[]) await writeTable(o.format, join(dir, `reductions/${r.name}.${ext}`), r.columns, r.length, metadata);
  await writeFileAtomic(join(dir, 'state.bin'), result.state);
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, result };
}
