// Latency and protocol constants of the collective model, pinned to NCCL 2.19–2.21's tuner (and the few figures
// of NCCL's enqueue.cc and nvls.cc that shape small and middle sizes).
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

// The LL hop latencies the tables were measured on; a cluster's own hop latency adds its difference to every
// hop of that level.
inline constexpr double kReferenceUpHopUs = 0.6;
inline constexpr double kReferenceNetHopUs = 2.7;

// NVLS latency inside one domain, and per tree level across domains, µs.
inline constexpr double kNvlsBaseUs = 25.0;
inline constexpr double kNvlsTreeNetHopUs = 20.9;

// NVLS needs more than two GPUs per domain (src/transport/nvls.cc: gpuCount <= 2 → no NVLS).
inline constexpr double kNvlsMinGpusPerDomain = 3;
// NVLS channels (NCCL_NVLS_NCHANNELS default), largest chunk per (channel, head) in bytes (src/enqueue.cc), and
// the extra loops its three-stage pipeline (scatter → multimem reduce/multicast → gather) costs to fill and drain.
inline constexpr double kNvlsChannels = 16;
inline constexpr double kNvlsMaxChunkBytes = 131072;
inline constexpr double kNvlsPipelineExtraLoops = 2;

// Per network operation the CPU proxy posts, µs (NCCL_NET_OVERHEAD default on x86 Intel; ×3 for Simple).
inline constexpr double kNetOverheadUs[3] = {1.0, 1.0, 3.0};

// LL ceiling once a call spans domains: the tuner's multi-node llMaxBw (x86 Intel hosts), GB/s.
inline constexpr double kLLCapTwoDomainsGBps = 39.0;
inline constexpr double kLLCapManyDomainsGBps = 20.4;

// Bandwidth factor per protocol for ring-like algorithms (ring, rhd, direct, hier).
inline constexpr double kGenericProtoFactor[3] = {0.5, 0.92, 1.0};
// Tree: LL busBw/3.8; LL128 7/9 inside one domain, 120/128 across domains; Simple 0.92.
inline constexpr double kTreeLLFactor = 1.0 / 3.8;
inline constexpr double kTreeLL128OneDomain = 7.0 / 9.0;
inline constexpr double kTreeLL128MultiDomain = 120.0 / 128.0;
inline constexpr double kTreeSimpleFactor = 0.92;

// The tuner's size correction of tree bandwidth (tuning.cc, NCCL 2.19): entry k for sizes in
// [64 × 2^k, 64 × 2^(k+1)) bytes (entry 0 also below), 1 from 2^29 bytes on. Rows LL, LL128, Simple.
inline constexpr unsigned kTreeCorrectionEntries = 23;
inline constexpr double kTreeCorrection[3][kTreeCorrectionEntries] = {
    {1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0},
    {1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.8, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0},
    {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.7, 0.7, 0.8, 0.9, 0.9},
};
// 2^kTreeCorrectionEntries: sizes / 64 from here on are past the table.
inline constexpr double kTreeCorrectionEnd = 8388608.0;

}  // namespace linkcap::tuner
