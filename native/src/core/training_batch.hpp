// Batch evaluation of training configurations: the native twin of evaluateTrainingBatch
// (packages/core/src/training/packing.ts). Five packed row-major float64 arrays, borrowed from the caller
// (no copies): workloads, chips, clusters (the collective model's rows), layouts (whose first three fields
// index the other three) and outputs (one row per layout). Knows nothing of Node-API.
#pragma once

#include <cstddef>

#include "thread_pool.hpp"

namespace linkcap::training {

struct TrainingBatch {
  const double* workloads = nullptr;
  std::size_t workloadsLength = 0;  // doubles, a multiple of kWorkloadFieldCount
  const double* chips = nullptr;
  std::size_t chipsLength = 0;
  const double* clusters = nullptr;
  std::size_t clustersLength = 0;
  const double* layouts = nullptr;
  std::size_t layoutsLength = 0;
  double* outputs = nullptr;
  std::size_t outputsLength = 0;
  // Index of layout row 0 in error messages (a caller that hands the engine a window of a larger batch names
  // rows by their place in the whole).
  std::size_t firstIndex = 0;
};

// Configurations per chunk claimed by one thread (about a millisecond of work): cancel and progress are
// checked between chunks.
inline constexpr std::size_t kTrainingChunkRows = 2048;

// Copies and validates the workload, chip and cluster tables on the calling thread (InputError, nothing
// written), then evaluates every layout row on the pool, each row copied and checked by its worker
// (training_validate.hpp). For a bad layout row it throws InputError naming the first one after every row
// before it was evaluated; that row and every later one read NotEvaluated. When options.cancelled stops the
// run, rows [0, completed) are evaluated and the others read NotEvaluated. ParallelResult::completed counts
// configurations. The memory of every array must stay allocated for the call; its contents may change.
ParallelResult evaluate_training_batch(const TrainingBatch& batch, const ParallelOptions& options);

// The same with the tables already copied (copy_training_tables(batch), training_validate.hpp); only the
// layouts and outputs of `batch` are read then.
struct TrainingTables;
ParallelResult evaluate_training_batch(const TrainingTables& tables, const TrainingBatch& batch,
                                       const ParallelOptions& options);

// Writes "not evaluated" into output rows [begin, end): status NotEvaluated, every other field NaN.
void fill_training_not_evaluated(double* outputs, std::size_t begin, std::size_t end) noexcept;

}  // namespace linkcap::training
