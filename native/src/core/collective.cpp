// Port of packages/core/src/model/collective.ts. Each expression below is written with the same operand
// order and parenthesisation as its TypeScript twin: IEEE doubles are not associative, and the differential
// test expects the same bits. The build uses -ffp-contract=off so no multiply-add gets fused.
#include "collective.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "collective_terms.hpp"
#include "tuner_constants.hpp"

namespace linkcap {
namespace {

using namespace tuner;
using terms::js_min;
using terms::kNaN;

// floorLog2 as the TypeScript loop computes it (0 for x < 2), with integer logic.
inline unsigned floor_log2(std::uint64_t x) { return x < 2 ? 0u : static_cast<unsigned>(std::bit_width(x)) - 1u; }

// isPowerOfTwo. Spelled out because std::has_single_bit becomes a libgcc popcount call on baseline x86-64.
inline bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

PreparedCluster prepare_cluster(const ClusterParams& c) {
  PreparedCluster prepared;
  prepared.params = c;
  prepared.upHopExtraUs = c.scaleUpHopUs - kReferenceUpHopUs;
  prepared.netHopExtraUsLeaf = c.scaleOutHopUs - kReferenceNetHopUs;
  prepared.netHopExtraUsSpine = (c.scaleOutHopUs + 2 * c.tierHopUs) - kReferenceNetHopUs;
  prepared.outGBpsLeaf = c.scaleOutGBps;
  prepared.outGBpsSpine = c.scaleOutGBps / c.oversubscription;
  return prepared;
}

Placement place_ranks(const PreparedCluster& prepared, std::uint64_t gRanks, std::uint64_t domainCount) {
  const ClusterParams& c = prepared.params;
  const double g = static_cast<double>(gRanks);
  const double domains = static_cast<double>(domainCount);
  const std::uint64_t nRanks = gRanks * domainCount;
  const double n = g * domains;
  const bool crossesSpine = domains > c.leafDomains;
  const double up = c.scaleUpGBps;
  // A ring on a full mesh can only use the links that Hamiltonian cycles cover: 2⌊(g−1)/2⌋ of g−1.
  double ringUp = up;
  if (c.scaleUpTopology == 1 && g > 3) ringUp = (up * (2 * std::floor((g - 1) / 2))) / (g - 1);
  // All-to-all on a bidirectional ring: links carry the multi-hop load, 4(g−1)/g² of the per-GPU bandwidth.
  double directUp = up;
  if (c.scaleUpTopology == 2 && g > 2) directUp = up * js_min(1, (4 * (g - 1)) / (g * g));
  // One point-to-point message uses one link of a mesh, one direction of a ring.
  double p2pUp = up;
  if (c.scaleUpTopology == 1 && g > 2) p2pUp = up / (g - 1);
  if (c.scaleUpTopology == 2) p2pUp = up / 2;

  Placement p;
  p.n = n;
  p.g = g;
  p.domains = domains;
  p.log2G = floor_log2(gRanks);
  p.log2Domains = floor_log2(domainCount);
  p.nPowerOfTwo = is_power_of_two(nRanks);
  p.gPowerOfTwo = is_power_of_two(gRanks);
  p.upGBps = up;
  p.ringUpGBps = ringUp;
  p.directUpGBps = directUp;
  p.p2pUpGBps = p2pUp;
  p.outGBps = crossesSpine ? prepared.outGBpsSpine : prepared.outGBpsLeaf;
  // LL across domains is held to the tuner's multi-node ceiling.
  double llCap = c.llCapGBps;
  if (domains > 1) llCap = js_min(llCap, domains <= 2 ? kLLCapTwoDomainsGBps : kLLCapManyDomainsGBps);
  p.llCapGBps = llCap;
  p.upHopExtraUs = prepared.upHopExtraUs;
  p.netHopExtraUs = crossesSpine ? prepared.netHopExtraUsSpine : prepared.netHopExtraUsLeaf;
  p.baseScale = c.cudaGraph == 1 ? 0 : 1;
  p.callUs = c.callLatencyUs;
  return p;
}

Placement place_ranks(const ClusterParams& c, std::uint64_t g, std::uint64_t domains) {
  return place_ranks(prepare_cluster(c), g, domains);
}

bool place_gpus(const PreparedCluster& prepared, std::uint64_t gpus, Placement& out) {
  if (gpus < 2) return false;
  const double perDomain = prepared.params.gpusPerDomain;
  // g ≤ gpus, so it fits the integer type even when gpusPerDomain is huge.
  const std::uint64_t g = static_cast<double>(gpus) <= perDomain ? gpus : static_cast<std::uint64_t>(perDomain);
  std::uint64_t domains;
  if (gpus <= UINT32_MAX) {
    // Batch GPU counts are Uint32: a 32-bit division is several times cheaper than a 64-bit one.
    const auto n32 = static_cast<std::uint32_t>(gpus);
    const auto g32 = static_cast<std::uint32_t>(g);
    if (n32 % g32 != 0) return false;
    domains = n32 / g32;
  } else {
    if (gpus % g != 0) return false;
    domains = gpus / g;
  }
  out = place_ranks(prepared, g, domains);
  return true;
}

double bus_bandwidth_factor(Op op, double n) {
  if (op == Op::AllReduce) return (2 * (n - 1)) / n;
  if (terms::is_scatter_or_gather(op) || op == Op::AllToAll) return (n - 1) / n;
  return 1;
}

namespace {

// The pricing of one (algorithm, protocol) pair, with both as compile-time constants: select_candidate
// expands all 24 pairs inline, so each switch and table lookup folds away and the compiler can share the
// protocol-independent arithmetic of an algorithm between its protocols. The terms (collective_terms.hpp)
// perform exactly the operations of evaluateCandidate in collective.ts, so the doubles are the same.
template <unsigned algo, unsigned proto>
[[gnu::always_inline]] inline bool price(const ClusterParams& c, const Placement& p, Op op, double bytes,
                                        CandidateCost& out) {
  if (!terms::eligible<algo, proto>(c, p, op)) return false;
  const terms::Shares s = terms::shares<algo>(p, op, bytes);
  const double upS = terms::transfer_s(terms::timed_up_bytes<algo>(p, bytes, s), terms::up_gbps<algo, proto>(c, p, op));
  const double netS = terms::transfer_s(s.net, terms::net_gbps<algo, proto>(c, p));
  out.timeS = terms::candidate_time<algo, proto>(terms::latency_us<algo, proto>(p, op) * 1e-6, upS, netS, bytes);
  out.scaleUpBytes = s.up;
  out.scaleOutBytes = s.net;
  return true;
}

using PriceFn = bool (*)(const ClusterParams&, const Placement&, Op, double, CandidateCost&);

template <std::size_t... pair>
constexpr std::array<PriceFn, sizeof...(pair)> price_table(std::index_sequence<pair...>) {
  return {&price<pair / kProtocolCount, pair % kProtocolCount>...};
}

// Indexed by algo * kProtocolCount + proto.
constexpr auto kPriceTable = price_table(std::make_index_sequence<kAlgorithmCount * kProtocolCount>{});

}  // namespace

bool evaluate_candidate(const ClusterParams& c, const Placement& p, Op op, double bytes, unsigned algo,
                        unsigned proto, CandidateCost& out) {
  if (algo >= kAlgorithmCount || proto >= kProtocolCount) return false;
  return kPriceTable[algo * kProtocolCount + proto](c, p, op, bytes, out);
}

namespace {

inline void clear_result(PointResult& out) {
  out.timeS = kNaN;
  out.algbwGBps = kNaN;
  out.busbwGBps = kNaN;
  out.algo = kAuto;
  out.proto = kAuto;
  out.scaleUpBytes = kNaN;
  out.scaleOutBytes = kNaN;
}

// Whether the auto loop skips algorithm `a` for the requested algorithm column value.
inline bool skip_algorithm(unsigned a, std::uint8_t algo) {
  return algo == kAuto ? kNcclAlgorithm[a] == 0 : algo != kAutoAll && a != algo;
}

// One step of the auto loop: price pair (a, pr) unless the request excludes it, keep it if strictly faster.
// Ties keep the earlier (algorithm, protocol), as in the TypeScript.
template <unsigned a, unsigned pr>
[[gnu::always_inline]] inline void consider(const ClusterParams& c, const Placement& p, Op op, double bytes,
                                            std::uint8_t algo, std::uint8_t proto, bool& found, PointResult& out) {
  if (skip_algorithm(a, algo)) return;
  if (proto != kAuto && pr != proto) return;
  CandidateCost scratch;
  if (!price<a, pr>(c, p, op, bytes, scratch)) return;
  if (!found || scratch.timeS < out.timeS) {
    found = true;
    out.timeS = scratch.timeS;
    out.algo = static_cast<std::uint8_t>(a);
    out.proto = static_cast<std::uint8_t>(pr);
    out.scaleUpBytes = scratch.scaleUpBytes;
    out.scaleOutBytes = scratch.scaleOutBytes;
  }
}

// The TypeScript's nested loop (algorithms 0..7 outer, protocols 0..2 inner), unrolled in the same order.
template <std::size_t... pair>
[[gnu::always_inline]] inline void consider_all(const ClusterParams& c, const Placement& p, Op op, double bytes,
                                                std::uint8_t algo, std::uint8_t proto, bool& found, PointResult& out,
                                                std::index_sequence<pair...>) {
  (consider<pair / kProtocolCount, pair % kProtocolCount>(c, p, op, bytes, algo, proto, found, out), ...);
}

}  // namespace

PointStatus select_candidate(const ClusterParams& c, const Placement& p, Op op, double bytes, std::uint8_t algo,
                             std::uint8_t proto, PointResult& out) {
  clear_result(out);
  bool found = false;
  consider_all(c, p, op, bytes, algo, proto, found, out, std::make_index_sequence<kAlgorithmCount * kProtocolCount>{});
  if (!found) {
    out.status = PointStatus::NoEligibleAlgorithm;
    return out.status;
  }
  out.algbwGBps = bytes / out.timeS / 1e9;
  out.busbwGBps = out.algbwGBps * bus_bandwidth_factor(op, p.n);
  out.status = PointStatus::Ok;
  return out.status;
}

PointStatus evaluate_point(const PreparedCluster& c, Op op, double bytes, std::uint64_t gpus, std::uint8_t algo,
                           std::uint8_t proto, PointResult& out) {
  Placement placement;
  if (!place_gpus(c, gpus, placement)) {
    clear_result(out);
    out.status = PointStatus::BadGpuCount;
    return out.status;
  }
  return select_candidate(c.params, placement, op, bytes, algo, proto, out);
}

}  // namespace linkcap
