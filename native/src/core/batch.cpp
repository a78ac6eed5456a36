#include "batch.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "format_number.hpp"
#include "memory_advice.hpp"
#include "selection_plan.hpp"
#include "validate_cluster.hpp"

namespace linkcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void bad_point(const char* column, std::size_t index, const std::string& value, const std::string& range) {
  throw std::invalid_argument(std::string("inputs.") + column + "[" + std::to_string(index) + "] = " + value + ": " +
                              range);
}

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
  // Each accumulator has its column's width, so a vector compare result is OR-ed without widening.
  std::uint8_t badOp = 0;
  for (std::size_t i = begin; i < end; ++i) badOp |= in.op[i] >= kOpCount;
  // !(size > 0) || !isfinite(size) means size is not in (0, DBL_MAX], whose bit patterns are exactly
  // 1 ..= 0x7FEF'FFFF'FFFF'FFFF. With t = bits − 1 (wrapping), that is t < 0x7FEF'FFFF'FFFF'FFFF, checked
  // with integer adds only (compilers will not vectorize the double compares, which may trap on NaN): the
  // top bit of t is set for bits = 0 (+0) and bits > 2^63 (negatives); otherwise t + 0x0010'0000'0000'0001
  // has its top bit set exactly when t ≥ 0x7FEF'FFFF'FFFF'FFFF (+inf, NaNs, −0), and cannot wrap.
  std::uint64_t badBytes = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint64_t t = std::bit_cast<std::uint64_t>(in.bytes[i]) - 1;
    badBytes |= t | (t + 0x0010000000000001ull);
  }
  badBytes >>= 63;
  // cluster_count ≤ 65536 (unpack_clusters); a count of 65536 admits every Uint16.
  std::uint16_t badCluster = 0;
  if (cluster_count <= 0xFFFF) {
    const auto rows = static_cast<std::uint16_t>(cluster_count);
    for (std::size_t i = begin; i < end; ++i) badCluster |= in.cluster[i] >= rows;
  }
  std::uint8_t badAlgo = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t a = in.algo[i];
    badAlgo |= (a >= kAlgorithmCount) & (a != kAuto) & (a != kAutoAll);
  }
  std::uint8_t badProto = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint8_t p = in.proto[i];
    badProto |= (p >= kProtocolCount) & (p != kAuto);
  }
  return (badOp | badBytes | badCluster | badAlgo | badProto) == 0;
}

// Points per chunk of the parallel screen: a few microseconds of work each.
constexpr std::size_t kScreenPoints = 65536;

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

// Points are evaluated in blocks of kBlockPoints. Pass 1 selects each point's candidate and writes its
// status, algorithm, protocol and bytes, keeping its size, time and bus factor in the block; pass 2 derives
// the bandwidths of the whole block (vector divisions, several points per instruction, instead of a chain of
// two scalar divisions per point) and writes them with the times. Pass 1 reads every input of a point before
// writing any of its outputs, and pass 2 reads no input column, so an output column that is the very same
// array as an input column (in-place algo/proto) still sees each point's inputs, as in the TypeScript loop.
constexpr std::size_t kBlockPoints = 64;

struct Block {
  double bytes[kBlockPoints];
  double timeS[kBlockPoints];
  double busFactor[kBlockPoints];
};

