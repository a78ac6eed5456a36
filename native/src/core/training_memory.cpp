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
  const double kvLora = w[W::kvLoraRank];
  const double kv = kvLora > 0 ? ar : kv_heads_per_rank(w, t);
  const bool flash = lay[L::flashAttention] == 1;
  const bool gated = w[W::gatedFfn] == 1;
  const unsigned modules = static_cast<unsigned>(lay[L::recomputeModules]);
  const bool norms = (modules & RecomputeModule::Layernorm) != 0;
  const bool mlaUp = (modules & RecomputeModule::MlaUpProj) != 0 && kvLora > 0;
  const bool moeAct = (modules & RecomputeModule::MoeAct) != 0;
  const bool mlp = (modules & RecomputeModule::Mlp) != 0;
  const bool cache = lay[L::fp8ActivationCache] == 1;

  // FP8 runs keep FP8 copies of the linear layers' weight-gradient inputs; recomputed modules keep nothing
  // (see memory.ts).
  const double fp8 = lay[L::precision] == 1 ? 1 : 0;
  double perToken = (4 + 2 * dropout + (norms ? 0 : 4 - 2 * fp8)) * h * r;
  const double output = cache ? 1.5 : 2 + fp8;
  if (mlaUp) {
    perToken += output * ar * dv;
  } else {
    perToken += 2 * ar * dq + 2 * kv * (dq + dv) + output * ar * dv;
  }
  if (kvLora > 0) {
    const double latents = w[W::qLoraRank] + kvLora;
    perToken += (2 + (norms ? 0 : 2 - fp8)) * latents + 2 * w[W::ropeHeadDim];
  }
  const double scores = flash ? 4 * ar : (2 + 3 * dropout) * ar * s;
  const double activationIn = gated ? 4 : 2;
  const double activationOut = 2 - fp8;
  if (kind == LayerKind::Dense) {
    if (!mlp) perToken += ((gated ? 6 : 4) - fp8) * w[W::ffn] / t;
  } else {
    const double ffnE = w[W::expertFfn];
    const double expertIn = cache ? activationIn / 2 : activationIn;
    perToken += (w[W::topK] * ((2 - fp8) * h + (expertIn + (moeAct ? 0 : activationOut)) * ffnE)) / t;
    if (!mlp) perToken += (w[W::sharedExperts] * (expertIn + activationOut) * ffnE) / t;
    perToken += (4 * w[W::experts]) / t;
  }
  const double full = tokens * (perToken + scores);
  const double recompute = lay[L::recompute];
  out.fullActBytes = full;
  out.actBytes = recompute == 2 ? tokens * 2 * h * r : recompute == 1 ? tokens * perToken : full;
}

}  // namespace linkcap::training
