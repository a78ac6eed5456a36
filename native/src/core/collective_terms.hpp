// The terms of the collective cost model, one function per term, shared by the generic pricing in
// collective.cpp and the batch fast path in selection_plan.cpp. Internal to linkcap_core.
//
// evaluateCandidate (packages/core/src/model/collective.ts) prices a pair (algorithm, protocol) as
//
//   timeS = latUs * 1e-6 + combine(transferS(up, upGBps), transferS(net, netGBps))
//
// and of its inputs only `up` and `net` depend on the message size. Eligibility, the bandwidths after the
// protocol and the latency depend on the cluster, the placement, the op and the pair alone. Splitting them
// apart lets a batch compute the size-independent terms once per (cluster, GPU count, op) and reuse them for
// every size: each term is still the same operations on the same operands, in the same order and
// parenthesisation as the TypeScript, so every double is the same (IEEE arithmetic is deterministic;
// -ffp-contract=off keeps multiply-adds unfused). Change these together with collective.ts.
#pragma once

#include <cmath>
#include <limits>

#include "collective.hpp"
#include "tuner_constants.hpp"

namespace linkcap::terms {

using namespace tuner;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr unsigned kLL = static_cast<unsigned>(Proto::LL);
inline constexpr unsigned kLL128 = static_cast<unsigned>(Proto::LL128);
inline constexpr unsigned kSimple = static_cast<unsigned>(Proto::Simple);

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

constexpr bool is_collective_only(Op op) { return op == Op::AllToAll || op == Op::SendRecv; }
constexpr bool is_scatter_or_gather(Op op) { return op == Op::ReduceScatter || op == Op::AllGather; }

// transferS(bytes, gbps) = bytes === 0 ? 0 : bytes / (gbps * 1e9), split at the product: `rate` is
// gbps * 1e9, which a plan computes once. Zero bytes take no time even on a zero rate.
inline double transfer_at(double bytes, double rate) { return bytes == 0 ? 0 : bytes / rate; }
inline double transfer_s(double bytes, double gbps) { return transfer_at(bytes, gbps * 1e9); }
inline double rate_of(double gbps) { return gbps * 1e9; }

// Bandwidth after the protocol's efficiency; LL is also capped per GPU.
inline double with_protocol(const ClusterParams& c, double gbps, double factor, unsigned proto) {
  const double scaled = factor * gbps;
  return proto == kLL ? js_min(c.llCapGBps, scaled) : scaled;
}

inline double tree_factor(unsigned proto, double domains) {
  if (proto == kLL) return kTreeLLFactor;
  if (proto == kLL128) return domains == 1 ? kTreeLL128OneDomain : kTreeLL128MultiDomain;
  return kTreeSimpleFactor;
}

// --- eligibility: whether the pair can run the op here (no size involved) --------------------------------

template <unsigned algo, unsigned proto>
inline bool eligible(const ClusterParams& c, const Placement& p, Op op) {
  const double g = p.g;
  const double domains = p.domains;
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring:
      return !is_collective_only(op);
    case Algo::Tree:
      return op == Op::AllReduce;
    case Algo::Rhd:
      if (op != Op::AllReduce && !is_scatter_or_gather(op)) return false;
      if (!p.nPowerOfTwo || !p.gPowerOfTwo) return false;
      return !(g > 1 && c.scaleUpTopology != 0);
    case Algo::Direct:
      return op == Op::AllToAll || op == Op::SendRecv;
    case Algo::Hier:
      return !is_collective_only(op) && !(domains < 2 || g < 2);
    case Algo::Nvls:
    case Algo::NvlsTree:
      if (op != Op::AllReduce || proto != kSimple) return false;
      if (c.scaleUpTopology != 0 || c.inSwitchReduction != 1 || g < 2) return false;
      return !(static_cast<Algo>(algo) == Algo::Nvls ? domains != 1 : domains < 2);
    case Algo::InNetwork:
      if (op != Op::AllReduce || proto != kSimple) return false;
      return !(c.inNetworkReduction != 1 || domains < 2);
    default:
      return false;
  }
}

