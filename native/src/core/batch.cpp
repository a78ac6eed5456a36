#include "batch.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "cluster_table.hpp"
#include "first_bad.hpp"
#include "format_number.hpp"
#include "input_error.hpp"
#include "memory_advice.hpp"
#include "read_once.hpp"
#include "selection_plan.hpp"

namespace linkcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One point's inputs, as read (once) from its columns.
struct PointInputs {
  std::uint8_t op;
  double bytes;
  std::uint32_t gpus;
  std::uint16_t cluster;
  std::uint8_t algo;
  std::uint8_t proto;
};

// 0 < bytes ≤ 2^53 (so neither NaN nor infinite): the bit patterns 1 ..= bits(2^53), i.e. bits − 1 (wrapping)
// below bits(2^53). One integer compare instead of three floating-point ones.
constexpr std::uint64_t kMaxBytesBits = std::bit_cast<std::uint64_t>(kMaxBytes);

// Whether the point passes every check; the checks of point_error, as one branch-free expression (a point is
// almost always valid: one predictable branch per point).
[[gnu::always_inline]] inline bool point_valid(const PointInputs& p, std::size_t cluster_count) {
  const bool badOp = p.op >= kOpCount;
  const bool badBytes = std::bit_cast<std::uint64_t>(p.bytes) - 1 >= kMaxBytesBits;
  const bool badCluster = p.cluster >= cluster_count;
  const bool badAlgo = (p.algo >= kAlgorithmCount) & (p.algo < kAutoAll);
  const bool badProto = (p.proto >= kProtocolCount) & (p.proto != kAuto);
  return !(badOp | badBytes | badCluster | badAlgo | badProto);
}

// The error for a point point_valid refused: the first failing check, in column order.
[[noreturn]] void throw_point_error(std::size_t index, const PointInputs& p, std::size_t cluster_count) {
  const std::string at = "[" + std::to_string(index) + "]";
  if (p.op >= kOpCount) throw_out_of_range("inputs.op" + at, std::to_string(p.op), "must be 0.." + std::to_string(kOpCount - 1));
  if (!(p.bytes > 0 && p.bytes <= kMaxBytes)) {
    throw_out_of_range("inputs.bytes" + at, format_number(p.bytes), "must be a finite number of bytes > 0 and ≤ 2^53");
  }
  if (p.cluster >= cluster_count) {
    throw_out_of_range("inputs.cluster" + at, std::to_string(p.cluster),
                       "must be < " + std::to_string(cluster_count) + " (cluster rows)");
  }
  if (p.algo >= kAlgorithmCount && p.algo != kAuto && p.algo != kAutoAll) {
    throw_out_of_range("inputs.algo" + at, std::to_string(p.algo),
                       "must be 0.." + std::to_string(kAlgorithmCount - 1) + ", " + std::to_string(kAuto) +
                           " (auto, NCCL's algorithms) or " + std::to_string(kAutoAll) + " (auto over all)");
  }
  throw_out_of_range("inputs.proto" + at, std::to_string(p.proto),
                     "must be 0.." + std::to_string(kProtocolCount - 1) + " or " + std::to_string(kAuto) + " (auto)");
}

// Points are evaluated in blocks of kBlockPoints. Each block's inputs are first copied into the thread's own
// memory (a snapshot: what is checked is what is used, whatever another thread writes meanwhile) and checked
// there in one branch-free pass the compiler vectorises. Pass 1 then selects each point's candidate and writes
// its status, algorithm, protocol and bytes, keeping its time and bus factor in the block; pass 2 derives the
// bandwidths of the whole block (vector divisions, several points per instruction, instead of a chain of two
// scalar divisions per point) and writes them with the times. The snapshot is taken before any output of the
// block is written, so an output column that is the very same array as an input column (in-place algo/proto)
// still sees each point's inputs, as in the TypeScript loop.
constexpr std::size_t kBlockPoints = 64;

