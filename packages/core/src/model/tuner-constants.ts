/**
 * Latency and protocol constants of the collective model, pinned to NCCL 2.19–2.21's tuner
 * (src/graph/tuning.cc as summarised in shared reference collectives.md, "How NCCL's own tuner models cost"),
 * plus the few figures of NCCL's source that shape small and middle sizes (src/graph/tuning.cc,
 * src/enqueue.cc, src/transport/nvls.cc of the same releases).
 * The native engine's tuner_constants.hpp is generated from this file at build time (each double spelled as
 * JavaScript spells it, so both sides hold the same double); docs/model/collectives.md explains each one.
 * Only numbers, lists and tables of numbers belong here.
 * Index order everywhere: [LL, LL128, Simple].
 */

/** Base latency per call, µs (the per-launch cost that CUDA-graph replay hides; see the cudaGraph row field). */
export const RING_BASE_US = [6.6, 14.0, 8.4] as const;
export const TREE_BASE_US = [6.8, 14.0, 8.4] as const;

/** Latency per scale-up (NVLink) hop, µs, on the reference fabric (LL hop = 0.6 µs). */
export const RING_UP_HOP_US = [0.6, 1.9, 3.4] as const;
export const TREE_UP_HOP_US = [0.6, 1.25, 4.0] as const;
/** Latency per network hop, µs, on the reference fabric (LL hop = 2.7 µs, InfiniBand). */
export const RING_NET_HOP_US = [2.7, 4.0, 14.0] as const;
export const TREE_NET_HOP_US = [5.0, 8.5, 14.0] as const;

/**
 * The LL hop latencies the tables above were measured on. A cluster's own hop latency adds its difference to
 * every hop of that level (a slower fabric adds its extra wire and switch latency once per hop, whatever the
 * protocol).
 */
export const REFERENCE_UP_HOP_US = 0.6;
export const REFERENCE_NET_HOP_US = 2.7;

/** NVLS (in-switch reduction) latency inside one domain, and per tree level across domains, µs. */
export const NVLS_BASE_US = 25.0;
export const NVLS_TREE_NET_HOP_US = 20.9;

/**
 * NVLS needs more than two GPUs per domain: NCCL does not set NVLS up on 2 GPUs
 * (src/transport/nvls.cc, ncclNvlsInit: `gpuCount <= 2` → no NVLS).
 */
export const NVLS_MIN_GPUS_PER_DOMAIN = 3;
/** CTAs (channels) NVLS runs on: NCCL_NVLS_NCHANNELS default (src/transport/nvls.cc). */
export const NVLS_CHANNELS = 16;
/** Largest NVLS chunk per (channel, head), bytes (nvlsChunkSize, src/enqueue.cc). */
export const NVLS_MAX_CHUNK_BYTES = 131072;
/**
 * NVLS all-reduce is a three-stage pipeline per channel (scatter into the NVLS buffer → multimem reduce and
 * multicast → gather out, src/device/all_reduce.h): filling and draining it costs two extra loops of
 * channels × heads × chunk bytes.
 */
export const NVLS_PIPELINE_EXTRA_LOOPS = 2;

/**
 * Per network operation the CPU proxy posts, µs (NCCL_NET_OVERHEAD default on x86 Intel hosts, 2 on AMD;
 * src/graph/tuning.cc getNetOverhead). A ring that crosses domains pays at least this per step (three times
 * with Simple), and all-to-all pays it per extra network peer.
 */
export const NET_OVERHEAD_US = [1.0, 1.0, 3.0] as const;

/**
 * Ceiling on LL bandwidth once a call spans domains: the tuner's multi-node llMaxBw on x86 Intel hosts
 * (39 GB/s for two nodes, 20.4 beyond; shared reference collectives.md "multi-node ~20–39").
 */
export const LL_CAP_TWO_DOMAINS_GBPS = 39.0;
export const LL_CAP_MANY_DOMAINS_GBPS = 20.4;

/** Bandwidth factor per protocol for ring-like algorithms (ring, rhd, direct, hier): LL 0.5, LL128 0.92, Simple 1. */
export const GENERIC_PROTO_FACTOR = [0.5, 0.92, 1.0] as const;
/** Tree: LL busBw/3.8; LL128 7/9 inside one domain, 120/128 across domains; Simple 0.92. */
export const TREE_LL_FACTOR = 1 / 3.8;
export const TREE_LL128_ONE_DOMAIN = 7 / 9;
export const TREE_LL128_MULTI_DOMAIN = 120 / 128;
export const TREE_SIMPLE_FACTOR = 0.92;

/**
 * The tuner's size correction of tree bandwidth ("Trees are not perfectly sticking to the model for medium
 * sizes", src/graph/tuning.cc, NCCL 2.19): entry k applies to sizes in [64 × 2^k, 64 × 2^(k+1)) bytes
 * (entry 0 also below 64 B); 1 from 2^29 B (512 MiB) on. Rows LL, LL128, Simple.
 */
export const TREE_CORRECTION = [
  [1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0],
  [1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.8, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0],
  [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.7, 0.7, 0.8, 0.9, 0.9],
] as const;
export const TREE_CORRECTION_ENTRIES = 23;
