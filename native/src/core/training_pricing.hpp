// The price of one collective of a training step: collectiveS of packages/core/src/training/placement.ts
// (place_ranks + select_candidate with NCCL's algorithms, AUTO protocol), behind a per-thread memo.
//
// A training configuration prices 5–25 collectives, and most of them recur across configurations (the same
// TP message on the same TP group for every schedule, ZeRO stage and overlap). The memo is a direct-mapped
// table per thread keyed by exactly what the price depends on: (cluster row, op, g, N, bytes bits). A hit
// returns the double select_candidate returned for those very inputs, so results are identical with or
// without it. Each thread's table survives across calls while the packed cluster rows stay bit-identical
// (searchLayouts evaluates one search in many calls on the same rows) and is emptied when they change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "collective.hpp"

namespace linkcap::training {

struct PricingEntry {
  std::uint64_t bytesBits;
  std::uint32_t g;
  std::uint32_t domains;
  std::uint32_t cluster;  // kEmptyCluster: unused slot
  std::uint32_t op;
  double timeS;
};

inline constexpr std::uint32_t kEmptyCluster = 0xFFFFFFFFu;
inline constexpr unsigned kPricingCacheBits = 14;  // 16,384 entries × 32 bytes = 512 KiB per thread

struct PricingCache {
  std::vector<PricingEntry> entries;
  std::vector<double> clusterRows;  // the packed rows the entries were priced on
  std::uint64_t generation = 0;     // the batch that last used this table
};

// The prepared cluster table of one batch, shared read-only by every worker.
struct PricingTable {
  const PreparedCluster* clusters = nullptr;
  const double* packedRows = nullptr;  // the caller's packed cluster rows (kClusterFieldCount each)
  std::size_t rowCount = 0;
  std::uint64_t generation = 0;  // unique per batch (next_pricing_generation)
};

std::uint64_t next_pricing_generation();

// This thread's memo, made valid for `table` (kept if the cluster rows are bit-identical to those it was
// filled for, emptied otherwise). Allocates only the first time a thread asks.
PricingCache& thread_pricing_cache(const PricingTable& table);

// What one worker uses while it evaluates configurations of one cluster row.
class Pricer {
 public:
  Pricer(const PricingTable& table, PricingCache& cache, std::uint32_t cluster)
      : prepared_(&table.clusters[cluster]), cache_(&cache), cluster_(cluster) {}

  const ClusterParams& params() const { return prepared_->params; }

  // Seconds of one collective (op, nccl-tests size in bytes) on a group of g ranks per domain × N domains.
  // Zero for an empty message or a group of one; NaN when no algorithm is eligible. g and domains are whole
  // numbers below 2^32 (the batch validation guarantees it).
  double collective_s(Op op, double bytes, double g, double domains) {
    if (bytes <= 0 || g * domains < 2) return 0;
    std::uint64_t bits;
    std::memcpy(&bits, &bytes, sizeof bits);
    const auto gi = static_cast<std::uint32_t>(g);
    const auto ni = static_cast<std::uint32_t>(domains);
    const auto opi = static_cast<std::uint32_t>(op);
    std::uint64_t h = bits ^ (bits >> 29);
    h ^= ((static_cast<std::uint64_t>(gi) << 32) | ni) * 0xC2B2AE3D27D4EB4FULL;
    h ^= ((static_cast<std::uint64_t>(cluster_) << 3) | opi) * 0x165667B19E3779F9ULL;
    h *= 0x9E3779B97F4A7C15ULL;
    PricingEntry& entry = cache_->entries[h >> (64 - kPricingCacheBits)];
    if (entry.bytesBits == bits && entry.g == gi && entry.domains == ni && entry.cluster == cluster_ && entry.op == opi) {
      return entry.timeS;
    }
    const double timeS = price(op, bytes, gi, ni);
    entry.bytesBits = bits;
    entry.g = gi;
    entry.domains = ni;
    entry.cluster = cluster_;
    entry.op = opi;
    entry.timeS = timeS;
    return timeS;
  }

 private:
  double price(Op op, double bytes, std::uint32_t g, std::uint32_t domains);

  const PreparedCluster* prepared_;
  PricingCache* cache_;
  std::uint32_t cluster_;
};

}  // namespace linkcap::training
