/** What a caller may pass as a cluster: raw numeric parameters, or a resolved catalog cluster. */
import type { ClusterParams } from '../model/cluster-params.js';
import { validateClusterParams } from '../validate/cluster-params.js';
import { LinkcapInputError } from '../validate/errors.js';

export interface ClusterLike {
  id?: string;
  params: ClusterParams;
  /** Total GPUs of a named cluster, when it has a fixed size. */
  maxGpus?: number;
}

export type ClusterInput = ClusterParams | ClusterLike;

export function normaliseCluster(input: ClusterInput): Required<Pick<ClusterLike, 'params'>> & ClusterLike {
  if (input !== null && typeof input === 'object' && 'params' in input) {
    validateClusterParams(input.params, input.id ? `cluster ${input.id}` : 'cluster');
    return input;
  }
  validateClusterParams(input as ClusterParams, 'cluster');
  return { params: input as ClusterParams };
}

/**
 * Checks that `gpus` can be placed, with an error naming the domain size. A collective needs two ranks (min 2);
 * a training job may run on one GPU (min 1).
 */
export function checkGpuCount(cluster: ClusterLike, gpus: unknown, min: 1 | 2 = 2): number {
  const label = cluster.id ? ` on ${cluster.id}` : '';
  if (typeof gpus !== 'number' || !Number.isInteger(gpus) || gpus < min || gpus > 2 ** 31) {
    throw new LinkcapInputError('gpus', `${String(gpus)}: must be a whole number from ${min} to 2^31 (2,147,483,648)`);
  }
  const domain = cluster.params.gpusPerDomain;
  if (gpus > domain && gpus % domain !== 0) {
    throw new LinkcapInputError(
      'gpus',
      `${gpus}: must be ≤ ${domain} (one scale-up domain) or a multiple of the domain size ${domain}${label}`,
    );
  }
  if (cluster.maxGpus !== undefined && gpus > cluster.maxGpus) {
    throw new LinkcapInputError('gpus', `${gpus}: the cluster${label} has ${cluster.maxGpus} GPUs`);
  }
  return gpus;
}