struct InputBlock {
  double bytes[kBlockPoints];
  std::uint32_t gpus[kBlockPoints];
  std::uint16_t cluster[kBlockPoints];
  std::uint8_t op[kBlockPoints];
  std::uint8_t algo[kBlockPoints];
  std::uint8_t proto[kBlockPoints];
};

struct Block {
  double timeS[kBlockPoints];
  double busFactor[kBlockPoints];
};

// Copies points [first, first + count) of the columns into `b`. The compiler barrier after the copies makes
// them a snapshot: without it the compiler could, in principle, read a value from the column again instead
// of from the copy (it cannot know another thread writes the column).
// Element loops, not memcpy: for these small copies GCC's memcpy becomes `rep movsq`, whose start-up costs
// more than the copy (the loops become a few vector moves).
[[gnu::always_inline]] inline void snapshot(const BatchInputs& in, std::size_t first, std::size_t count, InputBlock& b) {
  for (std::size_t k = 0; k < count; ++k) b.bytes[k] = in.bytes[first + k];
  for (std::size_t k = 0; k < count; ++k) b.gpus[k] = in.gpus[first + k];
  for (std::size_t k = 0; k < count; ++k) b.cluster[k] = in.cluster[first + k];
  for (std::size_t k = 0; k < count; ++k) b.op[k] = in.op[first + k];
  for (std::size_t k = 0; k < count; ++k) b.algo[k] = in.algo[first + k];
  for (std::size_t k = 0; k < count; ++k) b.proto[k] = in.proto[first + k];
#if defined(__GNUC__) || defined(__clang__)
  asm volatile("" ::: "memory");
#else
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Whether every point of the snapshot passes point_valid: the same five conditions as one pass per column of
// OR-ed compares (16 bytes or 4 doubles per instruction), instead of five data-dependent branches per point.
[[gnu::always_inline]] inline bool block_valid(const InputBlock& b, std::size_t count, std::size_t cluster_count) {
  std::uint8_t badOp = 0;
  for (std::size_t k = 0; k < count; ++k) badOp |= b.op[k] >= kOpCount;
  std::uint64_t badBytes = 0;
  for (std::size_t k = 0; k < count; ++k) badBytes |= std::bit_cast<std::uint64_t>(b.bytes[k]) - 1 >= kMaxBytesBits;
  // cluster_count ≤ 65536 (ClusterTable); a count of 65536 admits every Uint16.
  std::uint16_t badCluster = 0;
  if (cluster_count <= 0xFFFF) {
    const auto rows = static_cast<std::uint16_t>(cluster_count);
    for (std::size_t k = 0; k < count; ++k) badCluster |= b.cluster[k] >= rows;
  }
  std::uint8_t badAlgo = 0;
  for (std::size_t k = 0; k < count; ++k) badAlgo |= (b.algo[k] >= kAlgorithmCount) & (b.algo[k] < kAutoAll);
  std::uint8_t badProto = 0;
  for (std::size_t k = 0; k < count; ++k) badProto |= (b.proto[k] >= kProtocolCount) & (b.proto[k] != kAuto);
  return (badOp | badBytes | badCluster | badAlgo | badProto) == 0;
}

// Pass 1 for one checked point into slot k. timeS and the shares are NaN (and algo/proto kAuto) unless the
// status is Ok.
[[gnu::always_inline]] inline void select_point(const PreparedCluster* clusters, std::uint8_t opCode, double bytes,
                                                std::uint32_t gpus, std::uint16_t cluster, std::uint8_t algo,
                                                std::uint8_t proto, const BatchOutputs& out, std::size_t i,
                                                plan::PlanCache& cache, Block& block, std::size_t k) {
  const Op op = static_cast<Op>(opCode);
  const plan::GroupPlan& group = cache.get(clusters, cluster, op, gpus);
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

// The point loop over [begin, end), compiled once per instruction set below (see evaluate_range). Returns
// `end`, or the index of the first invalid point, whose inputs it leaves in `bad` (the points before it are
// evaluated, it and those after it are not).
[[gnu::always_inline]] inline std::size_t evaluate_points(const ClusterTable& table, const BatchColumns& columns,
                                                          std::size_t begin, std::size_t end, PointInputs& bad) {
  const BatchInputs in = columns.in;
  const BatchOutputs out = columns.out;
  const PreparedCluster* clusters = table.prepared();
  const std::size_t clusterCount = table.size();
  plan::PlanCache& cache = plan::PlanCache::for_thread(table);
  InputBlock input;
  Block block;
  for (std::size_t first = begin; first < end; first += kBlockPoints) {
    std::size_t count = std::min(kBlockPoints, end - first);
    snapshot(in, first, count, input);
    const std::size_t blockSize = count;
    if (!block_valid(input, count, clusterCount)) [[unlikely]] {
      // Evaluate up to the first bad point of the block, and report it (the two checks are the same
      // conditions, so there is one; the bound only keeps a future divergence from reading past the block).
      std::size_t k = 0;
      while (k < count && point_valid({input.op[k], input.bytes[k], input.gpus[k], input.cluster[k], input.algo[k],
                                       input.proto[k]},
                                      clusterCount)) {
        ++k;
      }
      if (k < count) {
        bad = {input.op[k], input.bytes[k], input.gpus[k], input.cluster[k], input.algo[k], input.proto[k]};
        count = k;
      }
    }
    for (std::size_t k = 0; k < count; ++k) {
      select_point(clusters, input.op[k], input.bytes[k], input.gpus[k], input.cluster[k], input.algo[k],
                   input.proto[k], out, first + k, cache, block, k);
    }
    // select_candidate's algbwGBps = bytes / timeS / 1e9 and busbwGBps = algbwGBps * bus_bandwidth_factor(op, n),
    // lane by lane. Where the status is not Ok, timeS is NaN, so both come out NaN as select_candidate and
    // evaluate_point leave them (the finite factor 1 stands in for a placement that does not exist).
    double* timeOut = out.timeS + first;
    double* algbwOut = out.algbwGBps + first;
    double* busbwOut = out.busbwGBps + first;
    for (std::size_t k = 0; k < count; ++k) {
      const double algbw = input.bytes[k] / block.timeS[k] / 1e9;
      timeOut[k] = block.timeS[k];
      algbwOut[k] = algbw;
      busbwOut[k] = algbw * block.busFactor[k];
    }
    if (count < blockSize) return first + count;
  }
  return end;
}

std::size_t evaluate_points_baseline(const ClusterTable& table, const BatchColumns& columns, std::size_t begin,
                                     std::size_t end, PointInputs& bad) {
  return evaluate_points(table, columns, begin, end, bad);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LINKCAP_HAS_AVX2_PATH 1
// The same loop with 256-bit AVX2 registers: each 4-lane division of selection_plan.hpp becomes one vdivpd
// instead of two divpd. Lane-wise IEEE division is correctly rounded either way (and AVX2 does not enable
// FMA, which -ffp-contract=off forbids anyway), so the results are bit-identical.
[[gnu::target("avx2")]] std::size_t evaluate_points_avx2(const ClusterTable& table, const BatchColumns& columns,
                                                         std::size_t begin, std::size_t end, PointInputs& bad) {
  return evaluate_points(table, columns, begin, end, bad);
}
#endif

std::size_t evaluate_range(const ClusterTable& table, const BatchColumns& columns, std::size_t begin, std::size_t end,
                           PointInputs& bad) {
#ifdef LINKCAP_HAS_AVX2_PATH
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return evaluate_points_avx2(table, columns, begin, end, bad);
#endif
  return evaluate_points_baseline(table, columns, begin, end, bad);
}

}  // namespace

void fill_not_evaluated(const BatchOutputs& out, std::size_t begin, std::size_t end) noexcept {
  if (begin >= end) return;
  std::fill(out.status + begin, out.status + end, static_cast<std::uint8_t>(PointStatus::NotEvaluated));
  for (double* column : {out.timeS, out.algbwGBps, out.busbwGBps, out.scaleUpBytes, out.scaleOutBytes}) {
    std::fill(column + begin, column + end, kNaN);
  }
  std::fill(out.algo + begin, out.algo + end, kAuto);
  std::fill(out.proto + begin, out.proto + end, kAuto);
}

ParallelResult evaluate_batch(const double* packed_clusters, std::size_t packed_length, const BatchColumns& columns,
                              const ParallelOptions& options) {
  const std::shared_ptr<const ClusterTable> table = cluster_table_for(packed_clusters, packed_length);
  return evaluate_batch(*table, columns, options);
}

ParallelResult evaluate_batch(const ClusterTable& table, const BatchColumns& columns, const ParallelOptions& options) {
  const BatchOutputs& out = columns.out;
  const std::size_t n = columns.length;
  // Output columns are often fresh typed arrays: untouched memory whose first write faults in each 4 KiB
  // page, which on a virtual machine can cost more than evaluating the points on it (on a 2-core VM, fresh
  // outputs for 1M points took ~75 ms against ~8 ms when reused; ~25 ms with this). Huge pages on the
  // columns' interiors cut those faults 512-fold. Advice only: contents and results are unchanged.
  if (n * sizeof(double) >= kHugePageAdviceMinBytes) {
    for (double* column : {out.timeS, out.algbwGBps, out.busbwGBps, out.scaleUpBytes, out.scaleOutBytes}) {
      advise_huge_pages(column, n * sizeof(double));
    }
    for (std::uint8_t* column : {out.status, out.algo, out.proto}) advise_huge_pages(column, n);
  }

  if (n <= kChunkPoints) {
    // One chunk: run it here, without the pool's bookkeeping (what a one-point call costs is mostly this).
    ParallelResult result;
    if (n > 0 && options.cancelled && options.cancelled()) {
      result.cancelled = true;
      fill_not_evaluated(out, 0, n);
      return result;
    }
    PointInputs bad;
    const std::size_t stopped = evaluate_range(table, columns, 0, n, bad);
    if (stopped != n) {
      fill_not_evaluated(out, stopped, n);
      throw_point_error(columns.firstIndex + stopped, bad, table.size());
    }
    result.completed = n;
    if (options.progress && n > 0) options.progress(n);
    return result;
  }

  // A bad point stops the run like a cancel (first_bad.hpp).
  FirstBad<PointInputs> firstBad;
  const ParallelOptions run = firstBad.stopping(options);
  const ParallelResult result = parallel_for(
      n, kChunkPoints,
      [&table, &columns, &firstBad](std::size_t begin, std::size_t end) {
        PointInputs bad;
        const std::size_t stopped = evaluate_range(table, columns, begin, end, bad);
        if (stopped != end) firstBad.record(stopped, bad);
      },
      run);
  if (firstBad.found()) {
    // Later chunks may have run on other threads; the contract is simple: evaluated up to the bad point.
    fill_not_evaluated(out, firstBad.index(), n);
    throw_point_error(columns.firstIndex + firstBad.index(), firstBad.item(), table.size());
  }
  if (result.cancelled) fill_not_evaluated(out, result.completed, n);
  return result;
}

bool evaluate_one(const ClusterTable& table, std::uint8_t op, double bytes, std::uint32_t gpus, std::uint16_t cluster,
                  std::uint8_t algo, std::uint8_t proto, PointResult& out) {
  const PointInputs point{op, bytes, gpus, cluster, algo, proto};
  if (!point_valid(point, table.size())) return false;
  std::uint8_t status;
  double timeS;
  double algbw;
  double busbw;
  BatchColumns one{{&op, &bytes, &gpus, &cluster, &algo, &proto},
                   {&status, &timeS, &algbw, &busbw, &out.algo, &out.proto, &out.scaleUpBytes, &out.scaleOutBytes},
                   1};
  PointInputs bad;
  evaluate_range(table, one, 0, 1, bad);
  out.status = static_cast<PointStatus>(status);
  out.timeS = timeS;
  out.algbwGBps = algbw;
  out.busbwGBps = busbw;
  return true;
}

}  // namespace linkcap
