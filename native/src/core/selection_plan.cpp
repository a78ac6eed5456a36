#include "selection_plan.hpp"

#include "cluster_table.hpp"

#include <cmath>
#include <cstring>
#include <memory>

namespace linkcap::plan {
namespace {

using namespace terms;

constexpr unsigned A(Algo a) { return static_cast<unsigned>(a); }

template <unsigned algo, unsigned proto>
void fill_lane(ProtocolLanes& f, const ClusterParams& c, const Placement& p, Op op) {
  if (!eligible<algo, proto>(c, p, op)) return;
  f.protocols |= 1u << proto;
  f.latencyS[proto] = latency_us<algo, proto>(p, op) * 1e-6;
  f.upRate[proto] = rate_of(up_gbps<algo, proto>(c, p, op));
  f.netRate[proto] = rate_of(net_gbps<algo, proto>(c, p));
}

template <unsigned algo>
void fill_lanes(ProtocolLanes& f, const ClusterParams& c, const Placement& p, Op op) {
  f.latencyS = Lanes{0, 0, 0, 0};
  f.upRate = Lanes{1, 1, 1, 1};
  f.netRate = Lanes{1, 1, 1, 1};
  f.protocols = 0;
  fill_lane<algo, 0>(f, c, p, op);
  fill_lane<algo, 1>(f, c, p, op);
  fill_lane<algo, 2>(f, c, p, op);
  // Only a bound: any value ≤ every eligible latency is correct; -inf (never prune) when one is NaN.
  double least = std::numeric_limits<double>::infinity();
  for (unsigned proto = 0; proto < kProtocolCount; ++proto) {
    if (!(f.protocols & (1u << proto))) continue;
    const double latency = f.latencyS[proto];
    least = std::isnan(latency) ? -std::numeric_limits<double>::infinity() : std::fmin(least, latency);
    if (std::isinf(least) && least < 0) break;
  }
  f.minLatencyS = least;
  bool positive = true;
  for (unsigned lane = 0; lane < 4; ++lane) positive = positive && f.upRate[lane] > 0 && f.netRate[lane] > 0;
  f.positiveRates = positive;
}

template <unsigned algo>
void fill_single(SingleCandidate& f, const ClusterParams& c, const Placement& p, Op op) {
  f.algo = static_cast<std::uint8_t>(algo);
  f.eligible = eligible<algo, kSimple>(c, p, op);
  f.latencyS = latency_us<algo, kSimple>(p, op) * 1e-6;
  f.upRate = rate_of(up_gbps<algo, kSimple>(c, p, op));
  f.netRate = rate_of(net_gbps<algo, kSimple>(c, p));
}

}  // namespace

void build_plan(GroupPlan& plan, const PreparedCluster& cluster, std::uint64_t key, Op op, std::uint32_t gpus) {
  plan.key = key;
  plan.busFactor = 1;
  plan.placed = place_gpus(cluster, gpus, plan.placement);
  if (!plan.placed) return;
  const ClusterParams& c = cluster.params;
  const Placement& p = plan.placement;
  plan.ringTotalFactor = ring_total_factor(op, p.n);
  plan.busFactor = bus_bandwidth_factor(op, p.n);
  plan.lanes[1].protocols = 0;
  plan.singles[0].eligible = false;
  plan.singles[1].eligible = false;
  if (is_collective_only(op)) {
    fill_lanes<A(Algo::Direct)>(plan.lanes[0], c, p, op);
    return;
  }
  fill_lanes<A(Algo::Ring)>(plan.lanes[0], c, p, op);
  if (op != Op::AllReduce) return;
  fill_lanes<A(Algo::Tree)>(plan.lanes[1], c, p, op);
  // NVLS runs inside one domain and NVLS tree across several: at most one of them is eligible.
  if (p.domains == 1) {
    fill_single<A(Algo::Nvls)>(plan.singles[0], c, p, op);
  } else {
    fill_single<A(Algo::NvlsTree)>(plan.singles[0], c, p, op);
  }
  fill_single<A(Algo::InNetwork)>(plan.singles[1], c, p, op);
}

PlanCache& PlanCache::for_thread(const ClusterTable& table) {
  thread_local std::unique_ptr<PlanCache> cache;
  if (!cache) {
    cache = std::make_unique<PlanCache>();
    cache->plans_ = std::make_unique<GroupPlan[]>(std::size_t{1} << kBits);
    for (std::size_t i = 0; i < (std::size_t{1} << kBits); ++i) cache->plans_[i].key = kEmptyKey;
  }
  if (cache->generation_ != table.generation()) {
    // Bit-identical, not ==: -0 and +0 compare equal but can give other doubles.
    const std::vector<double>& rows = table.rows();
    if (cache->rows_.size() != rows.size() ||
        std::memcmp(cache->rows_.data(), rows.data(), rows.size() * sizeof(double)) != 0) {
      for (std::size_t i = 0; i < (std::size_t{1} << kBits); ++i) cache->plans_[i].key = kEmptyKey;
      cache->rows_ = table.rows();
    }
    cache->generation_ = table.generation();
  }
  return *cache;
}

}  // namespace linkcap::plan
