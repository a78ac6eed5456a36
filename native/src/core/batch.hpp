// Batch evaluation over columns: the native twin of packages/core/src/model/batch-reference.ts.
// Columns are raw pointers into the caller's typed arrays (no copies); this file knows nothing of Node-API.
//
// Safety: the caller guarantees only that the columns' memory stays allocated for the whole call (the addon
// pins it); their contents may change under the engine (a SharedArrayBuffer rewritten by another thread).
// So each point's inputs are read once (read_once.hpp), checked, and only the checked values are used: the
// validation is fused into the evaluation, on the workers, at the point of use.
#pragma once

#include <cstddef>
#include <cstdint>

#include "collective.hpp"
#include "thread_pool.hpp"

namespace linkcap {

class ClusterTable;

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

// Every column holds `length` elements. `firstIndex` is the index of point 0 in error messages (a caller that
// hands the engine a window of a larger batch names points by their place in the whole).
struct BatchColumns {
  BatchInputs in;
  BatchOutputs out;
  std::size_t length;
  std::size_t firstIndex = 0;
};

// Points per chunk claimed by one thread: large enough that claiming (one atomic add) and the cancel and
// progress checks between chunks cost nothing, small enough to balance two cores and report progress often.
inline constexpr std::size_t kChunkPoints = 16384;

// The largest message size, in bytes: 2^53, the largest integer a double holds exactly (predictCollective's
// limit too). Sizes are counts of bytes; beyond it they are not.
inline constexpr double kMaxBytes = 9007199254740992.0;

// Writes "not evaluated" into points [begin, end): status NotEvaluated, NaN numbers, algo/proto kAuto.
void fill_not_evaluated(const BatchOutputs& out, std::size_t begin, std::size_t end) noexcept;

// Validates the packed cluster table (copied first), then evaluates every point on the pool, each point
// checked where it is read. Throws InputError (nothing written) for a bad cluster table. For a bad point it
// throws InputError naming the first bad point ("inputs.bytes[17] = -1: must be a finite number of bytes
// > 0 and ≤ 2^53") after every point before it was evaluated; that point and every later one read
// NotEvaluated. When options.cancelled stops the run, the points evaluated are [0, completed) and the others
// read NotEvaluated.
ParallelResult evaluate_batch(const double* packed_clusters, std::size_t packed_length, const BatchColumns& columns,
                              const ParallelOptions& options);

// The same with a cluster table already built (the sweep engine builds one per sweep).
ParallelResult evaluate_batch(const ClusterTable& clusters, const BatchColumns& columns, const ParallelOptions& options);

// Evaluates one point the way the batch does (the same fast path and the same bits), for callers that price
// points one by one (the sweep engine). Returns false, writing nothing, when the point's inputs are invalid.
bool evaluate_one(const ClusterTable& clusters, std::uint8_t op, double bytes, std::uint32_t gpus, std::uint16_t cluster,
                  std::uint8_t algo, std::uint8_t proto, PointResult& out);

}  // namespace linkcap
