/**
 * The codes of a sweep plan and of the result-file writers as the native engine reads them: the one definition
 * of these tables. native/scripts/generate-abi-headers.mjs writes native/build/generated/sweep_codes.hpp from
 * this file at build time (sweep_plan.hpp and table_writer.hpp include it). Part of the binary interface:
 * append, never reorder (and bump sweepAbiVersion or tableWriterVersion when a meaning changes).
 */

/** What the plan enumerates (SweepPlan::kind). */
export const enum PlanKind {
  Collective = 0,
  Training = 1,
}

/**
 * What an axis value sets. Row-table targets add digit × stride to a row index (the TypeScript expanded the
 * tables of clusters, chips and workloads over every combination of the axes that change them).
 */
export const enum Target {
  /** A label only (or a derived axis already folded into a row table with stride 0). */
  None = 0,
  /** arg: stride into the packed cluster rows. */
  ClusterRow = 1,
  /** Collective: the op code. */
  Op = 2,
  /** Collective: ranks; training: total GPUs (dp = gpus / (tp · pp · cp)). */
  Gpus = 3,
  /** Collective: message size, bytes. */
  Bytes = 4,
  /** Collective: algorithm code, 255 auto, 254 auto over all. */
  Algo = 5,
  /** Collective: protocol code or 255. */
  Proto = 6,
  /** Training: arg = stride into the workload rows. */
  WorkloadRow = 7,
  /** Training: arg = stride into the chip rows. */
  ChipRow = 8,
  /** Training: arg = field index of the layout row (LAYOUT_FIELDS). */
  LayoutField = 9,
  /** Training: arg = index into the plan's bundles; each value sets several layout fields. */
  Bundle = 10,
}

/** Where a column of a row chunk or of a reduction table comes from. */
export const enum ColumnSource {
  /** arg: axis index; the value (numbers) or the digit (strings: a dictionary code). */
  AxisValue = 0,
  /** arg: layout field index (training): the evaluated layout row. */
  LayoutField = 1,
  /** arg: metric id. */
  Metric = 2,
  /** The point's status code. */
  Status = 3,
  /** The point number (for tables that need it). */
  PointId = 4,
}

/** Storage of a column buffer: Float64Array, Int32Array, Uint32Array, Uint8Array (also the table writers' Storage). */
export const enum ColumnType {
  F64 = 0,
  I32 = 1,
  U32 = 2,
  U8 = 3,
}

/** Instructions of the `where:` program (reverse Polish notation over numbers; each is (op, arg)). */
export const enum FilterOp {
  /** Push arg. */
  Const = 0,
  /** Push the value of axis arg (a string axis pushes its code). */
  Axis = 1,
  /** Push field arg of the point's layout row (training). */
  LayoutField = 2,
  Add = 3,
  Sub = 4,
  Mul = 5,
  Div = 6,
  Mod = 7,
  Neg = 8,
  Lt = 9,
  Le = 10,
  Gt = 11,
  Ge = 12,
  Eq = 13,
  Ne = 14,
  And = 15,
  Or = 16,
  Not = 17,
  /** Push field arg of the point's workload row (training: `model.layers`). */
  WorkloadField = 18,
  /** Push field arg of the point's chip row (training: `chip.gemmEfficiency`). */
  ChipField = 19,
  /** Push field arg of the point's cluster row (`cluster.gpusPerDomain`). */
  ClusterField = 20,
}

/** Reductions computed while streaming (native sweep_reduce.hpp). */
export const enum ReduceKind {
  Argmin = 0,
  Argmax = 1,
  /** k smallest (or largest) by metric. */
  TopK = 2,
  /** Non-dominated set over 2–3 metrics. */
  Pareto = 3,
  /** DDSketch per group. */
  Quantiles = 4,
  /** Fixed bins per group. */
  Histogram = 5,
  /** metric(point with pair axis = numerator) / metric(same point with denominator). */
  RatioPoint = 6,
  /** Best numerator / best denominator per group. */
  RatioBest = 7,
  /** N points with the smallest hash of their id (deterministic sample of rows). */
  Sample = 8,
  /** Counts of points and statuses per group. */
  Count = 9,
  /** The denominator side's best point carried to the numerator (pair axis moved), per group. */
  RatioCarried = 10,
}

/** The spec's reduction kinds (and the rows' sample) by their native code. */
export const REDUCE_KINDS = {
  argmin: ReduceKind.Argmin,
  argmax: ReduceKind.Argmax,
  'top-k': ReduceKind.TopK,
  pareto: ReduceKind.Pareto,
  quantiles: ReduceKind.Quantiles,
  histogram: ReduceKind.Histogram,
  ratio: ReduceKind.RatioPoint,
  'best-ratio': ReduceKind.RatioBest,
  sample: ReduceKind.Sample,
  count: ReduceKind.Count,
  'carried-ratio': ReduceKind.RatioCarried,
} as const;

/** Result-file formats of the native table writers. */
export const enum TableFormatCode {
  Parquet = 0,
  Csv = 1,
  Jsonl = 2,
  Arrow = 3,
}

/** What a result file stores for a column. */
export const enum ValueKind {
  /** Uint32 codes into the column's labels; a code ≥ labels.length (0xFFFFFFFF by convention) is null. */
  String = 0,
  /** Counts, flags, statuses. */
  Int32 = 1,
  /** NaN where a point has no value. */
  Double = 2,
}
