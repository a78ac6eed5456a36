/**
 * The native table writers (Parquet, CSV, JSON Lines, Arrow IPC): every value read back by independent readers
 * (DuckDB, hyparquet, flechette) equals what was written, nulls and NaN included; Parquet statistics and
 * metadata are what DuckDB uses for pruning; numbers in text files are spelled as JavaScript's String(number);
 * and the bytes do not depend on how the rows were chunked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableWriter, type Column } from '@linkcap/core';
import { tableFromIPC } from '@uwdata/flechette';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'linkcap-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 5000;
const NULL = 0xffffffff;
const CLUSTERS = ['hgx-h800', 'dgx-h100', 'a "quoted", label\nwith a newline', 'ünïcode'];
const OPS = ['all-reduce', 'all-gather'];
/** A deterministic pseudo-random double in [0, 1). */
const random = (i: number) => ((Math.imul(i + 1, 2654435761) >>> 0) % 1_000_003) / 1_000_003;

function table(): Column[] {
  return [
    { name: 'cluster', type: 'string', labels: CLUSTERS, data: Uint32Array.from({ length: N }, (_, i) => (i % 97 === 0 ? NULL : (i >> 6) % CLUSTERS.length)) },
    { name: 'op', type: 'string', labels: OPS, data: Uint32Array.from({ length: N }, (_, i) => i % 2) },
    { name: 'empty', type: 'string', labels: [], data: new Uint32Array(N).fill(NULL) },
    { name: 'gpus', type: 'int', data: Int32Array.from({ length: N }, (_, i) => 8 << (i % 7)) },
    { name: 'tp', type: 'int', data: Int32Array.from({ length: N }, (_, i) => -3 + (i % 5)) },
    { name: 'bytes', type: 'float', data: Float64Array.from({ length: N }, (_, i) => 2 ** (i % 40)) },
    // Every kind of double JavaScript spells differently: tiny, huge, above 2^53, negative, -0, NaN, ±Infinity.
    {
      name: 'timeS',
      type: 'float',
      data: Float64Array.from({ length: N }, (_, i) =>
        i % 101 === 0 ? NaN : i % 103 === 0 ? Infinity : i % 107 === 0 ? -0 : (random(i) - 0.3) * 10 ** ((i % 50) - 25),
      ),
    },
    { name: 'status', type: 'status', data: Uint8Array.from({ length: N }, (_, i) => (i % 13 === 0 ? 3 : 0)) },
  ];
}

function expected(columns: Column[], i: number): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = {};
  for (const c of columns) {
    const v = c.data[i];
    row[c.name] = c.type === 'string' ? (v < (c.labels?.length ?? 0) ? c.labels![v] : null) : v;
  }
  return row;
}

async function write(format: 'parquet' | 'csv' | 'jsonl' | 'arrow', name: string, chunk: number, rowGroupRows = 1000): Promise<string> {
  const path = join(dir, name);
  const columns = table();
  const writer = await createTableWriter(format, path, { rowGroupRows });
  for (let at = 0; at < N; at += chunk) {
    const n = Math.min(chunk, N - at);
    await writer.write(
      columns.map((c) => ({ ...c, data: c.data.subarray(at, at + n) as Column['data'] })),
      n,
    );
  }
  await writer.finish({ 'linkcap.manifest': '{"format":"linkcap-sweep/1"}' }, columns);
  return path;
}

/** Same value, NaN equal to NaN and -0 to 0 where a format cannot tell them apart. */
function same(a: unknown, b: unknown, signedZero = true): boolean {
  if (typeof a === 'number' && typeof b === 'number') return (Number.isNaN(a) && Number.isNaN(b)) || (signedZero ? Object.is(a, b) : a === b);
  return a === b;
}

function compareRows(got: Record<string, unknown>[], options: { signedZero?: boolean; nonFinite?: (v: number) => unknown } = {}): void {
  const columns = table();
  expect(got.length).toBe(N);
  let mismatches = 0;
  for (let i = 0; i < N; i += 1) {
    const want = expected(columns, i);
    for (const [key, w] of Object.entries(want)) {
      const g = typeof got[i][key] === 'bigint' ? Number(got[i][key]) : got[i][key];
      const w2 = typeof w === 'number' && !Number.isFinite(w) && options.nonFinite ? options.nonFinite(w) : w;
      if (!same(w2, g, options.signedZero ?? true)) {
        mismatches += 1;
        if (mismatches < 5) expect.soft(g, `row ${i} ${key}`).toEqual(w2);
      }
    }
  }
  expect(mismatches).toBe(0);
}

