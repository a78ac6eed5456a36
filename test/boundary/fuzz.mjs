#!/usr/bin/env node
/**
 * Fuzzing the engines' boundary (issue 7), run in a child process by test/boundary-fuzz.test.ts so that a crash
 * is an exit code, not a dead test runner: `node test/boundary/fuzz.mjs [seed] [cases]`.
 *
 * Every case is evaluated by the native engine and by the TypeScript reference, and must end alike:
 *   - collective batches (most cases): random and adversarial columns (every code and size boundary, NaN,
 *     ±0, ±Infinity, 2^53 ± 2, indices past the table, wrong types and lengths), random and broken cluster
 *     rows, shared or ordinary memory, 0–2 threads. Both engines throw the same error (class and message) or
 *     none, and leave bit-identical outputs (Object.is per element: the evaluated prefix, then "not evaluated").
 *   - training batches: preset and broken workload and chip rows, layout rows with adversarial fields and
 *     indices. Same errors; outputs equal (statuses identical, numbers to a relative 1e-9 as in
 *     training-differential.test.ts; in practice bit-identical).
 *   - asynchronous calls with random abort timing and staging: resolved (outputs = the synchronous ones), or
 *     an AbortError "cancelled after N of M" with [0, N) = the synchronous outputs and [N, M) not evaluated.
 *   - columns rewritten by another thread during synchronous and asynchronous calls: no crash, and only
 *     documented errors (nothing to compare: the values race).
 * Documented errors: LinkcapInputError (a value or shape), AbortError (an abort), TypeError (an array detached
 * or resized during evaluateAsync). Prints one line `FUZZ {summary}` and exits 0; the test checks the summary.
 */
import { startRewriter } from './rewriter.mjs';
import {
  AbortError,
  allocateInputColumns,
  allocateOutputColumns,
  allocateTrainingOutputs,
  AUTO,
  AUTO_ALL,
  chipParams,
  CLUSTER_FIELD_COUNT,
  getEngine,
  getTrainingEngine,
  INPUT_COLUMN_NAMES,
  LAYOUT_FIELD_COUNT,
  LinkcapInputError,
  listModels,
  OUTPUT_COLUMN_NAMES,
  OUTPUT_FIELD_COUNT,
  packChips,
  packClusters,
  WORKLOAD_FIELD_COUNT,
} from '@linkcap/core';

const seed = Number(process.argv[2] ?? 20261201);
const collectiveCases = Number(process.argv[3] ?? 100_000);
const trainingCases = Math.max(200, Math.round(collectiveCases / 25));
const asyncCases = Math.max(20, Math.round(collectiveCases / 1000));

