// The terms of the collective cost model, one function per term, shared by the generic pricing in
// collective.cpp and the batch fast path in selection_plan.cpp. Internal to linkcap_core.
//
// evaluateCandidate (packages/core/src/model/collective.ts) prices a pair (algorithm, protocol) as
//
//   timeS = latUs * 1e-6 + combine(transferS(up (+ NVLS fill), upGBps), transferS(net, netGBps)) [/ tree correction]
//
// and of its inputs only `up`, `net`, the NVLS pipeline fill and the tree's size correction depend on the
// message size. Eligibility, the bandwidths after the
// protocol and the latency depend on the cluster, the placement, the op and the pair alone. Splitting them
// apart lets a batch compute the size-independent terms once per (cluster, GPU count, op) and reuse them for
// every size: each term is still the same operations on the same operands, in the same order and
// parenthesisation as the TypeScript, so every double is the same (IEEE arithmetic is deterministic;
// -ffp-contract=off keeps multiply-adds unfused). Change these together with collective.ts.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
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

// Bandwidth after the protocol's efficiency; LL is also capped per GPU (the placement's cap: lower across domains).
inline double with_protocol(const Placement& p, double gbps, double factor, unsigned proto) {
  const double scaled = factor * gbps;
  return proto == kLL ? js_min(p.llCapGBps, scaled) : scaled;
}

// A base latency after CUDA-graph replay and the cluster's own per-call latency, µs.
inline double base_us(const Placement& p, double tunerBaseUs) { return tunerBaseUs * p.baseScale + p.callUs; }

// treeCorrection (collective.ts): the tuner's size correction of tree bandwidth, split into the entry (shared by
// the three protocols) and the lookup. kTreeCorrectionEntries stands for "past the table": factor 1.
inline unsigned tree_correction_index(double bytes) {
  const double q = bytes / 64;
  if (q >= kTreeCorrectionEnd) return kTreeCorrectionEntries;
  // q < 2^23: ⌊q⌋ fits 32 bits, and its floor log2 is bit_width − 1 (0 for ⌊q⌋ = 1).
  return q < 2 ? 0u : static_cast<unsigned>(std::bit_width(static_cast<std::uint32_t>(q))) - 1u;
}
inline double tree_correction_at(unsigned proto, unsigned index) {
  return index >= kTreeCorrectionEntries ? 1 : kTreeCorrection[proto][index];
}
inline double tree_correction(unsigned proto, double bytes) { return tree_correction_at(proto, tree_correction_index(bytes)); }

