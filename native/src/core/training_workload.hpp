// Parameter and FLOP counts of a packed workload row: the numeric helpers of
// packages/core/src/training/workload.ts, line by line (same operand order and parenthesisation; IEEE doubles
// are not associative and the differential test holds the port to 1e-9). `w` points at the row. Per-rank forms
// take the tensor-parallel size t (t = 1 gives the whole model). Inline: they are called many times per
// configuration and each is a handful of operations.
#pragma once

#include "training_fields.hpp"

namespace linkcap::training {

// Key/value heads each tensor-parallel rank holds: kvHeads / t, or 1 (replicated) when t > kvHeads.
inline double kv_heads_per_rank(const double* w, double t) {
  const double kv = w[W::kvHeads];
  return kv >= t ? kv / t : 1;
}

inline bool is_moe(const double* w) { return w[W::experts] > 0; }

// Layers of the workload that are MoE layers.
inline double moe_layer_count(const double* w) {
  return w[W::experts] > 0 ? w[W::layers] - w[W::firstDenseLayers] : 0;
}

// FFN weight matrices: 3 for a gated (SwiGLU) FFN, 2 otherwise.
inline double ffn_matrices(const double* w) { return w[W::gatedFfn] == 1 ? 3 : 2; }

// Attention matmul weights one TP rank holds (biases and norms excluded).
inline double attention_weights_per_rank(const double* w, double t) {
  const double h = w[W::hidden];
  const double a = w[W::heads];
  const double dq = w[W::headDim];
  const double dv = w[W::vHeadDim];
  const double kvLora = w[W::kvLoraRank];
  if (kvLora > 0) {
    const double qLora = w[W::qLoraRank];
    const double rope = w[W::ropeHeadDim];
    const double qPart = qLora > 0 ? h * qLora + (qLora * a * dq) / t : (h * a * dq) / t;
    const double kvPart = h * (kvLora + rope) + (kvLora * a * (dq - rope + dv)) / t;
    return qPart + kvPart + (a * dv * h) / t;
  }
  const double kvr = kv_heads_per_rank(w, t);
  return (h * a * dq) / t + h * kvr * (dq + dv) + (a * dv * h) / t;
}

// Attention biases and norm parameters per rank (LayerNorm gain+bias or RMSNorm gain; MLA latent norms).
inline double attention_small_params_per_rank(const double* w, double t) {
  const double h = w[W::hidden];
  const double biases = w[W::biases];
  const double norm = (biases == 1 ? 2 : 1) * h;
  double small = 2 * norm;
  if (w[W::kvLoraRank] > 0) small += w[W::qLoraRank] + w[W::kvLoraRank];
  if (biases == 1) {
    const double a = w[W::heads];
    small += (a * w[W::headDim]) / t + kv_heads_per_rank(w, t) * (w[W::headDim] + w[W::vHeadDim]) + h;
  }
  return small;
}

// Dense-FFN weights per rank (biases included when the model has them).
inline double dense_mlp_params_per_rank(const double* w, double t) {
  const double h = w[W::hidden];
  const double ffn = w[W::ffn];
  double params = (ffn_matrices(w) * h * ffn) / t;
  if (w[W::biases] == 1) params += ((w[W::gatedFfn] == 1 ? 2 : 1) * ffn) / t + h;
  return params;
}

// Weights of one expert (gated or not, no biases).
inline double expert_params(const double* w) { return ffn_matrices(w) * w[W::hidden] * w[W::expertFfn]; }

// Shared-expert weights per rank (split over t like a dense FFN) plus the router (replicated).
inline double moe_dense_params_per_rank(const double* w, double t) {
  return (w[W::sharedExperts] * expert_params(w)) / t + w[W::hidden] * w[W::experts];
}

// Embedding-stage parameters per rank: vocabulary-parallel embedding and learned positions.
inline double embedding_params_per_rank(const double* w, double t) {
  const double h = w[W::hidden];
  return (w[W::vocab] * h) / t + (w[W::learnedPositions] == 1 ? w[W::seqLen] * h : 0);
}

// Head-stage parameters per rank: the final norm and the LM head (a tied head keeps a copy when pp > 1).
inline double head_params_per_rank(const double* w, double t, double pp) {
  const double h = w[W::hidden];
  const double norm = (w[W::biases] == 1 ? 2 : 1) * h;
  const double head = w[W::tiedEmbeddings] == 1 && pp == 1 ? 0 : (w[W::vocab] * h) / t;
  return norm + head;
}

// Matmul weights a token touches in one dense layer.
inline double dense_layer_touched_weights(const double* w) {
  return attention_weights_per_rank(w, 1) + ffn_matrices(w) * w[W::hidden] * w[W::ffn];
}

// Matmul weights a token touches in one MoE layer: attention, router, top-k and shared experts.
inline double moe_layer_touched_weights(const double* w) {
  return attention_weights_per_rank(w, 1) + w[W::hidden] * w[W::experts] +
         (w[W::topK] + w[W::sharedExperts]) * expert_params(w);
}

// Attention-core forward FLOPs per token per layer: QKᵀ and AV over the full s × s scores.
inline double attention_core_flops_per_token(const double* w) {
  return 2 * w[W::seqLen] * w[W::heads] * (w[W::headDim] + w[W::vHeadDim]);
}

// Forward FLOPs per token of the whole model (layers, LM head), no recompute.
inline double forward_flops_per_token(const double* w) {
  const double moeLayers = moe_layer_count(w);
  const double denseLayers = w[W::layers] - moeLayers;
  const double core = attention_core_flops_per_token(w);
  return denseLayers * (2 * dense_layer_touched_weights(w) + core) +
         moeLayers * (2 * moe_layer_touched_weights(w) + core) + 2 * w[W::vocab] * w[W::hidden];
}

// Forward FLOPs per token of the transformer layers only (what full recompute repeats).
inline double layer_forward_flops_per_token(const double* w) {
  return forward_flops_per_token(w) - 2 * w[W::vocab] * w[W::hidden];
}

}  // namespace linkcap::training
