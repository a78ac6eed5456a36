/** Batch evaluation in TypeScript, one thread: the reference the native engine is measured and tested against. */
import { unpackCluster, CLUSTER_FIELD_COUNT, type ClusterParams } from './cluster-params.js';
import { emptyResult, evaluatePoint } from './collective.js';
import type { CollectiveInputColumns, CollectiveOutputColumns } from './columns.js';

export function evaluateBatchReference(
  packedClusters: Float64Array,
  inputs: CollectiveInputColumns,
  outputs: CollectiveOutputColumns,
): void {
  const clusterCount = packedClusters.length / CLUSTER_FIELD_COUNT;
  const clusters: ClusterParams[] = [];
  for (let row = 0; row < clusterCount; row += 1) clusters.push(unpackCluster(packedClusters, row));
  const result = emptyResult();
  const length = inputs.op.length;
  for (let i = 0; i < length; i += 1) {
    evaluatePoint(clusters[inputs.cluster[i]], inputs.op[i], inputs.bytes[i], inputs.gpus[i], inputs.algo[i], inputs.proto[i], result);
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
