/**
 * Compute time of one transformer layer (and of the embedding and LM-head stages) for one microbatch on one
 * GPU, split into the parts the overlap rules need. Pure arithmetic over the packed rows; results go into a
 * caller-owned Float64Array at an offset (LayerCost fields), so nothing is allocated per configuration.
 *
 * Time of a pass = Σ GEMM FLOPs / (peak × gemmEfficiency) + (GEMM count) × gemmOverheadS
 *                 + element-wise bytes / (memoryBandwidth × memoryEfficiency).
 * The first two terms are GEMM efficiency as a function of size: a GEMM of F FLOPs runs at
 * peak × gemmEfficiency × F / (F + F½), F½ = peak × gemmEfficiency × gemmOverheadS. docs/model/training.md.
 */
import { C, L, W } from './fields.js';
import { attentionWeightsPerRank, ffnMatrices, kvHeadsPerRank } from './workload.js';

/** Fields of one layer-cost record (per microbatch, per GPU). */
export const enum K {
  /** Forward compute: GEMMs + attention core + element-wise. */
  fwdS = 0,
  /** Backward compute. */
  bwdS = 1,
  /** Extra compute in backward for activation recompute (full: the forward; selective: attention core). */
  recomputeS = 2,
  /** GEMM part of the forward (the window TP communication may hide behind). */
  fwdGemmS = 3,
  bwdGemmS = 4,
  /** Attention-core part of the forward (the window CP communication may hide behind). */
  fwdCoreS = 5,
  bwdCoreS = 6,
  /** Raw (unhidden) communication per microbatch: TP per forward pass, TP per backward pass, … */
  tpFwdS = 7,
  tpBwdS = 8,
  cpFwdS = 9,
  cpBwdS = 10,
  epFwdS = 11,
  epBwdS = 12,
  /** ZeRO-3 parameter gathers (forward) and gather + gradient reduce-scatter (backward). */
  z3FwdS = 13,
  z3BwdS = 14,
  /** Parameters per GPU in this layer: replicated-over-DP part and expert part. */
  denseParams = 15,
  expertParams = 16,
  /** Activation bytes kept per microbatch under the recompute mode, and with no recompute. */
  actBytes = 17,
  fullActBytes = 18,
}
export const LAYER_COST_SIZE = 19;

/** Layer kinds of a workload. */
export const enum LayerKind {
  Dense = 0,
  Moe = 1,
}

/** Element-wise kernels run at this many bytes per element (BF16 activations). */
const ACT_BYTES = 2;

/**
 * Fills the compute fields (fwdS … bwdCoreS) of one transformer layer of `kind` for one microbatch.
 * `tokens` = b × s / c (the tokens one GPU's sequence shard holds).
 */
