#!/usr/bin/env node
/**
 * Writes a sweep result directory (docs/design/sweep-results.md) of real model points, for the viewer's tests
 * and benchmark while `linkcap sweep` is not there to make one. Every metric comes from @linkcap/core's engine
 * (native when built); this script only enumerates a grid, evaluates it and writes Parquet through DuckDB.
 *
 *   node apps/viewer/scripts/make-results.mjs --kind collective --rows 1000000 --out /tmp/sweep
 *   node apps/viewer/scripts/make-results.mjs --kind training --out /tmp/train
 *
 * Collective grid: cluster × op × gpus × bytes × scale-up link cap (bidirectional GB/s per GPU: each preset runs
 * at the lower of its own rate and the cap, the question export rules pose) × NIC line rate (Gb/s per
 * direction); the two link axes are swept finely enough to reach --rows. Training grid: model ×
 * cluster × GPU count × every layout searchLayouts enumerates, with the cost of training 1T tokens at $2 per
 * GPU-hour.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALGORITHMS,
  AUTO,
  LAYOUT_FIELD_COUNT,
  OPS,
  OUTPUT_FIELD_COUNT,
  PROTOCOLS,
  RECOMPUTE_MODES,
  allocateInputColumns,
  allocateOutputColumns,
  allocateTrainingOutputs,
  builtinCatalog,
  enumerateLayouts,
  getEngine,
  getTrainingEngine,
  listClusters,
  packClusters,
  resolveClusterSpec,
  LAYOUT_FIELDS,
  OUTPUT_FIELDS,
} from '@linkcap/core';
import { DuckDBDataChunk, DuckDBDoubleType, DuckDBInstance } from '@duckdb/node-api';

const COLLECTIVE_CLUSTERS = ['dgx-h100', 'hgx-h800', 'dgx-a100', 'a800-node', 'h20-node'];
const GPU_COUNTS = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];
const BYTES = Array.from({ length: 32 }, (_, i) => 2 ** (i + 3)); // 8 B … 16 GiB
const TOKENS = 1e12;
const PRICE_PER_GPU_HOUR = 2;

/** n values from lo to hi, evenly spaced (rounded to 0.1). */
function spread(lo, hi, n) {
  if (n === 1) return [hi];
  return Array.from({ length: n }, (_, i) => Math.round((lo + ((hi - lo) * i) / (n - 1)) * 10) / 10);
}

/** A cluster preset with its scale-up link capped and its NIC rate replaced, resolved by the catalog's own rules. */
function variant(catalog, base, capBidirGBps, nicGbps) {
  const spec = structuredClone(base.spec);
  const own = spec.scaleUp.bidirectionalGBps?.value ?? base.chip.scaleUp.bidirectionalGBps?.value ?? capBidirGBps;
  spec.scaleUp = { ...spec.scaleUp, bidirectionalGBps: { value: Math.min(own, capBidirGBps), source: 'user' } };
  spec.scaleOut = { ...spec.scaleOut, nicGbps: { value: nicGbps, source: 'user' } };
  return resolveClusterSpec(spec, catalog).params;
}

/** Grid sizes for about `rows` collective points. */
export function collectiveGrid(rows) {
  const base = COLLECTIVE_CLUSTERS.length * OPS.length * GPU_COUNTS.length * BYTES.length;
  const links = Math.max(1, Math.ceil(rows / base));
  const nics = links >= 40 ? 10 : links >= 8 ? 4 : 1;
  const caps = Math.max(1, Math.ceil(links / nics));
  return { caps: spread(100, 1800, caps), nics: nics === 1 ? [400] : spread(100, 800, nics) };
}

