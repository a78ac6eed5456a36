/**
 * @linkcap/core: typed API of linkcap. Units: bytes, seconds, decimal GB/s (1e9 B/s); link rates are per
 * direction unless a name says bidirectional.
 */
export * from './model/enums.js';
export { CLUSTER_FIELDS, CLUSTER_FIELD_COUNT, packClusters, unpackCluster, type ClusterParams } from './model/cluster-params.js';
export {
  allocateInputColumns,
  allocateOutputColumns,
  isSharedColumn,
  sharedMemoryAvailable,
  INPUT_COLUMN_NAMES,
  OUTPUT_COLUMN_NAMES,
  MAX_BYTES,
  type AllocateOptions,
  type CollectiveInputColumns,
  type CollectiveOutputColumns,
} from './model/columns.js';
export { evaluatePoint, evaluateCandidate, selectCandidate, placeGpus, placeRanks, busBandwidthFactor, emptyResult, type PointResult, type Placement } from './model/collective.js';
export { evaluateBatchReference, fillNotEvaluated } from './model/batch-reference.js';
export { ineligibilityReason } from './model/eligibility.js';
export {
  getEngine,
  nativeAvailable,
  type CollectiveEngine,
  type EngineKind,
  type EnginePreference,
  type EvaluateOptions,
  type EvaluateAsyncOptions,
} from './engine/engine.js';
export { AbortError } from './engine/abort.js';
export { loadNativeBinding, NativeLoadError } from './engine/loader.js';
export type { NativeBinding } from './engine/binding.js';
export { LinkcapInputError } from './validate/errors.js';
export { validateClusterParams } from './validate/cluster-params.js';
export { validateBatch, checkBatchShapes } from './validate/columns.js';
export type { ClusterInput, ClusterLike } from './api/cluster-input.js';
export {
  predictCollective,
  predictCollectiveSizes,
  collectiveCandidates,
  type CollectiveRequest,
  type CollectivePrediction,
  type CollectiveCandidate,
} from './api/collective.js';
export * from './training/index.js';
export * from './catalog/index.js';
export * from './controls/index.js';
export { formatGrouped } from './format-number.js';
export * from './sweep/index.js';
export {
  parseNcclTestsLog,
  NcclLogError,
  type ParsedLog,
  type LogRun,
  type LogRow,
  type LogRank,
  type LogWarning,
  type MeasuredTime,
  type ParseOptions,
} from './calibrate/nccl-tests-log.js';
export {
  fitCluster,
  runShape,
  FIT_PARAMETERS,
  TIMING_SIGMA,
  type FitInput,
  type FitResult,
  type FittedParameter,
  type FitParameter,
  type ResidualRow,
} from './calibrate/fit.js';
export { calibrateCluster, type CalibrateRequest, type CalibrateResult } from './calibrate/calibrate.js';
export * from './files/index.js';
