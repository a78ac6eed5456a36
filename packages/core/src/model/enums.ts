/**
 * Numeric codes shared with the native engine: its enums.hpp is generated from this file at build time
 * (native/scripts/generate-abi-headers.mjs).
 * The order is part of the binary interface: append, never reorder.
 */

export const OPS = ['all-reduce', 'reduce-scatter', 'all-gather', 'broadcast', 'reduce', 'all-to-all', 'send-recv'] as const;
export type Op = (typeof OPS)[number];
export const enum OpCode {
  AllReduce = 0,
  ReduceScatter = 1,
  AllGather = 2,
  Broadcast = 3,
  Reduce = 4,
  AllToAll = 5,
  SendRecv = 6,
}

/**
 * ring: ring (pipelined, NCCL Ring); tree: double binary tree (NCCL Tree);
 * rhd: recursive halving/doubling (Rabenseifner for all-reduce); direct: direct/pairwise exchange
 * (all-to-all, send/recv); hier: explicit two-level (scale-up phase, scale-out phase, scale-up phase);
 * nvls: in-switch reduction inside one NVSwitch domain; nvls-tree: NVLS inside domains + tree across them;
 * in-network: in-network reduction across domains (SHARP-like, NCCL CollNet).
 */
export const ALGORITHMS = ['ring', 'tree', 'rhd', 'direct', 'hier', 'nvls', 'nvls-tree', 'in-network'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export const enum AlgoCode {
  Ring = 0,
  Tree = 1,
  Rhd = 2,
  Direct = 3,
  Hier = 4,
  Nvls = 5,
  NvlsTree = 6,
  InNetwork = 7,
}

export const PROTOCOLS = ['LL', 'LL128', 'Simple'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const enum ProtoCode {
  LL = 0,
  LL128 = 1,
  Simple = 2,
}

/**
 * Column value meaning "let the tuner choose". For the algorithm column AUTO chooses among what NCCL itself
 * runs (ring, tree, direct, nvls, nvls-tree, in-network), so the choice can be put beside NCCL's;
 * AUTO_ALL also considers the algorithms NCCL lacks (rhd, hier): what a better library could reach.
 */
export const AUTO = 255;
export const AUTO_ALL = 254;

/** 1 for algorithms in NCCL's repertoire (considered by AUTO), indexed by AlgoCode. */
export const NCCL_ALGORITHM = [1, 1, 0, 1, 0, 1, 1, 1] as const;

export const TOPOLOGIES = ['switch', 'mesh', 'ring'] as const;
export type ScaleUpTopology = (typeof TOPOLOGIES)[number];

/** Per-point status in batch outputs. */
export const enum PointStatus {
  Ok = 0,
  /** The GPU count does not fit the cluster (not divisible by the domain size, or under 2). */
  BadGpuCount = 1,
  /** No algorithm/protocol pair is eligible (for example a forced algorithm the cluster cannot run). */
  NoEligibleAlgorithm = 2,
  /** The call stopped before this point (cancelled, or an invalid point at or before it): not evaluated. */
  NotEvaluated = 3,
}
export const STATUS_MESSAGES = ['ok', 'gpu count does not fit the cluster', 'no eligible algorithm/protocol', 'not evaluated'] as const;
