// Batch evaluation over columns: the native twin of packages/core/src/model/batch-reference.ts.
// Columns are raw pointers into the caller's typed arrays (no copies); this file knows nothing of Node-API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "collective.hpp"
#include "thread_pool.hpp"

namespace linkcap {

struct BatchInputs {
  const std::uint8_t* op;
  const double* bytes;
  const std::uint32_t* gpus;
  const std::uint16_t* cluster;
  const std::uint8_t* algo;
  const std::uint8_t* proto;
};

struct BatchOutputs {
  std::uint8_t* status;
  double* timeS;
  double* algbwGBps;
  double* busbwGBps;
  std::uint8_t* algo;
  std::uint8_t* proto;
  double* scaleUpBytes;
  double* scaleOutBytes;
};

// Every column holds `length` elements.
struct BatchColumns {
  BatchInputs in;
  BatchOutputs out;
  std::size_t length;
};

// Points per chunk claimed by one thread: large enough that claiming (one atomic add) and the cancel and
// progress checks between chunks cost nothing, small enough to balance two cores and report progress often.
inline constexpr std::size_t kChunkPoints = 16384;

// Throws std::invalid_argument for the first bad point, naming the column, index and allowed range, e.g.
// "inputs.bytes[17] = -1: must be a finite number > 0".
void validate_inputs(const BatchColumns& columns, std::size_t cluster_count);

// Evaluates points [begin, end). Inputs must already be validated; it never throws. `generation` identifies
// the cluster table (plan::next_generation(), one per batch): the calling thread's cache of per-(cluster,
// GPU count, op) plans is emptied when it changes.
void evaluate_range(const PreparedCluster* clusters, const BatchColumns& columns, std::size_t begin, std::size_t end,
                    std::uint64_t generation) noexcept;

// Validates the packed cluster table, then every point (screened on the pool; the first bad point's message
// is built on the calling thread), then evaluates all points on the pool. Nothing is written to the outputs
// when validation fails.
ParallelResult evaluate_batch(const double* packed_clusters, std::size_t packed_length, const BatchColumns& columns,
                              const ParallelOptions& options);

}  // namespace linkcap
