#!/usr/bin/env node
/**
 * Writing sweep results (issue 10): `node bench/writers.mjs` alone, or through `npm run bench` (bench/run.mjs).
 * Writes the "## Writing sweep results (issue 10)" section of BENCHMARKS.md.
 *
 * Every candidate writes the same rows, in one run: the 12-column table of a collective sweep (cluster, op,
 * gpus, bytes, timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes, scaleOutBytes, status), produced
 * chunk by chunk by the sweep engine; only the time spent inside each writer is counted.
 *
 *   Parquet: linkcap's native writer (what `linkcap sweep` uses); hyparquet-writer with statistics (the writer
 *            it replaced) and without; DuckDB's Node API (appender, then COPY … TO parquet); parquet-wasm
 *            (apache-arrow table, then writeParquet).
 *   CSV / JSON Lines: the native writers; the plain JavaScript line writer they replaced; DuckDB's COPY.
 *   Arrow IPC: the native writer; flechette (tableToIPC of the whole table, which the native writer replaced).
 *
 * Candidates that are not dependencies are skipped when missing (install them without saving:
 * `npm install --no-save parquet-wasm apache-arrow`). Slow candidates write a prefix of the rows (`--slow-rows`,
 * default a tenth); their rate is what is compared. Options: --rows N (default 10^7), --slow-rows N, --only a,b.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTableWriter, OPS, parseSweepSpec, sweep } from '@linkcap/core';

export const WRITERS_BENCH_MARKER = '## Writing sweep results (issue 10)';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}

const CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100', 'a800-node', 'h20-node', 'hgx-b200', 'mi300x-node', 'hgx-h200'];

function specFor(rows) {
  const groups = CLUSTERS.length * OPS.length * 1024;
  const sizes = Math.max(2, Math.round(rows / groups));
  const factor = Math.exp(Math.log(2 ** 30) / (sizes - 1));
  return parseSweepSpec(`kind: collective
axes:
  cluster: [${CLUSTERS.join(', ')}]
  op: [${OPS.join(', ')}]
  gpus: { from: 8, to: 8192, step: 8 }
  bytes: { from: 8, to: 8GiB, factor: ${factor} }
metrics: [timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes, scaleOutBytes]
output: { rows: all }
`).spec;
}

/** Runs the sweep and hands each chunk to `write` (timed), stopping after `limit` rows; then `finish` (timed). */
async function feed(spec, limit, write, finish) {
  let rows = 0;
  let seconds = 0;
  let columns;
  for await (const chunk of sweep(spec, { chunkRows: 1 << 18 })) {
    const n = Math.min(chunk.length, limit - rows);
    const part = n === chunk.length ? chunk.columns : chunk.columns.map((c) => ({ ...c, data: c.data.subarray(0, n) }));
    const start = performance.now();
    await write(part, n);
    seconds += (performance.now() - start) / 1000;
    rows += n;
    columns = chunk.columns;
    if (rows >= limit) break;
  }
  const start = performance.now();
  await finish(columns);
  seconds += (performance.now() - start) / 1000;
  return { rows, seconds };
}

const labelsOf = (c, n) => Array.from(c.data.subarray(0, n), (code) => (code < c.labels.length ? c.labels[code] : null));

// --- candidates ------------------------------------------------------------------------------------------------

function nativeCandidate(format) {
  return async (spec, limit, path) => {
    const writer = await createTableWriter(format, path);
    return feed(spec, limit, (columns, n) => writer.write(columns, n), (columns) => writer.finish({ 'linkcap.manifest': '{}' }, columns));
  };
}

function hyparquetCandidate(statistics) {
  return async (spec, limit, path) => {
    const { ParquetWriter } = await import('hyparquet-writer');
    const { fileWriter } = await import('hyparquet-writer/src/node.js');
    let writer;
    return feed(
      spec,
      limit,
      (columns, n) => {
        writer ??= new ParquetWriter({
          writer: fileWriter(path),
          schema: [
            { name: 'root', num_children: columns.length },
            ...columns.map((c) =>
              c.type === 'string'
                ? { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }
                : { name: c.name, type: c.type === 'float' ? 'DOUBLE' : 'INT32', repetition_type: 'REQUIRED' },
            ),
          ],
          codec: 'UNCOMPRESSED',
          statistics,
        });
        writer.write({
          rowGroupSize: n,
          columnData: columns.map((c) =>
            c.type === 'string'
              ? { name: c.name, data: labelsOf(c, n), encoding: 'RLE_DICTIONARY' }
              : c.type === 'float'
                ? { name: c.name, data: c.data, encoding: 'PLAIN' }
                : { name: c.name, data: c.data instanceof Int32Array ? c.data : Int32Array.from(c.data) },
          ),
        });
      },
      () => writer.finish(),
    );
  };
}

