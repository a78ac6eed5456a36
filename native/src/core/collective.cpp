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

#include "tuner_constants.hpp"

namespace linkcap {
namespace {

using namespace tuner;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Math.min / Math.max: NaN wins, and -0 counts as less than +0. (std::min/fmin differ on both.)
inline double js_min(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
inline double js_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

// floorLog2 as the TypeScript loop computes it (0 for x < 2), with integer logic.
inline unsigned floor_log2(std::uint64_t x) { return x < 2 ? 0u : static_cast<unsigned>(std::bit_width(x)) - 1u; }

// isPowerOfTwo. Spelled out because std::has_single_bit becomes a libgcc popcount call on baseline x86-64.
inline bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Time for bytes at a bandwidth in GB/s; zero bytes take no time even on a zero-rate level.
inline double transfer_s(double bytes, double gbps) { return bytes == 0 ? 0 : bytes / (gbps * 1e9); }

// Bandwidth after the protocol's efficiency; LL is also capped per GPU.
inline double with_protocol(const ClusterParams& c, double gbps, double factor, unsigned proto) {
  const double scaled = factor * gbps;
  return proto == static_cast<unsigned>(Proto::LL) ? js_min(c.llCapGBps, scaled) : scaled;
}

inline double tree_factor(unsigned proto, double domains) {
  if (proto == static_cast<unsigned>(Proto::LL)) return kTreeLLFactor;
  if (proto == static_cast<unsigned>(Proto::LL128)) return domains == 1 ? kTreeLL128OneDomain : kTreeLL128MultiDomain;
  return kTreeSimpleFactor;
}

inline bool is_collective_only(Op op) { return op == Op::AllToAll || op == Op::SendRecv; }
inline bool is_scatter_or_gather(Op op) { return op == Op::ReduceScatter || op == Op::AllGather; }

}  // namespace

PreparedCluster prepare_cluster(const ClusterParams& c) {
  PreparedCluster prepared;
  prepared.params = c;
  prepared.upHopScale = c.scaleUpHopUs / kReferenceUpHopUs;
  prepared.netHopScaleLeaf = c.scaleOutHopUs / kReferenceNetHopUs;
  prepared.netHopScaleSpine = (c.scaleOutHopUs + 2 * c.tierHopUs) / kReferenceNetHopUs;
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
  p.upHopScale = prepared.upHopScale;
  p.netHopScale = crossesSpine ? prepared.netHopScaleSpine : prepared.netHopScaleLeaf;
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
  if (is_scatter_or_gather(op) || op == Op::AllToAll) return (n - 1) / n;
  return 1;
}

namespace {

// The pricing of one (algorithm, protocol) pair, with both as compile-time constants: select_candidate
// expands all 24 pairs inline, so each switch and table lookup folds away and the compiler can share the
// protocol-independent arithmetic of an algorithm between its protocols. The operations performed (and so
// the doubles produced) are exactly those of evaluateCandidate in collective.ts.
template <unsigned algo, unsigned proto>
[[gnu::always_inline]] inline bool price(const ClusterParams& c, const Placement& p, Op op, double bytes,
                                        CandidateCost& out) {
  const double n = p.n;
  const double g = p.g;
  const double domains = p.domains;
  const double S = bytes;
  double up = 0;
  double net = 0;
  double latUs = 0;
  double timeS = 0;
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring: {
      if (is_collective_only(op)) return false;
      double total;
      double steps;
      double interSteps;
      if (op == Op::AllReduce) {
        total = ((2 * (n - 1)) / n) * S;
        steps = 2 * (n - 1);
        interSteps = 2 * (domains - 1);
      } else if (is_scatter_or_gather(op)) {
        total = ((n - 1) / n) * S;
        steps = n - 1;
        interSteps = domains - 1;
      } else {
        total = S;
        steps = n - 1;
        interSteps = domains - 1;
      }
      // One ring per NIC: each GPU is the ring's exit from its domain for 1/g of the data.
      up = domains == 1 ? total : (total * (g - 1)) / g;
      net = domains == 1 ? 0 : total / g;
      const double f = kGenericProtoFactor[proto];
      timeS = js_max(transfer_s(up, with_protocol(c, p.ringUpGBps, f, proto)),
                     transfer_s(net, with_protocol(c, p.outGBps, f, proto)));
      latUs = kRingBaseUs[proto] + (steps - interSteps) * (kRingUpHopUs[proto] * p.upHopScale) +
              interSteps * (kRingNetHopUs[proto] * p.netHopScale);
      break;
    }
    case Algo::Tree: {
      if (op != Op::AllReduce) return false;
      // NCCL's tuner view: reduce up and broadcast down move 2S per GPU inside a domain and 2S per domain
      // across the network (spread over its g NICs).
      up = g > 1 ? 2 * S : 0;
      net = domains > 1 ? (2 * S) / g : 0;
      const double f = tree_factor(proto, domains);
      timeS = js_max(transfer_s(up, with_protocol(c, p.ringUpGBps, f, proto)),
                     transfer_s(net, with_protocol(c, p.outGBps, f, proto)));
      latUs = kTreeBaseUs[proto] + 2 * ((g - 1) * (kTreeUpHopUs[proto] * p.upHopScale) +
                                        p.log2Domains * (kTreeNetHopUs[proto] * p.netHopScale));
      break;
    }
    case Algo::Rhd: {
      if (op != Op::AllReduce && !is_scatter_or_gather(op)) return false;
      if (!p.nPowerOfTwo || !p.gPowerOfTwo) return false;
      if (g > 1 && c.scaleUpTopology != 0) return false;
      // Partners at distance ≥ g are in other domains; all-reduce does both halves.
      const double phases = op == Op::AllReduce ? 2 : 1;
      net = (phases * S * (domains - 1)) / domains;
      up = (phases * S * (g - 1)) / g / domains;
      const double f = kGenericProtoFactor[proto];
      // Steps run one after another: the levels add up.
      timeS = transfer_s(up, with_protocol(c, p.upGBps, f, proto)) + transfer_s(net, with_protocol(c, p.outGBps, f, proto));
      latUs = kRingBaseUs[proto] + phases * p.log2G * (kRingUpHopUs[proto] * p.upHopScale) +
              phases * p.log2Domains * (kRingNetHopUs[proto] * p.netHopScale);
      break;
    }
    case Algo::Direct: {
      const double f = kGenericProtoFactor[proto];
      if (op == Op::AllToAll) {
        // Each rank sends S/n to every peer: g−1 peers over scale-up, n−g over the network, concurrently.
        up = (S * (g - 1)) / n;
        net = (S * (n - g)) / n;
        timeS = js_max(transfer_s(up, with_protocol(c, p.directUpGBps, f, proto)),
                       transfer_s(net, with_protocol(c, p.outGBps, f, proto)));
        latUs = kRingBaseUs[proto] + (g > 1 ? kRingUpHopUs[proto] * p.upHopScale : 0) +
                (domains > 1 ? kRingNetHopUs[proto] * p.netHopScale : 0);
      } else if (op == Op::SendRecv) {
        // Every rank sends S to the next; at a domain boundary the message leaves over the NIC.
        up = g > 1 ? S : 0;
        net = domains > 1 ? S : 0;
        timeS = js_max(transfer_s(up, with_protocol(c, p.p2pUpGBps, f, proto)),
                       transfer_s(net, with_protocol(c, p.outGBps, f, proto)));
        latUs = kRingBaseUs[proto] +
                (domains > 1 ? kRingNetHopUs[proto] * p.netHopScale : kRingUpHopUs[proto] * p.upHopScale);
      } else {
        return false;
      }
      break;
    }
    case Algo::Hier: {
      if (is_collective_only(op)) return false;
      if (domains < 2 || g < 2) return false;
      // Scale-up phase, scale-out phase on 1/g of the data per GPU (its own rail), scale-up phase.
      double hops;
      if (op == Op::AllReduce) {
        up = (2 * S * (g - 1)) / g;
        net = (2 * S * (domains - 1)) / domains / g;
        hops = 2;
      } else if (is_scatter_or_gather(op)) {
        up = (S * (g - 1)) / g;
        net = (S * (domains - 1)) / domains / g;
        hops = 1;
      } else {
        up = S;
        net = S / g;
        hops = 1;
      }
      const double f = kGenericProtoFactor[proto];
      timeS = transfer_s(up, with_protocol(c, p.ringUpGBps, f, proto)) + transfer_s(net, with_protocol(c, p.outGBps, f, proto));
      latUs = kRingBaseUs[proto] + hops * (g - 1) * (kRingUpHopUs[proto] * p.upHopScale) +
              hops * (domains - 1) * (kRingNetHopUs[proto] * p.netHopScale);
      break;
    }
    case Algo::Nvls:
    case Algo::NvlsTree: {
      if (op != Op::AllReduce || proto != static_cast<unsigned>(Proto::Simple)) return false;
      if (c.scaleUpTopology != 0 || c.inSwitchReduction != 1 || g < 2) return false;
      const bool tree = static_cast<Algo>(algo) == Algo::NvlsTree;
      if (!tree ? domains != 1 : domains < 2) return false;
      // Each GPU pushes its buffer to the switch once and receives the reduced buffer once.
      up = S;
      net = tree ? (2 * S) / g : 0;
      timeS = js_max(transfer_s(up, c.nvlsEfficiency * p.upGBps), transfer_s(net, kTreeSimpleFactor * p.outGBps));
      latUs = kNvlsBaseUs * p.upHopScale + 2 * p.log2Domains * (kNvlsTreeNetHopUs * p.netHopScale);
      break;
    }
    case Algo::InNetwork: {
      if (op != Op::AllReduce || proto != static_cast<unsigned>(Proto::Simple)) return false;
      if (c.inNetworkReduction != 1 || domains < 2) return false;
      // Reduce-scatter in the domain, 1/g shard through the switch and back, all-gather in the domain.
      constexpr unsigned simple = static_cast<unsigned>(Proto::Simple);
      up = g > 1 ? (2 * S * (g - 1)) / g : 0;
      net = S / g;
      timeS = js_max(transfer_s(up, p.ringUpGBps), transfer_s(net, c.inNetworkEfficiency * p.outGBps));
      latUs = kRingBaseUs[simple] + 2 * (kRingUpHopUs[simple] * p.upHopScale) +
              2 * (kRingNetHopUs[simple] * p.netHopScale);
      break;
    }
    default:
      return false;
  }
  out.timeS = latUs * 1e-6 + timeS;
  out.scaleUpBytes = up;
  out.scaleOutBytes = net;
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
