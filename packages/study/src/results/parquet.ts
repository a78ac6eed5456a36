/**
 * Parquet files of the result directory, read with hyparquet and written with hyparquet-writer (pure JavaScript,
 * no native build, from the same maintainers; DuckDB, pandas, polars and the viewer read the files).
 * Files are written to a temporary name in the same folder and renamed, so no reader sees half a file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnDef, Row, Table } from './table.js';

const PARQUET_TYPE = { string: 'STRING', int: 'INT32', float: 'DOUBLE' } as const;

/** Writes a table as Parquet with `metadata` in the file's key-value metadata; atomic (temporary name + rename). */
export function writeParquet(file: string, table: Table, metadata: Record<string, string> = {}): void {
  const columnData = table.columns.map((column) => ({
    name: column.name,
    type: PARQUET_TYPE[column.type],
    nullable: false,
    data: table.rows.map((row) => cell(row, column)),
  }));
  const buffer = parquetWriteBuffer({
    columnData,
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: 'linkcap study',
  });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, new Uint8Array(buffer));
  renameSync(temporary, file);
}

function cell(row: Row, column: ColumnDef): string | number {
  const value = row[column.name];
  if (column.type === 'string') return value === undefined ? '' : String(value);
  if (typeof value !== 'number') return column.type === 'int' ? 0 : NaN;
  return column.type === 'int' ? Math.round(value) : value;
}

/** Reads a Parquet file into rows (integers and floats as numbers, strings as strings) and its key-value metadata. */
export async function readParquet(file: string): Promise<{ rows: Row[]; metadata: Record<string, string>; columns: string[] }> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const meta = parquetMetadata(buffer);
  const metadata: Record<string, string> = {};
  for (const entry of meta.key_value_metadata ?? []) if (entry.value !== undefined) metadata[entry.key] = entry.value;
  const columns = meta.schema.slice(1).map((element) => element.name);
  const objects = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  const rows = objects.map((object) => {
    const row: Row = {};
    for (const [key, value] of Object.entries(object)) row[key] = typeof value === 'bigint' ? Number(value) : (value as string | number);
    return row;
  });
  return { rows, metadata, columns };
}