/** DuckDB: rows appended to an in-memory table through data chunks, then COPY TO the format. */
function duckdbCandidate(format) {
  return async (spec, limit, path) => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const duckdb = (await import('@duckdb/node-bindings')).default;
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    let appender;
    let chunk;
    let vectors;
    const result = await feed(
      spec,
      limit,
      async (columns, n) => {
        if (!appender) {
          // Strings as ENUMs of their labels (one extra value stands for null: the appender path has no validity here).
          const type = (c) => (c.type === 'string' ? `ENUM(${[...c.labels, '(null)'].map((l) => `'${l}'`).join(', ')})` : c.type === 'float' ? 'DOUBLE' : 'INTEGER');
          await connection.run(`CREATE TABLE t (${columns.map((c) => `"${c.name}" ${type(c)}`).join(', ')})`);
          appender = duckdb.appender_create(connection.connection, null, 't');
          chunk = duckdb.create_data_chunk(columns.map((_, k) => duckdb.appender_column_type(appender, k)));
          vectors = columns.map((_, k) => duckdb.data_chunk_get_vector(chunk, k));
        }
        const data = columns.map((c) =>
          c.type === 'string' ? Uint8Array.from(c.data.subarray(0, n), (code) => (code < c.labels.length ? code : c.labels.length)) : c.type === 'float' ? c.data.slice(0, n) : Int32Array.from(c.data.subarray(0, n)),
        );
        for (let s = 0; s < n; s += 2048) {
          const m = Math.min(2048, n - s);
          duckdb.data_chunk_reset(chunk);
          data.forEach((a, k) => duckdb.copy_data_to_vector(vectors[k], 0, a.buffer, a.byteOffset + s * a.BYTES_PER_ELEMENT, m * a.BYTES_PER_ELEMENT));
          duckdb.data_chunk_set_size(chunk, m);
          duckdb.append_data_chunk(appender, chunk);
        }
      },
      async () => {
        duckdb.appender_close_sync(appender);
        const options = format === 'parquet' ? 'FORMAT parquet' : format === 'csv' ? 'FORMAT csv, HEADER' : 'FORMAT json';
        await connection.run(`COPY t TO '${path}' (${options})`);
      },
    );
    connection.closeSync();
    return result;
  };
}

async function parquetWasmCandidate(spec, limit, path) {
  const arrow = await import('apache-arrow');
  const pw = await import('parquet-wasm');
  const batches = [];
  return feed(
    spec,
    limit,
    (columns, n) => {
      const vectors = {};
      for (const c of columns) {
        if (c.type === 'string') {
          vectors[c.name] = arrow.makeVector(
            arrow.makeData({ type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), length: n, data: Int32Array.from(c.data.subarray(0, n)), dictionary: arrow.vectorFromArray(c.labels, new arrow.Utf8()) }),
          );
        } else {
          vectors[c.name] = arrow.makeVector(c.type === 'float' ? Float64Array.from(c.data) : Int32Array.from(c.data));
        }
      }
      batches.push(new arrow.Table(vectors));
    },
    () => {
      const table = batches.reduce((all, t) => all.concat(t));
      const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.UNCOMPRESSED).build();
      writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
    },
  );
}

