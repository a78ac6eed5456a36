#include "training_memo.hpp"

#include <memory>

#include "training_fields.hpp"

namespace linkcap::training {

ComputeKey compute_key(const double* lay) {
  return {lay[L::workload],      lay[L::chip],          lay[L::tp],           lay[L::ep],
          lay[L::cp],            lay[L::microbatch],    lay[L::recompute],    lay[L::zero] == 3 ? 1.0 : 0.0,
          lay[L::precision],     lay[L::sequenceParallel], lay[L::flashAttention], lay[L::gradientBytes],
          lay[L::launchOverheadS], lay[L::fusedKernels], lay[L::recomputeModules], lay[L::fp8ActivationCache],
          lay[L::attentionKernel]};
}

LayoutKey layout_key(const double* lay) {
  return {lay[L::workload],       lay[L::chip],           lay[L::cluster],        lay[L::tp],
          lay[L::pp],             lay[L::dp],             lay[L::ep],             lay[L::cp],
          lay[L::microbatch],     lay[L::recompute],      lay[L::zero] == 3 ? 1.0 : 0.0,
          lay[L::precision],      lay[L::commPrecision],  lay[L::sequenceParallel],
          lay[L::flashAttention], lay[L::gradientBytes],  lay[L::launchOverheadS],
          lay[L::fusedKernels],   lay[L::recomputeModules], lay[L::fp8ActivationCache],
          lay[L::attentionKernel]};
}

LayerCostMemo& thread_layer_memo() {
  thread_local std::unique_ptr<LayerCostMemo> memo;
  if (!memo) memo = std::make_unique<LayerCostMemo>();
  return *memo;
}

}  // namespace linkcap::training
