#include "training_pricing.hpp"

#include <atomic>
#include <memory>

#include "training_math.hpp"

namespace linkcap::training {

std::uint64_t next_pricing_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

PricingCache& thread_pricing_cache(const PricingTable& table) {
  thread_local std::unique_ptr<PricingCache> cache;
  if (!cache) {
    cache = std::make_unique<PricingCache>();
    cache->entries.assign(std::size_t{1} << kPricingCacheBits, PricingEntry{0, 0, 0, kEmptyCluster, 0, 0});
  }
  if (cache->generation != table.generation) {
    const std::size_t length = table.rowCount * kClusterFieldCount;
    const bool same = cache->clusterRows.size() == length &&
                      (length == 0 || std::memcmp(cache->clusterRows.data(), table.packedRows, length * sizeof(double)) == 0);
    if (!same) {
      for (PricingEntry& entry : cache->entries) entry.cluster = kEmptyCluster;
      cache->clusterRows.assign(table.packedRows, table.packedRows + length);
    }
    cache->generation = table.generation;
  }
  return *cache;
}

double Pricer::price(Op op, double bytes, std::uint32_t g, std::uint32_t domains) {
  const Placement placement = place_ranks(*prepared_, g, domains);
  PointResult result;
  const PointStatus status = select_candidate(prepared_->params, placement, op, bytes, kAuto, kAuto, result);
  return status == PointStatus::Ok ? result.timeS : kNaN;
}

}  // namespace linkcap::training
