// Memory per GPU (packages/core/src/training/memory.ts): weights, gradients and optimizer states under the
// ZeRO stage, activations under the recompute mode and the pipeline schedule's in-flight microbatches.
#pragma once

#include "training_compute.hpp"
#include "training_fields.hpp"

namespace linkcap::training {

// Fills denseParams and expertParams (per GPU) of one layer of `kind`.
void layer_params(const double* w, const double* lay, LayerKind kind, LayerCost& out);

// Fills actBytes (under the recompute mode) and fullActBytes (without recompute) of one layer of `kind`.
void layer_activation_bytes(const double* w, const double* lay, LayerKind kind, LayerCost& out);

// Memory of one pipeline stage.
struct StageMemory {
  double weights;
  double gradients;
  double optimizer;
  double activations;
  double total;
};

// Memory of one stage holding denseParams and expertParams per GPU, layerActivations bytes per in-flight
// microbatch, inFlight microbatches, plus extraActivations; dpDense / dpExpert are the groups ZeRO shards over,
// gatheredParams the per-GPU parameters of the largest layer (ZeRO-3 keeps two gathered). Inline: it runs once
// per pipeline stage of every configuration.
inline void stage_memory(const double* lay, double denseParams, double expertParams, double dpDense,
                         double dpExpert, double layerActivations, double inFlight, double extraActivations,
                         double gatheredParams, StageMemory& out) {
  const double zero = lay[L::zero];
  // memory.ts divides by (zero ≥ k ? group : 1) for each part; x / 1 is x and the quotients repeat, so they are
  // computed once here (the same doubles).
  const double denseShard = zero >= 1 ? denseParams / dpDense : denseParams;
  const double expertShard = zero >= 1 ? (expertParams == 0 ? 0 : expertParams / dpExpert) : expertParams;
  const double optimizerShard = denseShard + expertShard;
  const double gradientShard = zero >= 2 ? denseShard + expertShard : denseParams + expertParams;
  const double weightShard = zero >= 3 ? denseShard + expertShard : denseParams + expertParams;
  out.weights = 2 * weightShard + (zero >= 3 ? 2 * 2 * gatheredParams : 0);
  out.gradients = lay[L::gradientBytes] * gradientShard;
  out.optimizer = 12 * optimizerShard;
  out.activations = layerActivations * inFlight + extraActivations;
  out.total = out.weights + out.gradients + out.optimizer + out.activations;
}

// Microbatches stage `stage` of p keeps in flight, in units of the stage's activations (inFlightMicrobatches of
// memory.ts): 1F1B min(m, p − i); interleaved, Megatron-Core's warm-up of 2(p − i − 1) + (v − 1)·N chunk forwards
// (N = group, 0 for p), at most m·v, plus one, each chunk 1/v of the stage.
inline double in_flight_microbatches(double stage, double p, double m, double v, double group) {
  if (v == 1) return m < p - stage ? m : p - stage;
  const double n = group == 0 ? p : group;
  const double warmup = 2 * (p - stage - 1) + (v - 1) * n;
  const double total = m * v;
  return ((warmup < total ? warmup : total) + (warmup < total ? 1 : 0)) / v;
}

}  // namespace linkcap::training
