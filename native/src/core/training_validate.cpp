#include "training_validate.hpp"

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cluster_params.hpp"
#include "format_number.hpp"
#include "training_fields.hpp"
#include "training_layout.hpp"
#include "training_math.hpp"
#include "thread_pool.hpp"
#include "validate_cluster.hpp"

namespace linkcap::training {
namespace {

[[noreturn]] void bad_field(const char* array, std::size_t index, const char* field, double value,
                            const std::string& range) {
  throw std::invalid_argument(std::string(array) + "[" + std::to_string(index) + "]." + field + " = " +
                              format_number(value) + ": " + range);
}

std::size_t rows_of(const char* name, std::size_t length, std::size_t width) {
  if (length % width != 0) {
    throw std::invalid_argument(std::string(name) + ": length " + std::to_string(length) +
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
bool too_many_gpus(const TrainingBatch& batch, const double* lay) {
  if (!(layout_gpus(lay) > kMaxTrainingGpus)) return false;
  const auto w = static_cast<std::size_t>(lay[L::workload]);
  const auto c = static_cast<std::size_t>(lay[L::chip]);
  // A layout that breaks a rule is reported as its status; only a valid one this large is refused.
  return layout_problem(batch.workloads + w * kWorkloadFieldCount, batch.chips + c * kChipFieldCount, lay) ==
         Problem::None;
}

inline bool layout_row_ok(const TrainingBatch& batch, std::size_t row, std::size_t nw, std::size_t nc, std::size_t nk) {
  const double* lay = batch.layouts + row * kLayoutFieldCount;
  return index_ok(lay[L::workload], nw) && index_ok(lay[L::chip], nc) && index_ok(lay[L::cluster], nk) &&
         !too_many_gpus(batch, lay);
}

// Throws the message for the first problem of a layout row that layout_row_ok refused.
void check_layout_row(const TrainingBatch& batch, std::size_t row, std::size_t nw, std::size_t nc, std::size_t nk) {
  const double* lay = batch.layouts + row * kLayoutFieldCount;
  row_index(lay, row, L::workload, nw);
  row_index(lay, row, L::chip, nc);
  row_index(lay, row, L::cluster, nk);
  if (too_many_gpus(batch, lay)) {
    throw std::invalid_argument("layouts[" + std::to_string(row) + "]: tp × cp × dp × pp = " +
                                format_number(layout_gpus(lay)) + " GPUs: must be at most 16777216 (2^24)");
  }
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

std::size_t validate_training_batch(const TrainingBatch& batch, unsigned threads) {
  const std::size_t nw = rows_of("workloads", batch.workloadsLength, kWorkloadFieldCount);
  const std::size_t nc = rows_of("chips", batch.chipsLength, kChipFieldCount);
  const std::size_t nk = rows_of("clusters", batch.clustersLength, kClusterFieldCount);
  const std::size_t n = rows_of("layouts", batch.layoutsLength, kLayoutFieldCount);
  const std::size_t no = rows_of("outputs", batch.outputsLength, kOutputFieldCount);
  if (no != n) {
    throw std::invalid_argument("outputs: has " + std::to_string(no) + " rows for " + std::to_string(n) + " layouts");
  }
  for (std::size_t i = 0; i < nw; ++i) validate_workload_row(batch.workloads + i * kWorkloadFieldCount, i);
  for (std::size_t i = 0; i < nc; ++i) validate_chip_row(batch.chips + i * kChipFieldCount, i);
  for (std::size_t i = 0; i < nk; ++i) validate_cluster_row(batch.clusters + i * kClusterFieldCount, i);
  // The layout rows are the bulk of the batch (184 bytes each, a pass over memory): scan them on the pool
  // with a cheap predicate, then word the first bad row (the lowest index, as a sequential scan would).
  std::atomic<std::size_t> firstBad{n};
  ParallelOptions scan;
  scan.threads = threads;
  parallel_for(
      n, 65536,
      [&](std::size_t begin, std::size_t end) {
        for (std::size_t row = begin; row < end; ++row) {
          if (!layout_row_ok(batch, row, nw, nc, nk)) {
            std::size_t seen = firstBad.load(std::memory_order_relaxed);
            while (row < seen && !firstBad.compare_exchange_weak(seen, row, std::memory_order_relaxed)) {
            }
            return;
          }
        }
      },
      scan);
  if (firstBad.load() < n) check_layout_row(batch, firstBad.load(), nw, nc, nk);
  return n;
}

}  // namespace linkcap::training