/** The JavaScript line writers the native ones replaced (numbers as String(number)). */
function jsLinesCandidate(format) {
  return async (spec, limit, path) => {
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(path, 'w');
    let header = false;
    const quote = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const cell = (c, i) => {
      const v = c.data[i];
      if (c.type === 'string') return v < c.labels.length ? c.labels[v] : null;
      return Number.isNaN(v) ? null : v;
    };
    return feed(
      spec,
      limit,
      (columns, n) => {
        const lines = [];
        if (format === 'csv' && !header) lines.push(columns.map((c) => quote(c.name)).join(','));
        header = true;
        const keys = columns.map((c) => JSON.stringify(c.name));
        for (let i = 0; i < n; i += 1) {
          let line = format === 'csv' ? '' : '{';
          for (let k = 0; k < columns.length; k += 1) {
            const v = cell(columns[k], i);
            if (k > 0) line += ',';
            if (format === 'csv') line += v === null ? '' : typeof v === 'string' ? quote(v) : String(v);
            else line += `${keys[k]}:${v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
          }
          lines.push(format === 'csv' ? line : `${line}}`);
        }
        writeSync(fd, `${lines.join('\n')}\n`);
      },
      () => closeSync(fd),
    );
  };
}

async function flechetteCandidate(spec, limit, path) {
  const fl = await import('@uwdata/flechette');
  const batches = [];
  return feed(
    spec,
    limit,
    (columns, n) => {
      const batch = {};
      for (const c of columns) {
        if (c.type === 'string') batch[c.name] = fl.columnFromValues(labelsOf(c, n), fl.dictionary(fl.utf8()));
        else if (c.type === 'float') batch[c.name] = fl.columnFromArray(Float64Array.from(c.data), fl.float64());
        else batch[c.name] = fl.columnFromArray(Int32Array.from(c.data), fl.int32());
      }
      batches.push(batch);
    },
    () => {
      const names = Object.keys(batches[0]);
      const merged = Object.fromEntries(names.map((name) => {
        const parts = batches.map((b) => b[name]);
        return [name, parts.length === 1 ? parts[0] : new parts[0].constructor(parts.flatMap((p) => p.data))];
      }));
      writeFileSync(path, fl.tableToIPC(fl.tableFromColumns(merged), { format: 'file' }));
    },
  );
}

const CANDIDATES = [
  { format: 'parquet', name: 'linkcap native writer (C++, `linkcap sweep`)', run: nativeCandidate('parquet'), chosen: true },
  { format: 'parquet', name: 'hyparquet-writer 0.17, with statistics (the writer it replaced)', run: hyparquetCandidate(true), slow: true },
  { format: 'parquet', name: 'hyparquet-writer 0.17, no statistics', run: hyparquetCandidate(false), slow: true },
  { format: 'parquet', name: '@duckdb/node-api 1.5.6 (appender, then COPY TO parquet)', run: duckdbCandidate('parquet'), slow: true },
  { format: 'parquet', name: 'parquet-wasm (apache-arrow table, then writeParquet)', run: parquetWasmCandidate, slow: true },
  { format: 'csv', name: 'linkcap native writer (C++)', run: nativeCandidate('csv'), chosen: true },
  { format: 'csv', name: 'JavaScript line writer (String(number); the writer it replaced)', run: jsLinesCandidate('csv'), slow: true },
  { format: 'csv', name: '@duckdb/node-api 1.5.6 (appender, then COPY TO csv)', run: duckdbCandidate('csv'), slow: true },
  { format: 'jsonl', name: 'linkcap native writer (C++)', run: nativeCandidate('jsonl'), chosen: true },
  { format: 'jsonl', name: 'JavaScript line writer (the writer it replaced)', run: jsLinesCandidate('jsonl'), slow: true },
  { format: 'arrow', name: 'linkcap native writer (C++, streamed record batches)', run: nativeCandidate('arrow'), chosen: true },
  { format: 'arrow', name: 'flechette 2.6 (whole table, tableToIPC; the writer it replaced)', run: flechetteCandidate, slow: true },
];

export async function benchWriters({ rows = 1e7, slowRows = rows / 10, only } = {}) {
  const spec = specFor(rows);
  const dir = mkdtempSync(join(tmpdir(), 'linkcap-writers-'));
  const results = [];
  try {
    for (const c of CANDIDATES) {
      if (only && !only.some((o) => c.name.includes(o) || c.format === o)) continue;
      const path = join(dir, `out.${c.format}`);
      try {
        const r = await c.run(spec, c.slow ? slowRows : Infinity, path);
        results.push({ format: c.format, name: c.name, chosen: !!c.chosen, rows: r.rows, seconds: r.seconds, bytes: statSync(path).size });
        process.stderr.write(`${c.format} ${c.name}: ${(r.rows / r.seconds / 1e6).toFixed(2)}M rows/s\n`);
      } catch (error) {
        if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
        results.push({ format: c.format, name: c.name, missing: true });
      }
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { results, loadavg: loadavg(), date: new Date().toISOString().slice(0, 10) };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

export function renderWritersBench(r) {
  const cpu = cpus();
  const rows = r.results
    .map((x) =>
      x.missing
        ? `| ${x.format} | ${x.name} | not installed | | | |`
        : `| ${x.format} | ${x.chosen ? `**${x.name}**` : x.name} | ${fmt(x.rows)} | ${x.seconds.toFixed(2)} | ${x.chosen ? `**${fmt(x.rows / x.seconds)}**` : fmt(x.rows / x.seconds)} | ${(x.bytes / x.rows).toFixed(1)} |`,
    )
    .join('\n');
  return `${WRITERS_BENCH_MARKER}

Measured ${r.date} by \`node bench/writers.mjs\` (also part of \`npm run bench\`), every candidate in one run, load average
${r.loadavg.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min; the machine is shared). The rows: the 12-column table of a
collective sweep (cluster, op, gpus, bytes, timeS, algbwGBps, busbwGBps, algorithm, protocol, scaleUpBytes,
scaleOutBytes, status), produced by the sweep engine in chunks of 262,144 rows; only the time inside each writer is
counted. Slower candidates write a prefix of the same rows (their rate is what is compared). Aim: ≥ 5M rows/s.

| format | writer | rows | seconds | rows/s | bytes/row |
|---|---|---|---|---|---|
${rows}

Why linkcap writes these formats itself rather than through a library: no library measured comes near the aim (the
best Parquet library here writes a few times slower than the sweep engine produces rows, so writing would dominate
every sweep that keeps its rows), and the formats are simple for this data. A sweep's columns are already typed
arrays: a DOUBLE or INT32 column's PLAIN encoding is its little-endian bytes, written straight from the staging
buffer; its string columns are small known dictionaries (the axis values), written as RLE_DICTIONARY pages; the
footer is a few hundred bytes of Thrift compact protocol. The native writer computes min/max statistics while
staging, dictionary-encodes numeric chunks with few distinct values (GPU counts, sizes, statuses), writes row
groups of exactly 262,144 rows (the same rows give the same bytes however they were chunked or sharded), and keeps
one row group in memory. It is checked against independent readers (DuckDB, hyparquet, flechette) value for value
in test/sweep-files.test.ts. Compression was left out: the numeric columns that dominate the size are nearly
incompressible doubles, and the codecs would be a new native dependency. CSV and JSON Lines are bound by spelling
doubles as JavaScript does (shortest round-trip digits, std::to_chars), formatted on every core in blocks.
Arrow IPC is streamed record batch by record batch (the footer indexes them) instead of held whole.

Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
${platform()} ${release()}, Node.js ${process.version}. pandas and pyarrow could not be checked: PyPI is not reachable
from this machine.
`;
}

function upsertSection(page, marker, body) {
  const start = page.indexOf(marker);
  if (start < 0) return `${page.trimEnd()}\n\n${body}`;
  const end = page.indexOf('\n## ', start + marker.length);
  return page.slice(0, start) + body + (end >= 0 ? page.slice(end + 1) : '');
}

export function writeWritersSection(body) {
  const target = new URL('../BENCHMARKS.md', import.meta.url);
  const page = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`.\n';
  const temporary = new URL(`../BENCHMARKS.md.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temporary, upsertSection(page, WRITERS_BENCH_MARKER, body));
  renameSync(temporary, target);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const rows = Number(option('rows', 1e7));
  const only = option('only', undefined)?.split(',');
  const result = await benchWriters({ rows, slowRows: Number(option('slow-rows', rows / 10)), only });
  process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  if (!only) {
    writeWritersSection(renderWritersBench(result));
    process.stdout.write('wrote the writers section of BENCHMARKS.md\n');
  }
}