describe('Parquet', async () => {
  const path = await write('parquet', 'a.parquet', 333);

  it('reads back value for value in DuckDB, strings null where the code is not a label', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
    compareRows(reader.getRowObjects());
    const kv = await con.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}')`);
    expect(kv.getRowObjects()).toEqual([{ k: 'linkcap.manifest', v: '{"format":"linkcap-sweep/1"}' }]);
    con.closeSync();
  });

  it('reads back value for value in hyparquet, with row groups of exactly the asked size', async () => {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 1000, 1000, 1000]);
    compareRows(await parquetReadObjects({ file }));
  });

  it('carries exact min/max statistics and null counts per row group, and DuckDB prunes with them', async () => {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    const columns = table();
    metadata.row_groups.forEach((group, g) => {
      group.columns.forEach((chunk, k) => {
        const column = columns[k];
        const stats = chunk.meta_data!.statistics!;
        const values = Array.from({ length: 1000 }, (_, r) => expected(columns, g * 1000 + r)[column.name]);
        const present = values.filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
        expect(Number(stats.null_count), `${column.name} row group ${g}`).toBe(values.filter((v) => v === null).length);
        if (present.length === 0) {
          expect(stats.min_value).toBeUndefined();
          return;
        }
        if (column.type === 'string') {
          const sorted = (present as string[]).map((v) => Buffer.from(v)).sort(Buffer.compare);
          expect([stats.min_value, stats.max_value]).toEqual([sorted[0].toString(), sorted.at(-1)!.toString()]);
        } else {
          const nums = present as number[];
          // parquet-format: a zero minimum of a double is written as -0, a zero maximum as +0; NaN is left out.
          const lo = Math.min(...nums);
          const hi = Math.max(...nums);
          const float = column.type === 'float';
          expect(Number(stats.min_value), `${column.name} row group ${g}`).toBe(float && lo === 0 ? -0 : lo);
          expect(Number(stats.max_value), `${column.name} row group ${g}`).toBe(float && hi === 0 ? 0 : hi);
        }
      });
    });
    // DuckDB reads the statistics (TypeDefinedOrder) and answers a filtered query as a full scan would.
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const stats = (await con.runAndReadAll(`SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${path}') WHERE path_in_schema = 'gpus'`)).getRowObjects();
    expect(stats.map((s) => [Number(s.lo), Number(s.hi)])).toEqual(metadata.row_groups.map(() => [8, 512]));
    const count = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path}') WHERE gpus > 500 AND cluster = 'dgx-h100'`);
    const want = Array.from({ length: N }, (_, i) => expected(columns, i)).filter((r) => (r.gpus as number) > 500 && r.cluster === 'dgx-h100').length;
    expect(count.getRowObjects()[0].n).toBe(want);
    con.closeSync();
  });

  it('gives the same bytes whatever the chunks the rows arrive in', async () => {
    const bytes = readFileSync(path);
    for (const chunk of [1, 999, 1000, N]) {
      expect(readFileSync(await write('parquet', `chunk-${chunk}.parquet`, chunk)).equals(bytes), `chunks of ${chunk}`).toBe(true);
    }
  });

  it('writes an empty table with its schema', async () => {
    const empty = join(dir, 'empty.parquet');
    const writer = await createTableWriter('parquet', empty);
    await writer.finish({}, table());
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const r = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${empty}')`);
    expect(r.getRowObjects().map((x) => [x.column_name, x.column_type])).toEqual([
      ['cluster', 'VARCHAR'],
      ['op', 'VARCHAR'],
      ['empty', 'VARCHAR'],
      ['gpus', 'INTEGER'],
      ['tp', 'INTEGER'],
      ['bytes', 'DOUBLE'],
      ['timeS', 'DOUBLE'],
      ['status', 'INTEGER'],
    ]);
    con.closeSync();
  });
});

describe('CSV and JSON Lines', async () => {
  const csv = await write('csv', 'a.csv', 777);
  const jsonl = await write('jsonl', 'a.jsonl', 777);

  it('spell every number as JavaScript’s String(number) and quote labels as RFC 4180 asks', () => {
    const columns = table();
    const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [columns.map((c) => c.name).join(',')];
    for (let i = 0; i < N; i += 1) {
      const row = expected(columns, i);
      lines.push(Object.values(row).map((v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'string' ? quote(v) : String(v))).join(','));
    }
    expect(readFileSync(csv, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('write JSON Lines that JSON.parse reads back (NaN and ±Infinity as null, as JSON.stringify writes them)', () => {
    const rows = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const columns = table();
    rows.forEach((row, i) => {
      const want = expected(columns, i);
      for (const key of Object.keys(want)) if (typeof want[key] === 'number' && !Number.isFinite(want[key])) want[key] = null;
      expect(row).toEqual(JSON.parse(JSON.stringify(want)));
    });
    expect(rows.length).toBe(N);
  });

  it('are the same whatever the thread count', async () => {
    const single = join(dir, 'single.csv');
    const columns = table();
    const writer = await createTableWriter('csv', single, { threads: 1 });
    await writer.write(columns, N);
    await writer.finish({}, columns);
    expect(readFileSync(single).equals(readFileSync(csv))).toBe(true);
  });
});

describe('Arrow IPC', async () => {
  const path = await write('arrow', 'a.arrow', 4321);

  it('reads back in flechette, value for value, with the metadata in the footer’s schema', () => {
    const t = tableFromIPC(readFileSync(path));
    expect(t.numRows).toBe(N);
    expect(t.schema.metadata?.get('linkcap.manifest')).toBe('{"format":"linkcap-sweep/1"}');
    compareRows(t.toArray() as Record<string, unknown>[]);
  });

  it('gives the same bytes whatever the chunks', async () => {
    expect(readFileSync(await write('arrow', 'b.arrow', 1)).equals(readFileSync(path))).toBe(true);
  });
});
