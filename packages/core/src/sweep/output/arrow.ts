/**
 * Arrow IPC (file format) through flechette. The IPC file's footer indexes every record batch, so the columns
 * are kept until finish() and written as one table of several batches; prefer Parquet for very large row sets.
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { Column as ArrowColumn } from '@uwdata/flechette';

type Flechette = typeof import('@uwdata/flechette');
import type { Column } from '../run.js';
import { labelsOf, type TableWriter } from './table.js';

export class ArrowTableWriter implements TableWriter {
  private readonly batches: Map<string, ArrowColumn<unknown>>[] = [];
  private names: string[] = [];

  constructor(
    private readonly path: string,
    private readonly fl: Flechette,
  ) {}

  /** Loads flechette on first use. */
  static async create(path: string): Promise<ArrowTableWriter> {
    return new ArrowTableWriter(path, await import('@uwdata/flechette'));
  }

  write(columns: readonly Column[], length: number): void {
    this.names = columns.map((c) => c.name);
    const { columnFromArray, columnFromValues, dictionary, float64, int32, utf8 } = this.fl;
    const batch = new Map<string, ArrowColumn<unknown>>();
    for (const c of columns) {
      const data = c.data.subarray(0, length);
      if (c.type === 'string') batch.set(c.name, columnFromValues(labelsOf(c, length), dictionary(utf8())) as ArrowColumn<unknown>);
      else if (c.type === 'float') batch.set(c.name, columnFromArray(Float64Array.from(data), float64()) as ArrowColumn<unknown>);
      else batch.set(c.name, columnFromArray(Int32Array.from(data), int32()) as ArrowColumn<unknown>);
    }
    this.batches.push(batch);
  }

  finish(_metadata: Record<string, string>, columns?: readonly Column[]): void {
    if (this.batches.length === 0 && columns) this.write(columns, 0);
    const merged: Record<string, ArrowColumn<unknown>> = {};
    for (const name of this.names) {
      const parts = this.batches.map((b) => b.get(name)!);
      // A column of several batches: flechette's Column holds a list of data batches.
      const first = parts[0];
      merged[name] = parts.length === 1 ? first : (new (first.constructor as new (data: unknown[]) => ArrowColumn<unknown>)(parts.flatMap((p) => p.data)));
    }
    const bytes = this.fl.tableToIPC(this.fl.tableFromColumns(merged), { format: 'file' });
    writeFileSync(this.path, bytes!);
  }

  abort(): void {
    rmSync(this.path, { force: true });
  }
}
