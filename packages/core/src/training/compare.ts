/**
 * compareClusters: the best layout of a model on each cluster, the first cluster's best layout carried
 * unchanged to every cluster, and the slowdown of each against the first (the baseline). The gap between
 * the two slowdowns is what re-tuning the layout wins back on a capped cluster.
 */
import { LinkcapInputError } from '../validate/errors.js';
import { predictTraining, type TrainingPrediction } from './predict.js';
import type { TrainingCluster } from './request.js';
import type { ProfileId } from './profiles.js';
import { searchLayouts, type SearchRequest } from './search.js';

export interface CompareRequest extends Omit<SearchRequest, 'cluster' | 'chip' | 'top'> {
  /** Two or more clusters; the first is the baseline. */
  clusters: TrainingCluster[];
}

export interface ClusterComparison {
  cluster: string;
  /** The fastest feasible layout on this cluster (null when none fits). */
  best: TrainingPrediction | null;
  /** The baseline's best layout evaluated here (null when it is invalid here; see sameLayoutError). */
  sameLayout: TrainingPrediction | null;
  sameLayoutError?: string;
  /** Step time ÷ baseline best step time. */
  slowdownBest: number;
  /** Same-layout step time ÷ baseline best step time. */
  slowdownSameLayout: number;
  evaluated: number;
  /** Why no layout could be priced on this cluster (see SearchResult.noLayoutReason). */
  noLayoutReason?: string;
}

export interface CompareResult {
  model: string;
  /** The implementation profile every cluster's layouts were priced with. */
  profile: ProfileId;
  gpus: number;
  globalBatch: number;
  baseline: string;
  clusters: ClusterComparison[];
}

export function compareClusters(request: CompareRequest): CompareResult {
  if (request === null || typeof request !== 'object') throw new LinkcapInputError('request', 'must be an object');
  if (!Array.isArray(request.clusters) || request.clusters.length < 2) {
    throw new LinkcapInputError('clusters', 'must list at least two clusters (the first is the baseline)');
  }
  const searches = request.clusters.map((cluster) => searchLayouts({ ...request, cluster, top: 1 }));
  const baseline = searches[0];
  const baseBest = baseline.best[0] ?? null;
  const baseStep = baseBest ? baseBest.stepS : NaN;
  const clusters = searches.map((search, i) => {
    let sameLayout: TrainingPrediction | null = null;
    let sameLayoutError: string | undefined;
    if (baseBest) {
      try {
        sameLayout = predictTraining({
          model: request.model,
          cluster: request.clusters[i],
          gpus: request.gpus,
          layout: baseBest.layout,
          profile: request.profile,
          overlap: request.overlap,
          framework: request.framework,
          tokens: request.tokens,
          pricePerGpuHour: request.pricePerGpuHour,
          engine: request.engine,
        });
      } catch (error) {
        if (!(error instanceof LinkcapInputError)) throw error;
        sameLayoutError = error.message;
      }
    } else {
      sameLayoutError = `no layout fits on the baseline ${baseline.cluster}`;
    }
    const best = search.best[0] ?? null;
    return {
      cluster: search.cluster,
      best,
      sameLayout,
      ...(sameLayoutError ? { sameLayoutError } : {}),
      slowdownBest: best ? best.stepS / baseStep : NaN,
      slowdownSameLayout: sameLayout ? sameLayout.stepS / baseStep : NaN,
      evaluated: search.evaluated,
      ...(search.noLayoutReason ? { noLayoutReason: search.noLayoutReason } : {}),
    };
  });
  return { model: baseline.model, profile: baseline.profile, gpus: baseline.gpus, globalBatch: baseline.globalBatch, baseline: baseline.cluster, clusters };
}