// Pass 1 for point i into slot k. timeS and the shares are NaN (and algo/proto kAuto) unless the status is Ok.
[[gnu::always_inline]] inline void select_point(const PreparedCluster* clusters, const BatchInputs& in,
                                                const BatchOutputs& out, std::size_t i, plan::PlanCache& cache,
                                                Block& block, std::size_t k) {
  const Op op = static_cast<Op>(in.op[i]);
  const double bytes = in.bytes[i];
  const std::uint8_t algo = in.algo[i];
  const std::uint8_t proto = in.proto[i];
  const std::uint16_t cluster = in.cluster[i];
  const plan::GroupPlan& group = cache.get(clusters, cluster, op, in.gpus[i]);
  block.bytes[k] = bytes;
  block.busFactor[k] = group.busFactor;  // 1 where the count cannot be placed
  PointStatus status;
  std::uint8_t chosenAlgo = kAuto;
  std::uint8_t chosenProto = kAuto;
  double timeS = kNaN;
  double up = kNaN;
  double net = kNaN;
  if (!group.placed) {
    status = PointStatus::BadGpuCount;  // evaluate_point's result
  } else if (algo == kAuto && proto == kAuto) {
    // select_candidate's choice for (kAuto, kAuto), from the plan (selection_plan.hpp).
    const plan::Best best = plan::select_auto(group, op, bytes);
    status = best.found ? PointStatus::Ok : PointStatus::NoEligibleAlgorithm;
    if (best.found) {
      chosenAlgo = static_cast<std::uint8_t>(best.algo);
      chosenProto = static_cast<std::uint8_t>(best.proto);
      timeS = best.timeS;
      up = best.shares.up;
      net = best.shares.net;
    }
  } else {
    // Forced algorithms or protocols, and kAutoAll: the generic loop, on the cached placement.
    PointResult r;
    select_candidate(clusters[cluster].params, group.placement, op, bytes, algo, proto, r);
    status = r.status;
    chosenAlgo = r.algo;
    chosenProto = r.proto;
    timeS = r.timeS;
    up = r.scaleUpBytes;
    net = r.scaleOutBytes;
  }
  block.timeS[k] = timeS;
  out.status[i] = static_cast<std::uint8_t>(status);
  out.algo[i] = chosenAlgo;
  out.proto[i] = chosenProto;
  out.scaleUpBytes[i] = up;
  out.scaleOutBytes[i] = net;
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
    for (std::size_t k = 0; k < count; ++k) select_point(clusters, in, out, first + k, cache, block, k);
    // select_candidate's algbwGBps = bytes / timeS / 1e9 and busbwGBps = algbwGBps * bus_bandwidth_factor(op, n),
    // lane by lane. Where the status is not Ok, timeS is NaN, so both come out NaN as select_candidate and
    // evaluate_point leave them (the finite factor 1 stands in for a placement that does not exist).
    double* timeOut = out.timeS + first;
    double* algbwOut = out.algbwGBps + first;
    double* busbwOut = out.busbwGBps + first;
    for (std::size_t k = 0; k < count; ++k) {
      const double algbw = block.bytes[k] / block.timeS[k] / 1e9;
      timeOut[k] = block.timeS[k];
      algbwOut[k] = algbw;
      busbwOut[k] = algbw * block.busFactor[k];
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
  // All validation runs here, before any point is evaluated: a bad point is one clear exception, not a
  // half-written output or an error raised from inside a worker.
  const std::vector<ClusterParams> rows = unpack_clusters(packed_clusters, packed_length);
  {
    // The points are screened on the pool (all_valid, chunk by chunk); only if a chunk fails does
    // validate_inputs run, on this thread, to throw for the first bad point with its message.
    std::atomic<bool> clean{true};
    ParallelOptions screen;
    screen.threads = options.threads;
    parallel_for(
        columns.length, kScreenPoints,
        [&](std::size_t begin, std::size_t end) {
          if (!all_valid(columns.in, begin, end, rows.size())) clean.store(false, std::memory_order_relaxed);
        },
        screen);
    if (!clean.load(std::memory_order_relaxed)) validate_inputs(columns, rows.size());
  }
  std::vector<PreparedCluster> clusters;
  clusters.reserve(rows.size());
  for (const ClusterParams& row : rows) clusters.push_back(prepare_cluster(row));

  // Output columns are often fresh typed arrays: untouched memory whose first write faults in each 4 KiB
  // page, which on a virtual machine can cost more than evaluating the points on it (on a 2-core VM, fresh
  // outputs for 1M points took ~75 ms against ~8 ms when reused; ~25 ms with this). Huge pages on the
  // columns' interiors cut those faults 512-fold. Advice only: contents and results are unchanged.
  const BatchOutputs& out = columns.out;
  const std::size_t n = columns.length;
  for (double* column : {out.timeS, out.algbwGBps, out.busbwGBps, out.scaleUpBytes, out.scaleOutBytes}) {
    advise_huge_pages(column, n * sizeof(double));
  }
  for (std::uint8_t* column : {out.status, out.algo, out.proto}) advise_huge_pages(column, n);

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
