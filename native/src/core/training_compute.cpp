// Port of layerCompute, headCompute and embeddingCompute (packages/core/src/training/compute.ts), with the
// TypeScript's operand order and parenthesisation: GEMMs on a roofline with an epilogue, fused attention with
// its own efficiencies, memory-bound work at HBM bandwidth, a host launch floor per pass.
#include "training_compute.hpp"

#include "training_fields.hpp"
#include "training_workload.hpp"

namespace linkcap::training {
namespace {

// Element-wise kernels run at this many bytes per element (BF16 activations).
constexpr double kActBytes = 2;

// Fused-attention constants of calibration.ts (ATTENTION_TILE, ATTENTION_HALF_KEYS, ATTENTION_DROPOUT_RATIO).
constexpr double kAttentionTile = 128;
constexpr double kAttentionHalfKeys = 512;
constexpr double kAttentionDropoutRatio = 1.25;

// Running sums of the GEMMs of one layer (the module-level lets of compute.ts).
struct GemmSums {
  double fwd = 0;
  double bwd = 0;
  double kernels = 0;
  double castBytes = 0;
};

// One linear layer run as `count` equal GEMMs in one kernel: forward, data gradient, weight gradient, FP8 casts.
inline void add_linear(GemmSums& g, double count, double rows, double inDim, double outDim, double rate,
                       double inBytes, double accBytes, double bandwidth) {
  g.fwd += count * gemm_time_s(rows, outDim, inDim, rate, inBytes, kActBytes, bandwidth);
  g.bwd += count * (gemm_time_s(rows, inDim, outDim, rate, inBytes, kActBytes, bandwidth) +
                    gemm_time_s(inDim, outDim, rows, rate, inBytes, 2 * accBytes, bandwidth));
  g.kernels += 1;
  if (inBytes == 1) g.castBytes += count * rows * (2 * inDim + 4 * outDim);
}

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
  const bool fp8 = lay[L::precision] == 1;
  const double accBytes = lay[L::gradientBytes];

  const double peakBf16 = chip[C::peakBf16Flops];
  const double bf16Rate = peakBf16 * chip[C::gemmEfficiency];
  const double linearRate = fp8 ? chip[C::peakFp8Flops] * chip[C::gemmEfficiencyFp8] : bf16Rate;
  const double linearBytes = fp8 ? 1 : 2;
  const double overhead = chip[C::gemmOverheadS];
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];

  GemmSums g;
  // Attention projections: fused QKV and output (standard/GQA); MLA's down- and up-projections.
  const double kvLora = w[W::kvLoraRank];
  if (kvLora > 0) {
    const double qLora = w[W::qLoraRank];
    const double rope = w[W::ropeHeadDim];
    if (qLora > 0) {
      add_linear(g, 1, tokens, h, qLora, linearRate, linearBytes, accBytes, bandwidth);
      add_linear(g, 1, tokens, qLora, ar * dq, linearRate, linearBytes, accBytes, bandwidth);
    } else {
      add_linear(g, 1, tokens, h, ar * dq, linearRate, linearBytes, accBytes, bandwidth);
    }
    add_linear(g, 1, tokens, h, kvLora + rope, linearRate, linearBytes, accBytes, bandwidth);
    add_linear(g, 1, tokens, kvLora, ar * (dq - rope + dv), linearRate, linearBytes, accBytes, bandwidth);
  } else {
    add_linear(g, 1, tokens, h, ar * dq + kv_heads_per_rank(w, t) * (dq + dv), linearRate, linearBytes, accBytes,
               bandwidth);
  }
  add_linear(g, 1, tokens, ar * dv, h, linearRate, linearBytes, accBytes, bandwidth);

