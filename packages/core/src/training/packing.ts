/**
 * Packed rows for batch evaluation (and the future native engine): builders for layout rows from typed
 * layouts, output allocation and decoding, and the reference batch loop `evaluateTrainingBatch`.
 *
 * A batch is five Float64Arrays: workloads (WORKLOAD_FIELDS per row), chips (CHIP_FIELDS), clusters
 * (CLUSTER_FIELDS of the collective model), layouts (LAYOUT_FIELDS; its first three fields index the other
 * arrays) and outputs (OUTPUT_FIELDS), all row-major.
 */
import { allocateArray, sharedMemoryAvailable, type AllocateOptions } from '../model/columns.js';
import { CLUSTER_FIELD_COUNT, unpackCluster } from '../model/cluster-params.js';
import { validateClusterRow } from '../validate/cluster-params.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import {
  CHIP_FIELD_COUNT,
  L,
  LAYOUT_FIELDS,
  LAYOUT_FIELD_COUNT,
  O,
  OUTPUT_FIELDS,
  OUTPUT_FIELD_COUNT,
  TrainingStatus,
  WORKLOAD_FIELD_COUNT,
} from './fields.js';
import { layoutProblem } from './layout.js';
import { clusterContext, type ClusterContext } from './placement.js';
import { validateChipRow, validateWorkloadRow } from './row-rules.js';
import { evaluateTrainingRow } from './step.js';

/** Every field of a layout row, as numbers (codes for recompute, zero, precision; 0/1 flags). */
export type LayoutRow = Record<(typeof LAYOUT_FIELDS)[number], number>;
export type OutputRow = Record<(typeof OUTPUT_FIELDS)[number], number>;

/** Layout rows for `count` configurations, on a SharedArrayBuffer by default (see AllocateOptions). */
export function allocateLayouts(count: number, options: AllocateOptions = {}): Float64Array {
  return allocateArray(Float64Array, count * LAYOUT_FIELD_COUNT, options.shared ?? sharedMemoryAvailable());
}

/** Output rows for `count` configurations, on a SharedArrayBuffer by default (see AllocateOptions). */
export function allocateTrainingOutputs(count: number, options: AllocateOptions = {}): Float64Array {
  return allocateArray(Float64Array, count * OUTPUT_FIELD_COUNT, options.shared ?? sharedMemoryAvailable());
}

export function writeLayoutRow(layouts: Float64Array, row: number, layout: LayoutRow): void {
  const base = row * LAYOUT_FIELD_COUNT;
  for (let i = 0; i < LAYOUT_FIELD_COUNT; i += 1) layouts[base + i] = layout[LAYOUT_FIELDS[i]];
}

export function readLayoutRow(layouts: Float64Array, row: number): LayoutRow {
  const out = {} as LayoutRow;
  for (let i = 0; i < LAYOUT_FIELD_COUNT; i += 1) out[LAYOUT_FIELDS[i]] = layouts[row * LAYOUT_FIELD_COUNT + i];
  return out;
}

export function readOutputRow(outputs: Float64Array, row: number): OutputRow {
  const out = {} as OutputRow;
  for (let i = 0; i < OUTPUT_FIELD_COUNT; i += 1) out[OUTPUT_FIELDS[i]] = outputs[row * OUTPUT_FIELD_COUNT + i];
  return out;
}

export function packWorkloadRows(rows: readonly Float64Array[]): Float64Array {
  const packed = new Float64Array(rows.length * WORKLOAD_FIELD_COUNT);
  rows.forEach((row, i) => packed.set(row, i * WORKLOAD_FIELD_COUNT));
  return packed;
}

/**
 * Cluster contexts per packed cluster array, so repeated batches over the same array share placement caches.
 * The cache keeps a copy of the (validated) rows and is rebuilt when the caller has changed them.
 */
const contexts = new WeakMap<Float64Array, { copy: Float64Array; list: ClusterContext[] }>();

