/**
 * Memory per GPU: weights, gradients and optimizer states under the ZeRO stage, and activations under the
 * recompute mode and the pipeline schedule's in-flight microbatches.
 *
 *  - Mixed-precision Adam: 2 (BF16 weights) + gradientBytes (4 with fp32 accumulation, 2 in BF16) + 12 (fp32
 *    master, m, v) bytes per parameter [training.md; ZeRO paper]. ZeRO-1 shards the 12 over the data-parallel
 *    group, ZeRO-2 also the gradients,
 *    ZeRO-3/FSDP also the weights (and keeps two gathered layers live: the current one and the prefetched one).
 *  - Activations per layer [Korthikanti et al. 2022, generalised to GQA/MLA, gated FFNs and MoE]: see
 *    layerActivationBytes. Full recompute keeps only each layer's input; selective drops the s × s scores.
 *  - In flight [Korthikanti 2022 §4.2]: 1F1B stage i keeps min(m, p − i) microbatches; the interleaved schedule
 *    multiplies that by 1 + (p − 1)/(p v).
 */
import { K, LayerKind } from './compute.js';
import { L, W } from './fields.js';
import {
  attentionSmallParamsPerRank,
  attentionWeightsPerRank,
  denseMlpParamsPerRank,
  expertParams,
  kvHeadsPerRank,
  moeDenseParamsPerRank,
} from './workload.js';

/** Fills denseParams and expertParams (per GPU) of one layer of `kind`. */
export function layerParams(w: Float64Array, wo: number, lay: Float64Array, lo: number, kind: number, out: Float64Array, oo: number): void {
  const t = lay[lo + L.tp];
  const attention = attentionWeightsPerRank(w, wo, t) + attentionSmallParamsPerRank(w, wo, t);
  if (kind === LayerKind.Dense) {
    out[oo + K.denseParams] = attention + denseMlpParamsPerRank(w, wo, t);
    out[oo + K.expertParams] = 0;
  } else {
    out[oo + K.denseParams] = attention + moeDenseParamsPerRank(w, wo, t);
    out[oo + K.expertParams] = (w[wo + W.experts] / lay[lo + L.ep]) * expertParams(w, wo);
  }
}

/**
 * Activation bytes one layer keeps for one microbatch, per GPU (BF16 tensors, 1-byte dropout masks).
 * Per token, with r = 1/t under sequence parallelism (else 1), ar = a/t, kv = KV heads per rank:
 *   kept on every rank: 4h (two norm inputs) + 2h (QKV input) + 2h (FFN input) + 2h·dropout (masks)   × r
 *   attention: 2 ar d_qk (Q) + 2 kv (d_qk + d_v) (K, V) + 2 ar d_v (output, the projection's input)
 *   unfused scores: (2 + 3·dropout) ar s (softmax output, mask, dropout output) — flash keeps 4 ar (row stats)
 *   dense FFN: 2·ffn/t per input matrix output (1 or 2) + 2·ffn/t (activation output)
 *   MoE: top-k × (2h + (gated ? 6 : 4) ffn_e)/t for routed copies, shared experts as a dense FFN, 4E/t probs.
 * With GPT's shape (GELU, 4h FFN, MHA, dropout, t = 1) this is Korthikanti's 34 s b h + 5 a s² b (BF16).
 * Writes actBytes (under the recompute mode) and fullActBytes (without recompute).
 */
