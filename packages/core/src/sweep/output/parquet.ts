/**
 * Parquet through hyparquet-writer (pure JavaScript, streaming row groups to the file; chosen by measurement,
 * BENCHMARKS.md "Choosing the Parquet writer"). Strings are dictionary-encoded UTF8, counts INT32, everything else DOUBLE,
 * uncompressed (compression cost more time than the files are worth for numbers this regular).
 *
 * Rows are regrouped into row groups of exactly ROW_GROUP_ROWS (the last one shorter), whatever the chunks they
 * arrive in, so a file does not depend on the window size, the thread count or the sharding: the same rows give
 * the same bytes. 2^18 rows keep the staging buffers near 25 MB for a 12-column table.
 */
import { rmSync } from 'node:fs';
import type { ParquetWriter } from 'hyparquet-writer';
import type { fileWriter as FileWriter } from 'hyparquet-writer/src/node.js';
import type { Column } from '../run.js';
import { labelsOf, type TableWriter } from './table.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

export const ROW_GROUP_ROWS = 1 << 18;

function schemaOf(columns: readonly Column[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c): SchemaElement => {
      if (c.type === 'string') return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
      if (c.type === 'int' || c.type === 'bool' || c.type === 'status') return { name: c.name, type: 'INT32', repetition_type: 'REQUIRED' };
      return { name: c.name, type: 'DOUBLE', repetition_type: 'REQUIRED' };
    }),
  ];
}

export class ParquetTableWriter implements TableWriter {
  private writer?: ParquetWriter;
  private readonly kv: { key: string; value: string }[] = [];
  private staged?: Column[];
  private filled = 0;

  constructor(
    private readonly path: string,
    private readonly modules: { ParquetWriter: typeof ParquetWriter; fileWriter: typeof FileWriter },
    private readonly rowGroupRows = ROW_GROUP_ROWS,
  ) {}

  /** Loads hyparquet-writer (on first use only: importing @linkcap/core does not load the writers). */
  static async create(path: string): Promise<ParquetTableWriter> {
    const [{ ParquetWriter: Writer }, { fileWriter }] = await Promise.all([import('hyparquet-writer'), import('hyparquet-writer/src/node.js')]);
    return new ParquetTableWriter(path, { ParquetWriter: Writer, fileWriter });
  }

  write(columns: readonly Column[], length: number): void {
    if (!this.writer) {
      this.writer = new this.modules.ParquetWriter({ writer: this.modules.fileWriter(this.path), schema: schemaOf(columns), codec: 'UNCOMPRESSED', statistics: true, kvMetadata: this.kv, createdBy: 'linkcap (hyparquet-writer)' });
      this.staged = columns.map((c) => ({ ...c, data: new (c.data.constructor as new (n: number) => Column['data'])(this.rowGroupRows) }));
    }
    let at = 0;
    while (at < length) {
      const take = Math.min(length - at, this.rowGroupRows - this.filled);
      this.staged!.forEach((s, k) => s.data.set(columns[k].data.subarray(at, at + take), this.filled));
      this.filled += take;
      at += take;
      if (this.filled === this.rowGroupRows) this.flush();
    }
  }

  private flush(): void {
    const n = this.filled;
    if (n === 0) return;
    this.writer!.write({
      rowGroupSize: n,
      columnData: this.staged!.map((c) => {
        if (c.type === 'string') return { name: c.name, data: labelsOf(c, n), encoding: 'RLE_DICTIONARY' as const };
        const data = c.data.subarray(0, n);
        if (c.type === 'float') return { name: c.name, data: data as Float64Array, encoding: 'PLAIN' as const };
        return { name: c.name, data: data instanceof Int32Array ? data : Int32Array.from(data) };
      }),
    });
    this.filled = 0;
  }

  finish(metadata: Record<string, string>, columns?: readonly Column[]): void {
    if (!this.writer) {
      // An empty table still gets its schema.
      if (!columns) throw new Error('an empty Parquet table needs its columns');
      this.write(columns, 0);
    }
    this.flush();
    for (const [key, value] of Object.entries(metadata)) this.kv.push({ key, value });
    this.writer!.finish();
  }

  abort(): void {
    rmSync(this.path, { force: true });
  }
}
