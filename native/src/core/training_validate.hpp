// Checks of a training batch before any worker starts. Messages name the array, the row, the field and the
// allowed range, like the collective validation ("workloads[1].heads = 0: must be a whole number from 1 to
// 100000"). Workload and chip rows are held to the ranges normaliseWorkload and validateChipParams produce;
// cluster rows to the collective model's rules; layout rows must index existing rows. Values inside a layout
// row (sizes, codes, fractions) are not errors: each configuration reports them as its status, as the
// TypeScript does, except a valid layout of more than 2^24 GPUs, which the collective model cannot place
// exactly (rank counts are Uint32, and the TypeScript keys its placement cache by g · 2^24 + N).
#pragma once

#include <cstddef>

#include "training_batch.hpp"

namespace linkcap::training {

// Largest GPU count (tp × cp × dp × pp) of a valid layout; the typed API's limit too.
inline constexpr double kMaxTrainingGpus = 16777216.0;

// Throws std::invalid_argument for the first problem (the lowest row of the first array that has one).
// Returns the number of layout rows. The layout rows are scanned on `threads` threads (0: all cores).
std::size_t validate_training_batch(const TrainingBatch& batch, unsigned threads = 1);

// One row each; `index` is used only in the message.
void validate_workload_row(const double* row, std::size_t index);
void validate_chip_row(const double* row, std::size_t index);

}  // namespace linkcap::training