// Whether the transfer terms add up (steps run one after another) instead of overlapping (max).
template <unsigned algo>
inline constexpr bool adds_levels = static_cast<Algo>(algo) == Algo::Rhd || static_cast<Algo>(algo) == Algo::Hier;

// --- shares: bytes each GPU moves over scale-up and scale-out (the size-dependent part) -------------------

struct Shares {
  double up;
  double net;
};

// The ring's bytes per GPU are `factor * S`: 2(n−1)/n for all-reduce, (n−1)/n for reduce-scatter and
// all-gather, and the TypeScript's plain `S` otherwise, which 1 * S reproduces exactly (x·1 = x in IEEE).
inline double ring_total_factor(Op op, double n) {
  if (op == Op::AllReduce) return (2 * (n - 1)) / n;
  if (is_scatter_or_gather(op)) return (n - 1) / n;
  return 1;
}

// One ring per NIC: each GPU is the ring's exit from its domain for 1/g of the data.
inline Shares ring_shares(const Placement& p, double total) {
  const double g = p.g;
  const double domains = p.domains;
  return {domains == 1 ? total : (total * (g - 1)) / g, domains == 1 ? 0 : total / g};
}

template <unsigned algo>
inline Shares shares(const Placement& p, Op op, double S) {
  const double n = p.n;
  const double g = p.g;
  const double domains = p.domains;
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring:
      return ring_shares(p, ring_total_factor(op, n) * S);
    case Algo::Tree:
      // NCCL's tuner view: reduce up and broadcast down move 2S per GPU inside a domain and 2S per domain
      // across the network (spread over its g NICs).
      return {g > 1 ? 2 * S : 0, domains > 1 ? (2 * S) / g : 0};
    case Algo::Rhd: {
      // Partners at distance ≥ g are in other domains; all-reduce does both halves.
      const double phases = op == Op::AllReduce ? 2 : 1;
      const double net = (phases * S * (domains - 1)) / domains;
      const double up = (phases * S * (g - 1)) / g / domains;
      return {up, net};
    }
    case Algo::Direct:
      if (op == Op::AllToAll) {
        // Each rank sends S/n to every peer: g−1 peers over scale-up, n−g over the network, concurrently.
        return {(S * (g - 1)) / n, (S * (n - g)) / n};
      }
      // Send/recv: every rank sends S to the next; at a domain boundary the message leaves over the NIC.
      return {g > 1 ? S : 0, domains > 1 ? S : 0};
    case Algo::Hier:
      // Scale-up phase, scale-out phase on 1/g of the data per GPU (its own rail), scale-up phase.
      if (op == Op::AllReduce) return {(2 * S * (g - 1)) / g, (2 * S * (domains - 1)) / domains / g};
      if (is_scatter_or_gather(op)) return {(S * (g - 1)) / g, (S * (domains - 1)) / domains / g};
      return {S, S / g};
    case Algo::Nvls:
      // Each GPU pushes its buffer to the switch once and receives the reduced buffer once.
      return {S, 0};
    case Algo::NvlsTree:
      return {S, (2 * S) / g};
    case Algo::InNetwork:
      // Reduce-scatter in the domain, 1/g shard through the switch and back, all-gather in the domain.
      return {g > 1 ? (2 * S * (g - 1)) / g : 0, S / g};
    default:
      return {0, 0};
  }
}

// --- rates: GB/s of each level after the protocol ---------------------------------------------------------

template <unsigned algo, unsigned proto>
inline double up_gbps(const ClusterParams& c, const Placement& p, Op op) {
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring:
    case Algo::Hier:
      return with_protocol(c, p.ringUpGBps, kGenericProtoFactor[proto], proto);
    case Algo::Tree:
      return with_protocol(c, p.ringUpGBps, tree_factor(proto, p.domains), proto);
    case Algo::Rhd:
      return with_protocol(c, p.upGBps, kGenericProtoFactor[proto], proto);
    case Algo::Direct:
      return with_protocol(c, op == Op::AllToAll ? p.directUpGBps : p.p2pUpGBps, kGenericProtoFactor[proto], proto);
    case Algo::Nvls:
    case Algo::NvlsTree:
      return c.nvlsEfficiency * p.upGBps;
    case Algo::InNetwork:
      return p.ringUpGBps;
    default:
      return kNaN;
  }
}

