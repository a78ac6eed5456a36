// Latency and protocol constants of the collective model, pinned to NCCL 2.19–2.21's tuner.
// Mirror of packages/core/src/model/tuner-constants.ts (docs/model/collectives.md explains each one).
// Index order everywhere: [LL, LL128, Simple]. The fractions are written as the same divisions the
// TypeScript evaluates, so both sides hold the identical correctly rounded double.
#pragma once

namespace linkcap::tuner {

// Base latency per call, µs.
inline constexpr double kRingBaseUs[3] = {6.6, 14.0, 8.4};
inline constexpr double kTreeBaseUs[3] = {6.8, 14.0, 8.4};

// Latency per scale-up hop, µs, on the reference fabric (LL hop = 0.6 µs).
inline constexpr double kRingUpHopUs[3] = {0.6, 1.9, 3.4};
inline constexpr double kTreeUpHopUs[3] = {0.6, 1.25, 4.0};
// Latency per network hop, µs, on the reference fabric (LL hop = 2.7 µs, InfiniBand).
inline constexpr double kRingNetHopUs[3] = {2.7, 4.0, 14.0};
inline constexpr double kTreeNetHopUs[3] = {5.0, 8.5, 14.0};

// The LL hop latencies the tables were measured on; a cluster's own hop latency rescales them.
inline constexpr double kReferenceUpHopUs = 0.6;
inline constexpr double kReferenceNetHopUs = 2.7;

// NVLS latency inside one domain, and per tree level across domains, µs.
inline constexpr double kNvlsBaseUs = 25.0;
inline constexpr double kNvlsTreeNetHopUs = 20.9;

// Bandwidth factor per protocol for ring-like algorithms (ring, rhd, direct, hier).
inline constexpr double kGenericProtoFactor[3] = {0.5, 0.92, 1.0};
// Tree: LL busBw/3.8; LL128 7/9 inside one domain, 120/128 across domains; Simple 0.92.
inline constexpr double kTreeLLFactor = 1.0 / 3.8;
inline constexpr double kTreeLL128OneDomain = 7.0 / 9.0;
inline constexpr double kTreeLL128MultiDomain = 120.0 / 128.0;
inline constexpr double kTreeSimpleFactor = 0.92;

}  // namespace linkcap::tuner
