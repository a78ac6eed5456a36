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
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
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
  // No default values: the entries live in zeroed storage that is never constructed (DirectMemo), and whoever
  // fills an entry sets tailZero = -1 first (training_step.cpp).
  mutable double tailZero;
  mutable double tailDense;
  mutable double tailExpert;
  mutable double tailReduceS;
  mutable double tailGatherS;
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

// A direct-mapped cache of 2^Bits entries keyed by the bits of a few doubles. Each entry carries the generation it was written in, so forgetting
// everything is one counter change rather than a pass over megabytes (a one-configuration call such as
// predictTraining starts a new generation each time), and the storage comes from calloc: the operating system
// hands out zeroed pages when they are first touched, so a thread that prices one configuration touches a few
// entries, not the whole table. Generation 0 is never used, so zeroed entries are empty.
template <std::size_t Fields, typename Value, unsigned Bits>
class DirectMemo {
 public:
  using Key = std::array<double, Fields>;

  DirectMemo() : entries_(static_cast<Entry*>(std::calloc(std::size_t{1} << Bits, sizeof(Entry)))) {
    if (entries_ == nullptr) throw std::bad_alloc();
  }
  DirectMemo(const DirectMemo&) = delete;
  DirectMemo& operator=(const DirectMemo&) = delete;
  ~DirectMemo() { std::free(entries_); }

  // Forgets every entry when `generation` (one per batch, never 0: the packed rows may have changed) is new.
  void begin(std::uint64_t generation) {
    if (generation == generation_) return;
    last_ = nullptr;
    generation_ = generation;
  }

  // The value stored for `key` in this generation, or nullptr.
  Value* lookup(const Key& key) {
    // Consecutive configurations of a search often share the key: try the last entry before hashing.
    if (last_ != nullptr && same_bits(last_->key, key)) return &last_->value;
    Entry& entry = entries_[slot(key)];
    if (entry.generation != generation_ || !same_bits(entry.key, key)) return nullptr;
    last_ = &entry;
    return &entry.value;
  }

  // The slot for `key`, marked as written in this generation; the caller fills the value.
  Value& insert(const Key& key) {
    Entry& entry = entries_[slot(key)];
    entry.key = key;
    entry.generation = generation_;
    last_ = &entry;
    return entry.value;
  }

 private:
  struct Entry {
    Key key;
    std::uint64_t generation;
    Value value;
  };
  // calloc'd storage holds valid entries only for types with no constructor or destructor to run (C++20 creates
  // such objects implicitly in allocated storage).
  static_assert(std::is_trivially_default_constructible_v<Entry> && std::is_trivially_destructible_v<Entry>);

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

  Entry* entries_;
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
