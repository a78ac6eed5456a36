// A sweep as the engine receives it: compact tables written by packages/core/src/sweep/plan.ts, never the
// expanded index space. Everything here borrows the caller's memory (typed arrays); the engine copies what it
// keeps beyond one call into its own vectors (sweep_engine.cpp).
//
// The index space is the Cartesian product of the axes, axis 0 outermost and the last axis innermost (mixed
// radix). A training sweep with `layouts: all` has one more, innermost, dimension whose length depends on the
// point: the list of layouts enumerated for the point's context (model, cluster, GPU count, batch). Points are
// then numbered outer × maxLayouts + layout, which keeps the enumeration order and stays unique.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace linkcap::sweep {

enum class Kind : std::uint8_t { Collective = 0, Training = 1 };

// What an axis value sets. Row-table targets add digit × stride to a row index (the TypeScript expanded the
// tables of clusters, chips and workloads over every combination of the axes that change them).
enum class Target : std::int32_t {
  None = 0,          // a label only (or a derived axis already folded into a row table with stride 0)
  ClusterRow = 1,    // arg: stride into the packed cluster rows
  Op = 2,            // collective: the op code
  Gpus = 3,          // collective: ranks; training: total GPUs (dp = gpus / (tp · pp · cp))
  Bytes = 4,         // collective: message size, bytes
  Algo = 5,          // collective: algorithm code, 255 auto, 254 auto over all
  Proto = 6,         // collective: protocol code or 255
  WorkloadRow = 7,   // training: arg = stride into the workload rows
  ChipRow = 8,       // training: arg = stride into the chip rows
  LayoutField = 9,   // training: arg = field index of the layout row (training_fields.hpp L)
  Bundle = 10,       // training: arg = index into SweepPlan::bundles; each value sets several layout fields
};

struct AxisPlan {
  std::uint32_t length = 0;
  const double* values = nullptr;  // `length` numbers (a string axis holds 0 … length-1)
  Target target = Target::None;
  std::int64_t arg = 0;
};

// Columns of a row chunk and of reduction tables.
enum class ColumnSource : std::int32_t {
  AxisValue = 0,    // arg: axis index; the value (numbers) or the digit (strings: a dictionary code)
  LayoutField = 1,  // arg: layout field index (training): the evaluated layout row
  Metric = 2,       // arg: metric id
  Status = 3,       // the point's status code
  PointId = 4,      // the point number (for tables that need it)
};

enum class ColumnType : std::int32_t { F64 = 0, I32 = 1, U32 = 2, U8 = 3 };

struct ColumnPlan {
  ColumnSource source = ColumnSource::Metric;
  std::int64_t arg = 0;
  ColumnType type = ColumnType::F64;
};

// Metrics. Collective: the fields of a priced point. Training: the output row fields (training_fields.hpp O,
// status excluded in practice) then the derived ones, from kTrainingDerived on.
namespace collective_metric {
enum : int { timeS = 0, algbwGBps = 1, busbwGBps = 2, algorithm = 3, protocol = 4, scaleUpBytes = 5, scaleOutBytes = 6 };
inline constexpr int kCount = 7;
}  // namespace collective_metric
namespace training_metric {
inline constexpr int kDerived = 27;  // == kOutputFieldCount (checked in sweep_engine.cpp)
enum : int { trainDays = kDerived, gpuHours = kDerived + 1, costUsd = kDerived + 2 };
inline constexpr int kCount = kDerived + 3;
}  // namespace training_metric
inline constexpr int kMaxMetrics = 32;

// The `where:` program: reverse Polish notation over numbers. Each instruction is (op, arg).
enum class FilterOp : std::int32_t {
  Const = 0,        // push arg
  Axis = 1,         // push the value of axis arg (a string axis pushes its code)
  LayoutField = 2,  // push field arg of the point's layout row (training)
  Add = 3, Sub = 4, Mul = 5, Div = 6, Mod = 7, Neg = 8,
  Lt = 9, Le = 10, Gt = 11, Ge = 12, Eq = 13, Ne = 14,
  And = 15, Or = 16, Not = 17,
  WorkloadField = 18,  // push field arg of the point's workload row (training: `model.layers`)
  ChipField = 19,      // push field arg of the point's chip row (training: `chip.gemmEfficiency`)
  ClusterField = 20,   // push field arg of the point's cluster row (`cluster.gpusPerDomain`)
};
inline constexpr int kFilterOpCount = 21;
inline constexpr std::size_t kMaxFilterStack = 64;