export function layerCompute(
  w: Float64Array,
  wo: number,
  chips: Float64Array,
  co: number,
  lay: Float64Array,
  lo: number,
  kind: number,
  out: Float64Array,
  oo: number,
): void {
  const t = lay[lo + L.tp];
  const b = lay[lo + L.microbatch];
  const cp = lay[lo + L.cp];
  const s = w[wo + W.seqLen];
  const h = w[wo + W.hidden];
  const a = w[wo + W.heads];
  const dq = w[wo + W.headDim];
  const dv = w[wo + W.vHeadDim];
  const tokens = (b * s) / cp;
  const ar = a / t;
  const flash = lay[lo + L.flashAttention] === 1;
  const dropout = w[wo + W.dropout];
  const replicated = lay[lo + L.sequenceParallel] === 1 && t > 1 ? 1 / t : 1;

  const peakBf16 = chips[co + C.peakBf16Flops];
  const peakLinear = lay[lo + L.precision] === 1 ? chips[co + C.peakFp8Flops] : peakBf16;
  const eff = chips[co + C.gemmEfficiency];
  const overhead = chips[co + C.gemmOverheadS];
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];

  // Linear GEMMs (FLOPs and count), forward.
  let linearFlops = 2 * tokens * attentionWeightsPerRank(w, wo, t);
  let linearGemms = w[wo + W.kvLoraRank] > 0 ? (w[wo + W.qLoraRank] > 0 ? 5 : 4) : 2;
  let bf16Flops = 0;
  let bf16Gemms = 0;
  // Element-wise elements per token, forward: two norms (read + write), two residual adds (2 reads + 1 write),
  // dropout (read + write) when present; rotary on queries and keys.
  let elements = (10 + 2 * dropout) * h * replicated;
  if (w[wo + W.learnedPositions] === 0) {
    elements += w[wo + W.kvLoraRank] > 0 ? 2 * (ar + 1) * w[wo + W.ropeHeadDim] : 2 * (ar + kvHeadsPerRank(w, wo, t)) * dq;
  }
  const mats = ffnMatrices(w, wo);
  const activationElements = w[wo + W.gatedFfn] === 1 ? 3 : 2; // SwiGLU reads 2 writes 1; GELU reads 1 writes 1
  if (kind === LayerKind.Dense) {
    linearFlops += (2 * tokens * mats * h * w[wo + W.ffn]) / t;
    linearGemms += 2;
    elements += (activationElements * w[wo + W.ffn]) / t;
  } else {
    const experts = w[wo + W.experts];
    const topK = w[wo + W.topK];
    const ffnE = w[wo + W.expertFfn];
    const shared = w[wo + W.sharedExperts];
    const localExperts = experts / lay[lo + L.ep];
    const routedTokens = (tokens / t) * topK; // tokens arriving at this GPU's experts (balanced routing)
    bf16Flops += 2 * (tokens / t) * h * experts; // router
    bf16Gemms += 1;
    linearFlops += 2 * routedTokens * mats * h * ffnE;
    linearGemms += 2 * localExperts;
    if (shared > 0) {
      linearFlops += (2 * tokens * shared * mats * h * ffnE) / t;
      linearGemms += 2;
    }
    // permute + unpermute (read + write top-k copies), expert and shared activations, router softmax.
    elements += (4 * topK * h) / t + (topK * activationElements * ffnE) / t + (shared * activationElements * ffnE) / t + (2 * experts) / t;
  }
  const fwdGemm = linearFlops / (peakLinear * eff) + linearGemms * overhead + bf16Flops / (peakBf16 * eff) + bf16Gemms * overhead;

  // Attention core: QKᵀ and AV on this rank's heads; fused (flash) kernels skip the masked causal half.
  const coreFlops = tokens * 2 * s * ar * (dq + dv) * (flash ? 0.5 : 1);
  const fwdCore = coreFlops / (peakBf16 * eff) + 2 * overhead;
  // Flash backward recomputes the scores inside (5 matmuls for the forward's 2): 2.5×; unfused: 2×.
  const bwdCore = flash ? (2.5 * coreFlops) / (peakBf16 * eff) + 5 * overhead : (2 * coreFlops) / (peakBf16 * eff) + 4 * overhead;
  // Unfused softmax: scale-mask-softmax (read + write) and dropout (read + write + mask) on ar × s scores per token.
  const softmaxElements = flash ? 0 : (2 + 2.5 * dropout) * ar * s;
  const elementS = (ACT_BYTES * tokens * elements) / bandwidth;
  const softmaxS = (ACT_BYTES * tokens * softmaxElements) / bandwidth;

  const fwd = fwdGemm + fwdCore + elementS + softmaxS;
  const recompute = lay[lo + L.recompute];
  out[oo + K.fwdS] = fwd;
  out[oo + K.bwdS] = 2 * fwdGemm + bwdCore + 2 * (elementS + softmaxS);
  out[oo + K.recomputeS] = recompute === 2 ? fwd : recompute === 1 && !flash ? fwdCore + softmaxS : 0;
  out[oo + K.fwdGemmS] = fwdGemm;
  out[oo + K.bwdGemmS] = 2 * fwdGemm;
  out[oo + K.fwdCoreS] = fwdCore;
  out[oo + K.bwdCoreS] = bwdCore;
}

/** Compute of the LM head stage for one microbatch: the vocabulary GEMM (BF16) and the fp32 cross-entropy. */
export function headCompute(
  w: Float64Array,
  wo: number,
  chips: Float64Array,
  co: number,
  lay: Float64Array,
  lo: number,
  out: Float64Array,
  oo: number,
): void {
  const t = lay[lo + L.tp];
  const tokens = (lay[lo + L.microbatch] * w[wo + W.seqLen]) / lay[lo + L.cp];
  const logits = (tokens * w[wo + W.vocab]) / t;
  const eff = chips[co + C.gemmEfficiency];
  const overhead = chips[co + C.gemmOverheadS];
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];
  const gemm = (2 * logits * w[wo + W.hidden]) / (chips[co + C.peakBf16Flops] * eff) + overhead;
  // Cross-entropy: read BF16 logits, write fp32 probabilities; backward reads them and writes BF16 gradients.
  const loss = (6 * logits) / bandwidth;
  out[oo + K.fwdS] = gemm + loss;
  out[oo + K.bwdS] = 2 * gemm + loss;
  out[oo + K.recomputeS] = 0;
  out[oo + K.fwdGemmS] = gemm;
  out[oo + K.bwdGemmS] = 2 * gemm;
  out[oo + K.fwdCoreS] = 0;
  out[oo + K.bwdCoreS] = 0;
}

/** Compute of the embedding stage for one microbatch: a gather forward and a scatter-add backward (memory-bound). */
export function embeddingCompute(
  w: Float64Array,
  wo: number,
  chips: Float64Array,
  co: number,
  lay: Float64Array,
  lo: number,
  out: Float64Array,
  oo: number,
): void {
  const t = lay[lo + L.tp];
  const tokens = (lay[lo + L.microbatch] * w[wo + W.seqLen]) / lay[lo + L.cp];
  const replicated = lay[lo + L.sequenceParallel] === 1 && t > 1 ? 1 / t : 1;
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];
  const bytes = 2 * ACT_BYTES * tokens * w[wo + W.hidden] * replicated;
  out[oo + K.fwdS] = bytes / bandwidth;
  out[oo + K.bwdS] = (2 * bytes) / bandwidth;
  out[oo + K.recomputeS] = 0;
  out[oo + K.fwdGemmS] = 0;
  out[oo + K.bwdGemmS] = 0;
  out[oo + K.fwdCoreS] = 0;
  out[oo + K.bwdCoreS] = 0;
}