export function layerActivationBytes(w: Float64Array, wo: number, lay: Float64Array, lo: number, kind: number, out: Float64Array, oo: number): void {
  const t = lay[lo + L.tp];
  const s = w[wo + W.seqLen];
  const h = w[wo + W.hidden];
  const dq = w[wo + W.headDim];
  const dv = w[wo + W.vHeadDim];
  const dropout = w[wo + W.dropout];
  const tokens = (lay[lo + L.microbatch] * s) / lay[lo + L.cp];
  const r = lay[lo + L.sequenceParallel] === 1 && t > 1 ? 1 / t : 1;
  const ar = w[wo + W.heads] / t;
  const kv = w[wo + W.kvLoraRank] > 0 ? ar : kvHeadsPerRank(w, wo, t);
  const flash = lay[lo + L.flashAttention] === 1;
  const gated = w[wo + W.gatedFfn] === 1;

  // FP8 runs (Transformer Engine) keep the inputs of the linear layers' weight gradients as FP8 copies: the QKV
  // and FFN inputs and the FFN activation output take 1 byte instead of 2, and the output projection keeps an
  // FP8 copy of the attention output besides the BF16 one the fused attention saves.
  const fp8 = lay[lo + L.precision] === 1 ? 1 : 0;
  let perToken = (8 + 2 * dropout - 2 * fp8) * h * r;
  perToken += 2 * ar * dq + 2 * kv * (dq + dv) + (2 + fp8) * ar * dv;
  const scores = flash ? 4 * ar : (2 + 3 * dropout) * ar * s;
  if (kind === LayerKind.Dense) {
    perToken += ((gated ? 6 : 4) - fp8) * w[wo + W.ffn] / t;
  } else {
    const ffnE = w[wo + W.expertFfn];
    perToken += (w[wo + W.topK] * (2 * h + ((gated ? 6 : 4) - fp8) * ffnE)) / t;
    perToken += (w[wo + W.sharedExperts] * ((gated ? 6 : 4) - fp8) * ffnE) / t;
    perToken += (4 * w[wo + W.experts]) / t;
  }
  const full = tokens * (perToken + scores);
  const recompute = lay[lo + L.recompute];
  out[oo + K.fullActBytes] = full;
  // Selective recompute drops the scores (unfused) or the row statistics (fused) of the checkpointed core.
  out[oo + K.actBytes] = recompute === 2 ? tokens * 2 * h * r : recompute === 1 ? tokens * perToken : full;
}

/** Memory of one pipeline stage, written by stageMemory. */
export const enum M {
  weights = 0,
  gradients = 1,
  optimizer = 2,
  activations = 3,
  total = 4,
}

/**
 * Memory of one stage holding `denseParams` and `expertParams` per GPU, `layerActivations` bytes per
 * in-flight microbatch (the sum over its layers), `inFlight` microbatches, plus `extraActivations` (a layer
 * being recomputed, the head's logits). dpDense / dpExpert are the sizes of the groups ZeRO shards over;
 * `gatheredParams` is the per-GPU parameter count of the largest layer (ZeRO-3 keeps two gathered).
 */
export function stageMemory(
  lay: Float64Array,
  lo: number,
  denseParams: number,
  expertParams: number,
  dpDense: number,
  dpExpert: number,
  layerActivations: number,
  inFlight: number,
  extraActivations: number,
  gatheredParams: number,
  out: Float64Array,
): void {
  const zero = lay[lo + L.zero];
  const optimizerShard = denseParams / (zero >= 1 ? dpDense : 1) + expertParams / (zero >= 1 ? dpExpert : 1);
  const gradientShard = denseParams / (zero >= 2 ? dpDense : 1) + expertParams / (zero >= 2 ? dpExpert : 1);
  const weightShard = denseParams / (zero >= 3 ? dpDense : 1) + expertParams / (zero >= 3 ? dpExpert : 1);
  out[M.weights] = 2 * weightShard + (zero >= 3 ? 2 * 2 * gatheredParams : 0);
  out[M.gradients] = lay[lo + L.gradientBytes] * gradientShard;
  out[M.optimizer] = 12 * optimizerShard;
  out[M.activations] = layerActivations * inFlight + extraActivations;
  out[M.total] = out[M.weights] + out[M.gradients] + out[M.optimizer] + out[M.activations];
}

/** Microbatches stage i of p keeps in flight (1F1B; interleaved with v chunks per device). */
export function inFlightMicrobatches(stage: number, p: number, m: number, v: number): number {
  const base = m < p - stage ? m : p - stage;
  return v > 1 ? base * (1 + (p - 1) / (p * v)) : base;
}
