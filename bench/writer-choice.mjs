#!/usr/bin/env node
/**
 * How the Parquet writer was chosen (BENCHMARKS.md, "Choosing the Parquet writer"): the same 12-column table
 * (3 dictionary strings, 3 INT32, 6 DOUBLE) written by each candidate, in one run. The candidates other than
 * hyparquet-writer are not dependencies; install them first, without saving:
 *
 *   npm install --no-save @duckdb/node-api parquet-wasm apache-arrow && node bench/writer-choice.mjs [rows]
 *
 * A candidate that is not installed is reported as such.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 4_000_000);
const dir = mkdtempSync(join(tmpdir(), 'linkcap-writers-'));
const dicts = [
  ['dgx-h100', 'hgx-h800', 'dgx-a100', 'gb200-nvl72'],
  ['all-reduce', 'reduce-scatter', 'all-gather', 'broadcast', 'reduce', 'all-to-all', 'send-recv'],
  ['ring', 'tree', 'rhd', 'direct', 'hier', 'nvls', 'nvls-tree', 'in-network'],
];
const codes = dicts.map((d, k) => Int32Array.from({ length: N }, (_, i) => ((i * (k + 3)) >> 4) % d.length));
const ints = [0, 1, 2].map((k) => Int32Array.from({ length: N }, (_, i) => (8 << (i % 7)) + k));
const doubles = Array.from({ length: 6 }, (_, c) => Float64Array.from({ length: N }, (_, i) => ((i * (c + 1)) % 1000) + i * 1e-7));

async function time(name, run) {
  const start = performance.now();
  try {
    await run();
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return console.log(`${name}: not installed`);
    throw error;
  }
  const s = (performance.now() - start) / 1000;
  console.log(`${name}: ${s.toFixed(2)} s, ${(N / s / 1e6).toFixed(2)}M rows/s`);
}

await time('hyparquet-writer', async () => {
  const { ParquetWriter } = await import('hyparquet-writer');
  const { fileWriter } = await import('hyparquet-writer/src/node.js');
  const schema = [
    { name: 'root', num_children: 12 },
    ...dicts.map((_, k) => ({ name: `s${k}`, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' })),
    ...ints.map((_, k) => ({ name: `i${k}`, type: 'INT32', repetition_type: 'REQUIRED' })),
    ...doubles.map((_, k) => ({ name: `d${k}`, type: 'DOUBLE', repetition_type: 'REQUIRED' })),
  ];
  const w = new ParquetWriter({ writer: fileWriter(join(dir, 'hy.parquet')), schema, codec: 'UNCOMPRESSED', statistics: false });
  const B = 1 << 20;
  for (let s = 0; s < N; s += B) {
    const e = Math.min(N, s + B);
    w.write({
      rowGroupSize: B,
      columnData: [
        ...codes.map((c, k) => ({ name: `s${k}`, data: Array.from(c.subarray(s, e), (x) => dicts[k][x]), encoding: 'RLE_DICTIONARY' })),
        ...ints.map((a, k) => ({ name: `i${k}`, data: a.subarray(s, e) })),
        ...doubles.map((a, k) => ({ name: `d${k}`, data: a.subarray(s, e), encoding: 'PLAIN' })),
      ],
    });
  }
  w.finish();
});

await time('@duckdb/node-api', async () => {
  const duckdb = (await import('@duckdb/node-bindings')).default;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const con = await (await DuckDBInstance.create(':memory:')).connect();
  const en = (v) => `ENUM(${v.map((x) => `'${x}'`).join(',')})`;
  await con.run(`CREATE TABLE t (${dicts.map((d, k) => `s${k} ${en(d)}`).join(', ')}, ${ints.map((_, k) => `i${k} INTEGER`).join(', ')}, ${doubles.map((_, k) => `d${k} DOUBLE`).join(', ')})`);
  const appender = duckdb.appender_create(con.connection, null, 't');
  const types = Array.from({ length: 12 }, (_, c) => duckdb.appender_column_type(appender, c));
  const chunk = duckdb.create_data_chunk(types);
  const cols = [...codes.map((c) => Uint8Array.from(c)), ...ints, ...doubles];
  const vectors = cols.map((_, c) => duckdb.data_chunk_get_vector(chunk, c));
  for (let s = 0; s < N; s += 2048) {
    const n = Math.min(2048, N - s);
    duckdb.data_chunk_reset(chunk);
    cols.forEach((a, c) => duckdb.copy_data_to_vector(vectors[c], 0, a.buffer, a.byteOffset + s * a.BYTES_PER_ELEMENT, n * a.BYTES_PER_ELEMENT));
    duckdb.data_chunk_set_size(chunk, n);
    duckdb.append_data_chunk(appender, chunk);
  }
  duckdb.appender_close_sync(appender);
  await con.run(`COPY t TO '${join(dir, 'duck.parquet')}' (FORMAT parquet)`);
});

await time('parquet-wasm', async () => {
  const arrow = await import('apache-arrow');
  const pw = await import('parquet-wasm');
  const dict = (c, names) =>
    arrow.makeVector(arrow.makeData({ type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), length: N, data: c, dictionary: arrow.vectorFromArray(names, new arrow.Utf8()) }));
  const table = new arrow.Table({
    ...Object.fromEntries(codes.map((c, k) => [`s${k}`, dict(c, dicts[k])])),
    ...Object.fromEntries(ints.map((a, k) => [`i${k}`, arrow.makeVector(a)])),
    ...Object.fromEntries(doubles.map((a, k) => [`d${k}`, arrow.makeVector(a)])),
  });
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.UNCOMPRESSED).build();
  writeFileSync(join(dir, 'pw.parquet'), pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
});

rmSync(dir, { recursive: true, force: true });
