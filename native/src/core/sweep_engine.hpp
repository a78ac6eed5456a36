// The sweep engine: enumerates a plan's index space lazily (mixed radix, never materialised), filters each
// point by the `where:` program, evaluates it with the existing per-point models (collective: the selection
// plans of selection_plan.hpp; training: evaluate_training_row), writes row columns when asked and feeds the
// reductions, in chunks over the shared thread pool.
//
// The caller drives it in windows of outer points (runs of the index space): each window evaluates on the
// pool, writes its rows (in index order, filtered rows removed) into the caller's column buffers and returns
// how far it got. A cancelled window stops at a chunk boundary; chunks are claimed in index order and every
// claimed chunk finishes, so what was done is always a prefix, rows and reductions alike.
//
// Memory: the engine holds the plan's tables, one reduction state per thread and, per window, one byte per row
// slot; never a point list. Outputs are deterministic: byte-identical for any thread count and window size.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collective.hpp"
#include "sweep_plan.hpp"
#include "sweep_reduce.hpp"
#include "thread_pool.hpp"

namespace linkcap::sweep {

// Caller-owned column buffers: one pointer per plan column, each `capacity` elements of its type.
struct RowBuffers {
  std::vector<void*> columns;
  std::size_t capacity = 0;
};

struct WindowResult {
  std::uint64_t end = 0;        // first outer point not done
  std::uint64_t rows = 0;       // rows written (points that passed the filter)
  std::uint64_t evaluated = 0;  // same as rows: points evaluated
  std::uint64_t ok = 0;         // of them, status 0
  bool cancelled = false;
};

struct Totals {
  std::uint64_t evaluated = 0;
  std::uint64_t ok = 0;
  std::uint64_t statuses[8] = {};  // per status code (codes ≥ 7 counted in [7])
};

class Engine {
 public:
  // Validates the plan (std::invalid_argument naming what is wrong) and copies every table it needs.
  explicit Engine(const SweepPlan& plan);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Outer points: the product of the axis lengths.
  std::uint64_t outer_count() const { return outerCount_; }
  // Layouts in the longest list (1 without `layouts: all`): point ids are outer × this + layout.
  std::uint64_t layouts_per_outer() const { return maxLayouts_; }
  // Row slots the outer points [begin, end) need (before the filter).
  std::uint64_t slots(std::uint64_t begin, std::uint64_t end) const;
  // The first outer point e ≥ begin + 1 such that [begin, e) needs more than `capacity` slots, capped at `limit`.
  std::uint64_t window_end(std::uint64_t begin, std::uint64_t limit, std::uint64_t capacity) const;

  // Points of [begin, end) that pass the filter (evaluates the filter only; on the pool).
  std::uint64_t count_points(std::uint64_t begin, std::uint64_t end, const ParallelOptions& options) const;

  // Evaluates outer points [begin, end); rows (may be null) must hold slots(begin, end) rows.
  WindowResult run_window(std::uint64_t begin, std::uint64_t end, RowBuffers* rows, const ParallelOptions& options);

  // Everything reduced so far, merged over threads.
  Totals totals() const;
  std::vector<ReductionTable> finish() const;
  // Saves the merged state (totals and reductions); load adds a saved state (another shard's) to this one.
  std::vector<std::uint8_t> save_state() const;
  void load_state(const std::uint8_t* data, std::size_t size);

  // Re-evaluates points by id (NaN: a null row, status 255) into the plan's columns, rows 0..n-1; with moveAxis
  // ≥ 0, each point with that axis moved to moveDigit (its layout carried, as paired ratios evaluate partners).
  void describe(const double* ids, std::size_t n, RowBuffers& out, std::int32_t moveAxis = -1, std::int64_t moveDigit = -1) const;
  // The digits of group `group` of reduction `reduction`, one per group axis.
  std::vector<std::uint32_t> group_digits(std::size_t reduction, std::uint64_t group) const;

  const std::vector<ColumnPlan>& columns() const { return plan_.columns; }

  struct Impl;

 private:
  SweepPlan plan_;  // pointers into the vectors below
  std::vector<std::vector<double>> axisValues_;
  std::vector<double> clusters_, workloads_, chips_, baseLayout_, workloadBatch_, clusterPrice_, layoutTable_;
  std::vector<std::vector<double>> bundleTables_;
  std::vector<std::uint32_t> listOffsets_;  // (start, count) per context
  std::vector<std::uint32_t> lengths_;
  std::uint64_t outerCount_ = 1;
  std::uint64_t maxLayouts_ = 1;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkcap::sweep
