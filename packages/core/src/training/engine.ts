/**
 * The engine behind training evaluations: the native addon when it exports the training batch entry point
 * (a thread pool over the same packed rows), else the TypeScript reference (evaluateTrainingBatch).
 * LINKCAP_ENGINE=native|reference|auto or the `engine` option chooses, as for collectives.
 */
import type { EnginePreference } from '../engine/engine.js';
import { loadNativeBinding, NativeLoadError } from '../engine/loader.js';
import { LinkcapInputError } from '../validate/errors.js';
import { CHIP_FIELD_COUNT, LAYOUT_FIELD_COUNT, OUTPUT_FIELD_COUNT, WORKLOAD_FIELD_COUNT } from './fields.js';
import { evaluateTrainingBatch, validateTrainingBatch } from './packing.js';

/** What the native addon exports for training (optional: older builds lack it). */
export interface TrainingNativeBinding {
  /** [workload, chip, layout, output] row widths the build was compiled with. */
  readonly trainingFieldCounts?: readonly number[];
  evaluateTraining?(
    workloads: Float64Array,
    chips: Float64Array,
    clusters: Float64Array,
    layouts: Float64Array,
    outputs: Float64Array,
    threads: number,
  ): void;
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
}

const referenceEngine: TrainingEngine = {
  kind: 'reference',
  evaluate(workloads, chips, clusters, layouts, outputs) {
    evaluateTrainingBatch(workloads, chips, clusters, layouts, outputs);
  },
};

let nativeEngine: TrainingEngine | null | undefined;
let nativeReason = '';

function loadNative(): TrainingEngine | null {
  if (nativeEngine !== undefined) return nativeEngine;
  nativeEngine = null;
  try {
    const binding = loadNativeBinding() as unknown as TrainingNativeBinding;
    const counts = binding.trainingFieldCounts;
    const expected = [WORKLOAD_FIELD_COUNT, CHIP_FIELD_COUNT, LAYOUT_FIELD_COUNT, OUTPUT_FIELD_COUNT];
    if (typeof binding.evaluateTraining !== 'function') {
      nativeReason = 'the native addon has no training engine (evaluateTraining) yet';
    } else if (!counts || counts.length !== 4 || counts.some((count, i) => count !== expected[i])) {
      nativeReason = `the native training rows (${String(counts)}) do not match this package (${expected.join(',')}): rebuild it`;
    } else {
      const evaluate = binding.evaluateTraining.bind(binding);
      nativeEngine = {
        kind: 'native',
        evaluate(workloads, chips, clusters, layouts, outputs, options) {
          const threads = options?.threads ?? 0;
          if (!Number.isInteger(threads) || threads < 0 || threads > 1024) {
            throw new LinkcapInputError('threads', `${threads}: must be a whole number from 0 (all cores) to 1024`);
          }
          validateTrainingBatch(workloads, chips, clusters, layouts, outputs);
          evaluate(workloads, chips, clusters, layouts, outputs, threads);
        },
      };
    }
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    nativeReason = error.message;
  }
  return nativeEngine;
}

function preferenceFromEnvironment(): EnginePreference {
  const value = typeof process !== 'undefined' ? process.env.LINKCAP_ENGINE : undefined;
  if (value === undefined || value === '') return 'auto';
  if (value === 'native' || value === 'reference' || value === 'auto') return value;
  throw new LinkcapInputError('LINKCAP_ENGINE', `"${value}": must be native, reference or auto`);
}

/** The training engine: 'auto' uses native when it has the training entry point, else the reference. */
export function getTrainingEngine(preference: EnginePreference = preferenceFromEnvironment()): TrainingEngine {
  if (preference === 'reference') return referenceEngine;
  const native = loadNative();
  if (preference === 'native') {
    if (!native) throw new LinkcapInputError('engine', `native: ${nativeReason}`);
    return native;
  }
  return native ?? referenceEngine;
}