struct FilterInstruction {
  FilterOp op;
  double arg;
};

// Reductions computed while streaming (sweep_reduce.hpp).
enum class ReduceKind : std::int32_t {
  Argmin = 0,
  Argmax = 1,
  TopK = 2,       // k smallest (or largest, direction) by metric
  Pareto = 3,     // non-dominated set over 2–3 metrics
  Quantiles = 4,  // DDSketch per group
  Histogram = 5,  // fixed bins per group
  RatioPoint = 6, // metric(point with pair axis = numerator) / metric(same point with denominator)
  RatioBest = 7,  // best numerator / best denominator per group
  Sample = 8,     // N points with the smallest hash of their id (deterministic sample of rows)
  Count = 9,      // counts of points and statuses per group
  RatioCarried = 10,  // the denominator side's best point carried to the numerator (pair axis moved), per group
};
inline constexpr int kReduceKindCount = 11;

struct ReducePlan {
  ReduceKind kind = ReduceKind::Argmin;
  std::vector<std::int32_t> groupAxes;  // axes that define a group (empty: one group)
  std::vector<std::int32_t> metrics;    // 1 metric, or 2–3 for Pareto
  std::vector<std::int8_t> maximize;    // per metric: 1 to maximise
  std::uint32_t k = 1;                  // TopK, Sample
  double alpha = 0.01;                  // Quantiles: relative accuracy
  double histMin = 0, histMax = 1;      // Histogram edges
  std::uint32_t histBins = 10;
  bool histLog = false;
  std::int32_t pairAxis = -1;           // Ratio*: the axis compared
  std::uint32_t numerator = 0, denominator = 0;  // digits of the pair axis
};

// A bundle axis (training): value d sets fields[i] to table[d × fields.size() + i] (NaN: leaves it). Fields marked `late` are
// applied after the layout lists of `layouts: all` (explicit settings such as an overlap a custom profile fixes),
// the others before them (a profile's defaults, which the lists' per-layout values replace); layout axes are
// applied last of all.
struct BundlePlan {
  std::vector<std::int32_t> fields;
  std::vector<std::uint8_t> late;  // one per field
  const double* table = nullptr;   // axis length × fields.size()
  std::size_t length = 0;          // values (rows of table)
};

struct LayoutLists {
  std::vector<std::int32_t> fields;         // layout fields each entry sets
  const double* table = nullptr;            // entries × fields.size()
  std::size_t entries = 0;
  const std::uint32_t* listOffsets = nullptr;  // per context: (first entry, entry count); lists may be shared
  std::size_t contexts = 0;
  std::vector<std::uint64_t> contextStrides;   // per axis: digit × stride adds to the context index (0: no)
};

struct SweepPlan {
  Kind kind = Kind::Collective;
  std::vector<AxisPlan> axes;
  const double* clusters = nullptr;  // packed ClusterParams rows
  std::size_t clustersLength = 0;
  // Training only.
  const double* workloads = nullptr;
  std::size_t workloadsLength = 0;
  const double* chips = nullptr;
  std::size_t chipsLength = 0;
  const double* baseLayout = nullptr;        // kLayoutFieldCount defaults
  const double* workloadBatch = nullptr;     // per workload row: default global batch (sequences)
  const double* clusterPrice = nullptr;      // per cluster row: $ per GPU-hour (NaN: unknown)
  double tokens = 0;                         // tokens to train (derived metrics); 0: none
  bool hasLayoutLists = false;
  LayoutLists layouts;
  std::vector<BundlePlan> bundles;
  // Both.
  std::vector<FilterInstruction> filter;  // empty: every point
  std::vector<ColumnPlan> columns;        // row columns
  std::vector<ReducePlan> reductions;
};

}  // namespace linkcap::sweep
