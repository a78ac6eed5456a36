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
  const double optimizerShard = denseParams / (zero >= 1 ? dpDense : 1) + expertParams / (zero >= 1 ? dpExpert : 1);
  const double gradientShard = denseParams / (zero >= 2 ? dpDense : 1) + expertParams / (zero >= 2 ? dpExpert : 1);
  const double weightShard = denseParams / (zero >= 3 ? dpDense : 1) + expertParams / (zero >= 3 ? dpExpert : 1);
  out.weights = 2 * weightShard + (zero >= 3 ? 2 * 2 * gatheredParams : 0);
  out.gradients = lay[L::gradientBytes] * gradientShard;
  out.optimizer = 12 * optimizerShard;
  out.activations = layerActivations * inFlight + extraActivations;
  out.total = out.weights + out.gradients + out.optimizer + out.activations;
}

// Microbatches stage `stage` of p keeps in flight (1F1B; interleaved with v chunks per device).
inline double in_flight_microbatches(double stage, double p, double m, double v) {
  const double base = m < p - stage ? m : p - stage;
  return v > 1 ? base * (1 + (p - 1) / (p * v)) : base;
}

}  // namespace linkcap::training
