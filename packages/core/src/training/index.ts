/**
 * linkcap's training-step model: typed API (predictTraining, searchLayouts, compareClusters), the packed-row
 * interface shared with the native engine (fields.ts, packing.ts) and the model presets.
 * docs/model/training.md states every formula and its source.
 */
export {
  WORKLOAD_FIELDS,
  WORKLOAD_FIELD_COUNT,
  CHIP_FIELDS,
  CHIP_FIELD_COUNT,
  LAYOUT_FIELDS,
  LAYOUT_FIELD_COUNT,
  OUTPUT_FIELDS,
  OUTPUT_FIELD_COUNT,
  TRAINING_STATUS_MESSAGES,
  TrainingStatus,
  RECOMPUTE_MODES,
  RECOMPUTE_MODULES,
  PRECISIONS,
  ATTENTION_KERNELS,
  type AttentionKernel,
  type RecomputeMode,
  type RecomputeModule,
  type Precision,
} from './fields.js';
export {
  normaliseWorkload,
  countParameters,
  forwardFlopsPerToken,
  type Workload,
  type WorkloadSpec,
  type ParameterCounts,
} from './workload.js';
export { listModels, parseModels, resolveModel, MODEL_SOURCES } from './models.js';
export { chipParams, packChips, validateChipParams, type ChipParams, type ChipRates } from './chip.js';
export {
  ATTENTION_HALF_KEYS,
  ATTENTION_TILE,
  HOST_LINK_EFFICIENCY,
  TRAINING_CONSTANT_KEYS,
  trainingDefaultsFor,
  trainingConstantsOf,
  type TrainingConstants,
} from './calibration.js';
export { PROFILES, PROFILE_IDS, resolveProfile, profileOverlap, type ProfileId, type ImplementationProfile, type OverlapRule } from './profiles.js';
export {
  allocateLayouts,
  allocateTrainingOutputs,
  evaluateTrainingBatch,
  validateTrainingBatch,
  checkTrainingShapes,
  fillTrainingNotEvaluated,
  MAX_TRAINING_GPUS,
  packWorkloadRows,
  readLayoutRow,
  readOutputRow,
  writeLayoutRow,
  type LayoutRow,
  type OutputRow,
} from './packing.js';
export { getTrainingEngine, TRAINING_ABI_VERSION, type TrainingEngine, type TrainingNativeBinding } from './engine.js';
export { validateWorkloadRow, validateChipRow } from './row-rules.js';
export {
  chipRatesFromSpec,
  DEFAULT_BATCH_TOKENS,
  type ChipSpecLike,
  type TrainingCluster,
  type TrainingLayout,
  type TrainingLayoutInput,
  type Overlap,
  type OverlapInput,
  type Framework,
  type FrameworkInput,
} from './request.js';
export {
  predictTraining,
  type TrainingRequest,
  type TrainingPrediction,
  type TrainingBreakdown,
  type TrainingMemory,
} from './predict.js';
export { searchLayouts, enumerateLayouts, searchLayoutRows, SEARCH_LAYOUT_FIELDS, type SearchRequest, type SearchResult, type SearchSpace, type LayoutBatch } from './search.js';
export { compareClusters, type CompareRequest, type CompareResult, type ClusterComparison } from './compare.js';