// nvlsFillBytes (collective.ts): NVLS pipeline fill and drain, in bytes timed like data.
inline double nvls_fill_bytes(double g, double bytes) {
  const double ops = kNvlsChannels * g;
  double chunk = kNvlsMaxChunkBytes;
  if (bytes < 64 * ops * chunk) chunk = 65536;
  if (bytes < 8 * ops * chunk) chunk = 32768;
  if (bytes < 2 * ops * chunk) chunk = 16384;
  return kNvlsPipelineExtraLoops * js_min(bytes, ops * chunk);
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
      if (c.scaleUpTopology != 0 || c.inSwitchReduction != 1 || g < kNvlsMinGpusPerDomain) return false;
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

// The bytes the scale-up transfer is timed on: the shares' own, plus the NVLS pipeline's fill and drain.
template <unsigned algo>
inline double timed_up_bytes(const Placement& p, double S, const Shares& s) {
  if constexpr (static_cast<Algo>(algo) == Algo::Nvls || static_cast<Algo>(algo) == Algo::NvlsTree) {
    return s.up + nvls_fill_bytes(p.g, S);
  } else {
    return s.up;
  }
}

// --- rates: GB/s of each level after the protocol ---------------------------------------------------------

template <unsigned algo, unsigned proto>
inline double up_gbps(const ClusterParams& c, const Placement& p, Op op) {
  switch (static_cast<Algo>(algo)) {
    case Algo::Ring:
    case Algo::Hier:
      return with_protocol(p, p.ringUpGBps, kGenericProtoFactor[proto], proto);
    case Algo::Tree:
      return with_protocol(p, p.ringUpGBps, tree_factor(proto, p.domains), proto);
    case Algo::Rhd:
      return with_protocol(p, p.upGBps, kGenericProtoFactor[proto], proto);
    case Algo::Direct:
      return with_protocol(p, op == Op::AllToAll ? p.directUpGBps : p.p2pUpGBps, kGenericProtoFactor[proto], proto);
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
      return with_protocol(p, p.outGBps, tree_factor(proto, p.domains), proto);
    case Algo::Nvls:
    case Algo::NvlsTree:
      return kTreeSimpleFactor * p.outGBps;
    case Algo::InNetwork:
      return c.inNetworkEfficiency * p.outGBps;
    case Algo::Ring:
    case Algo::Rhd:
    case Algo::Direct:
    case Algo::Hier:
      return with_protocol(p, p.outGBps, kGenericProtoFactor[proto], proto);
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
      // All-reduce: the closed ring crosses the N domain boundaries on each of its two passes.
      const double interSteps =
          op == Op::AllReduce ? (domains > 1 ? js_min(steps, 2 * domains) : 0) : domains - 1;
      // A ring that spans domains pays at least one proxy post per step.
      const double upHopUs = kRingUpHopUs[proto] + p.upHopExtraUs;
      const double stepUs = domains > 1 ? js_max(upHopUs, kNetOverheadUs[proto]) : upHopUs;
      return base_us(p, kRingBaseUs[proto]) + (steps - interSteps) * stepUs +
             interSteps * (kRingNetHopUs[proto] + p.netHopExtraUs);
    }
    case Algo::Tree:
      return base_us(p, kTreeBaseUs[proto]) + 2 * ((g - 1) * (kTreeUpHopUs[proto] + p.upHopExtraUs) +
                                                  p.log2Domains * (kTreeNetHopUs[proto] + p.netHopExtraUs));
    case Algo::Rhd: {
      const double phases = op == Op::AllReduce ? 2 : 1;
      return base_us(p, kRingBaseUs[proto]) + phases * p.log2G * (kRingUpHopUs[proto] + p.upHopExtraUs) +
             phases * p.log2Domains * (kRingNetHopUs[proto] + p.netHopExtraUs);
    }
    case Algo::Direct:
      if (op == Op::AllToAll) {
        // One proxy post per network peer beyond the first.
        return base_us(p, kRingBaseUs[proto]) + (g > 1 ? kRingUpHopUs[proto] + p.upHopExtraUs : 0) +
               (domains > 1 ? kRingNetHopUs[proto] + p.netHopExtraUs + (n - g - 1) * kNetOverheadUs[proto] : 0);
      }
      return base_us(p, kRingBaseUs[proto]) +
             (domains > 1 ? kRingNetHopUs[proto] + p.netHopExtraUs : kRingUpHopUs[proto] + p.upHopExtraUs);
    case Algo::Hier: {
      const double hops = op == Op::AllReduce ? 2 : 1;
      return base_us(p, kRingBaseUs[proto]) + hops * (g - 1) * (kRingUpHopUs[proto] + p.upHopExtraUs) +
             hops * (domains - 1) * (kRingNetHopUs[proto] + p.netHopExtraUs);
    }
    case Algo::Nvls:
    case Algo::NvlsTree:
      return p.callUs + (kNvlsBaseUs + p.upHopExtraUs) + 2 * p.log2Domains * (kNvlsTreeNetHopUs + p.netHopExtraUs);
    case Algo::InNetwork:
      return base_us(p, kRingBaseUs[kSimple]) + 2 * (kRingUpHopUs[kSimple] + p.upHopExtraUs) +
             2 * (kRingNetHopUs[kSimple] + p.netHopExtraUs);
    default:
      return kNaN;
  }
}

// The candidate's time from its terms: latUs * 1e-6 + combine(transfer up, transfer net), the tree's transfer
// divided by its size correction.
template <unsigned algo, unsigned proto>
inline double candidate_time(double latencyS, double upTransferS, double netTransferS, double bytes) {
  if constexpr (static_cast<Algo>(algo) == Algo::Tree) {
    return latencyS + js_max(upTransferS, netTransferS) / tree_correction(proto, bytes);
  } else {
    return latencyS + (adds_levels<algo> ? upTransferS + netTransferS : js_max(upTransferS, netTransferS));
  }
}

}  // namespace linkcap::terms
