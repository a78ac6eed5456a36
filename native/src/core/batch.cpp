#include "batch.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "format_number.hpp"
#include "selection_plan.hpp"
#include "validate_cluster.hpp"

namespace linkcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void bad_point(const char* column, std::size_t index, const std::string& value, const std::string& range) {
  throw std::invalid_argument(std::string("inputs.") + column + "[" + std::to_string(index) + "] = " + value + ": " +
                              range);
}

}  // namespace

namespace {

// validate_inputs' checks of points [begin, end), in order: throws for the first bad point.
void check_points(const BatchColumns& columns, std::size_t begin, std::size_t end, std::size_t cluster_count) {
  const BatchInputs& in = columns.in;
  for (std::size_t i = begin; i < end; ++i) {
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

// Whether check_points would accept every point of [begin, end): the same five conditions, but as one
// branch-free pass per column that compilers turn into vector compares (16 bytes or 2 doubles per
// instruction on baseline x86-64), instead of five data-dependent branches per point.
bool all_valid(const BatchInputs& in, std::size_t begin, std::size_t end, std::size_t cluster_count) {
  unsigned bad = 0;
  for (std::size_t i = begin; i < end; ++i) bad |= in.op[i] >= kOpCount;
  // !(size > 0) || !isfinite(size), i.e. not in (0, DBL_MAX] (NaN fails both compares).
  constexpr double kMax = std::numeric_limits<double>::max();
  for (std::size_t i = begin; i < end; ++i) bad |= !((in.bytes[i] > 0) & (in.bytes[i] <= kMax));
  // cluster_count ≤ 65536 (unpack_clusters), so the comparison is done in 32 bits.
  const auto clusters = static_cast<std::uint32_t>(cluster_count);
  for (std::size_t i = begin; i < end; ++i) bad |= std::uint32_t{in.cluster[i]} >= clusters;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t a = in.algo[i];
    bad |= (a >= kAlgorithmCount) & (a != kAuto) & (a != kAutoAll);
  }
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t p = in.proto[i];
    bad |= (p >= kProtocolCount) & (p != kAuto);
  }
  return bad == 0;
}

}  // namespace

void validate_inputs(const BatchColumns& columns, std::size_t cluster_count) {
  // Screen blocks cheaply; only a block with a bad point goes through the checks that build the message.
  // Blocks before it are clean, so the point check_points throws for is the first bad point overall.
  constexpr std::size_t kBlock = 4096;
  for (std::size_t begin = 0; begin < columns.length; begin += kBlock) {
    const std::size_t end = std::min(columns.length, begin + kBlock);
    if (!all_valid(columns.in, begin, end, cluster_count)) check_points(columns, begin, end, cluster_count);
  }
}