/** mulberry32, as packages/core/test/fixtures.ts. */
function seededRandom(start) {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(seed);
const chance = (p) => random() < p;
const pick = (values) => values[Math.floor(random() * values.length)];
const int = (n) => Math.floor(random() * n);

const native = getEngine('native');
const reference = getEngine('reference');
const nativeTraining = getTrainingEngine('native');
const referenceTraining = getTrainingEngine('reference');

const summary = {
  seed,
  cases: 0,
  collective: { cases: 0, points: 0, errors: 0, ok: 0 },
  training: { cases: 0, rows: 0, errors: 0 },
  async: { cases: 0, resolved: 0, aborted: 0, errors: 0 },
  racing: { cases: 0, errors: 0 },
  mismatches: [],
  undocumented: [],
};

function mismatch(kind, detail) {
  if (summary.mismatches.length < 10) summary.mismatches.push({ kind, ...detail });
}

function documented(error) {
  return error instanceof LinkcapInputError || error instanceof AbortError || (error instanceof TypeError && / during evaluateAsync /.test(error.message));
}

function describe(error) {
  return error === undefined ? 'none' : `${error?.constructor?.name}: ${error?.message}`;
}

function run(fn) {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

// ---- values ------------------------------------------------------------------------------------------

const BAD_DOUBLES = [NaN, -1, 0, -0, Infinity, -Infinity, 1e308, 0.5, 2 ** 53, 2 ** 53 + 2, Number.MIN_VALUE, -1e-300, 3];

function randomClusterRow() {
  const row = [
    pick([1, 2, 4, 6, 8, 16, 72]),
    pick([0, 1, 2]),
    10 + random() * 1000,
    random() * 3,
    pick([0, 1]),
    0.3 + random() * 0.7,
    10 + random() * 300,
    1 + random() * 200,
    random() * 10,
    random() * 2,
    pick([1, 2, 4, 32, 128]),
    pick([1, 1, 1.5, 2, 4]),
    pick([0, 1]),
    0.5 + random() * 0.5,
    pick([0, 0.5, 4, 25]),
    pick([0, 1]),
  ];
  // Degenerate but valid extremes, then (rarely) a value out of range.
  if (chance(0.05)) row[pick([2, 6, 7])] = Number.MIN_VALUE;
  if (chance(0.05)) row[pick([3, 8, 9])] = 0;
  if (chance(0.02)) row[int(CLUSTER_FIELD_COUNT)] = pick(BAD_DOUBLES);
  return row;
}

function randomPackedClusters() {
  const count = 1 + int(4);
  const rows = [];
  for (let i = 0; i < count; i += 1) rows.push(...randomClusterRow());
  const packed = new Float64Array(rows);
  if (chance(0.005)) return packed.subarray(0, packed.length - 1);
  if (chance(0.002)) return new Float64Array(0);
  return packed;
}

const SIZES = [1, 2, 3, 4096, 65536, 1e6, 2 ** 30, 3e9, 1e15, 2 ** 53];
const GPUS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 64, 72, 144, 1000, 1024, 4096, 2 ** 31, 0xffffffff];

function fillPoint(inputs, i, clusterCount, badRate) {
  inputs.op[i] = chance(badRate) ? pick([7, 8, 100, 255]) : int(7);
  inputs.bytes[i] = chance(badRate) ? pick(BAD_DOUBLES) : chance(0.5) ? pick(SIZES) : Math.max(1, Math.round(2 ** (random() * 40)));
  inputs.gpus[i] = chance(0.1) ? int(2 ** 32) : pick(GPUS);
  inputs.cluster[i] = chance(badRate) ? pick([clusterCount, clusterCount + 1, 65535]) : int(clusterCount);
  inputs.algo[i] = chance(badRate) ? pick([8, 9, 100, 253]) : chance(0.5) ? AUTO : chance(0.3) ? AUTO_ALL : int(8);
  inputs.proto[i] = chance(badRate) ? pick([3, 4, 254]) : chance(0.6) ? AUTO : int(3);
}

// ---- collective batches -----------------------------------------------------------------------------

const MAX_POINTS = 48;
const columnSets = [false, true].map((shared) => ({
  inputs: allocateInputColumns(MAX_POINTS, { shared }),
  native: allocateOutputColumns(MAX_POINTS, { shared }),
  reference: allocateOutputColumns(MAX_POINTS, { shared }),
}));

function view(columns, names, n) {
  return Object.fromEntries(names.map((name) => [name, columns[name].subarray(0, n)]));
}

function sameOutputs(a, b, n) {
  for (const name of OUTPUT_COLUMN_NAMES) {
    for (let i = 0; i < n; i += 1) if (!Object.is(a[name][i], b[name][i])) return `${name}[${i}]: native ${a[name][i]} vs reference ${b[name][i]}`;
  }
  return null;
}

function collectiveCase() {
  const set = pick(columnSets);
  const packed = randomPackedClusters();
  const clusterCount = Math.max(1, Math.floor(packed.length / CLUSTER_FIELD_COUNT));
  const n = chance(0.1) ? 0 : 1 + int(chance(0.7) ? 8 : MAX_POINTS);
  const badRate = pick([0, 0, 0.002, 0.02, 0.2]);
  for (let i = 0; i < n; i += 1) fillPoint(set.inputs, i, clusterCount, badRate);
  const inputs = view(set.inputs, INPUT_COLUMN_NAMES, n);
  const outputs = { native: view(set.native, OUTPUT_COLUMN_NAMES, n), reference: view(set.reference, OUTPUT_COLUMN_NAMES, n) };
  // Stale values from the last case: whatever an engine leaves unwritten shows up as a difference.
  for (const name of OUTPUT_COLUMN_NAMES) {
    outputs.native[name].fill(7);
    outputs.reference[name].fill(7);
  }
  // A wrong type or length now and then.
  if (chance(0.01)) {
    const name = pick(INPUT_COLUMN_NAMES);
    inputs[name] = chance(0.5) ? new Float32Array(n) : inputs[name].subarray(0, Math.max(0, n - 1));
  }
  const threads = pick([0, 1, 2]);
  const nativeError = run(() => native.evaluate(packed, inputs, outputs.native, { threads }));
  const referenceError = run(() => reference.evaluate(packed, inputs, outputs.reference));
  summary.collective.cases += 1;
  summary.collective.points += n;
  for (const error of [nativeError, referenceError]) {
    if (error !== undefined && !documented(error)) summary.undocumented.push(describe(error));
  }
  if (describe(nativeError) !== describe(referenceError)) {
    mismatch('collective error', { native: describe(nativeError), reference: describe(referenceError) });
    return;
  }
  if (nativeError) summary.collective.errors += 1;
  else summary.collective.ok += 1;
  const difference = sameOutputs(outputs.native, outputs.reference, n);
  if (difference) mismatch('collective outputs', { difference, error: describe(nativeError) });
}

// ---- training batches -------------------------------------------------------------------------------

const models = listModels();
const chips = [
  chipParams({ bf16Tflops: 312, memoryGB: 80, memoryTBps: 2.04 }),
  chipParams({ bf16Tflops: 989, fp8Tflops: 1979, memoryGB: 80, memoryTBps: 3.35 }),
];
const TRAINING_CLUSTERS = [
  [8, 0, 240, 0.6, 0, 0.75, 87.7, 24, 2.7, 0.45, 32, 1, 0, 0.9, 4, 0],
  [8, 0, 370.8, 0.6, 1, 0.75, 141, 48, 2.7, 0.45, 32, 1, 1, 0.9, 4, 0],
  [72, 0, 370.8, 0.6, 1, 0.75, 141, 48, 2.7, 0.45, 4, 2, 0, 0.9, 0, 1],
];
const BAD_LAYOUT = [NaN, -1, 0, -0, 0.5, 1e300, Infinity, 2 ** 24, 2 ** 25, 2 ** 53, 3];

function trainingCase() {
  const workloadRows = 1 + int(3);
  const workloads = new Float64Array(workloadRows * WORKLOAD_FIELD_COUNT);
  for (let r = 0; r < workloadRows; r += 1) workloads.set(pick(models).row, r * WORKLOAD_FIELD_COUNT);
  if (chance(0.03)) workloads[int(workloads.length)] = pick(BAD_DOUBLES);
  const chipRows = packChips([pick(chips), pick(chips)]);
  if (chance(0.03)) chipRows[int(chipRows.length)] = pick(BAD_DOUBLES);
  const clusterRows = new Float64Array([...pick(TRAINING_CLUSTERS), ...pick(TRAINING_CLUSTERS)]);
  if (chance(0.02)) clusterRows[int(clusterRows.length)] = pick(BAD_DOUBLES);
  const n = int(7);
  const layouts = new Float64Array(n * LAYOUT_FIELD_COUNT);
  for (let r = 0; r < n; r += 1) {
    const o = r * LAYOUT_FIELD_COUNT;
    const tp = pick([1, 2, 4, 8]);
    const pp = pick([1, 2, 4]);
    const dp = pick([1, 2, 4, 8, 16]);
    const mb = pick([1, 2]);
    const row = [
      int(workloadRows), int(2), int(2), tp, pp, dp, 1, 1, mb, mb * dp * pick([1, 2, 4, 8]) * pp,
      pick([1, 1, 2]), int(3), int(4), int(2), int(2), 1, int(2), random(), random(), random(), random(), random(), random() * 0.3,
    ];
    // Adversarial fields, indices included.
    const bad = pick([0, 0, 1, 2]);
    for (let k = 0; k < bad; k += 1) row[int(LAYOUT_FIELD_COUNT)] = chance(0.5) ? pick(BAD_LAYOUT) : int(5);
    layouts.set(row, o);
  }
  const outNative = allocateTrainingOutputs(n, { shared: chance(0.5) }).fill(7);
  const outReference = allocateTrainingOutputs(n).fill(7);
  const nativeError = run(() => nativeTraining.evaluate(workloads, chipRows, clusterRows, layouts, outNative, { threads: pick([0, 1]) }));
  const referenceError = run(() => referenceTraining.evaluate(workloads, chipRows, clusterRows, layouts, outReference));
  summary.training.cases += 1;
  summary.training.rows += n;
  for (const error of [nativeError, referenceError]) {
    if (error !== undefined && !documented(error)) summary.undocumented.push(describe(error));
  }
  if (describe(nativeError) !== describe(referenceError)) {
    mismatch('training error', { native: describe(nativeError), reference: describe(referenceError) });
    return;
  }
  if (nativeError) summary.training.errors += 1;
  for (let i = 0; i < outNative.length; i += 1) {
    const a = outNative[i];
    const b = outReference[i];
    const close = Object.is(a, b) || (i % OUTPUT_FIELD_COUNT !== 0 && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));
    if (!close) {
      mismatch('training outputs', { index: i, native: a, reference: b, error: describe(nativeError) });
      return;
    }
  }
}

