#!/usr/bin/env node
/**
 * Hostile uses of the engines' boundary, one per child process (test/boundary-crash.test.ts runs
 * `node --expose-gc test/boundary/scenarios.mjs <name>`): inputs rewritten while workers run, output memory
 * detached and collected mid-run, SharedArrayBuffer columns rewritten by another thread during a synchronous
 * call, getters that detach an array already read. Before issue 7 each of the first three crashed the process
 * (SIGSEGV). A scenario prints one line `RESULT {…}` with what the call did (resolved, or which error) and
 * exits 0; the test asserts the exit code, that no signal killed it, and that the outcome is a documented one.
 */
import { startRewriter } from './rewriter.mjs';
import {
  allocateInputColumns,
  allocateOutputColumns,
  allocateTrainingOutputs,
  AUTO,
  enumerateLayouts,
  getEngine,
  getTrainingEngine,
  INPUT_COLUMN_NAMES,
  LAYOUT_FIELD_COUNT,
  loadCatalog,
  loadNativeBinding,
  OUTPUT_COLUMN_NAMES,
  packClusters,
  resolveCluster,
} from '@linkcap/core';

const catalog = loadCatalog();
const h100 = resolveCluster('dgx-h100', catalog);
const packed = packClusters([h100.params]);

/** `n` valid auto-selected points (all-reduce, 16 GPUs, sizes 1 KiB … 1 GiB). */
function validBatch(n, shared) {
  const inputs = allocateInputColumns(n, { shared });
  const outputs = allocateOutputColumns(n, { shared });
  for (let i = 0; i < n; i += 1) inputs.bytes[i] = 2 ** (10 + (i % 21));
  inputs.gpus.fill(16);
  inputs.algo.fill(AUTO);
  inputs.proto.fill(AUTO);
  return { inputs, outputs };
}

/** The 14 columns as the raw addon takes them (binding.ts, NativeColumns). */
function columns({ inputs, outputs }) {
  return [...INPUT_COLUMN_NAMES.map((name) => inputs[name]), ...OUTPUT_COLUMN_NAMES.map((name) => outputs[name])];
}

function outcome(error) {
  if (error === undefined) return { resolved: true };
  return { name: error?.name, message: String(error?.message ?? error) };
}

async function settle(promise) {
  try {
    await promise;
    return outcome();
  } catch (error) {
    return outcome(error);
  }
}

/** evaluateAsync over 4M valid points whose cluster column is filled with 65535 at the first progress report. */
async function rewriteInputsMidRun(shared) {
  const { inputs, outputs } = validBatch(4_000_000, shared);
  let once = false;
  return settle(
    getEngine('native').evaluateAsync(packed, inputs, outputs, {
      onProgress: () => {
        if (!once) {
          once = true;
          inputs.cluster.fill(65535);
        }
      },
    }),
  );
}

