/**
 * Compute time of one transformer layer (and of the embedding and LM-head stages) for one microbatch on one
 * GPU, split into the parts the overlap rules need. Pure arithmetic over the packed rows; results go into a
 * caller-owned Float64Array at an offset (LayerCost fields), so nothing is allocated per configuration.
 *
 * Work is priced by operation class (docs/model/training.md, "Compute"):
 *  - linear-layer GEMMs: a roofline per GEMM — the slower of its FLOPs at peak × efficiency (FP8 peak and FP8
 *    efficiency for the linear layers of FP8 runs) and its bytes at the achievable HBM bandwidth — plus a fixed
 *    time per kernel (launch, ramp, tail wave). Forward, data-gradient and weight-gradient GEMMs each have their
 *    own shape; the weight gradient accumulates into the gradient buffer (gradientBytes, read and written).
 *  - fused attention: its own forward and backward efficiency, the causal half of the score tiles executed, a
 *    softmax cost per score element that does not shrink with the head dimension, and a sequence-length
 *    factor (short key blocks per kernel reach less of peak); one kernel per context-parallel ring step.
 *  - memory-bound work (norms, residuals, rotary, activations, MoE permutes, FP8 casts): bytes at HBM bandwidth.
 *  - a pass costs at least its kernel count × launchOverheadS (host-bound eager frameworks; 0 with CUDA graphs).
 */
import { ATTENTION_DROPOUT_RATIO, ATTENTION_HALF_KEYS, ATTENTION_TILE } from './calibration.js';
import { C, L, RecomputeModuleBit, W } from './fields.js';
import { ffnMatrices, kvHeadsPerRank } from './workload.js';