function sameRows(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function contextsFor(key: Float64Array, rows: Float64Array): ClusterContext[] {
  const cached = contexts.get(key);
  if (cached !== undefined && sameRows(cached.copy, rows)) return cached.list;
  const list: ClusterContext[] = [];
  for (let row = 0; row < rows.length / CLUSTER_FIELD_COUNT; row += 1) list.push(clusterContext(unpackCluster(rows, row)));
  contexts.set(key, { copy: rows, list });
  return list;
}

function checkShape(name: string, array: unknown, width: number): number {
  if (!(array instanceof Float64Array)) throw new LinkcapInputError(name, `must be a Float64Array (got ${describeValue(array)})`);
  if (array.length % width !== 0) throw new LinkcapInputError(name, `length ${array.length} is not a multiple of the row width ${width}`);
  return array.length / width;
}

/**
 * Types and shapes, the same for both engines: every array a Float64Array of whole rows, one output row per
 * layout row. Returns the number of layout rows.
 */
export function checkTrainingShapes(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: Float64Array,
  layouts: Float64Array,
  outputs: Float64Array,
): number {
  checkShape('workloads', workloads, WORKLOAD_FIELD_COUNT);
  checkShape('chips', chips, CHIP_FIELD_COUNT);
  checkShape('clusters', clusters, CLUSTER_FIELD_COUNT);
  const n = checkShape('layouts', layouts, LAYOUT_FIELD_COUNT);
  const no = checkShape('outputs', outputs, OUTPUT_FIELD_COUNT);
  if (no !== n) throw new LinkcapInputError('outputs', `has ${no} rows for ${n} layouts`);
  return n;
}

/** The reference engine's copies of a batch's small tables, validated (native: copy_training_tables). */
export interface TrainingTables {
  workloads: Float64Array;
  chips: Float64Array;
  contexts: ClusterContext[];
  workloadRows: number;
  chipRows: number;
  clusterRows: number;
}

/** Copies the workload, chip and cluster rows (the caller's arrays may change meanwhile), then validates every copied row. */
export function referenceTrainingTables(workloads: Float64Array, chips: Float64Array, clusters: Float64Array): TrainingTables {
  const w = workloads.slice();
  const c = chips.slice();
  const k = clusters.slice();
  const workloadRows = w.length / WORKLOAD_FIELD_COUNT;
  const chipRows = c.length / CHIP_FIELD_COUNT;
  const clusterRows = k.length / CLUSTER_FIELD_COUNT;
  for (let row = 0; row < workloadRows; row += 1) validateWorkloadRow(w, row);
  for (let row = 0; row < chipRows; row += 1) validateChipRow(c, row);
  for (let row = 0; row < clusterRows; row += 1) validateClusterRow(k, row);
  return { workloads: w, chips: c, contexts: contextsFor(clusters, k), workloadRows, chipRows, clusterRows };
}

/** Largest GPU count (tp × cp × dp × pp) of a valid layout: the collective model's placement is exact up to 2^24. */
export const MAX_TRAINING_GPUS = 2 ** 24;

function rowIndexError(lay: Float64Array, row: number, field: number, count: number): LinkcapInputError | null {
  const v = lay[field];
  if (Number.isInteger(v) && v >= 0 && v < count) return null;
  return LinkcapInputError.outOfRange(`layouts[${row}].${LAYOUT_FIELDS[field]}`, v, `must be a row index from 0 to ${count - 1}`);
}

/**
 * The error for one layout row (a copy): a row index out of range, or a valid layout of more than 2^24 GPUs.
 * Other values are each configuration's status, not errors. Native: layout_row_ok and throw_layout_row_error.
 */
export function layoutRowError(lay: Float64Array, row: number, tables: TrainingTables): LinkcapInputError | null {
  const index =
    rowIndexError(lay, row, L.workload, tables.workloadRows) ??
    rowIndexError(lay, row, L.chip, tables.chipRows) ??
    rowIndexError(lay, row, L.cluster, tables.clusterRows);
  if (index) return index;
  const gpus = lay[L.tp] * lay[L.cp] * lay[L.dp] * lay[L.pp];
  if (gpus > MAX_TRAINING_GPUS && layoutProblem(tables.workloads, lay[L.workload] * WORKLOAD_FIELD_COUNT, tables.chips, lay[L.chip] * CHIP_FIELD_COUNT, lay, 0) === 0) {
    return new LinkcapInputError(`layouts[${row}]`, `tp × cp × dp × pp = ${gpus} GPUs: must be at most 16777216 (2^24)`);
  }
  return null;
}

/** Writes "not evaluated" into output rows [begin, end): status NotEvaluated, every other field NaN. */
export function fillTrainingNotEvaluated(outputs: Float64Array, begin: number, end: number): void {
  if (begin >= end) return;
  outputs.fill(NaN, begin * OUTPUT_FIELD_COUNT, end * OUTPUT_FIELD_COUNT);
  for (let row = begin; row < end; row += 1) outputs[row * OUTPUT_FIELD_COUNT + O.status] = TrainingStatus.NotEvaluated;
}

/**
 * Evaluates layout rows [begin, end) of a batch of `total` rows, each from a copy checked by layoutRowError.
 * At a bad row it fills that row and every later one up to `total` with "not evaluated" and throws.
 */
export function evaluateTrainingRange(
  tables: TrainingTables,
  layouts: Float64Array,
  outputs: Float64Array,
  begin: number,
  end: number,
  total: number,
): void {
  const lay = new Float64Array(LAYOUT_FIELD_COUNT);
  for (let row = begin; row < end; row += 1) {
    lay.set(layouts.subarray(row * LAYOUT_FIELD_COUNT, (row + 1) * LAYOUT_FIELD_COUNT));
    const error = layoutRowError(lay, row, tables);
    if (error) {
      fillTrainingNotEvaluated(outputs, row, total);
      throw error;
    }
    evaluateTrainingRow(tables.workloads, tables.chips, tables.contexts, lay, 0, outputs.subarray(row * OUTPUT_FIELD_COUNT, (row + 1) * OUTPUT_FIELD_COUNT));
  }
}

/**
 * Checks shapes, tables and every layout row without evaluating anything; returns the number of layout rows.
 * The engines do not need it (they check each row where they read it); it is for callers that want to know first.
 */
export function validateTrainingBatch(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: Float64Array,
  layouts: Float64Array,
  outputs: Float64Array,
): number {
  const n = checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
  const tables = referenceTrainingTables(workloads, chips, clusters);
  for (let row = 0; row < n; row += 1) {
    const error = layoutRowError(layouts.slice(row * LAYOUT_FIELD_COUNT, (row + 1) * LAYOUT_FIELD_COUNT), row, tables);
    if (error) throw error;
  }
  return n;
}

/**
 * The TypeScript reference batch evaluation: one output row per layout row, single-threaded, with the native
 * engine's contract (native/src/core/training_batch.hpp): tables copied and validated, each layout row copied
 * and checked where it is read, "not evaluated" from the first bad row on.
 */
export function evaluateTrainingBatch(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: Float64Array,
  layouts: Float64Array,
  outputs: Float64Array,
): void {
  const n = checkTrainingShapes(workloads, chips, clusters, layouts, outputs);
  evaluateTrainingRange(referenceTrainingTables(workloads, chips, clusters), layouts, outputs, 0, n, n);
}