const scenarios = {
  /** Issue 7, case 1: inputs.cluster filled with 65535 while evaluateAsync runs (ordinary columns: staged). */
  'async-input-rewritten': () => rewriteInputsMidRun(false),

  /** The same on SharedArrayBuffer columns, which the workers read in place. */
  'async-shared-input-rewritten': () => rewriteInputsMidRun(true),

  /** Issue 7, case 1 for training: a layout row's chip index set to 1e9 mid-run. */
  async 'training-async-row-rewritten'() {
    const batch = enumerateLayouts({ model: 'llama3-70b', cluster: resolveCluster('hgx-h800', catalog), gpus: 1024 });
    for (const shared of [false, true]) {
      const layouts = shared ? new Float64Array(new SharedArrayBuffer(batch.layouts.byteLength)) : batch.layouts.slice();
      layouts.set(batch.layouts);
      const outputs = allocateTrainingOutputs(batch.count, { shared });
      let once = false;
      const result = await settle(
        getTrainingEngine('native').evaluateAsync(batch.workloads, batch.chips, batch.clusters, layouts, outputs, {
          threads: 1,
          onProgress: () => {
            if (!once) {
              once = true;
              for (let row = 0; row < batch.count; row += 1) layouts[row * LAYOUT_FIELD_COUNT + 1] = 1e9;
            }
          },
        }),
      );
      if (!result.resolved) return result;
    }
    return outcome();
  },

  /** Issue 7, case 2: an output column's ArrayBuffer transferred away and collected mid-run. */
  async 'async-output-detached'() {
    const n = 4_000_000;
    const { inputs, outputs } = validBatch(n, false);
    let once = false;
    const result = await settle(
      getEngine('native').evaluateAsync(packed, inputs, outputs, {
        onProgress: () => {
          if (!once) {
            once = true;
            structuredClone(outputs.timeS.buffer, { transfer: [outputs.timeS.buffer] });
            globalThis.gc?.();
          }
        },
      }),
    );
    globalThis.gc?.();
    return result;
  },

  /** The raw addon refuses ordinary memory for an asynchronous call, and shared memory cannot be transferred. */
  async 'raw-async-memory'() {
    const binding = loadNativeBinding();
    const plain = validBatch(1000, false);
    const refused = await settle(binding.evaluateCollectivesAsync(packed, ...columns(plain), 0, undefined, undefined));
    const shared = validBatch(1000, true);
    let transfer;
    try {
      structuredClone(shared.outputs.timeS.buffer, { transfer: [shared.outputs.timeS.buffer] });
      transfer = outcome();
    } catch (error) {
      transfer = outcome(error);
    }
    const flag = await settle(binding.evaluateCollectivesAsync(packed, ...columns(shared), 0, new Int32Array(1), undefined));
    return { refused, transfer, flag };
  },

  /** Issue 7, case 3: synchronous evaluate over SharedArrayBuffer columns while a worker rewrites inputs.cluster. */
  async 'sync-shared-rewritten-by-worker'() {
    const n = 2_000_000;
    const { inputs, outputs } = validBatch(n, true);
    const stops = [startRewriter(inputs.cluster, [65535]), startRewriter(inputs.bytes, [-1]), startRewriter(inputs.op, [200])];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const results = [];
    for (let round = 0; round < 5; round += 1) {
      try {
        getEngine('native').evaluate(packed, inputs, outputs);
        results.push(outcome());
      } catch (error) {
        results.push(outcome(error));
      }
    }
    await Promise.all(stops.map((stop) => stop()));
    return results.find((r) => !r.resolved) ?? outcome();
  },

  /** Training layouts on a SharedArrayBuffer rewritten by a worker during a synchronous evaluation. */
  async 'training-sync-shared-rewritten-by-worker'() {
    const batch = enumerateLayouts({ model: 'llama3-8b', cluster: h100, gpus: 256 });
    const layouts = new Float64Array(new SharedArrayBuffer(batch.layouts.byteLength));
    layouts.set(batch.layouts);
    const outputs = allocateTrainingOutputs(batch.count);
    const stop = startRewriter(layouts, [1e300]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let result;
    try {
      getTrainingEngine('native').evaluate(batch.workloads, batch.chips, batch.clusters, layouts, outputs);
      result = outcome();
    } catch (error) {
      result = outcome(error);
    }
    await stop();
    return result;
  },

  /**
   * A getter that detaches a column already read, and a column detached before a raw call: the addon takes
   * positional arrays (no getter runs inside it), the engine reads each column once and checks the shapes.
   */
  async 'getter-detaches-earlier-column'() {
    const { inputs, outputs } = validBatch(100_000, false);
    const hostile = { ...inputs };
    Object.defineProperty(hostile, 'proto', {
      enumerable: true,
      get() {
        structuredClone(inputs.op.buffer, { transfer: [inputs.op.buffer] });
        globalThis.gc?.();
        return inputs.proto;
      },
    });
    let engine;
    try {
      getEngine('native').evaluate(packed, hostile, outputs);
      engine = outcome();
    } catch (error) {
      engine = outcome(error);
    }
    let raw;
    try {
      loadNativeBinding().evaluateCollectives(packed, ...columns({ inputs, outputs }), 0);
      raw = outcome();
    } catch (error) {
      raw = outcome(error);
    }
    return { engine, raw };
  },

  /** Columns on a resizable ArrayBuffer shrunk to nothing while evaluateAsync runs (staged). */
  async 'async-resizable-shrunk'() {
    const n = 2_000_000;
    const { inputs, outputs } = validBatch(n, false);
    const buffer = new ArrayBuffer(n * 8, { maxByteLength: n * 8 });
    const bytes = new Float64Array(buffer);
    bytes.set(inputs.bytes);
    let once = false;
    return settle(
      getEngine('native').evaluateAsync(packed, { ...inputs, bytes }, outputs, {
        onProgress: () => {
          if (!once) {
            once = true;
            buffer.resize(0);
          }
        },
      }),
    );
  },
};

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  process.stderr.write(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}\n`);
  process.exit(2);
}
const result = await scenario();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
