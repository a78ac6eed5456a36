#include "training_memo.hpp"

#include <cstring>
#include <memory>

#include "training_fields.hpp"

namespace linkcap::training {

MemoKey memo_key(const double* lay) {
  return {lay[L::workload],         lay[L::chip],           lay[L::cluster],       lay[L::tp],
          lay[L::pp],               lay[L::dp],             lay[L::ep],            lay[L::cp],
          lay[L::microbatch],       lay[L::recompute],      lay[L::zero] == 3 ? 1.0 : 0.0,
          lay[L::precision],        lay[L::commPrecision],  lay[L::sequenceParallel],
          lay[L::flashAttention],   lay[L::gradientBytes],  lay[L::launchOverheadS],
          lay[L::fusedKernels]};
}

LayerCostMemo::LayerCostMemo() : entries_(std::size_t{1} << kBits) {
  for (Entry& entry : entries_) entry.valid = false;
}

void LayerCostMemo::begin(std::uint64_t generation) {
  if (generation == generation_) return;
  for (Entry& entry : entries_) entry.valid = false;
  generation_ = generation;
}

KindCosts& LayerCostMemo::find(const MemoKey& key, bool& hit) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (double field : key) {
    std::uint64_t bits;
    std::memcpy(&bits, &field, sizeof bits);
    h = (h ^ bits ^ (bits >> 31)) * 0xC2B2AE3D27D4EB4FULL;
  }
  Entry& entry = entries_[h >> (64 - kBits)];
  // Compare bits, not values: a key field that is NaN (a row the layout check refuses never gets here) or
  // −0 must not match a different entry.
  hit = entry.valid && std::memcmp(entry.key.data(), key.data(), sizeof(double) * kMemoKeyFields) == 0;
  if (!hit) {
    entry.key = key;
    entry.valid = true;
  }
  return entry.value;
}

LayerCostMemo& thread_layer_memo() {
  thread_local std::unique_ptr<LayerCostMemo> memo;
  if (!memo) memo = std::make_unique<LayerCostMemo>();
  return *memo;
}

}  // namespace linkcap::training