/** Evaluates the collective grid; returns typed columns (codes for strings) and their dictionaries. */
function evaluateCollectives(rows) {
  const catalog = builtinCatalog();
  const presets = new Map(listClusters(catalog).map((c) => [c.id, c]));
  const { caps, nics } = collectiveGrid(rows);
  const variants = [];
  for (const id of COLLECTIVE_CLUSTERS) {
    for (const cap of caps) for (const nic of nics) variants.push({ cluster: id, cap, nic, params: variant(catalog, presets.get(id), cap, nic) });
  }
  const total = variants.length * OPS.length * GPU_COUNTS.length * BYTES.length;
  const inputs = allocateInputColumns(total);
  let i = 0;
  for (let v = 0; v < variants.length; v += 1) {
    for (let op = 0; op < OPS.length; op += 1) {
      for (const gpus of GPU_COUNTS) {
        for (const bytes of BYTES) {
          inputs.op[i] = op;
          inputs.bytes[i] = bytes;
          inputs.gpus[i] = gpus;
          inputs.cluster[i] = v;
          inputs.algo[i] = AUTO;
          inputs.proto[i] = AUTO;
          i += 1;
        }
      }
    }
  }
  const outputs = allocateOutputColumns(total);
  getEngine().evaluate(packClusters(variants.map((v) => v.params)), inputs, outputs, { threads: 0 });
  const clusterCode = new Float64Array(total);
  const cap = new Float64Array(total);
  const nic = new Float64Array(total);
  for (let r = 0; r < total; r += 1) {
    const v = variants[inputs.cluster[r]];
    clusterCode[r] = COLLECTIVE_CLUSTERS.indexOf(v.cluster);
    cap[r] = v.cap;
    nic[r] = v.nic;
  }
  const ok = outputs.status.reduce((n, s) => n + (s === 0 ? 1 : 0), 0);
  return {
    total,
    ok,
    columns: [
      { name: 'cluster', role: 'axis', type: 'string', values: clusterCode, labels: COLLECTIVE_CLUSTERS },
      { name: 'op', role: 'axis', type: 'string', values: Float64Array.from(inputs.op), labels: [...OPS] },
      { name: 'gpus', role: 'axis', type: 'int', values: Float64Array.from(inputs.gpus) },
      { name: 'bytes', role: 'axis', type: 'int', values: inputs.bytes, unit: 'B' },
      { name: 'linkCapGBps', role: 'axis', type: 'float', values: cap, unit: 'GB/s per GPU, bidirectional (cap on the preset)' },
      { name: 'nicGbps', role: 'axis', type: 'float', values: nic, unit: 'Gb/s per NIC, per direction' },
      { name: 'timeS', role: 'metric', type: 'float', values: outputs.timeS, unit: 's' },
      { name: 'algbwGBps', role: 'metric', type: 'float', values: outputs.algbwGBps, unit: 'GB/s (1e9 B/s)' },
      { name: 'busbwGBps', role: 'metric', type: 'float', values: outputs.busbwGBps, unit: 'GB/s (1e9 B/s)' },
      { name: 'algorithm', role: 'metric', type: 'string', values: Float64Array.from(outputs.algo), labels: [...ALGORITHMS] },
      { name: 'protocol', role: 'metric', type: 'string', values: Float64Array.from(outputs.proto), labels: [...PROTOCOLS] },
      { name: 'scaleUpBytes', role: 'metric', type: 'float', values: outputs.scaleUpBytes, unit: 'B per GPU' },
      { name: 'scaleOutBytes', role: 'metric', type: 'float', values: outputs.scaleOutBytes, unit: 'B per GPU' },
      { name: 'status', role: 'status', type: 'int', values: Float64Array.from(outputs.status) },
    ],
    spec: { kind: 'collective', clusters: COLLECTIVE_CLUSTERS, ops: [...OPS], gpus: GPU_COUNTS, bytes: BYTES, linkCapGBps: caps, nicGbps: nics },
    reductions: [
      {
        name: 'best-per-op',
        kind: 'argmin',
        by: ['cluster', 'op', 'gpus'],
        metric: 'timeS',
        sql: `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY cluster, op, gpus ORDER BY timeS) AS rank FROM rows WHERE status = 0) WHERE rank = 1 ORDER BY cluster, op, gpus`,
      },
      {
        name: 'top-busbw',
        kind: 'top-k',
        by: [],
        metric: 'busbwGBps',
        sql: `SELECT * FROM rows WHERE status = 0 ORDER BY busbwGBps DESC LIMIT 100`,
      },
    ],
  };
}

const MODELS = ['llama3-8b', 'llama3-70b', 'gpt3-175b'];
const TRAINING_CLUSTERS = ['dgx-h100', 'hgx-h800', 'h20-node'];
const TRAINING_GPUS = [64, 256, 1024, 4096];

