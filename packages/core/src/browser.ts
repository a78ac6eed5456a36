/**
 * @linkcap/core/browser: the model for web pages (linkcap's viewer and anyone's). The TypeScript reference
 * engine only: no Node built-ins, no addon loader, no file access. The bundle (dist/browser.js, built by
 * tsup.config.ts with the shims in src/browser/) is checked by the build itself: reaching any `node:` module
 * fails it. Predictions are the same numbers the native engine gives (the differential tests hold both).
 *
 * Units as everywhere in linkcap: bytes, seconds, decimal GB/s (1e9 B/s), link rates per direction unless a
 * name says bidirectional.
 */
import { predictCollective as predictCollectiveWithEngine, collectiveCandidates as candidatesWithEngine } from './api/collective.js';
import type { CollectiveRequest } from './api/collective.js';
import { predictTraining as predictTrainingWithEngine, type TrainingRequest } from './training/predict.js';
import { searchLayouts as searchLayoutsWithEngine, type SearchRequest } from './training/search.js';

export * from './model/enums.js';
export { CLUSTER_FIELDS, CLUSTER_FIELD_COUNT, packClusters, unpackCluster, type ClusterParams } from './model/cluster-params.js';
export { LinkcapInputError } from './validate/errors.js';
export type { ClusterInput, ClusterLike } from './api/cluster-input.js';
export type { CollectiveRequest, CollectivePrediction, CollectiveCandidate } from './api/collective.js';
export type { TrainingRequest, TrainingPrediction, TrainingBreakdown, TrainingMemory } from './training/predict.js';
export type { SearchRequest, SearchResult } from './training/search.js';
export type { TrainingCluster, TrainingLayout, TrainingLayoutInput } from './training/request.js';
export { listModels, MODEL_SOURCES } from './training/models.js';
export { countParameters, type Workload, type WorkloadSpec } from './training/workload.js';
export { builtinCatalog } from './catalog/builtin.js';
export { resolveClusterSpec, resolveClusterId, listClusters, type ResolvedCluster } from './catalog/resolve-cluster.js';
export { findChip, findClusterSpec } from './catalog/merge.js';
export { deriveChip, type DeriveOptions, type DerivedVariant } from './catalog/derive.js';
export type { Catalog, ChipSpec, ClusterSpec, Figure } from './catalog/schema.js';

type WithoutEngine<T> = Omit<T, 'engine'>;

/** One collective through the TypeScript reference engine. */
export function predictCollective(request: WithoutEngine<CollectiveRequest>) {
  return predictCollectiveWithEngine({ ...request, engine: 'reference' });
}

/** Every algorithm/protocol pair for one collective, through the reference engine. */
export function collectiveCandidates(request: WithoutEngine<CollectiveRequest>) {
  return candidatesWithEngine({ ...request, engine: 'reference' });
}

/** One training configuration through the reference engine. */
export function predictTraining(request: WithoutEngine<TrainingRequest>) {
  return predictTrainingWithEngine({ ...request, engine: 'reference' });
}

/** The fastest layouts of a model on a cluster, through the reference engine. */
export function searchLayouts(request: WithoutEngine<SearchRequest>) {
  return searchLayoutsWithEngine({ ...request, engine: 'reference' });
}
