// Port of layerParams, layerActivationBytes and stageMemory (packages/core/src/training/memory.ts).
#include "training_memory.hpp"

#include "training_fields.hpp"
#include "training_workload.hpp"

namespace linkcap::training {

void layer_params(const double* w, const double* lay, LayerKind kind, LayerCost& out) {
  const double t = lay[L::tp];
  const double attention = attention_weights_per_rank(w, t) + attention_small_params_per_rank(w, t);
  if (kind == LayerKind::Dense) {
    out.denseParams = attention + dense_mlp_params_per_rank(w, t);
    out.expertParams = 0;
  } else {
    out.denseParams = attention + moe_dense_params_per_rank(w, t);
    out.expertParams = (w[W::experts] / lay[L::ep]) * expert_params(w);
  }
}

void layer_activation_bytes(const double* w, const double* lay, LayerKind kind, LayerCost& out) {
  const double t = lay[L::tp];
  const double s = w[W::seqLen];
  const double h = w[W::hidden];
  const double dq = w[W::headDim];
  const double dv = w[W::vHeadDim];
  const double dropout = w[W::dropout];
  const double tokens = (lay[L::microbatch] * s) / lay[L::cp];
  const double r = lay[L::sequenceParallel] == 1 && t > 1 ? 1 / t : 1;
  const double ar = w[W::heads] / t;
  const double kv = w[W::kvLoraRank] > 0 ? ar : kv_heads_per_rank(w, t);
  const bool flash = lay[L::flashAttention] == 1;
  const bool gated = w[W::gatedFfn] == 1;

  // FP8 runs keep FP8 copies of the linear layers' weight-gradient inputs (see memory.ts).
  const double fp8 = lay[L::precision] == 1 ? 1 : 0;
  double perToken = (8 + 2 * dropout - 2 * fp8) * h * r;
  perToken += 2 * ar * dq + 2 * kv * (dq + dv) + (2 + fp8) * ar * dv;
  const double scores = flash ? 4 * ar : (2 + 3 * dropout) * ar * s;
  if (kind == LayerKind::Dense) {
    perToken += ((gated ? 6 : 4) - fp8) * w[W::ffn] / t;
  } else {
    const double ffnE = w[W::expertFfn];
    perToken += (w[W::topK] * (2 * h + ((gated ? 6 : 4) - fp8) * ffnE)) / t;
    perToken += (w[W::sharedExperts] * ((gated ? 6 : 4) - fp8) * ffnE) / t;
    perToken += (4 * w[W::experts]) / t;
  }
  const double full = tokens * (perToken + scores);
  const double recompute = lay[L::recompute];
  out.fullActBytes = full;
  out.actBytes = recompute == 2 ? tokens * 2 * h * r : recompute == 1 ? tokens * perToken : full;
}

}  // namespace linkcap::training
