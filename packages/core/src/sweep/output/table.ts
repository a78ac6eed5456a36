/**
 * The table writers behind a sweep's result files (Parquet, CSV, JSONL, Arrow IPC). Each takes chunks of
 * columns (the row chunks of a run, or a reduction table) and writes to a temporary path that the caller
 * renames into place once the file is complete (never a half-written file under its final name).
 */
import type { Column } from '../run.js';

export type TableFormat = 'parquet' | 'csv' | 'jsonl' | 'arrow';

export const FORMAT_EXTENSIONS: Record<TableFormat, string> = { parquet: 'parquet', csv: 'csv', jsonl: 'jsonl', arrow: 'arrow' };

export interface TableWriter {
  write(columns: readonly Column[], length: number): void | Promise<void>;
  /** Completes the file; `metadata` is stored where the format has room for it (Parquet key-value metadata). */
  finish(metadata: Record<string, string>): void | Promise<void>;
  /** Gives up: closes and deletes the temporary file. */
  abort(): void;
}

export const NULL_CODE = 0xffffffff;

/** A string column's labels per row (null for a null code). */
export function labelsOf(column: Column, length: number): (string | null)[] {
  const labels = column.labels ?? [];
  const codes = column.data;
  const out = new Array<string | null>(length);
  for (let i = 0; i < length; i += 1) {
    const code = codes[i];
    out[i] = code === NULL_CODE || code >= labels.length ? null : labels[code];
  }
  return out;
}

export function isStringColumn(column: Column): boolean {
  return column.type === 'string';
}
