// Checks of a training batch. Messages name the array, the row, the field and the allowed range, like the
// collective validation ("workloads[1].heads = 0: must be a whole number from 1 to 100000"); the TypeScript
// reference (packages/core/src/training/row-rules.ts) words them identically.
//
// The workload, chip and cluster tables are small: they are copied into memory the engine owns (each value
// read once) and validated on the copy before any worker starts. The layout rows are the bulk of a batch:
// each is copied by the worker that evaluates it and checked there (layout_row_ok), so what is checked is
// what is used even if the caller's array changes during the call. Values inside a layout row (sizes, codes,
// fractions) are not errors: each configuration reports them as its status, as the TypeScript does, except a
// valid layout of more than 2^24 GPUs, which the collective model cannot place exactly (rank counts are
// Uint32, and the TypeScript keys its placement cache by g · 2^24 + N).
#pragma once

#include <cstddef>
#include <vector>

#include "collective.hpp"
#include "training_batch.hpp"
#include "training_fields.hpp"

namespace linkcap::training {

// Largest GPU count (tp × cp × dp × pp) of a valid layout; the typed API's limit too.
inline constexpr double kMaxTrainingGpus = 16777216.0;

// The validated copies of a batch's tables, and the row counts.
struct TrainingTables {
  std::vector<double> workloads;  // kWorkloadFieldCount per row
  std::vector<double> chips;      // kChipFieldCount per row
  std::vector<double> clusters;   // kClusterFieldCount per row
  std::vector<PreparedCluster> prepared;
  std::size_t workloadRows = 0;
  std::size_t chipRows = 0;
  std::size_t clusterRows = 0;
  std::size_t layoutRows = 0;

  const double* workload(std::size_t row) const { return workloads.data() + row * kWorkloadFieldCount; }
  const double* chip(std::size_t row) const { return chips.data() + row * kChipFieldCount; }
};

// Checks the shapes (whole rows, one output row per layout row), copies the workload, chip and cluster rows
// and validates every copied row. Throws InputError for the first problem.
TrainingTables copy_training_tables(const TrainingBatch& batch);

// Whether a layout row (the worker's own copy) indexes existing rows and, if its layout is valid, has at
// most kMaxTrainingGpus GPUs.
bool layout_row_ok(const double* lay, const TrainingTables& tables);

// Throws the InputError for a row layout_row_ok refused: the first of its problems, in field order.
// `row` is used only in the message.
[[noreturn]] void throw_layout_row_error(const double* lay, std::size_t row, const TrainingTables& tables);

// One row each; `index` is used only in the message.
void validate_workload_row(const double* row, std::size_t index);
void validate_chip_row(const double* row, std::size_t index);

}  // namespace linkcap::training
