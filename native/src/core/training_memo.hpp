// Per-thread memos of the parts of a training configuration that its schedule, batch and overlaps do not
// change, in two levels:
//  - compute: the per-kind compute, parameters and activation bytes (compute.ts, memory.ts), keyed by the
//    workload and chip rows and the 16 layout fields they read;
//  - layout: the above plus the group placement, every raw communication price and the pipeline point-to-point
//    price, keyed by the cluster row and the data- and pipeline-parallel sizes as well.
// A search of a few hundred thousand configurations has a few thousand distinct compute keys and about twice as
// many layout keys. A hit returns the very doubles the computation produced, so results are identical with or
// without the memos (the differential test holds native against the TypeScript reference, which has none).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "training_compute.hpp"
#include "training_placement.hpp"

namespace linkcap::training {

// Schedule-independent costs of one layout (compute_part and communication_part in training_step.cpp).
struct KindCosts {
  LayerCost costs[4];  // dense layer, MoE layer, embedding stage, head stage
  GroupShapes groups;
  double p2pS;
  bool placeable;
  // The last data-parallel tail priced for this layout (it depends on the ZeRO stage and on the parameters of
  // the heaviest pipeline stage, which the interleave can change): reused when those are the same.
  mutable double tailZero = -1;
  mutable double tailDense = 0;
  mutable double tailExpert = 0;
  mutable double tailReduceS = 0;
  mutable double tailGatherS = 0;
};

// The compute part: the four kinds' compute, parameter and activation fields; the head stage's parameters
// (they depend on the pipeline size) and every communication field are filled later.
struct ComputeCosts {
  LayerCost costs[4];
};

inline constexpr std::size_t kComputeKeyFields = 17;
inline constexpr std::size_t kLayoutKeyFields = 21;
using ComputeKey = std::array<double, kComputeKeyFields>;
using LayoutKey = std::array<double, kLayoutKeyFields>;

ComputeKey compute_key(const double* lay);
LayoutKey layout_key(const double* lay);

// A direct-mapped table of 2^Bits entries keyed by the bits of a few doubles.
template <std::size_t Fields, typename Value, unsigned Bits>
class DirectMemo {
 public:
  using Key = std::array<double, Fields>;

  DirectMemo() : entries_(std::size_t{1} << Bits) {
    for (Entry& entry : entries_) entry.valid = false;
  }

  // Forgets every entry when `generation` (one per batch: the packed rows may have changed) is new.
  void begin(std::uint64_t generation) {
    if (generation == generation_) return;
    for (Entry& entry : entries_) entry.valid = false;
    last_ = nullptr;
    generation_ = generation;
  }

  // The value stored for `key`, or nullptr.
  Value* lookup(const Key& key) {
    // Consecutive configurations of a search often share the key: try the last entry before hashing.
    if (last_ != nullptr && same_bits(last_->key, key)) return &last_->value;
    Entry& entry = entries_[slot(key)];
    if (!entry.valid || !same_bits(entry.key, key)) return nullptr;
    last_ = &entry;
    return &entry.value;
  }

  // The entry to fill for `key` (replacing whatever its slot held); valid for the key once the caller returns.
  Value& insert(const Key& key) {
    Entry& entry = entries_[slot(key)];
    entry.key = key;
    entry.valid = true;
    last_ = &entry;
    return entry.value;
  }

 private:
  struct Entry {
    Key key;
    bool valid;
    Value value;
  };
  // Bits, not values: −0 or NaN in a key field must not match another entry.
  static bool same_bits(const Key& a, const Key& b) {
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i < Fields; ++i) {
      std::uint64_t x;
      std::uint64_t y;
      std::memcpy(&x, &a[i], sizeof x);
      std::memcpy(&y, &b[i], sizeof y);
      diff |= x ^ y;
    }
    return diff == 0;
  }

  static std::size_t slot(const Key& key) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (double field : key) {
      std::uint64_t bits;
      std::memcpy(&bits, &field, sizeof bits);
      h = (h ^ bits ^ (bits >> 31)) * 0xC2B2AE3D27D4EB4FULL;
    }
    return static_cast<std::size_t>(h >> (64 - Bits));
  }

  std::vector<Entry> entries_;
  Entry* last_ = nullptr;
  std::uint64_t generation_ = 0;
};

// Both levels, per thread (about 2.5 MB for the compute level and 3.5 MB for the layout level).
struct LayerCostMemo {
  DirectMemo<kComputeKeyFields, ComputeCosts, 12> compute;
  DirectMemo<kLayoutKeyFields, KindCosts, 12> layout;

  void begin(std::uint64_t generation) {
    compute.begin(generation);
    layout.begin(generation);
  }
};

// This thread's memos (allocated on first use).
LayerCostMemo& thread_layer_memo();

}  // namespace linkcap::training
