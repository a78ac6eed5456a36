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
};

// Configurations per chunk claimed by one thread (about a millisecond of work): cancel and progress are
// checked between chunks.
inline constexpr std::size_t kTrainingChunkRows = 2048;

// Validates every row (training_validate.hpp) on the calling thread, then evaluates every layout row on the
// pool. Throws std::invalid_argument, naming the array, row, field and allowed range, before any worker
// starts; nothing is written to the outputs then. ParallelResult::completed counts configurations.
ParallelResult evaluate_training_batch(const TrainingBatch& batch, const ParallelOptions& options);

}  // namespace linkcap::training