namespace {

// Points are evaluated in blocks of kBlockPoints. Pass 1 selects each point's candidate into block-local
// arrays; pass 2 derives the bandwidths of the whole block (one vector division per 4 points instead of a
// chain of two scalar divisions per point) and writes the outputs column by column. Every input of the block
// is read before any of its outputs is written, so an output column that is the very same array as an input
// column (in-place algo/proto) still sees each point's inputs, as in the TypeScript loop.
constexpr std::size_t kBlockPoints = 64;

struct Block {
  double bytes[kBlockPoints];
  double timeS[kBlockPoints];
  double busFactor[kBlockPoints];
  double scaleUpBytes[kBlockPoints];
  double scaleOutBytes[kBlockPoints];
  double algbw[kBlockPoints];
  double busbw[kBlockPoints];
  std::uint8_t status[kBlockPoints];
  std::uint8_t algo[kBlockPoints];
  std::uint8_t proto[kBlockPoints];
};

// Copies n doubles or bytes. For a full block the size is a constant and the loop of 32-byte pieces becomes
// plain vector moves (a 512-byte memcpy would be a rep movs, slow to start, five times per block).
template <typename T>
[[gnu::always_inline]] inline void copy_out(T* to, const T* from, std::size_t n) {
  constexpr std::size_t kPiece = 32 / sizeof(T);
  if (n % kPiece == 0) {
    for (std::size_t j = 0; j < n; j += kPiece) std::memcpy(to + j, from + j, 32);
  } else {
    std::memcpy(to, from, n * sizeof(T));
  }
}

// Pass 2's copy of a block's results into the output columns.
[[gnu::always_inline]] inline void write_block(const Block& block, const BatchOutputs& out, std::size_t first,
                                               std::size_t count) {
  copy_out(out.status + first, block.status, count);
  copy_out(out.timeS + first, block.timeS, count);
  copy_out(out.algbwGBps + first, block.algbw, count);
  copy_out(out.busbwGBps + first, block.busbw, count);
  copy_out(out.algo + first, block.algo, count);
  copy_out(out.proto + first, block.proto, count);
  copy_out(out.scaleUpBytes + first, block.scaleUpBytes, count);
  copy_out(out.scaleOutBytes + first, block.scaleOutBytes, count);
}

// Pass 1 for point i into slot k. timeS and the shares are NaN (and algo/proto kAuto) unless the status is Ok.
[[gnu::always_inline]] inline void select_point(const PreparedCluster* clusters, const BatchInputs& in, std::size_t i,
                                                plan::PlanCache& cache, Block& block, std::size_t k) {
  const Op op = static_cast<Op>(in.op[i]);
  const double bytes = in.bytes[i];
  const std::uint8_t algo = in.algo[i];
  const std::uint8_t proto = in.proto[i];
  const plan::GroupPlan& group = cache.get(clusters, in.cluster[i], op, in.gpus[i]);
  block.bytes[k] = bytes;
  block.busFactor[k] = group.placed ? group.busFactor : 1;
  if (!group.placed) {
    // evaluate_point's BadGpuCount result.
    block.status[k] = static_cast<std::uint8_t>(PointStatus::BadGpuCount);
    block.algo[k] = kAuto;
    block.proto[k] = kAuto;
    block.timeS[k] = kNaN;
    block.scaleUpBytes[k] = kNaN;
    block.scaleOutBytes[k] = kNaN;
  } else if (algo == kAuto && proto == kAuto) {
    // select_candidate's choice for (kAuto, kAuto), from the plan (selection_plan.hpp).
    const plan::Best best = plan::select_auto(group, op, bytes);
    block.status[k] = static_cast<std::uint8_t>(best.found ? PointStatus::Ok : PointStatus::NoEligibleAlgorithm);
    block.algo[k] = best.found ? static_cast<std::uint8_t>(best.algo) : kAuto;
    block.proto[k] = best.found ? static_cast<std::uint8_t>(best.proto) : kAuto;
    block.timeS[k] = best.found ? best.timeS : kNaN;
    block.scaleUpBytes[k] = best.found ? best.shares.up : kNaN;
    block.scaleOutBytes[k] = best.found ? best.shares.net : kNaN;
  } else {
    // Forced algorithms or protocols, and kAutoAll: the generic loop, on the cached placement.
    PointResult r;
    select_candidate(clusters[in.cluster[i]].params, group.placement, op, bytes, algo, proto, r);
    block.status[k] = static_cast<std::uint8_t>(r.status);
    block.algo[k] = r.algo;
    block.proto[k] = r.proto;
    block.timeS[k] = r.timeS;
    block.scaleUpBytes[k] = r.scaleUpBytes;
    block.scaleOutBytes[k] = r.scaleOutBytes;
  }
}

// The point loop, compiled once per instruction set below (see evaluate_range).
[[gnu::always_inline]] inline void evaluate_points(const PreparedCluster* clusters, const BatchColumns& columns,
                                                   std::size_t begin, std::size_t end, std::uint64_t generation) {
  const BatchInputs in = columns.in;
  const BatchOutputs out = columns.out;
  plan::PlanCache& cache = plan::PlanCache::for_thread(generation);
  Block block;
  for (std::size_t first = begin; first < end; first += kBlockPoints) {
    const std::size_t count = std::min(kBlockPoints, end - first);
    for (std::size_t k = 0; k < count; ++k) select_point(clusters, in, first + k, cache, block, k);
    // select_candidate's algbwGBps = bytes / timeS / 1e9 and busbwGBps = algbwGBps * bus_bandwidth_factor(op, n),
    // lane by lane. Where the status is not Ok, timeS is NaN, so both come out NaN as select_candidate and
    // evaluate_point leave them (the finite factor 1 stands in for a placement that does not exist).
    for (std::size_t k = 0; k < kBlockPoints; ++k) {
      block.algbw[k] = block.bytes[k] / block.timeS[k] / 1e9;
      block.busbw[k] = block.algbw[k] * block.busFactor[k];
    }
    if (count == kBlockPoints) {
      write_block(block, out, first, kBlockPoints);  // a constant size: inline vector moves
    } else {
      write_block(block, out, first, count);
    }
  }
}

void evaluate_points_baseline(const PreparedCluster* clusters, const BatchColumns& columns, std::size_t begin,
                              std::size_t end, std::uint64_t generation) {
  evaluate_points(clusters, columns, begin, end, generation);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LINKCAP_HAS_AVX2_PATH 1
// The same loop with 256-bit AVX2 registers: each 4-lane division of selection_plan.hpp becomes one vdivpd
// instead of two divpd. Lane-wise IEEE division is correctly rounded either way (and AVX2 does not enable
// FMA, which -ffp-contract=off forbids anyway), so the results are bit-identical.
[[gnu::target("avx2")]] void evaluate_points_avx2(const PreparedCluster* clusters, const BatchColumns& columns,
                                                  std::size_t begin, std::size_t end, std::uint64_t generation) {
  evaluate_points(clusters, columns, begin, end, generation);
}
#endif

}  // namespace

void evaluate_range(const PreparedCluster* clusters, const BatchColumns& columns, std::size_t begin, std::size_t end,
                    std::uint64_t generation) noexcept {
#ifdef LINKCAP_HAS_AVX2_PATH
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    evaluate_points_avx2(clusters, columns, begin, end, generation);
    return;
  }
#endif
  evaluate_points_baseline(clusters, columns, begin, end, generation);
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
  const std::uint64_t generation = plan::next_generation();
  return parallel_for(
      columns.length, kChunkPoints,
      [table, &columns, generation](std::size_t begin, std::size_t end) {
        evaluate_range(table, columns, begin, end, generation);
      },
      options);
}

}  // namespace linkcap
