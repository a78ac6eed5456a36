/**
 * Parquet through hyparquet-writer (pure JavaScript, streaming row groups to the file; chosen by measurement,
 * BENCHMARKS.md "Sweep writers"). Strings are dictionary-encoded UTF8, counts INT32, everything else DOUBLE,
 * uncompressed (compression cost more time than the files are worth for numbers this regular).
 */
import { rmSync } from 'node:fs';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import type { Column } from '../run.js';
import { labelsOf, type TableWriter } from './table.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

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

  constructor(private readonly path: string) {}

  write(columns: readonly Column[], length: number): void {
    if (!this.writer) {
      this.writer = new ParquetWriter({ writer: fileWriter(this.path), schema: schemaOf(columns), codec: 'UNCOMPRESSED', statistics: true, kvMetadata: this.kv, createdBy: 'linkcap (hyparquet-writer)' });
    }
    if (length === 0) return;
    this.writer.write({
      rowGroupSize: Math.max(length, 1),
      columnData: columns.map((c) => {
        if (c.type === 'string') return { name: c.name, data: labelsOf(c, length), encoding: 'RLE_DICTIONARY' as const };
        const data = c.data.length === length ? c.data : c.data.subarray(0, length);
        if (c.type === 'float') return { name: c.name, data: data as Float64Array, encoding: 'PLAIN' as const };
        return { name: c.name, data: data instanceof Int32Array ? data : Int32Array.from(data) };
      }),
    });
  }

  finish(metadata: Record<string, string>, columns?: readonly Column[]): void {
    if (!this.writer) {
      // An empty table still gets its schema.
      if (!columns) throw new Error('an empty Parquet table needs its columns');
      this.write(columns, 0);
    }
    for (const [key, value] of Object.entries(metadata)) this.kv.push({ key, value });
    this.writer!.finish();
  }

  abort(): void {
    rmSync(this.path, { force: true });
  }
}
