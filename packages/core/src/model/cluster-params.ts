/**
 * The numeric cluster description the model consumes: one fixed-layout row of float64 per cluster.
 * The catalog (human units, sources) is resolved into this row in TypeScript; the native engine
 * receives the same rows, so no number is written twice. The native cluster_params.hpp is generated from
 * CLUSTER_FIELDS at build time (native/scripts/generate-abi-headers.mjs).
 */

export interface ClusterParams {
  /** GPUs in one scale-up domain (8 for an HGX node, 72 for NVL72). */
  gpusPerDomain: number;
  /** 0 switch (NVSwitch), 1 full mesh (xGMI, HCCS), 2 ring. */
  scaleUpTopology: number;
  /** Achievable scale-up bandwidth per GPU, per direction, decimal GB/s (line rate × efficiency). */
  scaleUpGBps: number;
  /** Per-hop scale-up latency for the LL protocol, µs (NCCL tuner NVLink: 0.6). Other protocols scale from it. */
  scaleUpHopUs: number;
  /** 1 when the domain's switch can reduce in-switch (NVLS, Hopper and later NVSwitch). */
  inSwitchReduction: number;
  /** Fraction of scaleUpGBps that NVLS all-reduce reaches as algorithm bandwidth. */
  nvlsEfficiency: number;
  /** Ceiling on the LL protocol's bandwidth per GPU, per direction, GB/s. */
  llCapGBps: number;
  /** Achievable scale-out bandwidth per GPU, per direction, GB/s (NICs × Gb/s ÷ 8 × efficiency). */
  scaleOutGBps: number;
  /** Per network hop latency for the LL protocol within one leaf, µs (NCCL tuner IB: 2.7). */
  scaleOutHopUs: number;
  /** Extra one-way latency per additional switch tier crossed (leaf→spine→leaf adds two), µs. */
  tierHopUs: number;
  /** Domains whose same-rail GPUs share one leaf switch; beyond it traffic crosses the spine. */
  leafDomains: number;
  /** Oversubscription of leaf uplinks (≥ 1); bandwidth that crosses the spine is divided by it. */
  oversubscription: number;
  /** 1 when the scale-out switches reduce in-network (SHARP-like). */
  inNetworkReduction: number;
  /** Fraction of scaleOutGBps that in-network reduction reaches. */
  inNetworkEfficiency: number;
  /**
   * Extra latency of every collective call on this cluster, µs, added to each algorithm's base latency
   * (host, driver, launch path slower than the tuner's reference). 0 for the presets; `linkcap calibrate` fits it.
   */
  callLatencyUs: number;
  /**
   * 1 when the calls are replayed from a CUDA graph: the tuner's per-launch base latency is not paid
   * (`--cuda-graph`, nccl-tests `-G`). A property of the run being priced rather than of the hardware.
   */
  cudaGraph: number;
}

/** Field order of the packed row. Append only: the native engine reads by position. */
export const CLUSTER_FIELDS = [
  'gpusPerDomain',
  'scaleUpTopology',
  'scaleUpGBps',
  'scaleUpHopUs',
  'inSwitchReduction',
  'nvlsEfficiency',
  'llCapGBps',
  'scaleOutGBps',
  'scaleOutHopUs',
  'tierHopUs',
  'leafDomains',
  'oversubscription',
  'inNetworkReduction',
  'inNetworkEfficiency',
  'callLatencyUs',
  'cudaGraph',
] as const satisfies readonly (keyof ClusterParams)[];

export const CLUSTER_FIELD_COUNT = CLUSTER_FIELDS.length;

/** Packs cluster rows into one Float64Array of clusters.length × CLUSTER_FIELD_COUNT. */
export function packClusters(clusters: readonly ClusterParams[]): Float64Array {
  const packed = new Float64Array(clusters.length * CLUSTER_FIELD_COUNT);
  clusters.forEach((cluster, row) => {
    CLUSTER_FIELDS.forEach((field, column) => {
      packed[row * CLUSTER_FIELD_COUNT + column] = cluster[field];
    });
  });
  return packed;
}

/** Reads one packed row back into an object (used by the TypeScript reference engine). */
export function unpackCluster(packed: Float64Array, row: number): ClusterParams {
  const out = {} as Record<(typeof CLUSTER_FIELDS)[number], number>;
  CLUSTER_FIELDS.forEach((field, column) => {
    out[field] = packed[row * CLUSTER_FIELD_COUNT + column];
  });
  return out as ClusterParams;
}