  // Element-wise elements per token, forward: norms, residual adds, dropout; rotary on queries and keys. Eager
  // PyTorch runs RMSNorm, rotary and SwiGLU op by op (kEager* of training_compute.hpp).
  const bool fused = lay[L::fusedKernels] == 1;
  const bool eagerNorm = !fused && w[W::biases] == 0;
  double elements = (2 * (eagerNorm ? kEagerRmsnormElements : 2) + 6 + 2 * dropout) * h * replicated;
  double kernels = 2 * (eagerNorm ? kEagerRmsnormKernels : 1) + 2 + 2 * dropout;
  if (w[W::learnedPositions] == 0) {
    const double rotary =
        kvLora > 0 ? 2 * (ar + 1) * w[W::ropeHeadDim] : 2 * (ar + kv_heads_per_rank(w, t)) * dq;
    elements += fused ? rotary : kEagerRotaryFactor * rotary;
    kernels += fused ? 1 : kEagerRotaryKernels;
  }
  const double mats = ffn_matrices(w);
  const bool gated = w[W::gatedFfn] == 1;
  const double activationElements = gated ? (fused ? 3 : kEagerSwigluElements) : 2;
  const double activationKernels = gated && !fused ? 2 : 1;
  double routerFwd = 0;
  double routerBwd = 0;
  if (kind == LayerKind::Dense) {
    const double f = w[W::ffn] / t;
    add_linear(g, 1, tokens, h, (mats - 1) * f, linearRate, linearBytes, accBytes, bandwidth);
    add_linear(g, 1, tokens, f, h, linearRate, linearBytes, accBytes, bandwidth);
    elements += activationElements * f;
    kernels += activationKernels;
  } else {
    const double experts = w[W::experts];
    const double topK = w[W::topK];
    const double ffnE = w[W::expertFfn];
    const double shared = w[W::sharedExperts];
    const double localExperts = experts / lay[L::ep];
    const double routerTokens = tokens / t;
    const double perExpert = (routerTokens * topK) / localExperts;
    routerFwd = gemm_time_s(routerTokens, experts, h, bf16Rate, 2, 4, bandwidth) + overhead;
    routerBwd = gemm_time_s(routerTokens, h, experts, bf16Rate, 2, 2, bandwidth) +
                gemm_time_s(h, experts, routerTokens, bf16Rate, 2, 2 * accBytes, bandwidth) + 2 * overhead;
    add_linear(g, localExperts, perExpert, h, (mats - 1) * ffnE, linearRate, linearBytes, accBytes, bandwidth);
    add_linear(g, localExperts, perExpert, ffnE, h, linearRate, linearBytes, accBytes, bandwidth);
    if (shared > 0) {
      const double fs = (shared * ffnE) / t;
      add_linear(g, 1, tokens, h, (mats - 1) * fs, linearRate, linearBytes, accBytes, bandwidth);
      add_linear(g, 1, tokens, fs, h, linearRate, linearBytes, accBytes, bandwidth);
    }
    elements += (4 * topK * h) / t + (topK * activationElements * ffnE) / t + (shared * activationElements * ffnE) / t +
                (2 * experts) / t;
    kernels += 5 + activationKernels * (shared > 0 ? 2 : 1);
  }
  // Recomputed modules: their forward runs again in backward (see compute.ts).
  const unsigned modules = static_cast<unsigned>(lay[L::recomputeModules]);
  double moduleGemm = 0;
  double moduleElements = 0;
  double moduleKernels = 0;
  if (modules != 0) {
    if ((modules & RecomputeModule::Layernorm) != 0) {
      moduleElements += 2 * (eagerNorm ? kEagerRmsnormElements : 2) * h * replicated;
      moduleKernels += 2 * (eagerNorm ? kEagerRmsnormKernels : 1);
      if (kvLora > 0) {
        moduleElements += 2 * (w[W::qLoraRank] + kvLora);
        moduleKernels += 2;
      }
    }
    if ((modules & RecomputeModule::MlaUpProj) != 0 && kvLora > 0) {
      const double qLora = w[W::qLoraRank];
      const double rope = w[W::ropeHeadDim];
      moduleGemm += gemm_time_s(tokens, ar * dq, qLora > 0 ? qLora : h, linearRate, linearBytes, kActBytes, bandwidth) +
                    overhead;
      moduleGemm +=
          gemm_time_s(tokens, ar * (dq - rope + dv), kvLora, linearRate, linearBytes, kActBytes, bandwidth) + overhead;
      moduleKernels += 2;
    }
    if (kind == LayerKind::Moe && (modules & RecomputeModule::MoeAct) != 0) {
      moduleElements += (w[W::topK] * activationElements * w[W::expertFfn]) / t;
      moduleKernels += activationKernels;
    }
    if ((modules & RecomputeModule::Mlp) != 0) {
      const double f = kind == LayerKind::Dense ? w[W::ffn] / t : (w[W::sharedExperts] * w[W::expertFfn]) / t;
      if (f > 0) {
        moduleGemm += gemm_time_s(tokens, (mats - 1) * f, h, linearRate, linearBytes, kActBytes, bandwidth) + overhead;
        moduleGemm += gemm_time_s(tokens, h, f, linearRate, linearBytes, kActBytes, bandwidth) + overhead;
        moduleElements += activationElements * f;
        moduleKernels += 2 + activationKernels;
      }
    }
  }
  const double fwdGemm = g.fwd + g.kernels * overhead + routerFwd;
  const double bwdGemm = g.bwd + 2 * g.kernels * overhead + routerBwd + moduleGemm;
  kernels += g.kernels + (kind == LayerKind::Moe ? 1 : 0) + (fp8 ? 2 * g.kernels : 0);

