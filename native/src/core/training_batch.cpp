#include "training_batch.hpp"

#include <cstdint>
#include <vector>

#include "collective.hpp"
#include "memory_advice.hpp"
#include "training_fields.hpp"
#include "training_pricing.hpp"
#include "training_step.hpp"
#include "training_validate.hpp"

namespace linkcap::training {
namespace {

// Evaluates layout rows [begin, end). The rows are validated; may throw only std::bad_alloc (the first call
// on a thread allocates its pricing memo).
void evaluate_rows(const TrainingBatch& batch, const PricingTable& table, std::size_t begin, std::size_t end) {
  PricingCache& cache = thread_pricing_cache(table);
  LayerCostMemo& memo = thread_layer_memo();
  memo.begin(table.generation);
  for (std::size_t row = begin; row < end; ++row) {
    const double* lay = batch.layouts + row * kLayoutFieldCount;
    const auto workload = static_cast<std::size_t>(lay[L::workload]);
    const auto chip = static_cast<std::size_t>(lay[L::chip]);
    const auto cluster = static_cast<std::uint32_t>(lay[L::cluster]);
    Pricer pricer(table, cache, cluster);
    evaluate_training_row(batch.workloads + workload * kWorkloadFieldCount, batch.chips + chip * kChipFieldCount, lay,
                          pricer, memo, batch.outputs + row * kOutputFieldCount);
  }
}

}  // namespace

ParallelResult evaluate_training_batch(const TrainingBatch& batch, const ParallelOptions& options) {
  // All validation runs here, before any worker starts.
  const std::size_t rows = validate_training_batch(batch, options.threads);
  const std::size_t clusterRows = batch.clustersLength / kClusterFieldCount;
  std::vector<PreparedCluster> clusters;
  clusters.reserve(clusterRows);
  for (std::size_t i = 0; i < clusterRows; ++i) {
    clusters.push_back(prepare_cluster(unpack_cluster(batch.clusters + i * kClusterFieldCount)));
  }
  PricingTable table;
  table.clusters = clusters.data();
  table.packedRows = batch.clusters;
  table.rowCount = clusterRows;
  table.generation = next_pricing_generation();
  // 200 bytes per configuration: a million-row output is 200 MB of pages the workers touch first.
  advise_huge_pages(batch.outputs, batch.outputsLength * sizeof(double));
  return parallel_for(
      rows, kTrainingChunkRows,
      [&batch, &table](std::size_t begin, std::size_t end) { evaluate_rows(batch, table, begin, end); }, options);
}

}  // namespace linkcap::training
