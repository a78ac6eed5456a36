#include "training_validate.hpp"

#include <cmath>
#include <string>

#include "cluster_params.hpp"
#include "format_number.hpp"
#include "input_error.hpp"
#include "read_once.hpp"
#include "training_layout.hpp"
#include "training_math.hpp"
#include "validate_cluster.hpp"

namespace linkcap::training {
namespace {

[[noreturn]] void bad_field(const char* array, std::size_t index, const char* field, double value,
                            const std::string& range) {
  throw_out_of_range(std::string(array) + "[" + std::to_string(index) + "]." + field, format_number(value), range);
}

std::size_t rows_of(const char* name, std::size_t length, std::size_t width) {
  if (length % width != 0) {
    throw InputError(name, std::string(name) + ": length " + std::to_string(length) +
                               " is not a multiple of the row width " + std::to_string(width));
  }
  return length / width;
}

bool whole_in(double v, double min, double max) { return v >= min && v <= max && js_floor(v) == v; }

void whole(const double* row, std::size_t index, std::size_t field, double min, double max, const char* why = "") {
  const double v = row[field];
  if (!whole_in(v, min, max)) {
    bad_field("workloads", index, kWorkloadFieldNames[field], v,
              "must be a whole number from " + format_number(min) + " to " + format_number(max) + why);
  }
}

void flag(const double* row, std::size_t index, std::size_t field) {
  const double v = row[field];
  if (!(v == 0 || v == 1)) bad_field("workloads", index, kWorkloadFieldNames[field], v, "must be 0 or 1");
}

void row_index(const double* lay, std::size_t row, std::size_t field, std::size_t count) {
  const double v = lay[field];
  if (!(v >= 0 && v < static_cast<double>(count) && js_floor(v) == v)) {
    // The TypeScript's wording (validateTrainingBatch), "from 0 to -1" included when the table is empty.
    bad_field("layouts", row, kLayoutFieldNames[field], v,
              "must be a row index from 0 to " + std::to_string(static_cast<long long>(count) - 1));
  }
}

inline bool index_ok(double v, std::size_t count) {
  return v >= 0 && v < static_cast<double>(count) && js_floor(v) == v;
}

inline double layout_gpus(const double* lay) { return lay[L::tp] * lay[L::cp] * lay[L::dp] * lay[L::pp]; }

// Whether a valid layout of this row exceeds kMaxTrainingGpus (row indices already checked).
bool too_many_gpus(const double* lay, const TrainingTables& tables) {
  if (!(layout_gpus(lay) > kMaxTrainingGpus)) return false;
  const auto w = static_cast<std::size_t>(lay[L::workload]);
  const auto c = static_cast<std::size_t>(lay[L::chip]);
  // A layout that breaks a rule is reported as its status; only a valid one this large is refused.
  return layout_problem(tables.workload(w), tables.chip(c), lay) == Problem::None;
}

}  // namespace

void validate_workload_row(const double* w, std::size_t i) {
  whole(w, i, W::layers, 1, 100000);
  whole(w, i, W::hidden, 1, 1000000);
  whole(w, i, W::heads, 1, 100000);
  whole(w, i, W::kvHeads, 1, w[W::heads], " (heads)");
  whole(w, i, W::headDim, 1, 100000);
  whole(w, i, W::vHeadDim, 1, 100000);
  flag(w, i, W::gatedFfn);
  whole(w, i, W::qLoraRank, 0, 1000000);
  whole(w, i, W::kvLoraRank, 0, 1000000);
  whole(w, i, W::ropeHeadDim, 0, w[W::headDim] - 1, " (headDim − 1)");
  whole(w, i, W::vocab, 1, 100000000);
  whole(w, i, W::seqLen, 1, 100000000);
  flag(w, i, W::tiedEmbeddings);
  flag(w, i, W::learnedPositions);
  flag(w, i, W::biases);
  flag(w, i, W::dropout);
  whole(w, i, W::experts, 0, 1000000);
  whole(w, i, W::sharedExperts, 0, 1024);
  whole(w, i, W::firstDenseLayers, 0, w[W::layers], " (layers)");
  const bool moe = w[W::experts] > 0;
  if (moe) {
    whole(w, i, W::topK, 1, w[W::experts], " (routed experts)");
    whole(w, i, W::expertFfn, 1, 10000000, " (the model has routed experts)");
  } else {
    whole(w, i, W::topK, 0, 1000000);
    whole(w, i, W::expertFfn, 0, 10000000);
  }
  if (!moe || w[W::firstDenseLayers] > 0) {
    whole(w, i, W::ffn, 1, 10000000, " (the model has dense layers)");
  } else {
    whole(w, i, W::ffn, 0, 10000000);
  }
}

void validate_chip_row(const double* c, std::size_t i) {
  for (std::size_t field = 0; field < kChipFieldCount; ++field) {
    const double v = c[field];
    const char* name = kChipFieldNames[field];
    switch (field) {
      case C::peakFp8Flops:
      case C::gemmOverheadS:
        if (!(std::isfinite(v) && v >= 0)) bad_field("chips", i, name, v, "must be a finite number ≥ 0");
        break;
      case C::gemmEfficiency:
      case C::memoryEfficiency:
      case C::usableMemoryFraction:
      case C::gemmEfficiencyFp8:
      case C::attentionFwdEfficiency:
      case C::attentionBwdEfficiency:
      case C::attentionFa2Scale:
        if (!(v > 0 && v <= 1)) bad_field("chips", i, name, v, "must be a fraction in (0, 1]");
        break;
      case C::attentionSoftmaxFlops:
        if (!(v >= 0 && v <= 1e6)) bad_field("chips", i, name, v, "must be a number from 0 to 1000000");
        break;
      case C::memoryReserveBytes:
        if (!(v >= 0 && v < c[C::memoryBytes])) {
          bad_field("chips", i, name, v, "must be from 0 to below memoryBytes (" + format_number(c[C::memoryBytes]) + ")");
        }
        break;
      default:
        if (!(std::isfinite(v) && v > 0)) bad_field("chips", i, name, v, "must be a finite number > 0");
    }
  }
}

TrainingTables copy_training_tables(const TrainingBatch& batch) {
  TrainingTables t;
  t.workloadRows = rows_of("workloads", batch.workloadsLength, kWorkloadFieldCount);
  t.chipRows = rows_of("chips", batch.chipsLength, kChipFieldCount);
  t.clusterRows = rows_of("clusters", batch.clustersLength, kClusterFieldCount);
  t.layoutRows = rows_of("layouts", batch.layoutsLength, kLayoutFieldCount);
  const std::size_t outputRows = rows_of("outputs", batch.outputsLength, kOutputFieldCount);
  if (outputRows != t.layoutRows) {
    throw InputError("outputs", "outputs: has " + std::to_string(outputRows) + " rows for " +
                                    std::to_string(t.layoutRows) + " layouts");
  }
  t.workloads.resize(batch.workloadsLength);
  copy_once(t.workloads.data(), batch.workloads, batch.workloadsLength);
  t.chips.resize(batch.chipsLength);
  copy_once(t.chips.data(), batch.chips, batch.chipsLength);
  t.clusters.resize(batch.clustersLength);
  copy_once(t.clusters.data(), batch.clusters, batch.clustersLength);
  for (std::size_t i = 0; i < t.workloadRows; ++i) validate_workload_row(t.workload(i), i);
  for (std::size_t i = 0; i < t.chipRows; ++i) validate_chip_row(t.chip(i), i);
  t.prepared.reserve(t.clusterRows);
  for (std::size_t i = 0; i < t.clusterRows; ++i) {
    const double* row = t.clusters.data() + i * kClusterFieldCount;
    validate_cluster_row(row, i);
    t.prepared.push_back(prepare_cluster(unpack_cluster(row)));
  }
  return t;
}

bool layout_row_ok(const double* lay, const TrainingTables& tables) {
  return index_ok(lay[L::workload], tables.workloadRows) && index_ok(lay[L::chip], tables.chipRows) &&
         index_ok(lay[L::cluster], tables.clusterRows) && !too_many_gpus(lay, tables);
}

void throw_layout_row_error(const double* lay, std::size_t row, const TrainingTables& tables) {
  row_index(lay, row, L::workload, tables.workloadRows);
  row_index(lay, row, L::chip, tables.chipRows);
  row_index(lay, row, L::cluster, tables.clusterRows);
  throw InputError("layouts[" + std::to_string(row) + "]",
                   "layouts[" + std::to_string(row) + "]: tp × cp × dp × pp = " + format_number(layout_gpus(lay)) +
                       " GPUs: must be at most 16777216 (2^24)");
}

}  // namespace linkcap::training
