/**
 * Types of linkcap's hardware catalog (packages/core/catalog/*.json and users' YAML/JSON files).
 * docs/catalog.md documents every field. Units: decimal GB/s (1e9 B/s), Gb/s for NIC line rates, TFLOP/s,
 * TB/s, W, mm², µs. Scale-up figures named `bidirectional…` count both directions (H100: 900 = 450 each way);
 * NIC rates (`…Gbps`) are per direction.
 */

/** A number with its provenance. `value: null` = not known (the catalog says so rather than guessing). */
export interface Figure {
  value: number | null;
  /** A key of the catalog's `sources` table, or "assumption" (a linkcap choice; see `note`), "user" or "fit". */
  source: string;
  /** The source marks the number (unconfirmed): only secondary sources were found. */
  unconfirmed?: boolean;
  note?: string;
}

/** A figure whose value is known (the resolver and classifier require some figures to be known). */
export interface KnownFigure extends Figure {
  value: number;
}

/** Pseudo-source keys that need no entry in the `sources` table. */
export const ASSUMPTION = 'assumption';
export const USER = 'user';
/** Figures `linkcap calibrate` fitted to nccl-tests logs (the note names the logs and the date). */
export const FIT = 'fit';

export interface SourceSpec {
  title: string;
  url?: string;
}

/** Topologies a chip's scale-up link can have. Only switch, mesh and ring map onto the model (ClusterParams). */
export const CHIP_TOPOLOGIES = ['switch', 'mesh', 'ring', 'torus', 'bridge', 'none'] as const;
export type ChipTopology = (typeof CHIP_TOPOLOGIES)[number];

/** Scale-up topologies a cluster can have (ClusterParams.scaleUpTopology codes 0, 1, 2 in this order). */
export const CLUSTER_TOPOLOGIES = ['switch', 'mesh', 'ring'] as const;
export type ClusterTopology = (typeof CLUSTER_TOPOLOGIES)[number];

/** Architecture keys the cluster defaults know; anything else uses the `other` defaults. */
export const ARCHITECTURES = ['ampere', 'hopper', 'blackwell', 'ada', 'cdna2', 'cdna3', 'davinci', 'gaudi', 'tpu', 'other'] as const;

export interface ChipScaleUp {
  /** e.g. "NVLink4", "Infinity Fabric (xGMI)", "none (PCIe Gen4 only)". */
  technology: string;
  topology: ChipTopology;
  /** Number of scale-up links per GPU. */
  links?: Figure;
  /** Scale-up bandwidth per GPU, both directions added (the marketing figure). Per direction = half. */
  bidirectionalGBps?: Figure;
  note?: string;
}

export interface ChipSpec {
  /** Canonical id (lower case), e.g. "h100-sxm". */
  id: string;
  name: string;
  /** Other ids that find this chip, e.g. "h100". */
  aliases?: string[];
  vendor: string;
  /** ampere, hopper, blackwell, …: selects the scale-up efficiency defaults of clusters built on the chip. */
  architecture: string;
  /** Designed or marketed for data centres (the 2023 rule exempts other items below TPP 4800). Default true. */
  dataCenter?: boolean;
  /** Dense BF16 (or FP16 where the note says) tensor rate, TFLOP/s. */
  bf16Tflops: Figure;
  /** Dense FP8 tensor rate, TFLOP/s. */
  fp8Tflops?: Figure;
  /** Dense INT8 tensor rate, TOPS (for chips without FP8). */
  int8Tops?: Figure;
  /** Device memory capacity, vendor GB (HBM capacities are binary: 80 GB = 80 GiB). */
  memoryGB: Figure;
  /** HBM2e, HBM3, HBM3e, GDDR6, … */
  memoryType?: string;
  /** Device memory bandwidth, TB/s (decimal; 3.35 TB/s = 3.35e12 B/s). */
  memoryTBps: Figure;
  /** Number of HBM stacks (used only by the 2024 HBM-density rule). */
  hbmStacks?: Figure;
  /** Footprint of one HBM stack, mm² (default: the catalog's `defaults.hbmStackAreaMm2`). */
  hbmStackAreaMm2?: Figure;
  scaleUp: ChipScaleUp;
  /** Host PCIe bandwidth, bidirectional GB/s (Gen5 x16 = 128). Counts toward the 2022 rule's I/O. */
  pcieBidirGBps?: Figure;
  /**
   * GPU–host link when it is not PCIe (NVLink-C2C of Grace-attached GPUs), bidirectional GB/s. The training
   * model's activation offload uses it, else pcieBidirGBps.
   */
  hostLinkBidirGBps?: Figure;
  /** Scale-out NIC line rate per GPU, Gb/s per direction. */
  scaleOutGbps?: Figure;
  /** Thermal design power, W. */
  tdpW?: Figure;
  /** Applicable logic die area (all non-planar logic dies), mm²: the denominator of performance density. */
  logicDieAreaMm2?: Figure;
  launchYear?: Figure;
  /** Id of the node preset built from this chip (what `chips derive` copies). */
  defaultCluster?: string;
  /** Id of the chip this one was derived from (`linkcap chips derive`, or a user override). */
  derivedFrom?: string;
  /** A what-if variant, not a product. */
  hypothetical?: boolean;
  notes?: string[];
}

