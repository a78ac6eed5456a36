// Port of layerCompute, headCompute and embeddingCompute (packages/core/src/training/compute.ts), with the
// TypeScript's operand order and parenthesisation. Time of a pass = Σ GEMM FLOPs / (peak × gemmEfficiency)
// + (GEMM count) × gemmOverheadS + element-wise bytes / (memoryBandwidth × memoryEfficiency).
#include "training_compute.hpp"

#include "training_fields.hpp"
#include "training_workload.hpp"

namespace linkcap::training {
namespace {

// Element-wise kernels run at this many bytes per element (BF16 activations).
constexpr double kActBytes = 2;

}  // namespace

void layer_compute(const double* w, const double* chip, const double* lay, LayerKind kind, LayerCost& out) {
  const double t = lay[L::tp];
  const double b = lay[L::microbatch];
  const double cp = lay[L::cp];
  const double s = w[W::seqLen];
  const double h = w[W::hidden];
  const double a = w[W::heads];
  const double dq = w[W::headDim];
  const double dv = w[W::vHeadDim];
  const double tokens = (b * s) / cp;
  const double ar = a / t;
  const bool flash = lay[L::flashAttention] == 1;
  const double dropout = w[W::dropout];
  const double replicated = lay[L::sequenceParallel] == 1 && t > 1 ? 1 / t : 1;

  const double peakBf16 = chip[C::peakBf16Flops];
  const double peakLinear = lay[L::precision] == 1 ? chip[C::peakFp8Flops] : peakBf16;
  const double eff = chip[C::gemmEfficiency];
  const double overhead = chip[C::gemmOverheadS];
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];

  // Linear GEMMs (FLOPs and count), forward.
  double linearFlops = 2 * tokens * attention_weights_per_rank(w, t);
  double linearGemms = w[W::kvLoraRank] > 0 ? (w[W::qLoraRank] > 0 ? 5 : 4) : 2;
  double bf16Flops = 0;
  double bf16Gemms = 0;
  // Element-wise elements per token, forward: norms, residual adds, dropout; rotary on queries and keys.
  double elements = (10 + 2 * dropout) * h * replicated;
  if (w[W::learnedPositions] == 0) {
    elements += w[W::kvLoraRank] > 0 ? 2 * (ar + 1) * w[W::ropeHeadDim] : 2 * (ar + kv_heads_per_rank(w, t)) * dq;
  }
  const double mats = ffn_matrices(w);
  const double activationElements = w[W::gatedFfn] == 1 ? 3 : 2;
  if (kind == LayerKind::Dense) {
    linearFlops += (2 * tokens * mats * h * w[W::ffn]) / t;
    linearGemms += 2;
    elements += (activationElements * w[W::ffn]) / t;
  } else {
    const double experts = w[W::experts];
    const double topK = w[W::topK];
    const double ffnE = w[W::expertFfn];
    const double shared = w[W::sharedExperts];
    const double localExperts = experts / lay[L::ep];
    const double routedTokens = (tokens / t) * topK;  // tokens arriving at this GPU's experts
    bf16Flops += 2 * (tokens / t) * h * experts;        // router
    bf16Gemms += 1;
    linearFlops += 2 * routedTokens * mats * h * ffnE;
    linearGemms += 2 * localExperts;
    if (shared > 0) {
      linearFlops += (2 * tokens * shared * mats * h * ffnE) / t;
      linearGemms += 2;
    }
    // permute + unpermute, expert and shared activations, router softmax.
    elements += (4 * topK * h) / t + (topK * activationElements * ffnE) / t + (shared * activationElements * ffnE) / t +
                (2 * experts) / t;
  }
  const double fwdGemm = linearFlops / (peakLinear * eff) + linearGemms * overhead + bf16Flops / (peakBf16 * eff) +
                         bf16Gemms * overhead;

  // Attention core: QKᵀ and AV on this rank's heads; fused (flash) kernels skip the masked causal half.
  const double coreFlops = tokens * 2 * s * ar * (dq + dv) * (flash ? 0.5 : 1);
  const double fwdCore = coreFlops / (peakBf16 * eff) + 2 * overhead;
  // Flash backward recomputes the scores inside (5 matmuls for the forward's 2): 2.5×; unfused: 2×.
  const double bwdCore = flash ? (2.5 * coreFlops) / (peakBf16 * eff) + 5 * overhead
                               : (2 * coreFlops) / (peakBf16 * eff) + 4 * overhead;
  // Unfused softmax: scale-mask-softmax and dropout on ar × s scores per token.
  const double softmaxElements = flash ? 0 : (2 + 2.5 * dropout) * ar * s;
  const double elementS = (kActBytes * tokens * elements) / bandwidth;
  const double softmaxS = (kActBytes * tokens * softmaxElements) / bandwidth;

  const double fwd = fwdGemm + fwdCore + elementS + softmaxS;
  const double recompute = lay[L::recompute];
  out.fwdS = fwd;
  out.bwdS = 2 * fwdGemm + bwdCore + 2 * (elementS + softmaxS);
  out.recomputeS = recompute == 2 ? fwd : recompute == 1 && !flash ? fwdCore + softmaxS : 0;
  out.fwdGemmS = fwdGemm;
  out.bwdGemmS = 2 * fwdGemm;
  out.fwdCoreS = fwdCore;
  out.bwdCoreS = bwdCore;
}

void head_compute(const double* w, const double* chip, const double* lay, LayerCost& out) {
  const double t = lay[L::tp];
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / lay[L::cp];
  const double logits = (tokens * w[W::vocab]) / t;
  const double eff = chip[C::gemmEfficiency];
  const double overhead = chip[C::gemmOverheadS];
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];
  const double gemm = (2 * logits * w[W::hidden]) / (chip[C::peakBf16Flops] * eff) + overhead;
  // Cross-entropy: read BF16 logits, write fp32 probabilities; backward reads them and writes BF16 gradients.
  const double loss = (6 * logits) / bandwidth;
  out.fwdS = gemm + loss;
  out.bwdS = 2 * gemm + loss;
  out.recomputeS = 0;
  out.fwdGemmS = gemm;
  out.bwdGemmS = 2 * gemm;
  out.fwdCoreS = 0;
  out.bwdCoreS = 0;
}

void embedding_compute(const double* w, const double* chip, const double* lay, LayerCost& out) {
  const double t = lay[L::tp];
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / lay[L::cp];
  const double replicated = lay[L::sequenceParallel] == 1 && t > 1 ? 1 / t : 1;
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];
  const double bytes = 2 * kActBytes * tokens * w[W::hidden] * replicated;
  out.fwdS = bytes / bandwidth;
  out.bwdS = (2 * bytes) / bandwidth;
  out.recomputeS = 0;
  out.fwdGemmS = 0;
  out.bwdGemmS = 0;
  out.fwdCoreS = 0;
  out.bwdCoreS = 0;
}

}  // namespace linkcap::training
