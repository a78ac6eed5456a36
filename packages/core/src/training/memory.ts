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
 *    keeps its warm-up's chunks (inFlightMicrobatches).
 */
import { K, LayerKind } from './compute.js';
import { L, RecomputeModuleBit, W } from './fields.js';
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
 *   kept on every rank: 4h (two norm inputs) + 2h·dropout (masks) + 2h (QKV input) + 2h (FFN input)   × r
 *   attention: 2 ar d_qk (Q) + 2 kv (d_qk + d_v) (K, V) + 2 ar d_v (output, the projection's input)
 *   MLA: the up-projections' inputs, 2 × (q_lora + kv_lora) (the latent norms' inputs) + 2 (q_lora + kv_lora)
 *     (their outputs) + 2 d_rope (the shared rotary key), on every TP rank (the down-projections are replicated)
 *   unfused scores: (2 + 3·dropout) ar s (softmax output, mask, dropout output) — flash keeps 4 ar (row stats)
 *   dense FFN: 2·ffn/t per input matrix output (1 or 2) + 2·ffn/t (activation output)
 *   MoE: top-k × (2h (the routed copy, the experts' input) + 2 (gated: 4) ffn_e + 2 ffn_e)/t for the routed
 *     copies (on average each EP rank receives (T/t)·k of them), shared experts as a dense FFN, 4E/t probs.
 * With GPT's shape (GELU, 4h FFN, MHA, dropout, t = 1) this is Korthikanti's 34 s b h + 5 a s² b (BF16).
 * FP8 runs (Transformer Engine) keep the linear layers' inputs as FP8 copies for the weight gradients: the QKV,
 * FFN, up-projection and routed-expert inputs and the activation output take 1 byte, and the output projection
 * keeps an FP8 copy of the attention output besides the BF16 one the fused attention saves.
 * Recomputed modules (recomputeModules) keep nothing: layernorm drops the norms' outputs, mla_up_proj the
 * queries, keys and values, moe_act the routed experts' activation output, mlp the dense FFN and the shared
 * experts (their input is the FFN input, kept anyway). DeepSeek-V3's FP8 cache (fp8ActivationCache) keeps the
 * MoE SwiGLU inputs in FP8 and the attention output once, in 12 bits.
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
  const kvLora = w[wo + W.kvLoraRank];
  const kv = kvLora > 0 ? ar : kvHeadsPerRank(w, wo, t);
  const flash = lay[lo + L.flashAttention] === 1;
  const gated = w[wo + W.gatedFfn] === 1;
  const modules = lay[lo + L.recomputeModules];
  const norms = (modules & RecomputeModuleBit.Layernorm) !== 0;
  const mlaUp = (modules & RecomputeModuleBit.MlaUpProj) !== 0 && kvLora > 0;
  const moeAct = (modules & RecomputeModuleBit.MoeAct) !== 0;
  const mlp = (modules & RecomputeModuleBit.Mlp) !== 0;
  const cache = lay[lo + L.fp8ActivationCache] === 1;

  const fp8 = lay[lo + L.precision] === 1 ? 1 : 0;
  // Norm inputs and dropout masks, then the norms' outputs (the QKV and FFN inputs) unless recomputed.
  let perToken = (4 + 2 * dropout + (norms ? 0 : 4 - 2 * fp8)) * h * r;
  const output = cache ? 1.5 : 2 + fp8;
  if (mlaUp) perToken += output * ar * dv;
  else perToken += 2 * ar * dq + 2 * kv * (dq + dv) + output * ar * dv;
  if (kvLora > 0) {
    const latents = w[wo + W.qLoraRank] + kvLora;
    perToken += (2 + (norms ? 0 : 2 - fp8)) * latents + 2 * w[wo + W.ropeHeadDim];
  }
  const scores = flash ? 4 * ar : (2 + 3 * dropout) * ar * s;
  // An FFN's activation input (the first matrices' output) and output, per element of its inner size.
  const activationIn = gated ? 4 : 2;
  const activationOut = 2 - fp8;
  if (kind === LayerKind.Dense) {
    if (!mlp) perToken += ((gated ? 6 : 4) - fp8) * w[wo + W.ffn] / t;
  } else {
    const ffnE = w[wo + W.expertFfn];
    const expertIn = cache ? activationIn / 2 : activationIn;
    perToken += (w[wo + W.topK] * ((2 - fp8) * h + (expertIn + (moeAct ? 0 : activationOut)) * ffnE)) / t;
    if (!mlp) perToken += (w[wo + W.sharedExperts] * (expertIn + activationOut) * ffnE) / t;
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

/**
 * Microbatches stage i of p keeps in flight, in units of the stage's activations for one microbatch.
 * 1F1B: min(m, p − i) [Korthikanti §4.2]. Interleaved with v chunks per device (Megatron-Core's schedule): the
 * warm-up runs 2(p − i − 1) + (v − 1)·N chunk forwards before the first backward (N microbatches per group,
 * microbatch_group_size_per_vp_stage, pp unless set), at most m·v, and one more is in flight in the steady
 * state; each chunk holds 1/v of the stage. With N = p the first stage keeps p + (p − 1)/v = p(1 + (p − 1)/(p v)).
 */
export function inFlightMicrobatches(stage: number, p: number, m: number, v: number, group: number): number {
  if (v === 1) return m < p - stage ? m : p - stage;
  const n = group === 0 ? p : group;
  const warmup = 2 * (p - stage - 1) + (v - 1) * n;
  const total = m * v;
  return ((warmup < total ? warmup : total) + (warmup < total ? 1 : 0)) / v;
}
