/**
 * Communication of a training step, every call priced by the collective model on its group's placement
 * (placement.ts). Message sizes follow nccl-tests' convention (the whole buffer for all-gather,
 * reduce-scatter and all-to-all; the per-rank buffer for all-reduce and send/recv).
 *
 * Per transformer layer and microbatch (T = b s / c tokens per GPU's sequence shard, a = activation bytes):
 *  - TP [Megatron-LM; Korthikanti 2022]: per pass, 2 all-reduces of T h a (dense layer), or with sequence
 *    parallelism 2 reduce-scatter + all-gather pairs of the same size; an MoE layer has one pair for attention
 *    and one more when it has shared experts (routed experts run without TP).
 *  - CP: forward all-gathers the keys and values of the sequence (c T × KV width × a); backward all-gathers
 *    them again and reduce-scatters their gradients.
 *  - EP [training.md]: forward dispatch + combine all-to-all of (T/t) × top-k × h (dispatch in the
 *    communication precision, combine in BF16), backward the same two in BF16.
 *  - ZeRO-3/FSDP: forward all-gather of the layer's weights (BF16); backward all-gather plus gradient
 *    reduce-scatter (gradientBytes per element).
 */
import { OpCode } from '../model/enums.js';
import { K, LayerKind } from './compute.js';
import { L, W } from './fields.js';
import { collectiveS, G, type ClusterContext } from './placement.js';
import { kvHeadsPerRank } from './workload.js';

/** Bytes per activation element on the wire: 1 for FP8 communication, 2 for BF16. */
export function activationWireBytes(lay: Float64Array, lo: number): number {
  return lay[lo + L.commPrecision] === 1 ? 1 : 2;
}

/** The two TP collectives of a layout, priced once per configuration (written by tensorParallelCollectives). */
export const enum Tp {
  /** Reduce-scatter (with SP) or all-reduce (without) of T h a bytes. */
  reduceS = 0,
  /** All-gather of T h a bytes with SP; 0 without. */
  gatherS = 1,
}

/**
 * Prices the TP collectives every layer and end stage uses: the message is the same T × h activations for
 * all of them, so one price serves the whole configuration.
 */
export function tensorParallelCollectives(ctx: ClusterContext, groups: Float64Array, w: Float64Array, wo: number, lay: Float64Array, lo: number, out: Float64Array): void {
  out[Tp.reduceS] = 0;
  out[Tp.gatherS] = 0;
  if (lay[lo + L.tp] === 1) return;
  const tokens = (lay[lo + L.microbatch] * w[wo + W.seqLen]) / lay[lo + L.cp];
  const bytes = tokens * w[wo + W.hidden] * activationWireBytes(lay, lo);
  const g = groups[G.tpG];
  const n = groups[G.tpN];
  if (lay[lo + L.sequenceParallel] === 1) {
    out[Tp.reduceS] = collectiveS(ctx, OpCode.ReduceScatter, bytes, g, n);
    out[Tp.gatherS] = collectiveS(ctx, OpCode.AllGather, bytes, g, n);
  } else {
    out[Tp.reduceS] = collectiveS(ctx, OpCode.AllReduce, bytes, g, n);
  }
}

/**
 * Fills the raw communication fields (tpFwdS … z3BwdS) of one layer of `kind`. Reads the layer's parameter
 * fields (denseParams, expertParams) for ZeRO-3, so memory.layerParams must have run first.
 */
export function layerCommunication(
  ctx: ClusterContext,
  groups: Float64Array,
  tp: Float64Array,
  w: Float64Array,
  wo: number,
  lay: Float64Array,
  lo: number,
  kind: number,
  out: Float64Array,
  oo: number,
): void {
  const t = lay[lo + L.tp];
  const cp = lay[lo + L.cp];
  const h = w[wo + W.hidden];
  const tokens = (lay[lo + L.microbatch] * w[wo + W.seqLen]) / cp;
  const wire = activationWireBytes(lay, lo);

  const pairs = kind === LayerKind.Dense ? 2 : w[wo + W.sharedExperts] > 0 ? 2 : 1;
  const tpPass = pairs * (tp[Tp.reduceS] + tp[Tp.gatherS]);
  out[oo + K.tpFwdS] = tpPass;
  out[oo + K.tpBwdS] = tpPass;

  let cpFwd = 0;
  let cpBwd = 0;
  if (cp > 1) {
    const ar = w[wo + W.heads] / t;
    const heads = w[wo + W.kvLoraRank] > 0 ? ar : kvHeadsPerRank(w, wo, t);
    const bytes = cp * tokens * heads * (w[wo + W.headDim] + w[wo + W.vHeadDim]) * wire;
    const gather = collectiveS(ctx, OpCode.AllGather, bytes, groups[G.cpG], groups[G.cpN]);
    cpFwd = gather;
    cpBwd = gather + collectiveS(ctx, OpCode.ReduceScatter, bytes, groups[G.cpG], groups[G.cpN]);
  }
  out[oo + K.cpFwdS] = cpFwd;
  out[oo + K.cpBwdS] = cpBwd;

  let epFwd = 0;
  let epBwd = 0;
  if (kind === LayerKind.Moe && lay[lo + L.ep] > 1) {
    const routed = (tokens / t) * w[wo + W.topK] * h;
    const g = groups[G.epG];
    const n = groups[G.epN];
    const combine = collectiveS(ctx, OpCode.AllToAll, routed * 2, g, n);
    epFwd = collectiveS(ctx, OpCode.AllToAll, routed * wire, g, n) + combine;
    epBwd = 2 * combine;
  }
  out[oo + K.epFwdS] = epFwd;
  out[oo + K.epBwdS] = epBwd;

  let z3Fwd = 0;
  let z3Bwd = 0;
  if (lay[lo + L.zero] === 3) {
    // Weights gathered in BF16; gradients reduce-scattered at gradientBytes per element.
    const grad = lay[lo + L.gradientBytes];
    const dense = out[oo + K.denseParams];
    const expert = out[oo + K.expertParams];
    const gatherDense = collectiveS(ctx, OpCode.AllGather, dense * 2, groups[G.dpG], groups[G.dpN]);
    const gatherExpert = collectiveS(ctx, OpCode.AllGather, expert * 2, groups[G.edpG], groups[G.edpN]);
    z3Fwd = gatherDense + gatherExpert;
    z3Bwd =
      z3Fwd +
      collectiveS(ctx, OpCode.ReduceScatter, dense * grad, groups[G.dpG], groups[G.dpN]) +
      collectiveS(ctx, OpCode.ReduceScatter, expert * grad, groups[G.edpG], groups[G.edpN]);
  }
  out[oo + K.z3FwdS] = z3Fwd;
  out[oo + K.z3BwdS] = z3Bwd;
}

