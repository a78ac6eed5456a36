/**
 * The engine behind every prediction: the native addon when it is built, else the TypeScript reference
 * (with one warning). LINKCAP_ENGINE=native|reference|auto or the `engine` option forces one.
 *
 * Both engines keep one contract (native/src/core/batch.hpp): shapes are checked here, in TypeScript, the
 * same way for both; the cluster table is copied, then validated; every point is checked by the engine where
 * it reads it; at the first invalid point the points before it are evaluated, it and every later point read
 * status 3 ("not evaluated"), and a LinkcapInputError names it. An aborted evaluateAsync rejects with an
 * AbortError "cancelled after N of M points" and leaves points [N, M) "not evaluated".
 */
import { evaluateReferenceRange, fillNotEvaluated, referenceClusters } from '../model/batch-reference.js';
import { INPUT_COLUMN_NAMES, OUTPUT_COLUMN_NAMES, type CollectiveInputColumns, type CollectiveOutputColumns } from '../model/columns.js';
import { readBatchColumns } from '../validate/columns.js';
import { fromNativeError, LinkcapInputError } from '../validate/errors.js';
import { AbortError, evaluateInSlices, withCancelFlag } from './abort.js';
import type { NativeBinding, NativeColumns } from './binding.js';
import { loadNativeBinding, NativeLoadError } from './loader.js';
import { runInSharedWindows, type WindowedArray } from './staging.js';

export type EngineKind = 'native' | 'reference';
export type EnginePreference = EngineKind | 'auto';

export interface EvaluateOptions {
  /** Worker threads for the native engine; 0 (default) uses every core. The reference is single-threaded. */
  threads?: number;
}

export interface EvaluateAsyncOptions extends EvaluateOptions {
  /** Aborting rejects with an AbortError ("cancelled after N of M points"); points [N, M) read "not evaluated". */
  signal?: AbortSignal;
  /** (done, total) as work completes, always ending with (total, total) on success. A throw stops the run. */
  onProgress?: (done: number, total: number) => void;
}

export interface CollectiveEngine {
  readonly kind: EngineKind;
  /** Evaluates every point into `outputs` (preallocated; reuse them to stream chunks). */
  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void;
  /**
   * The same without blocking the event loop (native: worker threads; reference: slices of a few
   * milliseconds), with progress and cancellation through an AbortSignal.
   */
  evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void>;
}

export function checkThreads(threads: number | undefined): number {
  const value = threads ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 1024) {
    throw new LinkcapInputError('threads', `${value}: must be a whole number from 0 (all cores) to 1024`);
  }
  return value;
}

/** Points the reference evaluates between clock reads (the native engine's chunk). */
const REFERENCE_CHUNK = 16_384;

class ReferenceEngine implements CollectiveEngine {
  readonly kind = 'reference' as const;

  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void {
    checkThreads(options?.threads);
    const columns = readBatchColumns(packedClusters, inputs, outputs);
    evaluateReferenceRange(referenceClusters(packedClusters), columns.inputs, columns.outputs, 0, columns.length, columns.length);
  }

  async evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void> {
    checkThreads(options?.threads);
    const { inputs: i, outputs: o, length: total } = readBatchColumns(packedClusters, inputs, outputs);
    const clusters = referenceClusters(packedClusters);
    await evaluateInSlices(
      total,
      REFERENCE_CHUNK,
      'points',
      options,
      (begin, end) => evaluateReferenceRange(clusters, i, o, begin, end, total),
      (from) => fillNotEvaluated(o, from, total),
    );
  }
}

/** The columns of a collective batch, in the order the windows hand them back. */
function collectiveArrays(inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns): WindowedArray[] {
  return [
    ...INPUT_COLUMN_NAMES.map((name) => ({ name: `inputs.${name}`, array: inputs[name], width: 1, output: false })),
    ...OUTPUT_COLUMN_NAMES.map((name) => ({ name: `outputs.${name}`, array: outputs[name], width: 1, output: true })),
  ];
}

