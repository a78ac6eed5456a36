/**
 * The engine behind every prediction: the native addon when it is built, else the TypeScript reference
 * (with one warning). LINKCAP_ENGINE=native|reference|auto or the `engine` option forces one.
 */
import { evaluateBatchReference } from '../model/batch-reference.js';
import type { CollectiveInputColumns, CollectiveOutputColumns } from '../model/columns.js';
import { validateBatch } from '../validate/columns.js';
import { LinkcapInputError } from '../validate/errors.js';
import type { NativeBinding } from './binding.js';
import { loadNativeBinding, NativeLoadError } from './loader.js';

export type EngineKind = 'native' | 'reference';
export type EnginePreference = EngineKind | 'auto';

export interface EvaluateOptions {
  /** Worker threads for the native engine; 0 (default) uses every core. The reference is single-threaded. */
  threads?: number;
}

export interface EvaluateAsyncOptions extends EvaluateOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface CollectiveEngine {
  readonly kind: EngineKind;
  /** Validates, then evaluates every point into `outputs` (preallocated; reuse them to stream chunks). */
  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void;
  /** Off the main thread (native) with progress and cancellation through an AbortSignal. */
  evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void>;
}

function checkThreads(threads: number | undefined): number {
  const value = threads ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 1024) {
    throw new LinkcapInputError('threads', `${value}: must be a whole number from 0 (all cores) to 1024`);
  }
  return value;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

class ReferenceEngine implements CollectiveEngine {
  readonly kind = 'reference' as const;

  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void {
    checkThreads(options?.threads);
    validateBatch(packedClusters, inputs, outputs);
    evaluateBatchReference(packedClusters, inputs, outputs);
  }

  async evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void> {
    if (options?.signal?.aborted) throw abortError(options.signal);
    this.evaluate(packedClusters, inputs, outputs, options);
    options?.onProgress?.(inputs.op.length, inputs.op.length);
  }
}

class NativeEngine implements CollectiveEngine {
  readonly kind = 'native' as const;
  constructor(private readonly binding: NativeBinding) {}

  evaluate(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns, options?: EvaluateOptions): void {
    const threads = checkThreads(options?.threads);
    validateBatch(packedClusters, inputs, outputs);
    this.binding.evaluateCollectives(packedClusters, inputs, outputs, threads);
  }

  async evaluateAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    options?: EvaluateAsyncOptions,
  ): Promise<void> {
    const threads = checkThreads(options?.threads);
    validateBatch(packedClusters, inputs, outputs);
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal);
    // The workers poll this flag between chunks; it is memory shared with C++, not a message.
    const cancelFlag = new Int32Array(1);
    const onAbort = () => {
      cancelFlag[0] = 1;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.binding.evaluateCollectivesAsync(packedClusters, inputs, outputs, threads, cancelFlag, options?.onProgress);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
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

function preferenceFromEnvironment(): EnginePreference {
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