/**
 * TP communication of the embedding stage (vocabulary-parallel embedding: its output is reduced, scattered
 * with SP) and of the head stage (its input gathered with SP, its input gradient reduced), per microbatch.
 * ZeRO-3 gathers of the embedding and head weights are added the same way as for layers.
 */
export function endStageCommunication(
  ctx: ClusterContext,
  groups: Float64Array,
  tp: Float64Array,
  lay: Float64Array,
  lo: number,
  isHead: boolean,
  out: Float64Array,
  oo: number,
): void {
  // Embedding: reduce(-scatter) forward, gather backward; head: gather forward, reduce(-scatter) backward.
  const fwd = isHead ? tp[Tp.gatherS] : tp[Tp.reduceS];
  const bwd = isHead ? tp[Tp.reduceS] : tp[Tp.gatherS];
  out[oo + K.tpFwdS] = fwd;
  out[oo + K.tpBwdS] = bwd;
  out[oo + K.cpFwdS] = 0;
  out[oo + K.cpBwdS] = 0;
  out[oo + K.epFwdS] = 0;
  out[oo + K.epBwdS] = 0;
  let z3Fwd = 0;
  let z3Bwd = 0;
  if (lay[lo + L.zero] === 3) {
    const params = out[oo + K.denseParams];
    z3Fwd = collectiveS(ctx, OpCode.AllGather, params * 2, groups[G.dpG], groups[G.dpN]);
    z3Bwd = z3Fwd + collectiveS(ctx, OpCode.ReduceScatter, params * lay[lo + L.gradientBytes], groups[G.dpG], groups[G.dpN]);
  }
  out[oo + K.z3FwdS] = z3Fwd;
  out[oo + K.z3BwdS] = z3Bwd;
}

/** Raw data-parallel communication after the last microbatch (ZeRO 0–2), for one pipeline stage. */
export const enum DpTail {
  /** Gradient all-reduce (ZeRO 0) or reduce-scatter (ZeRO 1/2): may hide behind the last backward. */
  reduceS = 0,
  /** Parameter all-gather after the sharded update (ZeRO 1/2): may hide behind the next forward. */
  gatherS = 1,
}

export function dataParallelTail(
  ctx: ClusterContext,
  groups: Float64Array,
  lay: Float64Array,
  lo: number,
  denseParams: number,
  expertParams: number,
  out: Float64Array,
): void {
  const zero = lay[lo + L.zero];
  // Gradients travel at gradientBytes per element (fp32 or BF16); updated weights are gathered in BF16.
  const grad = lay[lo + L.gradientBytes];
  if (zero === 3) {
    out[DpTail.reduceS] = 0;
    out[DpTail.gatherS] = 0;
  } else if (zero === 0) {
    out[DpTail.reduceS] =
      collectiveS(ctx, OpCode.AllReduce, denseParams * grad, groups[G.dpG], groups[G.dpN]) +
      collectiveS(ctx, OpCode.AllReduce, expertParams * grad, groups[G.edpG], groups[G.edpN]);
    out[DpTail.gatherS] = 0;
  } else {
    out[DpTail.reduceS] =
      collectiveS(ctx, OpCode.ReduceScatter, denseParams * grad, groups[G.dpG], groups[G.dpN]) +
      collectiveS(ctx, OpCode.ReduceScatter, expertParams * grad, groups[G.edpG], groups[G.edpN]);
    out[DpTail.gatherS] =
      collectiveS(ctx, OpCode.AllGather, denseParams * 2, groups[G.dpG], groups[G.dpN]) +
      collectiveS(ctx, OpCode.AllGather, expertParams * 2, groups[G.edpG], groups[G.edpN]);
  }
}

/** One pipeline point-to-point transfer: the activations of one microbatch, split over the TP ranks. */
export function pipelineP2pS(ctx: ClusterContext, groups: Float64Array, w: Float64Array, wo: number, lay: Float64Array, lo: number): number {
  if (lay[lo + L.pp] === 1) return 0;
  const tokens = (lay[lo + L.microbatch] * w[wo + W.seqLen]) / lay[lo + L.cp];
  const bytes = (tokens * w[wo + W.hidden] * activationWireBytes(lay, lo)) / lay[lo + L.tp];
  return collectiveS(ctx, OpCode.SendRecv, bytes, groups[G.ppG], groups[G.ppN]);
}
