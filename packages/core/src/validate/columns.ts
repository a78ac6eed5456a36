/**
 * Checks of batch columns. The shapes (types, lengths) are checked here, in front of either engine: O(1), and
 * the same error whichever engine runs. Values are checked by the engine that evaluates them, where it reads
 * them (native: native/src/core/batch.cpp; reference: model/batch-reference.ts with the rules below), so a
 * column that changes during a call cannot slip an unchecked value into the model. Both word errors alike.
 */
import { CLUSTER_FIELD_COUNT } from '../model/cluster-params.js';
import {
  BYTES_RANGE,
  INPUT_COLUMN_NAMES,
  INPUT_COLUMN_TYPES,
  MAX_BYTES,
  OUTPUT_COLUMN_NAMES,
  OUTPUT_COLUMN_TYPES,
  type CollectiveInputColumns,
  type CollectiveOutputColumns,
} from '../model/columns.js';
import { AUTO, AUTO_ALL, OPS, ALGORITHMS, PROTOCOLS } from '../model/enums.js';
import { validateClusterRow } from './cluster-params.js';
import { describeValue, LinkcapInputError } from './errors.js';

/** At most 65536 cluster rows: cluster indices are Uint16. */
export const MAX_CLUSTER_ROWS = 65536;

/** Checks the packed cluster table's length and every row (the reference engine's check); returns the row count. */
export function validatePackedClusters(packed: Float64Array): number {
  if (!(packed instanceof Float64Array)) throw new LinkcapInputError('clusters', `must be a Float64Array (got ${describeValue(packed)})`);
  const count = packedClusterRows(packed);
  for (let row = 0; row < count; row += 1) validateClusterRow(packed, row);
  return count;
}

