/**
 * The result-file writers: Parquet, CSV, JSON Lines and Arrow IPC, all written by the native addon
 * (native/src/core/table_writer.hpp: the hot work of a sweep lives once, in C++). Why not a library: no
 * Parquet writer measured on this machine came near the 5M rows/s aim (BENCHMARKS.md, "Writing the results":
 * hyparquet-writer, DuckDB's Node API, parquet-wasm, and flechette for Arrow IPC, all in one run), while
 * writing the column buffers the engine fills, with statistics computed in the same pass, runs near the speed
 * of copying the bytes. Files open in DuckDB, hyparquet, flechette and apache-arrow (test/sweep-files.test.ts).
 *
 * Each writer streams: Parquet row groups and Arrow record batches of exactly ROW_GROUP_ROWS rows (the last one
 * shorter), CSV and JSON Lines line by line; memory holds one row group whatever the table's size, and the same
 * rows give the same bytes however they were chunked.
 */
import { rmSync } from 'node:fs';
import { loadNativeBinding, NativeLoadError } from '../../engine/loader.js';
import { LinkcapInputError } from '../../validate/errors.js';
import type { ColumnBuffer } from '../native.js';
import { TableFormatCode, ValueKind } from '../native-codes.js';
import type { Column } from '../run.js';
import { LINKCAP_VERSION } from './manifest.js';
import type { TableFormat, TableWriter } from './table.js';

/** Rows per Parquet row group and Arrow record batch. */
export const ROW_GROUP_ROWS = 1 << 18;

const FORMAT_CODES: Record<TableFormat, TableFormatCode> = {
  parquet: TableFormatCode.Parquet,
  csv: TableFormatCode.Csv,
  jsonl: TableFormatCode.Jsonl,
  arrow: TableFormatCode.Arrow,
};
const KIND_CODES: Record<Column['type'], ValueKind> = {
  string: ValueKind.String,
  int: ValueKind.Int32,
  bool: ValueKind.Int32,
  status: ValueKind.Int32,
  float: ValueKind.Double,
};

interface NativeTableFileWriter {
  write(columns: ColumnBuffer[], rows: number): void;
  finish(keys: string[], values: string[]): void;
  close(): void;
}
interface TableWriterBinding {
  tableWriterVersion?: number;
  TableFileWriter?: new (
    path: string,
    format: number,
    names: string[],
    kinds: number[],
    storages: number[],
    labels: (readonly string[] | null)[],
    rowGroupRows: number,
    createdBy: string,
    threads: number,
  ) => NativeTableFileWriter;
}

function storageOf(data: ColumnBuffer): number {
  if (data instanceof Float64Array) return 0;
  if (data instanceof Int32Array) return 1;
  if (data instanceof Uint32Array) return 2;
  return 3;
}

function binding(): Required<TableWriterBinding> {
  let loaded: TableWriterBinding;
  try {
    loaded = loadNativeBinding() as unknown as TableWriterBinding;
  } catch (error) {
    if (error instanceof NativeLoadError) throw new LinkcapInputError('engine', `result files are written by the native engine, which did not load.\n${error.message}`);
    throw error;
  }
  if (typeof loaded.TableFileWriter !== 'function' || loaded.tableWriterVersion !== 1) {
    throw new LinkcapInputError('engine', 'the native addon has no table writer (version 1): rebuild it with npm run build');
  }
  return loaded as Required<TableWriterBinding>;
}

export class NativeTableWriter implements TableWriter {
  private writer?: NativeTableFileWriter;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly format: TableFormat,
    private readonly options: { rowGroupRows?: number; threads?: number } = {},
  ) {}

  /** The file is created on the first write (or at finish for an empty table): the columns define it. */
  private open(columns: readonly Column[]): NativeTableFileWriter {
    if (this.closed) throw new Error(`${this.path}: the table is already finished or aborted`);
    if (!this.writer) {
      const { TableFileWriter } = binding();
      this.writer = new TableFileWriter(
        this.path,
        FORMAT_CODES[this.format],
        columns.map((c) => c.name),
        columns.map((c) => KIND_CODES[c.type]),
        columns.map((c) => storageOf(c.data)),
        columns.map((c) => (c.type === 'string' ? (c.labels ?? []) : null)),
        this.options.rowGroupRows ?? ROW_GROUP_ROWS,
        `linkcap version ${LINKCAP_VERSION}`,
        this.options.threads ?? 0,
      );
    }
    return this.writer;
  }

  write(columns: readonly Column[], length: number): void {
    this.open(columns).write(
      columns.map((c) => c.data),
      length,
    );
  }

  finish(metadata: Record<string, string>, columns?: readonly Column[]): void {
    if (!this.writer && !columns) throw new Error('an empty table needs its columns');
    const writer = this.open(columns ?? []);
    this.closed = true;
    writer.finish(Object.keys(metadata), Object.values(metadata));
  }

  abort(): void {
    this.closed = true;
    this.writer?.close();
    rmSync(this.path, { force: true });
  }
}