// ---- asynchronous calls and abort timing -------------------------------------------------------------

async function asyncCase() {
  const engine = pick([native, reference]);
  const n = engine === native ? 1 + int(300_000) : 1 + int(40_000);
  const shared = chance(0.5);
  const packed = new Float64Array([...randomClusterRow().map((v, k) => (Number.isFinite(v) ? v : [8, 0, 100, 1, 0, 1, 10, 10, 1, 1, 1, 1, 0, 1][k]))]);
  const valid = (() => {
    try {
      getEngine('reference').evaluate(packed, allocateInputColumns(0), allocateOutputColumns(0));
      return true;
    } catch {
      return false;
    }
  })();
  if (!valid) return;
  const inputs = allocateInputColumns(n, { shared });
  const badRate = chance(0.2) ? 1 / n : 0;
  for (let i = 0; i < n; i += 1) fillPoint(inputs, i, 1, badRate);
  const expected = allocateOutputColumns(n);
  const syncError = run(() => native.evaluate(packed, inputs, expected));
  const outputs = allocateOutputColumns(n, { shared });
  const controller = new AbortController();
  const abortAfter = pick([-1, 0, 1, 2, 5]);
  let calls = 0;
  if (chance(0.3)) setTimeout(() => controller.abort(), int(20));
  if (abortAfter === 0) controller.abort();
  let error;
  try {
    await engine.evaluateAsync(packed, inputs, outputs, {
      threads: pick([0, 1, 2]),
      signal: controller.signal,
      onProgress: () => {
        calls += 1;
        if (calls === abortAfter) controller.abort();
      },
    });
  } catch (caught) {
    error = caught;
  }
  summary.async.cases += 1;
  if (error !== undefined && !documented(error)) {
    summary.undocumented.push(describe(error));
    return;
  }
  let evaluated = n;
  if (error instanceof AbortError) {
    summary.async.aborted += 1;
    evaluated = error.completed;
    if (error.message !== `cancelled after ${error.completed} of ${n} points` || error.total !== n) mismatch('abort message', { message: error.message, n });
  } else if (error) {
    summary.async.errors += 1;
    if (describe(error) !== describe(syncError)) mismatch('async error', { async: describe(error), sync: describe(syncError) });
    return;
  } else {
    summary.async.resolved += 1;
    if (syncError) mismatch('async resolved where sync threw', { sync: describe(syncError) });
  }
  if (!(error instanceof AbortError) && syncError) return;
  for (const name of OUTPUT_COLUMN_NAMES) {
    for (let i = 0; i < n; i += 1) {
      const want = i < evaluated ? expected[name][i] : name === 'status' ? 3 : name === 'algo' || name === 'proto' ? AUTO : NaN;
      // Past a bad point the synchronous run did not evaluate either.
      if (syncError && i >= evaluated) break;
      if (!Object.is(outputs[name][i], want)) {
        mismatch('async outputs', { name, i, got: outputs[name][i], want, evaluated, n, engine: engine.kind });
        return;
      }
    }
  }
}