/** A native rejection in the engine's terms: the LinkcapInputError or the AbortError (counted over the whole batch). */
export function nativeAsyncError(error: unknown, start: number, total: number, noun: 'points' | 'configurations', signal?: AbortSignal): unknown {
  const e = error as { name?: unknown; completed?: unknown };
  if (e !== null && typeof e === 'object' && e.name === 'AbortError' && typeof e.completed === 'number') {
    return new AbortError(start + e.completed, total, noun, signal?.reason);
  }
  return fromNativeError(error);
}

class NativeEngine implements CollectiveEngine {
  readonly kind = 'native' as const;
  constructor(private readonly binding: NativeBinding) {}

  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void {
    const threads = checkThreads(options?.threads);
    const { inputs: i, outputs: o } = readBatchColumns(packedClusters, inputs, outputs);
    try {
      // prettier-ignore
      this.binding.evaluateCollectives(packedClusters, i.op, i.bytes, i.gpus, i.cluster, i.algo, i.proto,
        o.status, o.timeS, o.algbwGBps, o.busbwGBps, o.algo, o.proto, o.scaleUpBytes, o.scaleOutBytes, threads);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  async evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void> {
    const threads = checkThreads(options?.threads);
    const columns = readBatchColumns(packedClusters, inputs, outputs);
    const total = columns.length;
    const signal = options?.signal;
    const onProgress = options?.onProgress;
    await withCancelFlag(signal, (cancelFlag) =>
      runInSharedWindows(
        total,
        collectiveArrays(columns.inputs, columns.outputs),
        async (views, start) => {
          const progress = onProgress && ((done: number) => onProgress(start + done, total));
          try {
            // The window's 14 columns, in INPUT_COLUMN_NAMES then OUTPUT_COLUMN_NAMES order.
            await this.binding.evaluateCollectivesAsync(packedClusters, ...(views as NativeColumns), threads, cancelFlag, progress, start);
          } catch (error) {
            throw nativeAsyncError(error, start, total, 'points', signal);
          }
        },
        (from) => fillNotEvaluated(columns.outputs, from, total),
      ),
    );
  }
}

const engines = new Map<EngineKind, CollectiveEngine>();
let warnedFallback = false;
let nativeFailure: NativeLoadError | undefined;

function nativeEngine(): CollectiveEngine {
  let engine = engines.get('native');
  if (!engine) {
    if (nativeFailure) throw nativeFailure;
    try {
      engine = new NativeEngine(loadNativeBinding());
    } catch (error) {
      if (error instanceof NativeLoadError) nativeFailure = error;
      throw error;
    }
    engines.set('native', engine);
  }
  return engine;
}

function referenceEngine(): CollectiveEngine {
  let engine = engines.get('reference');
  if (!engine) {
    engine = new ReferenceEngine();
    engines.set('reference', engine);
  }
  return engine;
}

export function preferenceFromEnvironment(): EnginePreference {
  const value = typeof process !== 'undefined' ? process.env.LINKCAP_ENGINE : undefined;
  if (value === undefined || value === '') return 'auto';
  if (value === 'native' || value === 'reference' || value === 'auto') return value;
  throw new LinkcapInputError('LINKCAP_ENGINE', `"${value}": must be native, reference or auto`);
}

/** The engine to use. 'auto' falls back to the reference with a single process warning. */
export function getEngine(preference: EnginePreference = preferenceFromEnvironment()): CollectiveEngine {
  if (preference === 'reference') return referenceEngine();
  if (preference === 'native') return nativeEngine();
  try {
    return nativeEngine();
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    if (!warnedFallback) {
      warnedFallback = true;
      process.emitWarning(`${error.message}\nUsing the TypeScript reference engine (same results, slower).`, { code: 'LINKCAP_NO_NATIVE' });
    }
    return referenceEngine();
  }
}

/** True when the native addon loads (without warning). */
export function nativeAvailable(): boolean {
  try {
    nativeEngine();
    return true;
  } catch {
    return false;
  }
}
