/** Checks batch columns (types, lengths, value ranges) before they are handed to an engine. */
import { CLUSTER_FIELD_COUNT, unpackCluster } from '../model/cluster-params.js';
import {
  INPUT_COLUMN_NAMES,
  INPUT_COLUMN_TYPES,
  OUTPUT_COLUMN_NAMES,
  OUTPUT_COLUMN_TYPES,
  type CollectiveInputColumns,
  type CollectiveOutputColumns,
} from '../model/columns.js';
import { AUTO, AUTO_ALL, OPS, ALGORITHMS, PROTOCOLS } from '../model/enums.js';
import { validateClusterParams } from './cluster-params.js';
import { describeValue, LinkcapInputError } from './errors.js';

export function validatePackedClusters(packed: Float64Array): number {
  if (!(packed instanceof Float64Array)) throw new LinkcapInputError('clusters', `must be a Float64Array (got ${describeValue(packed)})`);
  if (packed.length === 0 || packed.length % CLUSTER_FIELD_COUNT !== 0) {
    throw new LinkcapInputError('clusters', `length ${packed.length} must be a positive multiple of ${CLUSTER_FIELD_COUNT} (fields per cluster row)`);
  }
  const count = packed.length / CLUSTER_FIELD_COUNT;
  if (count > 65536) throw new LinkcapInputError('clusters', `${count} rows: at most 65536 (cluster indices are Uint16)`);
  for (let row = 0; row < count; row += 1) validateClusterParams(unpackCluster(packed, row), `clusters[${row}]`);
  return count;
}

function checkColumns(
  label: 'inputs' | 'outputs',
  columns: Record<string, unknown>,
  names: readonly string[],
  types: Record<string, new (n: number) => ArrayBufferView>,
  expectedLength: number | undefined,
): number {
  if (columns === null || typeof columns !== 'object') throw new LinkcapInputError(label, 'must be an object of typed-array columns');
  let length = expectedLength;
  for (const name of names) {
    const column = columns[name];
    const type = types[name];
    if (!(column instanceof type)) {
      throw new LinkcapInputError(`${label}.${name}`, `must be a ${type.name} (got ${describeValue(column)})`);
    }
    const columnLength = (column as unknown as { length: number }).length;
    if (length === undefined) length = columnLength;
    if (columnLength !== length) throw new LinkcapInputError(`${label}.${name}`, `has length ${columnLength}, expected ${length}`);
  }
  return length ?? 0;
}

function pointError(inputs: CollectiveInputColumns, i: number, clusterCount: number): LinkcapInputError {
  const { op, bytes, cluster, algo, proto } = inputs;
  if (op[i] >= OPS.length) return new LinkcapInputError(`inputs.op[${i}]`, `${op[i]}: must be 0..${OPS.length - 1}`);
  if (!(bytes[i] > 0) || !Number.isFinite(bytes[i])) return new LinkcapInputError(`inputs.bytes[${i}]`, `${bytes[i]}: must be a finite number > 0`);
  if (cluster[i] >= clusterCount) return new LinkcapInputError(`inputs.cluster[${i}]`, `${cluster[i]}: must be < ${clusterCount} (cluster rows)`);
  if (algo[i] >= ALGORITHMS.length && algo[i] !== AUTO && algo[i] !== AUTO_ALL) {
    return new LinkcapInputError(
      `inputs.algo[${i}]`,
      `${algo[i]}: must be 0..${ALGORITHMS.length - 1}, ${AUTO} (auto, NCCL's algorithms) or ${AUTO_ALL} (auto over all)`,
    );
  }
  return new LinkcapInputError(`inputs.proto[${i}]`, `${proto[i]}: must be 0..${PROTOCOLS.length - 1} or ${AUTO} (auto)`);
}

/** Validates every column and every value; returns the point count. O(points), cheap next to evaluation. */
export function validateBatch(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns): number {
  const clusterCount = validatePackedClusters(packedClusters);
  const length = checkColumns('inputs', inputs as unknown as Record<string, unknown>, INPUT_COLUMN_NAMES, INPUT_COLUMN_TYPES, undefined);
  checkColumns('outputs', outputs as unknown as Record<string, unknown>, OUTPUT_COLUMN_NAMES, OUTPUT_COLUMN_TYPES, length);
  const { op, bytes, cluster, algo, proto } = inputs;
  // One combined test per point keeps this loop cheap (it runs before every native batch); the message is
  // built only for the first bad point, in a separate function.
  for (let i = 0; i < length; i += 1) {
    const size = bytes[i];
    const a = algo[i];
    const p = proto[i];
    if (
      op[i] >= OPS.length ||
      !(size > 0 && size < Infinity) ||
      cluster[i] >= clusterCount ||
      (a >= ALGORITHMS.length && a !== AUTO && a !== AUTO_ALL) ||
      (p >= PROTOCOLS.length && p !== AUTO)
    ) {
      throw pointError(inputs, i, clusterCount);
    }
  }
  return length;
}
