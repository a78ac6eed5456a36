// The collective cost model: placement, candidate pricing and auto-selection. A line-by-line port of
// packages/core/src/model/collective.ts, which is the specification: the differential test holds the two
// within a relative 1e-9 (in practice bit-identical), so every formula keeps the TypeScript's operation
// order and parenthesisation. Change both together.
//
// Units: bytes, seconds, decimal GB/s (1e9 B/s), bandwidths per GPU per direction.
#pragma once

#include <cstdint>

#include "cluster_params.hpp"
#include "enums.hpp"

namespace linkcap {

// A cluster row plus the values placeRanks derives from the cluster alone. Computing them once per batch
// instead of once per point gives the same doubles (same operations on the same operands).
struct PreparedCluster {
  ClusterParams params;
  double upHopExtraUs;        // scaleUpHopUs − reference LL hop
  double netHopExtraUsLeaf;   // scaleOutHopUs − reference, when the group stays under one leaf
  double netHopExtraUsSpine;  // (scaleOutHopUs + 2 tierHopUs) − reference, when it crosses the spine
  double outGBpsLeaf;       // scaleOutGBps
  double outGBpsSpine;      // scaleOutGBps / oversubscription
};

PreparedCluster prepare_cluster(const ClusterParams& c);

// How the GPUs of one call sit on the cluster, and the bandwidths and hop latencies they see.
// n, g and domains are held as doubles because the TypeScript computes with them as numbers; the
// integer facts the model needs (log2, power of two) are precomputed with integer logic.
struct Placement {
  double n;        // ranks
  double g;        // ranks per domain
  double domains;  // N
  unsigned log2G;        // floorLog2(g)
  unsigned log2Domains;  // floorLog2(domains)
  bool nPowerOfTwo;
  bool gPowerOfTwo;
  double upGBps;
  double ringUpGBps;
  double directUpGBps;
  double p2pUpGBps;
  double outGBps;
  double llCapGBps;      // the cluster's LL cap, at most the tuner's multi-node cap across domains
  double upHopExtraUs;   // added to every scale-up hop constant
  double netHopExtraUs;  // added to every network hop constant
  double baseScale;      // 1, or 0 under CUDA-graph replay
  double callUs;         // the cluster's extra latency per call
};

// Places `gpus` ranks filling domains in order (g = min(n, domain size), N = n / g).
// Returns false when the count cannot be placed (under 2, or not divisible by the domain size).
bool place_gpus(const PreparedCluster& c, std::uint64_t gpus, Placement& out);

// Places g ranks in each of `domains` domains explicitly (a strided data-parallel group has g = 1).
// Callers guarantee 1 ≤ g ≤ gpusPerDomain and g × domains ≥ 2, as in the TypeScript.
Placement place_ranks(const PreparedCluster& c, std::uint64_t g, std::uint64_t domains);
Placement place_ranks(const ClusterParams& c, std::uint64_t g, std::uint64_t domains);

// Time and traffic of one priced candidate.
struct CandidateCost {
  double timeS;
  double scaleUpBytes;   // bytes each GPU sends over its scale-up links (per direction)
  double scaleOutBytes;  // bytes each GPU sends over its scale-out NIC(s) (per direction)
};

// Prices one (algorithm, protocol) pair; false when it is not eligible for this op on this cluster.
// algo < kAlgorithmCount and proto < kProtocolCount.
bool evaluate_candidate(const ClusterParams& c, const Placement& p, Op op, double bytes, unsigned algo,
                        unsigned proto, CandidateCost& out);

// Result of one evaluation. NaN fields and algo/proto = kAuto unless status is Ok.
struct PointResult {
  PointStatus status;
  std::uint8_t algo;
  std::uint8_t proto;
  double timeS;
  double algbwGBps;
  double busbwGBps;
  double scaleUpBytes;
  double scaleOutBytes;
};

// nccl-tests' bus-bandwidth factor for an operation on n ranks.
double bus_bandwidth_factor(Op op, double n);

// Prices every eligible candidate (or only the forced ones) for a placed group and keeps the fastest, as
// NCCL's tuner does: algorithms 0..7 outer, protocols 0..2 inner, strictly faster replaces. `algo` is a
// code, kAuto (NCCL's algorithms) or kAutoAll; `proto` is a code or kAuto. Inputs must be validated.
PointStatus select_candidate(const ClusterParams& c, const Placement& p, Op op, double bytes, std::uint8_t algo,
                             std::uint8_t proto, PointResult& out);

// Places `gpus` in order, then selects the fastest candidate.
PointStatus evaluate_point(const PreparedCluster& c, Op op, double bytes, std::uint64_t gpus, std::uint8_t algo,
                           std::uint8_t proto, PointResult& out);

}  // namespace linkcap