export interface ClusterScaleUpSpec {
  /** Default: the chip's topology when it is switch, mesh or ring. */
  topology?: ClusterTopology;
  /** Default: the chip's scaleUp.bidirectionalGBps. Per direction = half. */
  bidirectionalGBps?: Figure;
  /** Achievable fraction of the per-direction line rate. Default by architecture (Hopper 0.824 = 20.6/25). */
  efficiency?: Figure;
  /** LL-protocol latency per scale-up hop, µs. Default 0.6 (NCCL tuner NVLink). */
  hopLatencyUs?: Figure;
  /** The switch reduces in-switch (NVLS). Default by architecture, only for switch topologies. */
  inSwitchReduction?: boolean;
  /** Fraction of the scale-up bandwidth NVLS all-reduce reaches as algbw. Default by architecture. */
  nvlsEfficiency?: Figure;
  /** LL-protocol bandwidth ceiling per GPU per direction, GB/s. Default by architecture. */
  llCapGBps?: Figure;
}

export interface ClusterScaleOutSpec {
  /** "infiniband" or "roce" take latency defaults; any other name must give both latencies. Default: defaults.fabric (infiniband). */
  fabric?: string;
  nicsPerGpu: Figure;
  /** NIC line rate, Gb/s per direction. */
  nicGbps: Figure;
  /** Achievable fraction of the NIC line rate. Default 0.96. */
  efficiency?: Figure;
  /** LL-protocol latency per network hop within one leaf, µs. Default by fabric. */
  hopLatencyUs?: Figure;
  /** Extra one-way latency per additional switch tier crossed, µs. Default by fabric. */
  tierHopLatencyUs?: Figure;
  /** Ports of a leaf switch at the NIC speed (half down, half up). Default 64. */
  leafRadix?: Figure;
  /** NIC i of every node on leaf i. Default true. */
  railOptimized?: boolean;
  /** Leaf uplink oversubscription (≥ 1). Default 1. */
  oversubscription?: Figure;
  /** SHARP-like reduction in the network switches. Default false. */
  inNetworkReduction?: boolean;
  /** Fraction of the scale-out bandwidth in-network reduction reaches. Default 0.9. */
  inNetworkEfficiency?: Figure;
}

export interface ClusterSpec {
  id: string;
  name: string;
  aliases?: string[];
  /** Chip id or alias. */
  chip: string;
  gpusPerDomain: Figure;
  scaleUp: ClusterScaleUpSpec;
  scaleOut: ClusterScaleOutSpec;
  /**
   * Extra latency of every collective call, µs, over NCCL's tuner constants (slower host or launch path).
   * Default 0; `linkcap calibrate` fits it from small-message rows.
   */
  callLatencyUs?: Figure;
  /** Total GPUs of a named cluster; absent for node presets (any multiple of the domain). */
  maxGpus?: Figure;
  derivedFrom?: string;
  hypothetical?: boolean;
  /** Source keys that describe the cluster as a whole. */
  sources?: string[];
  notes?: string[];
}

export interface ArchitectureDefaults {
  scaleUpEfficiency: Figure;
  scaleUpHopLatencyUs: Figure;
  inSwitchReduction: Figure;
  nvlsEfficiency: Figure;
  llCapGBps: Figure;
}

/** The training model's calibrated constants of one architecture (docs/model/training.md, "Calibration"). */
export interface TrainingArchitectureDefaults {
  gemmEfficiency: Figure;
  gemmEfficiencyFp8: Figure;
  gemmOverheadUs: Figure;
  attentionFwdEfficiency: Figure;
  attentionBwdEfficiency: Figure;
  attentionSoftmaxFlops: Figure;
  /** FlashAttention-2's rate as a fraction of the reference fused attention (absent: the built-in entry's). */
  attentionFa2Scale?: Figure;
  memoryEfficiency: Figure;
  usableMemoryFraction: Figure;
  memoryReserveGB: Figure;
}

export interface FabricDefaults {
  hopLatencyUs: Figure;
  tierHopLatencyUs: Figure;
}

export interface CatalogDefaults {
  architectures: Record<string, ArchitectureDefaults>;
  /** Training-model constants by chip architecture; `other` for the rest. */
  trainingArchitectures: Record<string, TrainingArchitectureDefaults>;
  fabrics: Record<string, FabricDefaults>;
  /** Fabric of clusters that do not name one. */
  fabric: string;
  nicEfficiency: Figure;
  leafRadix: Figure;
  railOptimized: boolean;
  oversubscription: Figure;
  inNetworkReduction: Figure;
  inNetworkEfficiency: Figure;
  hbmStackAreaMm2: Figure;
}

export const COMPARISON_OPS = ['>=', '>', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A declarative criterion over one chip. */
export type Criterion =
  | { all: Criterion[] }
  | { any: Criterion[] }
  | { not: Criterion }
  | { metric: string; op: ComparisonOp; value: number }
  | { rule: string; verdicts: string[] }
  | { chips: string[] };

export interface RuleOutcome {
  verdict: string;
  when: Criterion;
  /** The verdict restricts export (what --what-if compares). */
  caught?: boolean;
  /** A guard outcome: when it does not apply, the explanation does not mention it. */
  quiet?: boolean;
}

export interface RuleSpec {
  id: string;
  title: string;
  /** Column header, e.g. "2023". */
  shortName: string;
  aliases?: string[];
  citation: string;
  source: string;
  outcomes: RuleOutcome[];
  /** Verdict when no outcome applies. */
  otherwise: string;
  otherwiseCaught?: boolean;
  notes?: string[];
}

export interface Catalog {
  chips: Map<string, ChipSpec>;
  clusters: Map<string, ClusterSpec>;
  rules: Map<string, RuleSpec>;
  sources: Map<string, SourceSpec>;
  defaults: CatalogDefaults;
  /** Where each entry came from: "chips.h100-sxm" → "builtin" or a file path. */
  origins: Map<string, string>;
}
