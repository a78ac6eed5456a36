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

#include "sweep_codes.hpp"  // Kind, Target, ColumnSource, ColumnType, FilterOp, ReduceKind, metric ids (generated)

namespace linkcap::sweep {

struct AxisPlan {
  std::uint32_t length = 0;
  const double* values = nullptr;  // `length` numbers (a string axis holds 0 … length-1)
  Target target = Target::None;
  std::int64_t arg = 0;
};

struct ColumnPlan {
  ColumnSource source = ColumnSource::Metric;
  std::int64_t arg = 0;
  ColumnType type = ColumnType::F64;
};

// Metric values a point holds at most (collective_metric::kCount, training_metric::kCount of sweep_codes.hpp).
inline constexpr int kMaxMetrics = 32;
static_assert(collective_metric::kCount <= kMaxMetrics && training_metric::kCount <= kMaxMetrics,
              "more metrics than a point holds: raise kMaxMetrics");

inline constexpr std::size_t kMaxFilterStack = 64;

struct FilterInstruction {
  FilterOp op;
  double arg;
};

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