/** Every layout of each model × cluster × GPU count, through the training engine. */
function evaluateTraining() {
  const catalog = builtinCatalog();
  const presets = new Map(listClusters(catalog).map((c) => [c.id, c]));
  const parts = [];
  let total = 0;
  for (const model of MODELS) {
    for (const cluster of TRAINING_CLUSTERS) {
      for (const gpus of TRAINING_GPUS) {
        const batch = enumerateLayouts({ model, cluster: presets.get(cluster), gpus, globalBatchTokens: 2 ** 22 });
        const outputs = allocateTrainingOutputs(batch.count);
        getTrainingEngine().evaluate(batch.workloads, batch.chips, batch.clusters, batch.layouts, outputs);
        parts.push({ model, cluster, gpus, batch, outputs });
        total += batch.count;
      }
    }
  }
  const L = Object.fromEntries(LAYOUT_FIELDS.map((f, i) => [f, i]));
  const O = Object.fromEntries(OUTPUT_FIELDS.map((f, i) => [f, i]));
  const make = () => new Float64Array(total);
  const cols = {
    model: make(), cluster: make(), gpus: make(), tp: make(), pp: make(), dp: make(), ep: make(), cp: make(), microbatch: make(),
    interleave: make(), recompute: make(), zero: make(), stepTimeS: make(), mfu: make(), tokensPerS: make(), memoryBytes: make(),
    costUsd: make(), status: make(),
  };
  let r = 0;
  for (const part of parts) {
    for (let k = 0; k < part.batch.count; k += 1, r += 1) {
      const l = k * LAYOUT_FIELD_COUNT;
      const o = k * OUTPUT_FIELD_COUNT;
      const lay = part.batch.layouts;
      const out = part.outputs;
      cols.model[r] = MODELS.indexOf(part.model);
      cols.cluster[r] = TRAINING_CLUSTERS.indexOf(part.cluster);
      cols.gpus[r] = part.gpus;
      for (const f of ['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'interleave', 'recompute', 'zero']) cols[f][r] = lay[l + L[f]];
      cols.stepTimeS[r] = out[o + O.stepS];
      cols.mfu[r] = out[o + O.mfu];
      cols.tokensPerS[r] = out[o + O.tokensPerS];
      cols.memoryBytes[r] = out[o + O.memoryBytes];
      // Cost of training TOKENS tokens at PRICE_PER_GPU_HOUR: tokens / throughput × GPUs × price per hour.
      cols.costUsd[r] = (TOKENS / out[o + O.tokensPerS] / 3600) * part.gpus * PRICE_PER_GPU_HOUR;
      cols.status[r] = out[o + O.status];
    }
  }
  const ints = ['gpus', 'tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'interleave', 'zero'];
  const columns = [
    { name: 'model', role: 'axis', type: 'string', values: cols.model, labels: MODELS },
    { name: 'cluster', role: 'axis', type: 'string', values: cols.cluster, labels: TRAINING_CLUSTERS },
    ...ints.map((name) => ({ name, role: 'axis', type: 'int', values: cols[name] })),
    { name: 'recompute', role: 'axis', type: 'string', values: cols.recompute, labels: [...RECOMPUTE_MODES] },
    { name: 'stepTimeS', role: 'metric', type: 'float', values: cols.stepTimeS, unit: 's' },
    { name: 'mfu', role: 'metric', type: 'float', values: cols.mfu, unit: 'fraction' },
    { name: 'tokensPerS', role: 'metric', type: 'float', values: cols.tokensPerS, unit: 'tokens/s' },
    { name: 'memoryBytes', role: 'metric', type: 'float', values: cols.memoryBytes, unit: 'B per GPU' },
    { name: 'costUsd', role: 'metric', type: 'float', values: cols.costUsd, unit: `USD for ${TOKENS} tokens at $${PRICE_PER_GPU_HOUR}/GPU-h` },
    { name: 'status', role: 'status', type: 'int', values: cols.status },
  ];
  const ok = cols.status.reduce((n, s) => n + (s === 0 ? 1 : 0), 0);
  return {
    total,
    ok,
    columns,
    spec: { kind: 'training', models: MODELS, clusters: TRAINING_CLUSTERS, gpus: TRAINING_GPUS, tokens: TOKENS, pricePerGpuHour: PRICE_PER_GPU_HOUR },
    reductions: [
      {
        name: 'best-layout',
        kind: 'argmin',
        by: ['model', 'cluster', 'gpus'],
        metric: 'stepTimeS',
        sql: `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY model, cluster, gpus ORDER BY stepTimeS) AS rank FROM rows WHERE status = 0) WHERE rank = 1 ORDER BY model, cluster, gpus`,
      },
      {
        name: 'pareto-time-cost',
        kind: 'pareto',
        by: ['model'],
        metric: 'stepTimeS,costUsd',
        sql: `SELECT * EXCLUDE (best) FROM (SELECT *, min(costUsd) OVER (PARTITION BY model ORDER BY stepTimeS, costUsd ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best FROM rows WHERE status = 0) WHERE best IS NULL OR costUsd < best ORDER BY model, stepTimeS`,
      },
    ],
  };
}

const SQL_TYPE = { string: 'VARCHAR', int: 'BIGINT', float: 'DOUBLE' };

function quoteString(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The typed columns into a DuckDB table `raw` (all DOUBLE), through data chunks: no per-value object. */
async function loadRaw(connection, data) {
  await connection.run(`CREATE TABLE raw (${data.columns.map((c) => `"${c.name}" DOUBLE`).join(', ')})`);
  const appender = await connection.createAppender('raw');
  const types = data.columns.map(() => DuckDBDoubleType.instance);
  const size = 2048;
  const chunk = DuckDBDataChunk.create(types, size);
  for (let start = 0; start < data.total; start += size) {
    const n = Math.min(size, data.total - start);
    chunk.rowCount = n;
    data.columns.forEach((column, c) => {
      const vector = chunk.getColumnVector(c);
      const values = column.values;
      for (let i = 0; i < n; i += 1) {
        const value = values[start + i];
        vector.setItem(i, Number.isNaN(value) ? null : value);
      }
      vector.flush();
    });
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

/** SELECT list turning `raw` into the contract's column types (codes → strings, counts → integers). */
function typedSelect(data) {
  return data.columns
    .map((c) => {
      if (c.type === 'string') return `[${c.labels.map(quoteString).join(', ')}][CAST("${c.name}" AS BIGINT) + 1] AS "${c.name}"`;
      if (c.type === 'int') return `CAST("${c.name}" AS BIGINT) AS "${c.name}"`;
      return `"${c.name}"`;
    })
    .join(', ');
}

async function copyParquet(connection, query, path, manifestJson) {
  const temporary = `${path}.${process.pid}.tmp`;
  await connection.run(
    `COPY (${query}) TO ${quoteString(temporary)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA { 'linkcap.manifest': ${quoteString(manifestJson)} })`,
  );
  renameSync(temporary, path);
}

/** Evaluates the grid and writes OUT/{rows.parquet, reductions/*.parquet, manifest.json}. */
export async function makeResults({ kind = 'collective', rows = 100_000, out }) {
  if (!out) throw new Error('out: the result directory to write is required');
  const started = Date.now();
  const data = kind === 'training' ? evaluateTraining() : evaluateCollectives(rows);
  const evaluatedS = (Date.now() - started) / 1000;
  mkdirSync(join(out, 'reductions'), { recursive: true });
  const manifest = {
    format: 'linkcap-sweep/1',
    linkcapVersion: '0.1.0',
    modelHash: 'generated by apps/viewer/scripts/make-results.mjs',
    kind,
    spec: data.spec,
    complete: true,
    points: { total: data.total, evaluated: data.total, ok: data.ok },
    shard: null,
    axes: data.columns.filter((c) => c.role === 'axis').map((c) => ({ name: c.name, type: c.type, ...(c.unit ? { unit: c.unit } : {}) })),
    metrics: data.columns.filter((c) => c.role === 'metric').map((c) => ({ name: c.name, unit: c.unit ?? '', ...(c.type === 'string' ? { type: 'string' } : {}) })),
    files: {
      rows: 'rows.parquet',
      reductions: data.reductions.map((r) => ({ name: r.name, kind: r.kind, file: `reductions/${r.name}.parquet`, by: r.by, metric: r.metric })),
    },
    createdAt: new Date().toISOString(),
  };
  const manifestJson = JSON.stringify(manifest);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await loadRaw(connection, data);
    await connection.run(`CREATE VIEW rows AS SELECT ${typedSelect(data)} FROM raw`);
    await copyParquet(connection, 'SELECT * FROM rows', join(out, 'rows.parquet'), manifestJson);
    for (const reduction of data.reductions) {
      await copyParquet(connection, reduction.sql, join(out, 'reductions', `${reduction.name}.parquet`), manifestJson);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const temporary = join(out, `manifest.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, join(out, 'manifest.json'));
  return { out, rows: data.total, ok: data.ok, evaluatedS, totalS: (Date.now() - started) / 1000 };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values } = parseArgs({
    options: { kind: { type: 'string', default: 'collective' }, rows: { type: 'string', default: '100000' }, out: { type: 'string' }, force: { type: 'boolean' } },
  });
  if (!values.out) {
    process.stderr.write('usage: make-results.mjs --kind collective|training [--rows N] --out DIR [--force]\n');
    process.exit(2);
  }
  if (existsSync(values.out) && values.force) rmSync(values.out, { recursive: true, force: true });
  const result = await makeResults({ kind: values.kind, rows: Number(values.rows), out: values.out });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