/** Fields of one layer-cost record (per microbatch, per GPU). */
export const enum K {
  /** Forward compute: GEMMs + attention core + element-wise. */
  fwdS = 0,
  /** Backward compute. */
  bwdS = 1,
  /** Extra compute in backward when this layer is recomputed (full: the forward; selective: attention core). */
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
  /** Activation bytes kept per microbatch when the layer is recomputed, and when it is not. */
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
 * Eager PyTorch, op by op (fusedKernels = 0), in 2-byte elements per element of the tensor:
 *  - RMSNorm (as Llama's reference code and torchtitan write it): cast to fp32 (read 2, write 4), square
 *    (read 4, write 4), mean (read 4), scale (read 4, write 4), cast back (read 4, write 2), weight product
 *    (read 2, write 2): 34 bytes = 17 elements and 7 kernels, against 2 elements fused;
 *  - rotary: split halves and concatenate (read 2, write 2), two products (read 2, write 2 each), a sum (read 4,
 *    write 2): 5 × the fused kernel's read + write, in 6 kernels;
 *  - SwiGLU: silu (read 2, write 2) and the product (read 4, write 2): 5 elements against 3 fused.
 */
export const EAGER_RMSNORM_ELEMENTS = 17;
export const EAGER_RMSNORM_KERNELS = 7;
export const EAGER_ROTARY_FACTOR = 5;
export const EAGER_ROTARY_KERNELS = 6;
export const EAGER_SWIGLU_ELEMENTS = 5;

/** Bytes moved per logit by the unfused fp32 cross-entropy, forward and backward (headCompute). */
export const CROSS_ENTROPY_FWD_BYTES = 38;
export const CROSS_ENTROPY_BWD_BYTES = 14;

/**
 * Running sums of the GEMMs of one layer. Module-level (one layer is priced at a time) so that nothing is
 * allocated per configuration; the native port keeps the same sums in a struct.
 */
let gemmFwd = 0;
let gemmBwd = 0;
let gemmKernels = 0;
let castBytes = 0;

/**
 * Time of one GEMM (M×K by K×N): a roofline on the operands — the slower of its FLOPs at `rate` (FLOP/s) and
 * its operand bytes at `bandwidth` (loads are pipelined with the tensor-core work) — plus the epilogue that
 * writes the M×N output (`outBytes` per element; read and written when it accumulates), which follows each
 * tile's reduction loop. Small or skinny GEMMs (a short reduction, a large output) reach less of peak.
 */
export function gemmTimeS(m: number, n: number, k: number, rate: number, inBytes: number, outBytes: number, bandwidth: number): number {
  const compute = (2 * m * n * k) / rate;
  const operands = (inBytes * (m * k + k * n)) / bandwidth;
  return (compute > operands ? compute : operands) + (outBytes * m * n) / bandwidth;
}

/**
 * Adds one linear layer, run as `count` equal GEMMs in one kernel (count > 1: a grouped expert GEMM), each of
 * `rows` tokens from `inDim` to `outDim`: forward, data gradient and weight gradient (accumulated into a buffer
 * of `accBytes` per element, read and written). FP8 (inBytes 1) adds the casts: a quantised copy and its
 * transpose of the input in forward, and the cast-transpose of the output gradient in backward.
 */
function addLinear(count: number, rows: number, inDim: number, outDim: number, rate: number, inBytes: number, accBytes: number, bandwidth: number): void {
  gemmFwd += count * gemmTimeS(rows, outDim, inDim, rate, inBytes, ACT_BYTES, bandwidth);
  gemmBwd += count * (gemmTimeS(rows, inDim, outDim, rate, inBytes, ACT_BYTES, bandwidth) + gemmTimeS(inDim, outDim, rows, rate, inBytes, 2 * accBytes, bandwidth));
  gemmKernels += 1;
  if (inBytes === 1) castBytes += count * rows * (2 * inDim + 4 * outDim);
}

/**
 * Fills the compute fields (fwdS … bwdCoreS) of one transformer layer of `kind` for one microbatch.
 * Tokens per GPU T = b × s / c (the sequence shard a context-parallel rank holds).
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
  const fp8 = lay[lo + L.precision] === 1;
  const accBytes = lay[lo + L.gradientBytes];

  const peakBf16 = chips[co + C.peakBf16Flops];
  const bf16Rate = peakBf16 * chips[co + C.gemmEfficiency];
  const linearRate = fp8 ? chips[co + C.peakFp8Flops] * chips[co + C.gemmEfficiencyFp8] : bf16Rate;
  const linearBytes = fp8 ? 1 : 2;
  const overhead = chips[co + C.gemmOverheadS];
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];

  gemmFwd = 0;
  gemmBwd = 0;
  gemmKernels = 0;
  castBytes = 0;
  // Attention projections: fused QKV and output (standard/GQA); MLA's down- and up-projections [DSV3].
  const kvLora = w[wo + W.kvLoraRank];
  if (kvLora > 0) {
    const qLora = w[wo + W.qLoraRank];
    const rope = w[wo + W.ropeHeadDim];
    if (qLora > 0) {
      addLinear(1, tokens, h, qLora, linearRate, linearBytes, accBytes, bandwidth);
      addLinear(1, tokens, qLora, ar * dq, linearRate, linearBytes, accBytes, bandwidth);
    } else {
      addLinear(1, tokens, h, ar * dq, linearRate, linearBytes, accBytes, bandwidth);
    }
    addLinear(1, tokens, h, kvLora + rope, linearRate, linearBytes, accBytes, bandwidth);
    addLinear(1, tokens, kvLora, ar * (dq - rope + dv), linearRate, linearBytes, accBytes, bandwidth);
  } else {
    addLinear(1, tokens, h, ar * dq + kvHeadsPerRank(w, wo, t) * (dq + dv), linearRate, linearBytes, accBytes, bandwidth);
  }
  addLinear(1, tokens, ar * dv, h, linearRate, linearBytes, accBytes, bandwidth);

  // Element-wise elements per token, forward: two norms (read + write), two residual adds (2 reads + 1 write),
  // dropout (read + write) when present; rotary on queries and keys. Eager PyTorch runs RMSNorm, rotary and
  // SwiGLU op by op (EAGER_* below); LayerNorm and GELU are single kernels either way.
  const fused = lay[lo + L.fusedKernels] === 1;
  const eagerNorm = !fused && w[wo + W.biases] === 0;
  let elements = (2 * (eagerNorm ? EAGER_RMSNORM_ELEMENTS : 2) + 6 + 2 * dropout) * h * replicated;
  let kernels = 2 * (eagerNorm ? EAGER_RMSNORM_KERNELS : 1) + 2 + 2 * dropout;
  if (w[wo + W.learnedPositions] === 0) {
    const rotary = kvLora > 0 ? 2 * (ar + 1) * w[wo + W.ropeHeadDim] : 2 * (ar + kvHeadsPerRank(w, wo, t)) * dq;
    elements += fused ? rotary : EAGER_ROTARY_FACTOR * rotary;
    kernels += fused ? 1 : EAGER_ROTARY_KERNELS;
  }
  const mats = ffnMatrices(w, wo);
  const gated = w[wo + W.gatedFfn] === 1;
  // SwiGLU fused reads 2 writes 1 (eager: silu, then the product); GELU reads 1 writes 1.
  const activationElements = gated ? (fused ? 3 : EAGER_SWIGLU_ELEMENTS) : 2;
  const activationKernels = gated && !fused ? 2 : 1;
  let routerFwd = 0;
  let routerBwd = 0;
  if (kind === LayerKind.Dense) {
    const f = w[wo + W.ffn] / t;
    addLinear(1, tokens, h, (mats - 1) * f, linearRate, linearBytes, accBytes, bandwidth);
    addLinear(1, tokens, f, h, linearRate, linearBytes, accBytes, bandwidth);
    elements += activationElements * f;
    kernels += activationKernels;
  } else {
    const experts = w[wo + W.experts];
    const topK = w[wo + W.topK];
    const ffnE = w[wo + W.expertFfn];
    const shared = w[wo + W.sharedExperts];
    const localExperts = experts / lay[lo + L.ep];
    const routerTokens = tokens / t; // the router runs on this rank's sequence shard
    // Balanced routing: this GPU's experts receive (T/t) × top-k tokens in all, split evenly among them; each
    // expert FFN is one grouped GEMM over the local experts (Megatron-Core's grouped GEMM, DeepSeek-V3).
    const perExpert = (routerTokens * topK) / localExperts;
    routerFwd = gemmTimeS(routerTokens, experts, h, bf16Rate, 2, 4, bandwidth) + overhead;
    routerBwd = gemmTimeS(routerTokens, h, experts, bf16Rate, 2, 2, bandwidth) + gemmTimeS(h, experts, routerTokens, bf16Rate, 2, 2 * accBytes, bandwidth) + 2 * overhead;
    addLinear(localExperts, perExpert, h, (mats - 1) * ffnE, linearRate, linearBytes, accBytes, bandwidth);
    addLinear(localExperts, perExpert, ffnE, h, linearRate, linearBytes, accBytes, bandwidth);
    if (shared > 0) {
      const fs = (shared * ffnE) / t;
      addLinear(1, tokens, h, (mats - 1) * fs, linearRate, linearBytes, accBytes, bandwidth);
      addLinear(1, tokens, fs, h, linearRate, linearBytes, accBytes, bandwidth);
    }
    // permute + unpermute (read + write top-k copies), expert and shared activations, router softmax.
    elements += (4 * topK * h) / t + (topK * activationElements * ffnE) / t + (shared * activationElements * ffnE) / t + (2 * experts) / t;
    kernels += 5 + activationKernels * (shared > 0 ? 2 : 1);
  }
  // Recomputed modules (recomputeModules): their forward runs again in backward, GEMMs on the GEMM stream,
  // norms and activations as memory passes; one extra kernel each for the host floor.
  const modules = lay[lo + L.recomputeModules];
  let moduleGemm = 0;
  let moduleElements = 0;
  let moduleKernels = 0;
  if (modules !== 0) {
    if ((modules & RecomputeModuleBit.Layernorm) !== 0) {
      moduleElements += 2 * (eagerNorm ? EAGER_RMSNORM_ELEMENTS : 2) * h * replicated;
      moduleKernels += 2 * (eagerNorm ? EAGER_RMSNORM_KERNELS : 1);
      if (kvLora > 0) {
        moduleElements += 2 * (w[wo + W.qLoraRank] + kvLora);
        moduleKernels += 2;
      }
    }
    if ((modules & RecomputeModuleBit.MlaUpProj) !== 0 && kvLora > 0) {
      const qLora = w[wo + W.qLoraRank];
      const rope = w[wo + W.ropeHeadDim];
      moduleGemm += gemmTimeS(tokens, ar * dq, qLora > 0 ? qLora : h, linearRate, linearBytes, ACT_BYTES, bandwidth) + overhead;
      moduleGemm += gemmTimeS(tokens, ar * (dq - rope + dv), kvLora, linearRate, linearBytes, ACT_BYTES, bandwidth) + overhead;
      moduleKernels += 2;
    }
    if (kind === LayerKind.Moe && (modules & RecomputeModuleBit.MoeAct) !== 0) {
      moduleElements += (w[wo + W.topK] * activationElements * w[wo + W.expertFfn]) / t;
      moduleKernels += activationKernels;
    }
    if ((modules & RecomputeModuleBit.Mlp) !== 0) {
      // The dense FFN (dense layers) or the shared experts (MoE layers): both GEMMs and the activation.
      const f = kind === LayerKind.Dense ? w[wo + W.ffn] / t : (w[wo + W.sharedExperts] * w[wo + W.expertFfn]) / t;
      if (f > 0) {
        moduleGemm += gemmTimeS(tokens, (mats - 1) * f, h, linearRate, linearBytes, ACT_BYTES, bandwidth) + overhead;
        moduleGemm += gemmTimeS(tokens, h, f, linearRate, linearBytes, ACT_BYTES, bandwidth) + overhead;
        moduleElements += activationElements * f;
        moduleKernels += 2 + activationKernels;
      }
    }
  }
  const fwdGemm = gemmFwd + gemmKernels * overhead + routerFwd;
  const bwdGemm = gemmBwd + 2 * gemmKernels * overhead + routerBwd + moduleGemm;
  kernels += gemmKernels + (kind === LayerKind.Moe ? 1 : 0) + (fp8 ? 2 * gemmKernels : 0);

  // Attention core on this rank's heads.
  let fwdCore: number;
  let bwdCore: number;
  let softmaxElements = 0;
  if (flash) {
    // Causal: the score tiles above the diagonal are skipped, the diagonal ones computed whole. Each query sees
    // (s + tile)/2 keys on average, also under load-balanced context parallelism. One kernel per ring step,
    // each over a key block of s/c: shorter blocks reach less of peak (per-tile prologue and epilogue).
    const scores = b * ar * (s / cp) * ((s + ATTENTION_TILE) / 2);
    const keys = s / cp;
    // FlashAttention-2 (attentionKernel 1: PyTorch SDPA's flash backend) runs at the chip's attentionFa2Scale of
    // the reference kernel (cuDNN / FlashAttention-3 class) that the attention efficiencies describe.
    const kernel = lay[lo + L.attentionKernel] === 1 ? chips[co + C.attentionFa2Scale] : 1;
    const rate = peakBf16 * (keys / (keys + ATTENTION_HALF_KEYS)) * kernel;
    // Non-matmul work per score element: the softmax, and with attention dropout the mask's random numbers.
    const softmax = chips[co + C.attentionSoftmaxFlops] * (1 + ATTENTION_DROPOUT_RATIO * dropout);
    fwdCore = (scores * (2 * (dq + dv) + softmax)) / (rate * chips[co + C.attentionFwdEfficiency]) + cp * overhead;
    // Backward: recomputes QKᵀ and the softmax, then dV, dP, dQ, dK (five matmuls for the forward's two).
    bwdCore = (scores * (2 * (3 * dq + 2 * dv) + softmax)) / (rate * chips[co + C.attentionBwdEfficiency]) + 2 * cp * overhead;
    kernels += cp;
  } else {
    // Unfused: two batched GEMMs over the full s × s scores (masked afterwards) at the GEMM efficiency, and
    // scale-mask-softmax and dropout (read + write + mask) on ar × s scores per token.
    const coreFlops = tokens * 2 * s * ar * (dq + dv);
    fwdCore = coreFlops / bf16Rate + 2 * overhead;
    bwdCore = (2 * coreFlops) / bf16Rate + 4 * overhead;
    softmaxElements = (2 + 2.5 * dropout) * ar * s;
    kernels += 3 + dropout;
  }
  const elementS = (ACT_BYTES * tokens * elements + castBytes) / bandwidth;
  const softmaxS = (ACT_BYTES * tokens * softmaxElements) / bandwidth;

  // A pass costs at least the host time to launch its kernels (backward: about twice as many).
  const launch = lay[lo + L.launchOverheadS];
  const fwdGpu = fwdGemm + fwdCore + elementS + softmaxS;
  const bwdGpu = bwdGemm + bwdCore + 2 * (elementS + softmaxS) + (ACT_BYTES * tokens * moduleElements) / bandwidth;
  const fwdHost = kernels * launch;
  const bwdHost = 2 * fwdHost + moduleKernels * launch;
  const fwd = fwdGpu > fwdHost ? fwdGpu : fwdHost;
  const recompute = lay[lo + L.recompute];
  out[oo + K.fwdS] = fwd;
  out[oo + K.bwdS] = bwdGpu > bwdHost ? bwdGpu : bwdHost;
  // Selective recompute repeats the attention core in backward: the fused kernel's forward (Megatron-Core
  // checkpoints core attention whatever its implementation), or the unfused core and its softmax.
  out[oo + K.recomputeS] = recompute === 2 ? fwd : recompute === 1 ? fwdCore + softmaxS : 0;
  out[oo + K.fwdGemmS] = fwdGemm;
  out[oo + K.bwdGemmS] = bwdGemm;
  out[oo + K.fwdCoreS] = fwdCore;
  out[oo + K.bwdCoreS] = bwdCore;
}

/** Compute of the LM head stage for one microbatch: the vocabulary GEMMs (BF16) and the fp32 cross-entropy. */
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
  const h = w[wo + W.hidden];
  const vocab = w[wo + W.vocab] / t;
  const rate = chips[co + C.peakBf16Flops] * chips[co + C.gemmEfficiency];
  const overhead = chips[co + C.gemmOverheadS];
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];
  const accBytes = lay[lo + L.gradientBytes];
  const fwdGemm = gemmTimeS(tokens, vocab, h, rate, 2, 2, bandwidth) + overhead;
  const bwdGemm = gemmTimeS(tokens, h, vocab, rate, 2, 2, bandwidth) + gemmTimeS(h, vocab, tokens, rate, 2, 2 * accBytes, bandwidth) + 2 * overhead;
  // Vocabulary-parallel cross-entropy in fp32, unfused (Megatron-Core's): forward casts the BF16 logits to fp32
  // (read 2, write 4), then max (read 4), subtract and exp in place (read 4 + write 4 each), sum (read 4) and
  // normalise in place (read 4, write 4), keeping the softmax for backward: 38 bytes per logit; backward scales
  // it in place (read 4, write 4) and casts the gradient to BF16 (read 4, write 2): 14 bytes per logit.
  const logits = tokens * vocab;
  const lossFwd = (CROSS_ENTROPY_FWD_BYTES * logits) / bandwidth;
  const lossBwd = (CROSS_ENTROPY_BWD_BYTES * logits) / bandwidth;
  const host = 8 * lay[lo + L.launchOverheadS];
  out[oo + K.fwdS] = fwdGemm + lossFwd > host ? fwdGemm + lossFwd : host;
  out[oo + K.bwdS] = bwdGemm + lossBwd > host ? bwdGemm + lossBwd : host;
  out[oo + K.recomputeS] = 0;
  out[oo + K.fwdGemmS] = fwdGemm;
  out[oo + K.bwdGemmS] = bwdGemm;
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

/**
 * ZeRO-3/FSDP copies on the compute stream, per layer and microbatch, for `params` parameters per GPU: the
 * gathered flat buffer is copied into the layer's weights in forward and again in backward (FSDP2 copy-out,
 * DeepSpeed's partition fetch; BF16 read + write), and the gradients into the reduce-scatter buffer in backward
 * (copy-in, gradientBytes read + write). Adds to `out`'s fwdS and bwdS.
 */
export function addZero3Copies(chips: Float64Array, co: number, lay: Float64Array, lo: number, params: number, out: Float64Array, oo: number): void {
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];
  const copyOut = (4 * params) / bandwidth;
  out[oo + K.fwdS] += copyOut;
  out[oo + K.bwdS] += copyOut + (2 * lay[lo + L.gradientBytes] * params) / bandwidth;
}
