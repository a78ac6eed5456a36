/**
 * Batch evaluation in TypeScript, one thread: the reference the native engine is measured and tested against,
 * with the native engine's contract (native/src/core/batch.hpp): the cluster table is copied, then validated;
 * each point is checked where it is read; at the first invalid point every point before it is evaluated, it
 * and every later point read "not evaluated", and the error names it.
 */
import { unpackCluster, type ClusterParams } from './cluster-params.js';
import { emptyResult, evaluatePoint } from './collective.js';
import { type CollectiveInputColumns, type CollectiveOutputColumns } from './columns.js';
import { AUTO, PointStatus } from './enums.js';
import { checkBatchShapes, pointError, pointValid, validatePackedClusters } from '../validate/columns.js';

/** The cluster table of one call: copied first (the caller's array may change meanwhile), then validated. */
export function referenceClusters(packedClusters: Float64Array): ClusterParams[] {
  const copy = packedClusters.slice();
  const count = validatePackedClusters(copy);
  const clusters: ClusterParams[] = [];
  for (let row = 0; row < count; row += 1) clusters.push(unpackCluster(copy, row));
  return clusters;
}

/** Writes "not evaluated" into points [begin, end): status 3, NaN numbers, algo/proto AUTO. */
export function fillNotEvaluated(outputs: CollectiveOutputColumns, begin: number, end: number): void {
  if (begin >= end) return;
  outputs.status.fill(PointStatus.NotEvaluated, begin, end);
  outputs.timeS.fill(NaN, begin, end);
  outputs.algbwGBps.fill(NaN, begin, end);
  outputs.busbwGBps.fill(NaN, begin, end);
  outputs.algo.fill(AUTO, begin, end);
  outputs.proto.fill(AUTO, begin, end);
  outputs.scaleUpBytes.fill(NaN, begin, end);
  outputs.scaleOutBytes.fill(NaN, begin, end);
}

/**
 * Evaluates points [begin, end) of a batch of `total` points. At an invalid point it fills that point and
 * every later one up to `total` with "not evaluated" and throws the LinkcapInputError naming it.
 */
export function evaluateReferenceRange(
  clusters: readonly ClusterParams[],
  inputs: CollectiveInputColumns,
  outputs: CollectiveOutputColumns,
  begin: number,
  end: number,
  total: number,
): void {
  const { op, bytes, gpus, cluster, algo, proto } = inputs;
  const clusterCount = clusters.length;
  const result = emptyResult();
  for (let i = begin; i < end; i += 1) {
    // Each value read once: the check and the model see the same value even if the column changes meanwhile.
    const o = op[i];
    const b = bytes[i];
    const c = cluster[i];
    const a = algo[i];
    const p = proto[i];
    if (!pointValid(o, b, c, a, p, clusterCount)) {
      fillNotEvaluated(outputs, i, total);
      throw pointError(i, o, b, c, a, p, clusterCount);
    }
    evaluatePoint(clusters[c], o, b, gpus[i], a, p, result);
    outputs.status[i] = result.status;
    outputs.timeS[i] = result.timeS;
    outputs.algbwGBps[i] = result.algbwGBps;
    outputs.busbwGBps[i] = result.busbwGBps;
    outputs.algo[i] = result.algo;
    outputs.proto[i] = result.proto;
    outputs.scaleUpBytes[i] = result.scaleUpBytes;
    outputs.scaleOutBytes[i] = result.scaleOutBytes;
  }
}

/** Validates the shapes and the cluster table, then evaluates every point (see the top of this file). */
export function evaluateBatchReference(
  packedClusters: Float64Array,
  inputs: CollectiveInputColumns,
  outputs: CollectiveOutputColumns,
): void {
  const total = checkBatchShapes(packedClusters, inputs, outputs);
  evaluateReferenceRange(referenceClusters(packedClusters), inputs, outputs, 0, total, total);
}