  // Attention core on this rank's heads.
  double fwdCore;
  double bwdCore;
  double softmaxElements = 0;
  if (flash) {
    const double scores = b * ar * (s / cp) * ((s + kAttentionTile) / 2);
    const double keys = s / cp;
    // FlashAttention-2 (attentionKernel 1) runs at the chip's attentionFa2Scale of the reference kernel.
    const double kernel = lay[L::attentionKernel] == static_cast<double>(AttentionKernel::Fa2) ? chip[C::attentionFa2Scale] : 1;
    const double rate = peakBf16 * (keys / (keys + kAttentionHalfKeys)) * kernel;
    const double softmax = chip[C::attentionSoftmaxFlops] * (1 + kAttentionDropoutRatio * dropout);
    fwdCore = (scores * (2 * (dq + dv) + softmax)) / (rate * chip[C::attentionFwdEfficiency]) + cp * overhead;
    bwdCore = (scores * (2 * (3 * dq + 2 * dv) + softmax)) / (rate * chip[C::attentionBwdEfficiency]) +
              2 * cp * overhead;
    kernels += cp;
  } else {
    const double coreFlops = tokens * 2 * s * ar * (dq + dv);
    fwdCore = coreFlops / bf16Rate + 2 * overhead;
    bwdCore = (2 * coreFlops) / bf16Rate + 4 * overhead;
    softmaxElements = (2 + 2.5 * dropout) * ar * s;
    kernels += 3 + dropout;
  }
  const double elementS = (kActBytes * tokens * elements + g.castBytes) / bandwidth;
  const double softmaxS = (kActBytes * tokens * softmaxElements) / bandwidth;

  const double launch = lay[L::launchOverheadS];
  const double fwdGpu = fwdGemm + fwdCore + elementS + softmaxS;
  const double bwdGpu = bwdGemm + bwdCore + 2 * (elementS + softmaxS) + (kActBytes * tokens * moduleElements) / bandwidth;
  const double fwdHost = kernels * launch;
  const double bwdHost = 2 * fwdHost + moduleKernels * launch;
  const double fwd = fwdGpu > fwdHost ? fwdGpu : fwdHost;
  const double recompute = lay[L::recompute];
  out.fwdS = fwd;
  out.bwdS = bwdGpu > bwdHost ? bwdGpu : bwdHost;
  out.recomputeS = recompute == 2 ? fwd : recompute == 1 ? fwdCore + softmaxS : 0;
  out.fwdGemmS = fwdGemm;
  out.bwdGemmS = bwdGemm;
  out.fwdCoreS = fwdCore;
  out.bwdCoreS = bwdCore;
}

void head_compute(const double* w, const double* chip, const double* lay, LayerCost& out) {
  const double t = lay[L::tp];
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / lay[L::cp];
  const double h = w[W::hidden];
  const double vocab = w[W::vocab] / t;
  const double rate = chip[C::peakBf16Flops] * chip[C::gemmEfficiency];
  const double overhead = chip[C::gemmOverheadS];
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];
  const double accBytes = lay[L::gradientBytes];
  const double fwdGemm = gemm_time_s(tokens, vocab, h, rate, 2, 2, bandwidth) + overhead;
  const double bwdGemm = gemm_time_s(tokens, h, vocab, rate, 2, 2, bandwidth) +
                         gemm_time_s(h, vocab, tokens, rate, 2, 2 * accBytes, bandwidth) + 2 * overhead;
  // Unfused vocabulary-parallel cross-entropy in fp32 (CROSS_ENTROPY_*_BYTES of compute.ts).
  const double logits = tokens * vocab;
  const double lossFwd = (kCrossEntropyFwdBytes * logits) / bandwidth;
  const double lossBwd = (kCrossEntropyBwdBytes * logits) / bandwidth;
  const double host = 8 * lay[L::launchOverheadS];
  out.fwdS = fwdGemm + lossFwd > host ? fwdGemm + lossFwd : host;
  out.bwdS = bwdGemm + lossBwd > host ? bwdGemm + lossBwd : host;
  out.recomputeS = 0;
  out.fwdGemmS = fwdGemm;
  out.bwdGemmS = bwdGemm;
  out.fwdCoreS = 0;
  out.bwdCoreS = 0;
}

void add_zero3_copies(const double* chip, const double* lay, double params, LayerCost& out) {
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];
  const double copyOut = (4 * params) / bandwidth;
  out.fwdS += copyOut;
  out.bwdS += copyOut + (2 * lay[L::gradientBytes] * params) / bandwidth;
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
