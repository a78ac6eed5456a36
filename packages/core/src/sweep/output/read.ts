/**
 * Reading a result directory back: its manifest, and its row (or reduction) tables as chunks of columns in the
 * writer's own form (string columns as codes into the plan's labels). Used by `linkcap merge` to concatenate
 * shard rows, and by tests to compare files.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LinkcapInputError } from '../../validate/errors.js';
import { ColumnType } from '../native-codes.js';
import type { PlanColumn } from '../plan.js';
import { allocateColumn, type Column } from '../run.js';
import type { SweepManifest } from './manifest.js';
import { MANIFEST_FORMAT } from './manifest.js';
import { NULL_CODE, type TableFormat } from './table.js';

export function readManifest(dir: string): SweepManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new LinkcapInputError('results', `${dir}: no manifest.json (not a linkcap result directory, or the run did not finish writing)`);
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as SweepManifest;
  } catch (error) {
    throw new LinkcapInputError('results', `${path}: not valid JSON (${(error as Error).message})`);
  }
  if (manifest.format !== MANIFEST_FORMAT) throw new LinkcapInputError('results', `${path}: format ${JSON.stringify(manifest.format)}, expected ${MANIFEST_FORMAT}`);
  return manifest;
}

export interface ChunkOfRows {
  length: number;
  columns: Column[];
}

/** Values as read (strings, numbers, bigints, booleans, null) → a Column of the plan column's storage. */
function toColumn(spec: PlanColumn, values: ArrayLike<unknown>, length: number): Column {
  const data = allocateColumn(spec.storage, length);
  if (spec.storage === ColumnType.U32 && spec.labels) {
    const codes = new Map(spec.labels.map((l, i) => [l, i]));
    for (let i = 0; i < length; i += 1) {
      const v = values[i];
      data[i] = v === null || v === undefined ? NULL_CODE : (codes.get(String(v)) ?? NULL_CODE);
    }
  } else {
    for (let i = 0; i < length; i += 1) {
      const v = values[i];
      data[i] = v === null || v === undefined || v === '' ? NaN : Number(v);
    }
  }
  return { name: spec.name, type: spec.type, unit: spec.unit, data, labels: spec.labels };
}

async function* parquetChunks(path: string, columns: readonly PlanColumn[]): AsyncGenerator<ChunkOfRows> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetRead } = await import('hyparquet');
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let start = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    const end = start + count;
    const got = new Map<string, unknown[]>();
    await parquetRead({
      file,
      metadata,
      rowStart: start,
      rowEnd: end,
      columns: columns.map((c) => c.name),
      onChunk: (chunk) => {
        const list = got.get(chunk.columnName) ?? new Array<unknown>(count);
        for (let i = 0; i < chunk.columnData.length; i += 1) {
          const row = chunk.rowStart + i;
          if (row >= start && row < end) list[row - start] = chunk.columnData[i];
        }
        got.set(chunk.columnName, list);
      },
    });
    yield { length: count, columns: columns.map((c) => toColumn(c, got.get(c.name) ?? [], count)) };
    start = end;
  }
}

async function* lineChunks(path: string, columns: readonly PlanColumn[], format: 'csv' | 'jsonl'): AsyncGenerator<ChunkOfRows> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const CHUNK = 65_536;
  let header: string[] | undefined;
  let buffer: Record<string, unknown>[] = [];
  const flush = (): ChunkOfRows => {
    const out = { length: buffer.length, columns: columns.map((c) => toColumn(c, buffer.map((row) => row[c.name]), buffer.length)) };
    buffer = [];
    return out;
  };
  for await (const line of lines) {
    if (line === '') continue;
    if (format === 'jsonl') {
      buffer.push(JSON.parse(line) as Record<string, unknown>);
    } else if (!header) {
      header = line.split(',');
      continue;
    } else {
      // Our CSV quotes only labels with commas or quotes, which linkcap's labels never have.
      const cells = line.split(',');
      buffer.push(Object.fromEntries(header.map((h, i) => [h, cells[i] === '' ? null : cells[i]])));
    }
    if (buffer.length >= CHUNK) yield flush();
  }
  if (buffer.length > 0) yield flush();
}

async function* arrowChunks(path: string, columns: readonly PlanColumn[]): AsyncGenerator<ChunkOfRows> {
  const { tableFromIPC } = await import('@uwdata/flechette');
  const table = tableFromIPC(readFileSync(path));
  const length = table.numRows;
  yield { length, columns: columns.map((c) => toColumn(c, table.getChild(c.name)?.toArray() ?? [], length)) };
}

/** The rows of a table file, chunk by chunk (a Parquet row group each), in the plan's column form. */
export function readTableChunks(path: string, format: TableFormat, columns: readonly PlanColumn[]): AsyncGenerator<ChunkOfRows> {
  if (!existsSync(path)) throw new LinkcapInputError('results', `${path}: missing`);
  switch (format) {
    case 'parquet':
      return parquetChunks(path, columns);
    case 'arrow':
      return arrowChunks(path, columns);
    default:
      return lineChunks(path, columns, format);
  }
}