// ---- columns rewritten by another thread while engines run ------------------------------------------

async function racingCases(rounds) {
  const n = 400_000;
  const packed = packClusters([{ gpusPerDomain: 8, scaleUpTopology: 0, scaleUpGBps: 370.8, scaleUpHopUs: 0.6, inSwitchReduction: 1, nvlsEfficiency: 0.75, llCapGBps: 141, scaleOutGBps: 48, scaleOutHopUs: 2.7, tierHopUs: 0.45, leafDomains: 32, oversubscription: 1, inNetworkReduction: 0, inNetworkEfficiency: 0.9 }]);
  const inputs = allocateInputColumns(n, { shared: true });
  for (let i = 0; i < n; i += 1) fillPoint(inputs, i, 1, 0);
  const outputs = allocateOutputColumns(n, { shared: true });
  const stops = [
    startRewriter(inputs.cluster, [0, 0, 0, 1, 65535]),
    startRewriter(inputs.bytes, [1, 1024, 2 ** 53, NaN, -1, Infinity, 1e300]),
    startRewriter(inputs.gpus, [0, 1, 16, 2 ** 31, 0xffffffff]),
    startRewriter(inputs.algo, [AUTO, AUTO_ALL, 0, 5, 9, 200]),
    // An output column that is also written by the rewriter: the engine only writes it.
    startRewriter(outputs.timeS, [NaN, -1]),
  ];
  for (let round = 0; round < rounds; round += 1) {
    for (const engine of [native, reference]) {
      const error = chance(0.5)
        ? run(() => engine.evaluate(packed, inputs, outputs, { threads: pick([0, 1, 2]) }))
        : await engine.evaluateAsync(packed, inputs, outputs).then(() => undefined, (caught) => caught);
      summary.racing.cases += 1;
      if (error !== undefined) {
        summary.racing.errors += 1;
        if (!documented(error)) summary.undocumented.push(describe(error));
      }
    }
  }
  await Promise.all(stops.map((stop) => stop()));
}

// ---- run ------------------------------------------------------------------------------------------------

const started = Date.now();
for (let c = 0; c < collectiveCases; c += 1) collectiveCase();
for (let c = 0; c < trainingCases; c += 1) trainingCase();
for (let c = 0; c < asyncCases; c += 1) await asyncCase();
await racingCases(6);
summary.cases = summary.collective.cases + summary.training.cases + summary.async.cases + summary.racing.cases;
summary.seconds = (Date.now() - started) / 1000;
summary.undocumented = [...new Set(summary.undocumented)].slice(0, 10);
process.stdout.write(`FUZZ ${JSON.stringify(summary)}\n`);
