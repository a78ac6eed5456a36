/**
 * Sweeps: declarative specs (YAML/JSON, JSON Schema in schema/sweep.schema.json), evaluated by the native
 * engine (enumeration, `where`, reductions in C++), streamed as row chunks and written to a result directory.
 * Guide: docs/sweeps.md; result layout: docs/design/sweep-results.md.
 */
export type { SweepSpec, ReductionSpec, AxisValues, AxisRange, SearchLists, RowsOption, OutputFormat } from './spec.js';
export { parseSweepSpec, checkSweepSpec, SweepSpecError, SpecSource, SWEEP_SPEC_SCHEMA, type SpecIssue } from './parse.js';
export { expandAxis, parseNumber, MAX_AXIS_VALUES } from './values.js';
export { buildSweepPlan, specBaseDir, type SweepPlan, type PlanAxis, type PlanColumn, type PlanReduction, type PlanOptions, type NativePlan } from './plan.js';
export { COLLECTIVE_METRICS, TRAINING_METRICS, type MetricInfo } from './metrics.js';
export {
  sweep,
  SweepRun,
  shardRange,
  buildReductionResults,
  type SweepOptions,
  type SweepResult,
  type SweepProgress,
  type RowChunk,
  type Column,
  type ReductionResult,
  type ShardOption,
} from './run.js';
export { createSweepEngine, type NativeSweepEngine } from './native.js';
export { writeSweepResults, finishDirectory, prepareResultDirectory, writeTable, createTableWriter, type WriteResultsOptions } from './output/directory.js';
export { buildManifest, modelHash, LINKCAP_VERSION, MANIFEST_FORMAT, type SweepManifest } from './output/manifest.js';
export { FORMAT_EXTENSIONS, type TableFormat } from './output/table.js';
export { mergeSweepResults, type MergeOptions } from './merge.js';
export { readManifest, readTableChunks, type ChunkOfRows } from './output/read.js';
