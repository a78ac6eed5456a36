/**
 * The engine behind training evaluations: the native addon when it exports the training batch entry points
 * (a thread pool over the same packed rows), else the TypeScript reference (evaluateTrainingBatch).
 * LINKCAP_ENGINE=native|reference|auto or the `engine` option chooses, as for collectives.
 *
 * Both engines keep one contract (native/src/core/training_batch.hpp): shapes checked here for both; the
 * workload, chip and cluster rows copied, then validated; each layout row checked where it is read; from the
 * first bad layout row on, rows read status 6 ("not evaluated") and a LinkcapInputError names it. An aborted
 * evaluateAsync rejects with an AbortError "cancelled after N of M configurations".
 */
import { evaluateInSlices, withCancelFlag } from '../engine/abort.js';
import { checkThreads, nativeAsyncError, preferenceFromEnvironment, type EnginePreference, type EvaluateAsyncOptions } from '../engine/engine.js';
import { abiTableMismatch, type AbiTables } from '../engine/abi-tables.js';
import { loadNativeBinding, NativeLoadError } from '../engine/loader.js';
import { runInSharedWindows } from '../engine/staging.js';
import { fromNativeError, LinkcapInputError } from '../validate/errors.js';
import { CHIP_FIELD_COUNT, CHIP_FIELDS, LAYOUT_FIELD_COUNT, LAYOUT_FIELDS, OUTPUT_FIELD_COUNT, OUTPUT_FIELDS, WORKLOAD_FIELD_COUNT, WORKLOAD_FIELDS } from './fields.js';
import { checkTrainingShapes, evaluateTrainingRange, fillTrainingNotEvaluated, referenceTrainingTables } from './packing.js';

/** Bumped with native/src/addon/addon.cpp's kTrainingAbiVersion when the rows' meaning, a status or the contract changes. */
export const TRAINING_ABI_VERSION = 5;

/** What the native addon exports for training (optional: older builds lack it). */
export interface TrainingNativeBinding {
  readonly trainingAbiVersion?: number;
  /** [workload, chip, layout, output] row widths the build was compiled with. */
  readonly trainingFieldCounts?: readonly number[];
  /** Field names of those rows (workloadFields, chipFields, layoutFields, outputFields) among the generated tables. */
  readonly abiTables?: AbiTables;
  evaluateTraining?(
    workloads: Float64Array,
    chips: Float64Array,
    clusters: Float64Array,
    layouts: Float64Array,
    outputs: Float64Array,
    threads: number,
  ): void;
  /**
   * The same off the JS thread: layouts and outputs on SharedArrayBuffers (the tables may be any Float64Array,
   * copied before the call returns), cancelFlag an Int32Array on a SharedArrayBuffer; rejects with an Error
   * named AbortError ("cancelled after N of M configurations", `completed`, `total`) when cancelled.
   * `firstIndex` names layout row 0 in messages.
   */
  evaluateTrainingAsync?(
    workloads: Float64Array,
    chips: Float64Array,
    clusters: Float64Array,
    layouts: Float64Array,
    outputs: Float64Array,
    threads: number,
    cancelFlag: Int32Array | undefined,
    onProgress: ((done: number, total: number) => void) | undefined,
    firstIndex?: number,
  ): Promise<void>;
}

export interface TrainingEngine {
  readonly kind: 'native' | 'reference';
  /** Evaluates every layout row into `outputs` (preallocated: allocateTrainingOutputs(rows)). */
  evaluate(
    workloads: Float64Array,
    chips: Float64Array,
    clusters: Float64Array,
    layouts: Float64Array,
    outputs: Float64Array,
    options?: { threads?: number },
  ): void;
  /** The same without blocking the event loop, with progress and cancellation (see EvaluateAsyncOptions). */
  evaluateAsync(
    workloads: Float64Array,
    chips: Float64Array,
    clusters: Float64Array,
    layouts: Float64Array,
    outputs: Float64Array,
    options?: EvaluateAsyncOptions,
  ): Promise<void>;
}

/** Configurations the reference evaluates between clock reads (the native engine's chunk). */
const REFERENCE_CHUNK = 256;