template <unsigned algo, unsigned proto>
inline double net_gbps(const ClusterParams& c, const Placement& p) {
  switch (static_cast<Algo>(algo)) {
    case Algo::Tree:
      return with_protocol(c, p.outGBps, tree_factor(proto, p.domains), proto);
    case Algo::Nvls:
    case Algo::NvlsTree:
      return kTreeSimpleFactor * p.outGBps;
    case Algo::InNetwork:
      return c.inNetworkEfficiency * p.outGBps;
    case Algo::Ring:
    case Algo::Rhd:
    case Algo::Direct:
    case Algo::Hier:
      return with_protocol(c, p.outGBps, kGenericProtoFactor[proto], proto);
    default:
      return kNaN;
  }
}

// --- latency, µs ----------------------------------------------------------------------------------------

template <unsigned algo, unsigned proto>
inline double latency_us(const Placement& p, Op op) {
  const double n = p.n;
  const double g = p.g;
  const double domains = p.domains;
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring: {
      const double steps = op == Op::AllReduce ? 2 * (n - 1) : n - 1;
      const double interSteps = op == Op::AllReduce ? 2 * (domains - 1) : domains - 1;
      return kRingBaseUs[proto] + (steps - interSteps) * (kRingUpHopUs[proto] * p.upHopScale) +
             interSteps * (kRingNetHopUs[proto] * p.netHopScale);
    }
    case Algo::Tree:
      return kTreeBaseUs[proto] + 2 * ((g - 1) * (kTreeUpHopUs[proto] * p.upHopScale) +
                                       p.log2Domains * (kTreeNetHopUs[proto] * p.netHopScale));
    case Algo::Rhd: {
      const double phases = op == Op::AllReduce ? 2 : 1;
      return kRingBaseUs[proto] + phases * p.log2G * (kRingUpHopUs[proto] * p.upHopScale) +
             phases * p.log2Domains * (kRingNetHopUs[proto] * p.netHopScale);
    }
    case Algo::Direct:
      if (op == Op::AllToAll) {
        return kRingBaseUs[proto] + (g > 1 ? kRingUpHopUs[proto] * p.upHopScale : 0) +
               (domains > 1 ? kRingNetHopUs[proto] * p.netHopScale : 0);
      }
      return kRingBaseUs[proto] +
             (domains > 1 ? kRingNetHopUs[proto] * p.netHopScale : kRingUpHopUs[proto] * p.upHopScale);
    case Algo::Hier: {
      const double hops = op == Op::AllReduce ? 2 : 1;
      return kRingBaseUs[proto] + hops * (g - 1) * (kRingUpHopUs[proto] * p.upHopScale) +
             hops * (domains - 1) * (kRingNetHopUs[proto] * p.netHopScale);
    }
    case Algo::Nvls:
    case Algo::NvlsTree:
      return kNvlsBaseUs * p.upHopScale + 2 * p.log2Domains * (kNvlsTreeNetHopUs * p.netHopScale);
    case Algo::InNetwork:
      return kRingBaseUs[kSimple] + 2 * (kRingUpHopUs[kSimple] * p.upHopScale) +
             2 * (kRingNetHopUs[kSimple] * p.netHopScale);
    default:
      return kNaN;
  }
}

// The candidate's time from its terms: latUs * 1e-6 + combine(transfer up, transfer net).
template <unsigned algo>
inline double candidate_time(double latencyS, double upTransferS, double netTransferS) {
  return latencyS + (adds_levels<algo> ? upTransferS + netTransferS : js_max(upTransferS, netTransferS));
}

}  // namespace linkcap::terms
