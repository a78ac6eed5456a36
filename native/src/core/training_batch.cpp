#include "training_batch.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "collective.hpp"
#include "first_bad.hpp"
#include "memory_advice.hpp"
#include "read_once.hpp"
#include "training_fields.hpp"
#include "training_pricing.hpp"
#include "training_step.hpp"
#include "training_validate.hpp"

namespace linkcap::training {
namespace {

// A layout row as its worker copied it, and the first bad one of a run (first_bad.hpp).
struct LayoutCopy {
  double values[kLayoutFieldCount];
};
using FirstBadRow = FirstBad<LayoutCopy>;

// Evaluates layout rows [begin, end), each from the worker's own checked copy. Returns `end`, or the first
// row that failed its check (recorded in `bad`). May throw only std::bad_alloc (the first call on a thread
// allocates its pricing memo and its layer-cost memo).
std::size_t evaluate_rows(const TrainingBatch& batch, const TrainingTables& tables, const PricingTable& pricing,
                          std::size_t begin, std::size_t end, FirstBadRow& bad) {
  PricingCache& cache = thread_pricing_cache(pricing);
  // The memo's keys hold row indices into this batch's tables: a new generation per batch empties it.
  LayerCostMemo& memo = thread_layer_memo();
  memo.begin(pricing.generation);
  double lay[kLayoutFieldCount];
  for (std::size_t row = begin; row < end; ++row) {
    copy_once(lay, batch.layouts + row * kLayoutFieldCount, kLayoutFieldCount);
    if (!layout_row_ok(lay, tables)) [[unlikely]] {
      LayoutCopy copy;
      std::copy(lay, lay + kLayoutFieldCount, copy.values);
      bad.record(row, copy);
      return row;
    }
    const auto workload = static_cast<std::size_t>(lay[L::workload]);
    const auto chip = static_cast<std::size_t>(lay[L::chip]);
    const auto cluster = static_cast<std::uint32_t>(lay[L::cluster]);
    Pricer pricer(pricing, cache, cluster);
    evaluate_training_row(tables.workload(workload), tables.chip(chip), lay, pricer, memo,
                          batch.outputs + row * kOutputFieldCount);
  }
  return end;
}

}  // namespace

void fill_training_not_evaluated(double* outputs, std::size_t begin, std::size_t end) noexcept {
  if (begin >= end) return;
  std::fill(outputs + begin * kOutputFieldCount, outputs + end * kOutputFieldCount,
            std::numeric_limits<double>::quiet_NaN());
  for (std::size_t row = begin; row < end; ++row) {
    outputs[row * kOutputFieldCount + O::status] = static_cast<double>(TrainingStatus::NotEvaluated);
  }
}

ParallelResult evaluate_training_batch(const TrainingBatch& batch, const ParallelOptions& options) {
  return evaluate_training_batch(copy_training_tables(batch), batch, options);
}

ParallelResult evaluate_training_batch(const TrainingTables& tables, const TrainingBatch& batch,
                                       const ParallelOptions& options) {
  const std::size_t rows = tables.layoutRows;
  PricingTable pricing;
  pricing.clusters = tables.prepared.data();
  pricing.packedRows = tables.clusters.data();
  pricing.rowCount = tables.clusterRows;
  pricing.generation = next_pricing_generation();
  // 200 bytes per configuration: a million-row output is 200 MB of pages the workers touch first.
  advise_huge_pages(batch.outputs, batch.outputsLength * sizeof(double));

  // As in the collective batch: a bad row stops the run like a cancel (first_bad.hpp).
  FirstBadRow firstBad;
  const ParallelOptions run = firstBad.stopping(options);
  const ParallelResult result = parallel_for(
      rows, kTrainingChunkRows,
      [&batch, &tables, &pricing, &firstBad](std::size_t begin, std::size_t end) {
        evaluate_rows(batch, tables, pricing, begin, end, firstBad);
      },
      run);
  if (firstBad.found()) {
    fill_training_not_evaluated(batch.outputs, firstBad.index(), rows);
    throw_layout_row_error(firstBad.item().values, batch.firstIndex + firstBad.index(), tables);
  }
  if (result.cancelled) fill_training_not_evaluated(batch.outputs, result.completed, rows);
  return result;
}

}  // namespace linkcap::training
