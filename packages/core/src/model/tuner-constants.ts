/**
 * Latency and protocol constants of the collective model, pinned to NCCL 2.19–2.21's tuner
 * (src/graph/tuning.cc as summarised in shared reference collectives.md, "How NCCL's own tuner models cost").
 * Mirrored in native/src/core/tuner_constants.hpp; docs/model/collectives.md explains each one.
 * Index order everywhere: [LL, LL128, Simple].
 */

/** Base latency per call, µs. */
export const RING_BASE_US = [6.6, 14.0, 8.4] as const;
export const TREE_BASE_US = [6.8, 14.0, 8.4] as const;

/** Latency per scale-up (NVLink) hop, µs, on the reference fabric (LL hop = 0.6 µs). */
export const RING_UP_HOP_US = [0.6, 1.9, 3.4] as const;
export const TREE_UP_HOP_US = [0.6, 1.25, 4.0] as const;
/** Latency per network hop, µs, on the reference fabric (LL hop = 2.7 µs, InfiniBand). */
export const RING_NET_HOP_US = [2.7, 4.0, 14.0] as const;
export const TREE_NET_HOP_US = [5.0, 8.5, 14.0] as const;

/** The LL hop latencies the tables above were measured on; a cluster's own hop latency rescales them. */
export const REFERENCE_UP_HOP_US = 0.6;
export const REFERENCE_NET_HOP_US = 2.7;

/** NVLS (in-switch reduction) latency inside one domain, and per tree level across domains, µs. */
export const NVLS_BASE_US = 25.0;
export const NVLS_TREE_NET_HOP_US = 20.9;

/** Bandwidth factor per protocol for ring-like algorithms (ring, rhd, direct, hier): LL 0.5, LL128 0.92, Simple 1. */
export const GENERIC_PROTO_FACTOR = [0.5, 0.92, 1.0] as const;
/** Tree: LL busBw/3.8; LL128 7/9 inside one domain, 120/128 across domains; Simple 0.92. */
export const TREE_LL_FACTOR = 1 / 3.8;
export const TREE_LL128_ONE_DOMAIN = 7 / 9;
export const TREE_LL128_MULTI_DOMAIN = 120 / 128;
export const TREE_SIMPLE_FACTOR = 0.92;
