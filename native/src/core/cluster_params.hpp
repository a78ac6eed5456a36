// The numeric cluster description: one fixed-layout row of float64 per cluster, written by
// packages/core/src/model/cluster-params.ts (CLUSTER_FIELDS). The engine reads rows by position,
// so the field order here must match that list exactly.
#pragma once

#include <array>
#include <cstddef>

namespace linkcap {

inline constexpr std::size_t kClusterFieldCount = 16;

struct ClusterParams {
  double gpusPerDomain;        // GPUs in one scale-up domain
  double scaleUpTopology;      // 0 switch, 1 full mesh, 2 ring
  double scaleUpGBps;          // per GPU, per direction, GB/s
  double scaleUpHopUs;         // LL hop latency, µs
  double inSwitchReduction;    // 1 when NVLS is available
  double nvlsEfficiency;       // fraction of scaleUpGBps NVLS reaches
  double llCapGBps;            // LL protocol bandwidth ceiling, GB/s
  double scaleOutGBps;         // per GPU, per direction, GB/s
  double scaleOutHopUs;        // LL network hop latency within one leaf, µs
  double tierHopUs;            // extra latency per switch tier crossed, µs
  double leafDomains;          // domains sharing one leaf switch
  double oversubscription;     // leaf uplink oversubscription (≥ 1)
  double inNetworkReduction;   // 1 when switches reduce in-network
  double inNetworkEfficiency;  // fraction of scaleOutGBps in-network reduction reaches
  double callLatencyUs;        // extra latency per call over the tuner's base, µs
  double cudaGraph;            // 1: calls replayed from a CUDA graph (no per-launch base latency)
};

// Field names in row order, for error messages; same spelling as the TypeScript interface.
inline constexpr std::array<const char*, kClusterFieldCount> kClusterFieldNames = {
    "gpusPerDomain", "scaleUpTopology", "scaleUpGBps",   "scaleUpHopUs",     "inSwitchReduction",
    "nvlsEfficiency", "llCapGBps",      "scaleOutGBps",  "scaleOutHopUs",    "tierHopUs",
    "leafDomains",    "oversubscription", "inNetworkReduction", "inNetworkEfficiency", "callLatencyUs",
    "cudaGraph",
};

// The struct is read field by field from a row; a field added to one side only must fail the build.
static_assert(sizeof(ClusterParams) == kClusterFieldCount * sizeof(double),
              "ClusterParams must hold exactly kClusterFieldCount doubles");
static_assert(kClusterFieldNames.size() == kClusterFieldCount);

// Reads one packed row (kClusterFieldCount doubles) in CLUSTER_FIELDS order. Does not validate.
inline ClusterParams unpack_cluster(const double* row) {
  ClusterParams c;
  c.gpusPerDomain = row[0];
  c.scaleUpTopology = row[1];
  c.scaleUpGBps = row[2];
  c.scaleUpHopUs = row[3];
  c.inSwitchReduction = row[4];
  c.nvlsEfficiency = row[5];
  c.llCapGBps = row[6];
  c.scaleOutGBps = row[7];
  c.scaleOutHopUs = row[8];
  c.tierHopUs = row[9];
  c.leafDomains = row[10];
  c.oversubscription = row[11];
  c.inNetworkReduction = row[12];
  c.inNetworkEfficiency = row[13];
  c.callLatencyUs = row[14];
  c.cudaGraph = row[15];
  return c;
}

}  // namespace linkcap
