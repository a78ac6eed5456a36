/**
 * Packed rows for batch evaluation (and the future native engine): builders for layout rows from typed
 * layouts, output allocation and decoding, and the reference batch loop `evaluateTrainingBatch`.
 *
 * A batch is five Float64Arrays: workloads (WORKLOAD_FIELDS per row), chips (CHIP_FIELDS), clusters
 * (CLUSTER_FIELDS of the collective model), layouts (LAYOUT_FIELDS; its first three fields index the other
 * arrays) and outputs (OUTPUT_FIELDS), all row-major.
 */
import { CLUSTER_FIELD_COUNT, unpackCluster } from '../model/cluster-params.js';
import { validateClusterParams } from '../validate/cluster-params.js';
import { LinkcapInputError } from '../validate/errors.js';
import { CHIP_FIELD_COUNT, L, LAYOUT_FIELDS, LAYOUT_FIELD_COUNT, OUTPUT_FIELDS, OUTPUT_FIELD_COUNT, WORKLOAD_FIELD_COUNT } from './fields.js';
import { clusterContext, type ClusterContext } from './placement.js';
import { evaluateTrainingRow } from './step.js';

/** Every field of a layout row, as numbers (codes for recompute, zero, precision; 0/1 flags). */
export type LayoutRow = Record<(typeof LAYOUT_FIELDS)[number], number>;
export type OutputRow = Record<(typeof OUTPUT_FIELDS)[number], number>;

export function allocateLayouts(count: number): Float64Array {
  return new Float64Array(count * LAYOUT_FIELD_COUNT);
}

export function allocateTrainingOutputs(count: number): Float64Array {
  return new Float64Array(count * OUTPUT_FIELD_COUNT);
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
 * The cache keeps a copy of the rows and is rebuilt when the caller has changed them.
 */
const contexts = new WeakMap<Float64Array, { copy: Float64Array; list: ClusterContext[] }>();

function sameRows(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function contextsFor(clusters: Float64Array): ClusterContext[] {
  const cached = contexts.get(clusters);
  if (cached !== undefined && sameRows(cached.copy, clusters)) return cached.list;
  const list: ClusterContext[] = [];
  for (let row = 0; row < clusters.length / CLUSTER_FIELD_COUNT; row += 1) {
    const params = unpackCluster(clusters, row);
    validateClusterParams(params, `clusters[${row}]`);
    list.push(clusterContext(params));
  }
  contexts.set(clusters, { copy: clusters.slice(), list });
  return list;
}

function checkShape(name: string, array: unknown, width: number): number {
  if (!(array instanceof Float64Array)) throw new LinkcapInputError(name, 'must be a Float64Array');
  if (array.length % width !== 0) throw new LinkcapInputError(name, `length ${array.length} is not a multiple of the row width ${width}`);
  return array.length / width;
}

/**
 * Checks that the arrays have whole rows, that the outputs match the layouts and that every row index in the
 * layouts points at an existing row. Values inside rows are checked per configuration (status codes).
 */
export function validateTrainingBatch(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: Float64Array,
  layouts: Float64Array,
  outputs: Float64Array,
): number {
  const nw = checkShape('workloads', workloads, WORKLOAD_FIELD_COUNT);
  const nc = checkShape('chips', chips, CHIP_FIELD_COUNT);
  const nk = checkShape('clusters', clusters, CLUSTER_FIELD_COUNT);
  const n = checkShape('layouts', layouts, LAYOUT_FIELD_COUNT);
  const no = checkShape('outputs', outputs, OUTPUT_FIELD_COUNT);
  if (no !== n) throw new LinkcapInputError('outputs', `has ${no} rows for ${n} layouts`);
  for (let row = 0; row < n; row += 1) {
    const base = row * LAYOUT_FIELD_COUNT;
    const wi = layouts[base + L.workload];
    const ci = layouts[base + L.chip];
    const ki = layouts[base + L.cluster];
    if (!(Number.isInteger(wi) && wi >= 0 && wi < nw)) throw new LinkcapInputError(`layouts[${row}].workload`, `${wi}: must be a row index from 0 to ${nw - 1}`);
    if (!(Number.isInteger(ci) && ci >= 0 && ci < nc)) throw new LinkcapInputError(`layouts[${row}].chip`, `${ci}: must be a row index from 0 to ${nc - 1}`);
    if (!(Number.isInteger(ki) && ki >= 0 && ki < nk)) throw new LinkcapInputError(`layouts[${row}].cluster`, `${ki}: must be a row index from 0 to ${nk - 1}`);
  }
  return n;
}

/**
 * The TypeScript reference batch evaluation: one output row per layout row. Single-threaded; the native
 * engine runs the same arithmetic over a thread pool.
 */
export function evaluateTrainingBatch(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: Float64Array,
  layouts: Float64Array,
  outputs: Float64Array,
): void {
  const n = validateTrainingBatch(workloads, chips, clusters, layouts, outputs);
  const ctx = contextsFor(clusters);
  for (let row = 0; row < n; row += 1) evaluateTrainingRow(workloads, chips, ctx, layouts, row, outputs);
}
