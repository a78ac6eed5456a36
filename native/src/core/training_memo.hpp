// Per-thread memo of the schedule-independent part of a training configuration: the per-kind layer costs
// (compute, parameters, activations, raw communication), the group placement and the pipeline point-to-point
// price. They depend on the workload, chip and cluster rows and on 15 layout fields, not on the interleave,
// batch, overlap, recompute-count or offload fields a search varies fastest; a search of a few hundred thousand
// configurations has a few thousand distinct keys. A hit returns the very doubles the computation produced,
// so results are identical with or without the memo (the differential test checks native against the
// TypeScript reference, which has no memo).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "training_compute.hpp"
#include "training_placement.hpp"

namespace linkcap::training {

// What compute_kind_costs (training_step.cpp) produces for one layout.
struct KindCosts {
  LayerCost costs[4];  // dense layer, MoE layer, embedding stage, head stage
  GroupShapes groups;
  double p2pS;
  bool placeable;
};

inline constexpr std::size_t kMemoKeyFields = 18;
using MemoKey = std::array<double, kMemoKeyFields>;

// The key of a layout row: its row indices and the layout fields the per-kind costs read.
MemoKey memo_key(const double* lay);

class LayerCostMemo {
 public:
  static constexpr unsigned kBits = 9;  // 512 entries × ~900 bytes per thread

  LayerCostMemo();

  // Forgets every entry when `generation` (one per batch: the packed rows may have changed) is new.
  void begin(std::uint64_t generation);

  // The entry for `key`: `hit` tells whether it already holds the costs of this key; on a miss the caller
  // fills entry.value and the entry is then valid for the key.
  KindCosts& find(const MemoKey& key, bool& hit);

 private:
  struct Entry {
    MemoKey key;
    bool valid;
    KindCosts value;
  };
  std::vector<Entry> entries_;
  std::uint64_t generation_ = 0;
};

// This thread's memo (allocated on first use).
LayerCostMemo& thread_layer_memo();

}  // namespace linkcap::training
