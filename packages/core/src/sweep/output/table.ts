/**
 * The table writers behind a sweep's result files (Parquet, CSV, JSONL, Arrow IPC; native-writer.ts). Each takes
 * chunks of columns (the row chunks of a run, or a reduction table) and writes to a temporary path that the
 * caller renames into place once the file is complete (never a half-written file under its final name).
 */
import type { Column } from '../run.js';

export type TableFormat = 'parquet' | 'csv' | 'jsonl' | 'arrow';

export const FORMAT_EXTENSIONS: Record<TableFormat, string> = { parquet: 'parquet', csv: 'csv', jsonl: 'jsonl', arrow: 'arrow' };

export interface TableWriter {
  write(columns: readonly Column[], length: number): void | Promise<void>;
  /**
   * Completes the file; `metadata` is stored where the format has room for it (Parquet key-value metadata, the
   * Arrow footer's schema metadata). `columns` define an empty table's schema when nothing was written.
   */
  finish(metadata: Record<string, string>, columns?: readonly Column[]): void | Promise<void>;
  /** Gives up: closes and deletes the temporary file. */
  abort(): void;
}

export const NULL_CODE = 0xffffffff;