const referenceEngine: TrainingEngine = {
  kind: 'reference',
  evaluate(workloads, chips, clusters, layouts, outputs, options) {
    checkThreads(options?.threads);
    const n = checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
    evaluateTrainingRange(referenceTrainingTables(workloads, chips, clusters), layouts, outputs, 0, n, n);
  },
  async evaluateAsync(workloads, chips, clusters, layouts, outputs, options) {
    checkThreads(options?.threads);
    const total = checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
    const tables = referenceTrainingTables(workloads, chips, clusters);
    await evaluateInSlices(
      total,
      REFERENCE_CHUNK,
      'configurations',
      options,
      (begin, end) => evaluateTrainingRange(tables, layouts, outputs, begin, end, total),
      (from) => fillTrainingNotEvaluated(outputs, from, total),
    );
  },
};

type Evaluate = NonNullable<TrainingNativeBinding['evaluateTraining']>;
type EvaluateAsync = NonNullable<TrainingNativeBinding['evaluateTrainingAsync']>;

function nativeTrainingEngine(evaluate: Evaluate, evaluateAsync: EvaluateAsync): TrainingEngine {
  return {
    kind: 'native',
    evaluate(workloads, chips, clusters, layouts, outputs, options) {
      const threads = checkThreads(options?.threads);
      checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
      try {
        evaluate(workloads, chips, clusters, layouts, outputs, threads);
      } catch (error) {
        throw fromNativeError(error);
      }
    },
    async evaluateAsync(workloads, chips, clusters, layouts, outputs, options) {
      const threads = checkThreads(options?.threads);
      const total = checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
      const signal = options?.signal;
      const onProgress = options?.onProgress;
      await withCancelFlag(signal, (cancelFlag) =>
        runInSharedWindows(
          total,
          [
            { name: 'layouts', array: layouts, width: LAYOUT_FIELD_COUNT, output: false },
            { name: 'outputs', array: outputs, width: OUTPUT_FIELD_COUNT, output: true },
          ],
          async ([windowLayouts, windowOutputs], start) => {
            const progress = onProgress && ((done: number) => onProgress(start + done, total));
            try {
              await evaluateAsync(workloads, chips, clusters, windowLayouts as Float64Array, windowOutputs as Float64Array, threads, cancelFlag, progress, start);
            } catch (error) {
              throw nativeAsyncError(error, start, total, 'configurations', signal);
            }
          },
          (from) => fillTrainingNotEvaluated(outputs, from, total),
          // ~10 MB of staged rows per window.
          1 << 14,
        ),
      );
    },
  };
}

let nativeEngine: TrainingEngine | null | undefined;
let nativeReason = '';

function loadNative(): TrainingEngine | null {
  if (nativeEngine !== undefined) return nativeEngine;
  nativeEngine = null;
  try {
    const binding = loadNativeBinding() as unknown as TrainingNativeBinding;
    const counts = binding.trainingFieldCounts;
    const expected = [WORKLOAD_FIELD_COUNT, CHIP_FIELD_COUNT, LAYOUT_FIELD_COUNT, OUTPUT_FIELD_COUNT];
    const names = { workloadFields: WORKLOAD_FIELDS, chipFields: CHIP_FIELDS, layoutFields: LAYOUT_FIELDS, outputFields: OUTPUT_FIELDS };
    const mismatch = abiTableMismatch(binding.abiTables, names);
    if (typeof binding.evaluateTraining !== 'function' || typeof binding.evaluateTrainingAsync !== 'function') {
      nativeReason = 'the native addon has no training engine (evaluateTraining, evaluateTrainingAsync) yet';
    } else if (binding.trainingAbiVersion !== TRAINING_ABI_VERSION) {
      nativeReason = `the native training engine is built for training ABI ${binding.trainingAbiVersion}, this package needs ${TRAINING_ABI_VERSION}: rebuild it`;
    } else if (!counts || counts.length !== 4 || counts.some((count, i) => count !== expected[i])) {
      nativeReason = `the native training rows (${String(counts)}) do not match this package (${expected.join(',')}): rebuild it`;
    } else if (mismatch !== null) {
      nativeReason = `the native training rows do not match this package: ${mismatch}: rebuild it`;
    } else {
      nativeEngine = nativeTrainingEngine(binding.evaluateTraining.bind(binding), binding.evaluateTrainingAsync.bind(binding));
    }
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    nativeReason = error.message;
  }
  return nativeEngine;
}

/** The training engine: 'auto' uses native when it has the training entry points, else the reference. */
export function getTrainingEngine(preference: EnginePreference = preferenceFromEnvironment()): TrainingEngine {
  if (preference === 'reference') return referenceEngine;
  const native = loadNative();
  if (preference === 'native') {
    if (!native) throw new LinkcapInputError('engine', `native: ${nativeReason}`);
    return native;
  }
  return native ?? referenceEngine;
}
