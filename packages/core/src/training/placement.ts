/**
 * Where each parallel group of a layout sits on the cluster, and the price of one collective on it.
 *
 * Rank order (innermost first, Megatron's default): tensor (t), context (c), data (d), pipeline (p); rank
 * r = i_t + t (i_c + c (i_d + d i_p)). Ranks fill scale-up domains in order. A group is `size` ranks spaced
 * `stride` apart (TP: stride 1; CP: t; DP with CP: t, size c·d; PP: t·c·d; EP: the first e ranks, stride 1;
 * expert DP: stride e). Its shape on the cluster is g ranks per domain × N domains, which is exactly what
 * placeRanks(cluster, g, N) of the collective model takes: every communication is priced on the real topology.
 */
import type { ClusterParams } from '../model/cluster-params.js';
import { emptyResult, placeRanks, selectCandidate, type Placement } from '../model/collective.js';
import { AUTO, PointStatus } from '../model/enums.js';

/**
 * Ranks of a (stride, size) group that share one domain of `domain` GPUs, or 0 when the group does not map
 * onto whole domains (then no uniform placement exists and the layout is reported unplaceable).
 * `domain` is the effective domain size: min(gpusPerDomain, total GPUs of the job).
 */
export function groupRanksPerDomain(domain: number, stride: number, size: number): number {
  if (size <= 1) return 1;
  if (stride >= domain) return stride % domain === 0 ? 1 : 0;
  if (domain % stride !== 0) return 0;
  const span = stride * size;
  if (span <= domain) return domain % span === 0 ? size : 0;
  return span % domain === 0 ? domain / stride : 0;
}

/**
 * A cluster row prepared for pricing: the ClusterParams object the collective model takes and a cache of
 * placements (placeRanks builds an object; the cache keeps the hot loop free of allocation after warm-up).
 */
export interface ClusterContext {
  params: ClusterParams;
  placements: Map<number, Placement>;
}

export function clusterContext(params: ClusterParams): ClusterContext {
  return { params, placements: new Map() };
}

function placementOf(ctx: ClusterContext, g: number, domains: number): Placement {
  const key = g * 16_777_216 + domains;
  let placement = ctx.placements.get(key);
  if (placement === undefined) {
    placement = placeRanks(ctx.params, g, domains);
    ctx.placements.set(key, placement);
  }
  return placement;
}

const result = emptyResult();

/**
 * Seconds of one collective (op code, nccl-tests size in bytes) on a group of g ranks per domain × N domains,
 * algorithm and protocol chosen by the collective model's tuner (AUTO: NCCL's algorithms). Zero for an empty
 * message or a group of one; NaN when no algorithm is eligible.
 */
export function collectiveS(ctx: ClusterContext, op: number, bytes: number, g: number, domains: number): number {
  if (bytes <= 0 || g * domains < 2) return 0;
  const status = selectCandidate(ctx.params, placementOf(ctx, g, domains), op, bytes, AUTO, AUTO, result);
  return status === PointStatus.Ok ? result.timeS : NaN;
}

/** Shapes (ranks per domain g, domains N) of a layout's groups, written by placeGroups. */
export const enum G {
  tpG = 0,
  tpN = 1,
  cpG = 2,
  cpN = 3,
  /** Dense-parameter data-parallel group: DP × CP ranks (CP ranks hold the same weights). */
  dpG = 4,
  dpN = 5,
  epG = 6,
  epN = 7,
  /** Expert data-parallel group: the t·c·d / e ranks that hold the same experts. */
  edpG = 8,
  edpN = 9,
  /** Two neighbouring pipeline stages. */
  ppG = 10,
  ppN = 11,
}
export const GROUP_FIELDS = 12;

function shape(domain: number, stride: number, size: number, out: Float64Array, at: number): boolean {
  const g = groupRanksPerDomain(domain, stride, size);
  out[at] = g;
  out[at + 1] = g === 0 ? 0 : size / g;
  return g !== 0;
}

/**
 * Places every group of a layout (t, c, d, p, e) on a cluster with `gpusPerDomain` GPUs per domain.
 * Returns false when some group cannot be placed uniformly.
 */
export function placeGroups(gpusPerDomain: number, t: number, c: number, d: number, p: number, e: number, out: Float64Array): boolean {
  const gpus = t * c * d * p;
  const domain = gpus < gpusPerDomain ? gpus : gpusPerDomain;
  const block = t * c * d;
  let ok = shape(domain, 1, t, out, G.tpG);
  ok = shape(domain, t, c, out, G.cpG) && ok;
  ok = shape(domain, t, c * d, out, G.dpG) && ok;
  ok = shape(domain, 1, e, out, G.epG) && ok;
  ok = shape(domain, e, block / e, out, G.edpG) && ok;
  // Two adjacent stages are `block` ranks apart. The slowest boundary sets the pace: when the whole pipeline
  // fits in one domain every hop stays inside it; otherwise some hop crosses domains (one rank on each side).
  if (p > 1) {
    if (block * p <= domain) {
      out[G.ppG] = 2;
      out[G.ppN] = 1;
    } else {
      ok = (block >= domain ? block % domain === 0 : domain % block === 0) && ok;
      out[G.ppG] = 1;
      out[G.ppN] = 2;
    }
  } else {
    out[G.ppG] = 1;
    out[G.ppN] = 1;
  }
  return ok;
}