function packedClusterRows(packed: Float64Array): number {
  if (packed.length === 0 || packed.length % CLUSTER_FIELD_COUNT !== 0) {
    throw new LinkcapInputError('clusters', `length ${packed.length} must be a positive multiple of ${CLUSTER_FIELD_COUNT} (fields per cluster row)`);
  }
  const count = packed.length / CLUSTER_FIELD_COUNT;
  if (count > MAX_CLUSTER_ROWS) throw new LinkcapInputError('clusters', `${count} rows: at most ${MAX_CLUSTER_ROWS} (cluster indices are Uint16)`);
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

/** Types and lengths of the cluster table and every column; returns the point count. */
export function checkBatchShapes(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns): number {
  // The common case in straight-line code (monomorphic property reads, no loops over names): a one-point call
  // pays for this on every call.
  if (packedClusters instanceof Float64Array && inputs !== null && typeof inputs === 'object' && outputs !== null && typeof outputs === 'object') {
    const { op, bytes, gpus, cluster, algo, proto } = inputs;
    if (
      op instanceof Uint8Array &&
      bytes instanceof Float64Array &&
      gpus instanceof Uint32Array &&
      cluster instanceof Uint16Array &&
      algo instanceof Uint8Array &&
      proto instanceof Uint8Array
    ) {
      const n = op.length;
      const o = outputs;
      if (
        bytes.length === n &&
        gpus.length === n &&
        cluster.length === n &&
        algo.length === n &&
        proto.length === n &&
        o.status instanceof Uint8Array &&
        o.status.length === n &&
        o.timeS instanceof Float64Array &&
        o.timeS.length === n &&
        o.algbwGBps instanceof Float64Array &&
        o.algbwGBps.length === n &&
        o.busbwGBps instanceof Float64Array &&
        o.busbwGBps.length === n &&
        o.algo instanceof Uint8Array &&
        o.algo.length === n &&
        o.proto instanceof Uint8Array &&
        o.proto.length === n &&
        o.scaleUpBytes instanceof Float64Array &&
        o.scaleUpBytes.length === n &&
        o.scaleOutBytes instanceof Float64Array &&
        o.scaleOutBytes.length === n
      ) {
        return n;
      }
    }
  }
  // Something is wrong: find it and say what, in column order.
  if (!(packedClusters instanceof Float64Array)) {
    throw new LinkcapInputError('clusters', `must be a Float64Array (got ${describeValue(packedClusters)})`);
  }
  const length = checkColumns('inputs', inputs as unknown as Record<string, unknown>, INPUT_COLUMN_NAMES, INPUT_COLUMN_TYPES, undefined);
  checkColumns('outputs', outputs as unknown as Record<string, unknown>, OUTPUT_COLUMN_NAMES, OUTPUT_COLUMN_TYPES, length);
  return length;
}

/**
 * The columns as plain objects, each property read once, with their shapes checked: what an engine then reads
 * is what was checked, even if `inputs` or `outputs` are objects with getters. Returns them and the point count.
 */
export function readBatchColumns(
  packedClusters: Float64Array,
  inputs: CollectiveInputColumns,
  outputs: CollectiveOutputColumns,
): { inputs: CollectiveInputColumns; outputs: CollectiveOutputColumns; length: number } {
  const i = isObject(inputs)
    ? { op: inputs.op, bytes: inputs.bytes, gpus: inputs.gpus, cluster: inputs.cluster, algo: inputs.algo, proto: inputs.proto }
    : inputs;
  const o = isObject(outputs)
    ? {
        status: outputs.status,
        timeS: outputs.timeS,
        algbwGBps: outputs.algbwGBps,
        busbwGBps: outputs.busbwGBps,
        algo: outputs.algo,
        proto: outputs.proto,
        scaleUpBytes: outputs.scaleUpBytes,
        scaleOutBytes: outputs.scaleOutBytes,
      }
    : outputs;
  return { inputs: i, outputs: o, length: checkBatchShapes(packedClusters, i, o) };
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/**
 * Whether one point's values pass every check. The reference engine inlines the same expression in its loop;
 * pointError words the first failing check.
 */
export function pointValid(op: number, bytes: number, cluster: number, algo: number, proto: number, clusterCount: number): boolean {
  return (
    op < OPS.length &&
    bytes > 0 &&
    bytes <= MAX_BYTES &&
    cluster < clusterCount &&
    (algo < ALGORITHMS.length || algo === AUTO || algo === AUTO_ALL) &&
    (proto < PROTOCOLS.length || proto === AUTO)
  );
}

/** The error for a point pointValid refused (point `index` of the batch): its first failing check, in column order. */
export function pointError(index: number, op: number, bytes: number, cluster: number, algo: number, proto: number, clusterCount: number): LinkcapInputError {
  const at = `[${index}]`;
  if (op >= OPS.length) return LinkcapInputError.outOfRange(`inputs.op${at}`, op, `must be 0..${OPS.length - 1}`);
  if (!(bytes > 0 && bytes <= MAX_BYTES)) return LinkcapInputError.outOfRange(`inputs.bytes${at}`, bytes, BYTES_RANGE);
  if (cluster >= clusterCount) return LinkcapInputError.outOfRange(`inputs.cluster${at}`, cluster, `must be < ${clusterCount} (cluster rows)`);
  if (algo >= ALGORITHMS.length && algo !== AUTO && algo !== AUTO_ALL) {
    return LinkcapInputError.outOfRange(
      `inputs.algo${at}`,
      algo,
      `must be 0..${ALGORITHMS.length - 1}, ${AUTO} (auto, NCCL's algorithms) or ${AUTO_ALL} (auto over all)`,
    );
  }
  return LinkcapInputError.outOfRange(`inputs.proto${at}`, proto, `must be 0..${PROTOCOLS.length - 1} or ${AUTO} (auto)`);
}

/**
 * Validates the shapes, the cluster table and every point without evaluating anything; returns the point
 * count. The engines do not need it (they check each point where they read it); it is for callers that
 * want to know before they start.
 */
export function validateBatch(packedClusters: Float64Array, inputs: CollectiveInputColumns, outputs: CollectiveOutputColumns): number {
  const length = checkBatchShapes(packedClusters, inputs, outputs);
  const clusterCount = validatePackedClusters(packedClusters);
  const { op, bytes, cluster, algo, proto } = inputs;
  for (let i = 0; i < length; i += 1) {
    const o = op[i];
    const b = bytes[i];
    const c = cluster[i];
    const a = algo[i];
    const p = proto[i];
    if (!pointValid(o, b, c, a, p, clusterCount)) throw pointError(i, o, b, c, a, p, clusterCount);
  }
  return length;
}
