#include "batch.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "format_number.hpp"
#include "validate_cluster.hpp"

namespace linkcap {
namespace {

[[noreturn]] void bad_point(const char* column, std::size_t index, const std::string& value, const std::string& range) {
  throw std::invalid_argument(std::string("inputs.") + column + "[" + std::to_string(index) + "] = " + value + ": " +
                              range);
}

}  // namespace

void validate_inputs(const BatchColumns& columns, std::size_t cluster_count) {
  const BatchInputs& in = columns.in;
  for (std::size_t i = 0; i < columns.length; ++i) {
    if (in.op[i] >= kOpCount) bad_point("op", i, std::to_string(in.op[i]), "must be 0.." + std::to_string(kOpCount - 1));
    const double size = in.bytes[i];
    if (!(size > 0) || !std::isfinite(size)) bad_point("bytes", i, format_number(size), "must be a finite number > 0");
    if (in.cluster[i] >= cluster_count) {
      bad_point("cluster", i, std::to_string(in.cluster[i]),
                "must be < " + std::to_string(cluster_count) + " (cluster rows)");
    }
    if (in.algo[i] >= kAlgorithmCount && in.algo[i] != kAuto && in.algo[i] != kAutoAll) {
      bad_point("algo", i, std::to_string(in.algo[i]),
                "must be 0.." + std::to_string(kAlgorithmCount - 1) + ", " + std::to_string(kAuto) +
                    " (auto, NCCL's algorithms) or " + std::to_string(kAutoAll) + " (auto over all)");
    }
    if (in.proto[i] >= kProtocolCount && in.proto[i] != kAuto) {
      bad_point("proto", i, std::to_string(in.proto[i]),
                "must be 0.." + std::to_string(kProtocolCount - 1) + " or " + std::to_string(kAuto) + " (auto)");
    }
  }
}

void evaluate_range(const PreparedCluster* clusters, const BatchColumns& columns, std::size_t begin,
                    std::size_t end) noexcept {
  const BatchInputs in = columns.in;
  const BatchOutputs out = columns.out;
  PointResult r;
  for (std::size_t i = begin; i < end; ++i) {
    // Every input of point i is read before any output of point i is written, so an output column that is
    // the very same array as an input column (in-place algo/proto) behaves as in the TypeScript loop.
    evaluate_point(clusters[in.cluster[i]], static_cast<Op>(in.op[i]), in.bytes[i], in.gpus[i], in.algo[i],
                   in.proto[i], r);
    out.status[i] = static_cast<std::uint8_t>(r.status);
    out.timeS[i] = r.timeS;
    out.algbwGBps[i] = r.algbwGBps;
    out.busbwGBps[i] = r.busbwGBps;
    out.algo[i] = r.algo;
    out.proto[i] = r.proto;
    out.scaleUpBytes[i] = r.scaleUpBytes;
    out.scaleOutBytes[i] = r.scaleOutBytes;
  }
}

ParallelResult evaluate_batch(const double* packed_clusters, std::size_t packed_length, const BatchColumns& columns,
                              const ParallelOptions& options) {
  // All validation runs here, before any worker starts: a bad point is one clear exception, not a
  // half-written output or an error raised from inside a worker.
  const std::vector<ClusterParams> rows = unpack_clusters(packed_clusters, packed_length);
  validate_inputs(columns, rows.size());
  std::vector<PreparedCluster> clusters;
  clusters.reserve(rows.size());
  for (const ClusterParams& row : rows) clusters.push_back(prepare_cluster(row));

  const PreparedCluster* table = clusters.data();
  return parallel_for(
      columns.length, kChunkPoints,
      [table, &columns](std::size_t begin, std::size_t end) { evaluate_range(table, columns, begin, end); }, options);
}

}  // namespace linkcap
