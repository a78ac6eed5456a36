// Standalone tests of linkcap_core (no Node, no downloads): cmake -DLINKCAP_BUILD_TESTS=ON, then ctest.
// The numeric port itself is checked against the TypeScript by the differential test; these cover what
// that test cannot see: the C++ entry points agreeing with each other, messages, and the thread pool.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "batch.hpp"
#include "cluster_table.hpp"
#include "collective.hpp"
#include "format_number.hpp"
#include "thread_pool.hpp"
#include "training_batch.hpp"
#include "training_fields.hpp"
#include "training_placement.hpp"
#include "training_step.hpp"
#include "training_validate.hpp"
#include "validate_cluster.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

// Runs fn and returns the message of the std::invalid_argument it throws ("" if none).
std::string invalid_argument_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool same_double(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }

const double kHgx[linkcap::kClusterFieldCount] = {8, 0, 360, 0.6, 1, 0.8, 40, 46.875, 2.7, 0.5, 32, 1, 1, 0.9, 0, 0};
const double kMesh[linkcap::kClusterFieldCount] = {8, 1, 448, 0.8, 0, 1, 30, 46.875, 3.0, 0.6, 16, 2, 0, 1, 2.5, 1};

void test_format_number() {
  using linkcap::format_number;
  check(format_number(-1) == "-1", "format -1");
  check(format_number(0.5) == "0.5", "format 0.5");
  check(format_number(1e-7) == "1e-7", "format 1e-7: " + format_number(1e-7));
  check(format_number(1e21) == "1e+21", "format 1e21: " + format_number(1e21));
  check(format_number(123456789) == "123456789", "format 123456789");
  check(format_number(std::numeric_limits<double>::quiet_NaN()) == "NaN", "format NaN");
  check(format_number(-std::numeric_limits<double>::infinity()) == "-Infinity", "format -Infinity");
}

void test_validate_cluster() {
  std::vector<double> row(kHgx, kHgx + linkcap::kClusterFieldCount);
  check(invalid_argument_message([&] { linkcap::validate_cluster_row(row.data(), 0); }).empty(), "valid row");
  row[2] = 0;
  check(invalid_argument_message([&] { linkcap::validate_cluster_row(row.data(), 0); }) ==
            "clusters[0].scaleUpGBps = 0: must be > 0",
        "scaleUpGBps message");
  row[2] = 360;
  row[0] = 2.5;
  check(invalid_argument_message([&] { linkcap::validate_cluster_row(row.data(), 3); }) ==
            "clusters[3].gpusPerDomain = 2.5: must be a whole number ≥ 1",
        "gpusPerDomain message");
  row[0] = 8;
  row[13] = std::numeric_limits<double>::infinity();
  check(!invalid_argument_message([&] { linkcap::validate_cluster_row(row.data(), 0); }).empty(), "infinite field");
  check(invalid_argument_message([&] { linkcap::ClusterTable(row.data(), 13); }) ==
            "clusters: length 13 must be a positive multiple of 16 (fields per cluster row)",
        "packed length message");
}

struct Columns {
  explicit Columns(std::size_t n)
      : op(n), bytes(n, 1024), gpus(n, 16), cluster(n), algo(n, linkcap::kAuto), proto(n, linkcap::kAuto), status(n),
        timeS(n), algbw(n), busbw(n), outAlgo(n), outProto(n), up(n), out(n) {}
  linkcap::BatchColumns view() {
    return {{op.data(), bytes.data(), gpus.data(), cluster.data(), algo.data(), proto.data()},
            {status.data(), timeS.data(), algbw.data(), busbw.data(), outAlgo.data(), outProto.data(), up.data(), out.data()},
            op.size()};
  }
  std::vector<std::uint8_t> op;
  std::vector<double> bytes;
  std::vector<std::uint32_t> gpus;
  std::vector<std::uint16_t> cluster;
  std::vector<std::uint8_t> algo, proto, status;
  std::vector<double> timeS, algbw, busbw;
  std::vector<std::uint8_t> outAlgo, outProto;
  std::vector<double> up, out;
};

// Points are checked where they are read: the first bad point's message, every point before it evaluated,
// it and every later point "not evaluated".
void test_validate_inputs() {
  linkcap::ParallelOptions options;
  options.threads = 1;
  const auto run = [&](Columns& c) {
    return invalid_argument_message([&] { linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, c.view(), options); });
  };
  Columns c(20);
  c.bytes[17] = -1;
  check(run(c) == "inputs.bytes[17] = -1: must be a finite number of bytes > 0 and ≤ 2^53", "bytes message");
  check(c.status[16] == 0 && c.status[17] == 3 && c.status[19] == 3 && std::isnan(c.timeS[18]) &&
            c.outAlgo[19] == linkcap::kAuto,
        "evaluated before the bad point, not evaluated from it");
  c.bytes[17] = 9007199254740992.0;  // 2^53: the largest size
  c.cluster[2] = 1;
  check(run(c) == "inputs.cluster[2] = 1: must be < 1 (cluster rows)", "cluster message");
  c.cluster[2] = 0;
  c.algo[4] = linkcap::kAutoAll;
  c.proto[5] = 2;
  check(run(c).empty(), "254, 2 and 2^53 accepted");
  c.bytes[3] = 9007199254740994.0;
  check(run(c) == "inputs.bytes[3] = 9007199254740994: must be a finite number of bytes > 0 and ≤ 2^53", "2^53 + 2 refused");
  c.bytes[3] = 1;
  c.proto[5] = 3;
  check(run(c) == "inputs.proto[5] = 3: must be 0..2 or 255 (auto)", "proto 3 refused");
  c.proto[5] = 2;
  c.algo[6] = 8;
  check(run(c) == "inputs.algo[6] = 8: must be 0..7, 255 (auto, NCCL's algorithms) or 254 (auto over all)",
        "algo 8 refused");
  c.algo[6] = linkcap::kAuto;
  c.op[0] = 7;
  check(run(c) == "inputs.op[0] = 7: must be 0..6", "op 7 refused");
  // Messages name points by their place in the whole batch when the columns are a window of it.
  linkcap::BatchColumns window = c.view();
  window.firstIndex = 1000;
  check(invalid_argument_message([&] { linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, window, options); }) ==
            "inputs.op[1000] = 7: must be 0..6",
        "firstIndex in messages");
}

// select_candidate (the unrolled auto loop) must agree with pricing every pair through evaluate_candidate.
void test_select_matches_candidates() {
  const linkcap::PreparedCluster clusters[2] = {linkcap::prepare_cluster(linkcap::unpack_cluster(kHgx)),
                                                linkcap::prepare_cluster(linkcap::unpack_cluster(kMesh))};
  int compared = 0;
  for (const auto& cluster : clusters) {
    for (unsigned op = 0; op < linkcap::kOpCount; ++op) {
      for (std::uint64_t gpus : {2u, 4u, 6u, 8u, 16u, 24u, 64u, 256u, 1024u}) {
        for (double bytes : {1.0, 4096.0, 1e6, 3e9}) {
          linkcap::Placement p;
          if (!linkcap::place_gpus(cluster, gpus, p)) continue;
          linkcap::PointResult best;
          linkcap::select_candidate(cluster.params, p, static_cast<linkcap::Op>(op), bytes, linkcap::kAutoAll,
                                    linkcap::kAuto, best);
          bool found = false;
          linkcap::CandidateCost fastest{};
          unsigned fa = 0, fp = 0;
          for (unsigned a = 0; a < linkcap::kAlgorithmCount; ++a) {
            for (unsigned pr = 0; pr < linkcap::kProtocolCount; ++pr) {
              linkcap::CandidateCost cost;
              if (!linkcap::evaluate_candidate(cluster.params, p, static_cast<linkcap::Op>(op), bytes, a, pr, cost)) continue;
              if (!found || cost.timeS < fastest.timeS) {
                found = true;
                fastest = cost;
                fa = a;
                fp = pr;
              }
            }
          }
          check(found == (best.status == linkcap::PointStatus::Ok), "found agrees");
          if (found) {
            check(best.algo == fa && best.proto == fp && same_double(best.timeS, fastest.timeS) &&
                      same_double(best.scaleUpBytes, fastest.scaleUpBytes) &&
                      same_double(best.scaleOutBytes, fastest.scaleOutBytes),
                  "select == candidates for op " + std::to_string(op) + " gpus " + std::to_string(gpus));
            ++compared;
          }
        }
      }
    }
  }
  check(compared > 100, "enough comparisons");
}

void test_bad_gpu_counts() {
  const auto cluster = linkcap::prepare_cluster(linkcap::unpack_cluster(kHgx));
  linkcap::PointResult r;
  for (std::uint64_t gpus : {0u, 1u, 12u, 4294967295u}) {
    linkcap::evaluate_point(cluster, linkcap::Op::AllReduce, 1024, gpus, linkcap::kAuto, linkcap::kAuto, r);
    check(r.status == linkcap::PointStatus::BadGpuCount && std::isnan(r.timeS) && r.algo == linkcap::kAuto,
          "bad gpu count " + std::to_string(gpus));
  }
  // NVLS across two domains is not NVLS: forced, it has no eligible protocol.
  linkcap::evaluate_point(cluster, linkcap::Op::AllReduce, 1024, 16, 5, linkcap::kAuto, r);
  check(r.status == linkcap::PointStatus::NoEligibleAlgorithm && r.proto == linkcap::kAuto, "forced nvls on 2 domains");
}

void test_thread_pool() {
  const std::size_t count = 1'000'003;
  for (unsigned threads : {1u, 2u, 3u, 8u, 0u}) {
    std::vector<std::uint8_t> seen(count);
    std::atomic<std::size_t> lastProgress{0};
    bool monotonic = true;
    linkcap::ParallelOptions options;
    options.threads = threads;
    options.progress = [&](std::size_t done) {
      if (done < lastProgress.load()) monotonic = false;
      lastProgress = done;
    };
    const auto result = linkcap::parallel_for(
        count, 1000, [&](std::size_t b, std::size_t e) { for (std::size_t i = b; i < e; ++i) seen[i] += 1; }, options);
    bool once = true;
    for (auto v : seen) once = once && v == 1;
    check(once && result.completed == count && !result.cancelled, "every item once, threads " + std::to_string(threads));
    check(monotonic && lastProgress == count, "progress monotonic and complete");
  }

  // The first exception is rethrown on the caller, after the workers stop.
  bool threw = false;
  try {
    linkcap::ParallelOptions options;
    options.threads = 4;
    linkcap::parallel_for(100000, 100, [](std::size_t b, std::size_t) {
      if (b == 5000) throw std::invalid_argument("chunk 50");
    }, options);
  } catch (const std::invalid_argument& e) {
    threw = std::string(e.what()) == "chunk 50";
  }
  check(threw, "exception rethrown on caller");

  // Cancel between chunks.
  std::atomic<int> flag{0};
  linkcap::ParallelOptions options;
  options.threads = 2;
  options.cancelled = [&] { return flag.load() != 0; };
  const auto result = linkcap::parallel_for(1000000, 100, [&](std::size_t b, std::size_t) {
    if (b >= 10000) flag = 1;
  }, options);
  check(result.cancelled && result.completed < 1000000, "cancelled early");

  // Several callers share the pool at once.
  std::vector<std::thread> callers;
  std::atomic<int> good{0};
  for (int k = 0; k < 4; ++k) {
    callers.emplace_back([&] {
      std::atomic<std::size_t> sum{0};
      linkcap::ParallelOptions o;
      o.threads = 3;
      linkcap::parallel_for(200000, 64, [&](std::size_t b, std::size_t e) { sum += e - b; }, o);
      if (sum == 200000) ++good;
    });
  }
  for (auto& t : callers) t.join();
  check(good == 4, "concurrent callers");
}

void test_batch_threads_agree() {
  const std::size_t n = 50000;
  Columns one(n), many(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (Columns* c : {&one, &many}) {
      c->op[i] = static_cast<std::uint8_t>(i % 7);
      c->bytes[i] = 1.0 + static_cast<double>(i) * 977.0;
      c->gpus[i] = static_cast<std::uint32_t>(2 + i % 300);
      c->algo[i] = i % 3 == 0 ? linkcap::kAutoAll : linkcap::kAuto;
    }
  }
  linkcap::ParallelOptions o1;
  o1.threads = 1;
  linkcap::ParallelOptions o4;
  o4.threads = 4;
  linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, one.view(), o1);
  linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, many.view(), o4);
  bool same = true;
  for (std::size_t i = 0; i < n; ++i) {
    same = same && one.status[i] == many.status[i] && same_double(one.timeS[i], many.timeS[i]) &&
           same_double(one.busbw[i], many.busbw[i]) && one.outAlgo[i] == many.outAlgo[i];
  }
  check(same, "1 and 4 threads give identical outputs");
}

// The batch's fast path (selection_plan.hpp: plans, vector divisions, latency pruning) must give exactly what
// evaluate_point gives, bit for bit, including on degenerate rows: a bandwidth that underflows to 0 under a
// protocol factor, zero hop latencies, and sizes from the smallest subnormal to DBL_MAX.
void test_batch_fast_path_matches_evaluate_point() {
  const double tiny = std::numeric_limits<double>::denorm_min();
  std::vector<double> rows(kHgx, kHgx + linkcap::kClusterFieldCount);
  rows.insert(rows.end(), kMesh, kMesh + linkcap::kClusterFieldCount);
  const double degenerate[linkcap::kClusterFieldCount] = {4, 0, tiny, 0, 1, 1, tiny, 1e300, 0, 0, 1, 4, 1, 0.5, 0, 1};
  rows.insert(rows.end(), degenerate, degenerate + linkcap::kClusterFieldCount);
  const double ring[linkcap::kClusterFieldCount] = {6, 2, 120, 1.5, 0, 0.5, 200, 1e-300, 1e300, 2, 2, 1.5, 1, 1, 1e6, 0};
  rows.insert(rows.end(), ring, ring + linkcap::kClusterFieldCount);
  const std::size_t clusterCount = rows.size() / linkcap::kClusterFieldCount;
  const double sizes[] = {tiny, 1, 3, 1024, 65536, 1e6, 3e9, 1e15, 9007199254740992.0};
  const std::uint32_t gpus[] = {0, 1, 2, 3, 4, 6, 8, 12, 16, 64, 1024, 4294967295u};
  const std::size_t n = clusterCount * linkcap::kOpCount * std::size(sizes) * std::size(gpus);
  Columns c(n);
  std::size_t i = 0;
  for (std::size_t cl = 0; cl < clusterCount; ++cl) {
    for (unsigned op = 0; op < linkcap::kOpCount; ++op) {
      for (double size : sizes) {
        for (std::uint32_t g : gpus) {
          c.cluster[i] = static_cast<std::uint16_t>(cl);
          c.op[i] = static_cast<std::uint8_t>(op);
          c.bytes[i] = size;
          c.gpus[i] = g;
          ++i;
        }
      }
    }
  }
  linkcap::ParallelOptions options;
  options.threads = 2;
  linkcap::evaluate_batch(rows.data(), rows.size(), c.view(), options);
  bool same = true;
  for (std::size_t k = 0; k < n; ++k) {
    const auto cluster = linkcap::prepare_cluster(linkcap::unpack_cluster(rows.data() + c.cluster[k] * linkcap::kClusterFieldCount));
    linkcap::PointResult r;
    linkcap::evaluate_point(cluster, static_cast<linkcap::Op>(c.op[k]), c.bytes[k], c.gpus[k], linkcap::kAuto,
                            linkcap::kAuto, r);
    const bool ok = static_cast<std::uint8_t>(r.status) == c.status[k] && r.algo == c.outAlgo[k] &&
                    r.proto == c.outProto[k] && same_double(r.timeS, c.timeS[k]) &&
                    same_double(r.algbwGBps, c.algbw[k]) && same_double(r.busbwGBps, c.busbw[k]) &&
                    same_double(r.scaleUpBytes, c.up[k]) && same_double(r.scaleOutBytes, c.out[k]);
    if (!ok && same) {
      std::fprintf(stderr, "point %zu: cluster %u op %u bytes %.17g gpus %u\n", k, c.cluster[k], c.op[k], c.bytes[k],
                   c.gpus[k]);
    }
    same = same && ok;
  }
  check(same, "batch fast path == evaluate_point, bit for bit");

  // Checked on the pool: the first bad point overall is reported even when a later chunk's worker meets its
  // own bad point first, and every point from it on reads "not evaluated".
  Columns bad(200000);
  bad.bytes[150001] = -0.0;
  bad.bytes[190000] = std::numeric_limits<double>::quiet_NaN();
  check(invalid_argument_message([&] { linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, bad.view(), options); }) ==
            "inputs.bytes[150001] = 0: must be a finite number of bytes > 0 and ≤ 2^53",
        "first bad point found on the pool");
  bool prefix = true;
  for (std::size_t k = 0; k < bad.op.size(); ++k) prefix = prefix && (bad.status[k] == 3) == (k >= 150001);
  check(prefix, "evaluated exactly up to the first bad point");

  // A cancel stops between chunks: [0, completed) evaluated, the rest "not evaluated".
  Columns cancelled(200000);
  std::atomic<int> polls{0};
  linkcap::ParallelOptions cancelling;
  cancelling.threads = 2;
  cancelling.cancelled = [&] { return polls.fetch_add(1) >= 3; };
  const linkcap::ParallelResult result = linkcap::evaluate_batch(kHgx, linkcap::kClusterFieldCount, cancelled.view(), cancelling);
  bool split = result.cancelled && result.completed < cancelled.op.size();
  for (std::size_t k = 0; k < cancelled.op.size(); ++k) split = split && (cancelled.status[k] == 3) == (k >= result.completed);
  check(split, "cancelled: not evaluated from `completed` on");
}

// evaluate_one (the sweep engine's per-point entry) gives the batch's bits; cluster_table_for reuses the
// calling thread's table only while the packed rows are bit-identical (-0 and +0 differ).
void test_evaluate_one_and_table_reuse() {
  std::vector<double> rows(kHgx, kHgx + linkcap::kClusterFieldCount);
  rows.insert(rows.end(), kMesh, kMesh + linkcap::kClusterFieldCount);
  const auto table = linkcap::cluster_table_for(rows.data(), rows.size());
  check(linkcap::cluster_table_for(rows.data(), rows.size()) == table, "same rows: the same table");
  Columns c(7 * 5 * 2);
  std::size_t i = 0;
  for (unsigned op = 0; op < linkcap::kOpCount; ++op) {
    for (std::uint32_t gpus : {2u, 8u, 16u, 24u, 512u}) {
      for (std::uint16_t cluster = 0; cluster < 2; ++cluster) {
        c.op[i] = static_cast<std::uint8_t>(op);
        c.gpus[i] = gpus;
        c.cluster[i] = cluster;
        c.bytes[i] = 1024.0 * (i + 1);
        c.algo[i] = i % 3 == 0 ? linkcap::kAutoAll : linkcap::kAuto;
        ++i;
      }
    }
  }
  linkcap::evaluate_batch(*table, c.view(), {});
  bool same = true;
  for (std::size_t k = 0; k < c.op.size(); ++k) {
    linkcap::PointResult r;
    same = same && linkcap::evaluate_one(*table, c.op[k], c.bytes[k], c.gpus[k], c.cluster[k], c.algo[k], c.proto[k], r);
    same = same && static_cast<std::uint8_t>(r.status) == c.status[k] && same_double(r.timeS, c.timeS[k]) &&
           same_double(r.busbwGBps, c.busbw[k]) && r.algo == c.outAlgo[k] && same_double(r.scaleOutBytes, c.out[k]);
  }
  check(same, "evaluate_one == the batch, bit for bit");
  linkcap::PointResult r;
  check(!linkcap::evaluate_one(*table, 7, 1024, 8, 0, linkcap::kAuto, linkcap::kAuto, r), "evaluate_one refuses op 7");
  check(!linkcap::evaluate_one(*table, 0, 1024, 8, 2, linkcap::kAuto, linkcap::kAuto, r), "evaluate_one refuses cluster 2");
  rows[3] = 0.0;  // scaleUpHopUs 0.6 → +0
  const auto zero = linkcap::cluster_table_for(rows.data(), rows.size());
  check(zero != table, "changed rows: a new table");
  rows[3] = -0.0;
  check(linkcap::cluster_table_for(rows.data(), rows.size()) != zero, "-0 is not +0");
}

// ---- training --------------------------------------------------------------------------------------------

namespace tr = linkcap::training;

// llama3-8b and mixtral-8x7b rows (models.json through normaliseWorkload), an H100 chip row.
const double kLlama8b[tr::kWorkloadFieldCount] = {32, 4096, 14336, 1, 32, 8, 128, 128, 0, 0, 0,
                                                  128256, 8192, 0, 0, 0, 0, 0, 0, 0, 0, 0};
const double kMixtral[tr::kWorkloadFieldCount] = {32, 4096, 0, 1, 32, 8, 128, 128, 0, 0, 0,
                                                  32000, 4096, 0, 0, 0, 0, 8, 0, 2, 0, 14336};
// The dgx-h100 chip row as chipParams(chipRatesFromSpec(...)) writes it, field by field, so a new field is a
// compile-time name rather than a silent shift of positions.
std::vector<double> h100_chip() {
  std::vector<double> c(tr::kChipFieldCount, 0);
  c[tr::C::peakBf16Flops] = 989e12;
  c[tr::C::peakFp8Flops] = 1979e12;
  c[tr::C::memoryBytes] = 80.0 * 1073741824.0;
  c[tr::C::memoryBandwidth] = 3.35e12;
  c[tr::C::gemmEfficiency] = 0.67;
  c[tr::C::gemmOverheadS] = 4e-6;
  c[tr::C::memoryEfficiency] = 0.8;
  c[tr::C::usableMemoryFraction] = 0.97;
  c[tr::C::gemmEfficiencyFp8] = 0.63;
  c[tr::C::attentionFwdEfficiency] = 0.62;
  c[tr::C::attentionBwdEfficiency] = 0.385;
  c[tr::C::attentionSoftmaxFlops] = 200;
  c[tr::C::hostBandwidth] = 51.2e9;
  c[tr::C::memoryReserveBytes] = 2147483648.0;
  c[tr::C::attentionFa2Scale] = 0.57;
  return c;
}

struct TrainingRows {
  std::vector<double> workloads, chips, clusters, layouts, outputs;
  tr::TrainingBatch view() {
    return {workloads.data(), workloads.size(), chips.data(), chips.size(), clusters.data(), clusters.size(),
            layouts.data(),   layouts.size(),   outputs.data(), outputs.size()};
  }
};

// n layouts cycling through sizes, schedules, ZeRO stages and overlaps on two workloads and two clusters.
TrainingRows training_rows(std::size_t n) {
  TrainingRows r;
  r.workloads.insert(r.workloads.end(), kLlama8b, kLlama8b + tr::kWorkloadFieldCount);
  r.workloads.insert(r.workloads.end(), kMixtral, kMixtral + tr::kWorkloadFieldCount);
  r.chips = h100_chip();
  r.clusters.insert(r.clusters.end(), kHgx, kHgx + linkcap::kClusterFieldCount);
  r.clusters.insert(r.clusters.end(), kMesh, kMesh + linkcap::kClusterFieldCount);
  const double tps[] = {1, 2, 4, 8};
  const double pps[] = {1, 2, 4, 8};
  const double dps[] = {1, 2, 4, 8, 16, 32};
  for (std::size_t i = 0; i < n; ++i) {
    const double moe = static_cast<double>(i % 2);
    const double tp = tps[(i / 2) % 4];
    const double pp = pps[(i / 8) % 4];
    const double dp = dps[(i / 32) % 6];
    const double ep = moe == 1 && static_cast<std::size_t>(tp * dp) % 8 == 0 ? 8 : 1;
    const double mb = static_cast<double>(1 + (i / 192) % 2);
    std::vector<double> layout(tr::kLayoutFieldCount, 0);
    layout[tr::L::workload] = moe;
    layout[tr::L::chip] = 0;
    layout[tr::L::cluster] = static_cast<double>((i / 384) % 2);
    layout[tr::L::tp] = tp;
    layout[tr::L::pp] = pp;
    layout[tr::L::dp] = dp;
    layout[tr::L::ep] = ep;
    layout[tr::L::cp] = 1;
    layout[tr::L::microbatch] = mb;
    layout[tr::L::globalBatch] = mb * dp * pp * 4;
    layout[tr::L::interleave] = pp > 1 && (i / 768) % 2 == 1 ? 2.0 : 1.0;
    layout[tr::L::recompute] = static_cast<double>((i / 3) % 3);
    layout[tr::L::zero] = static_cast<double>((i / 5) % 4);
    layout[tr::L::precision] = static_cast<double>((i / 7) % 2);
    layout[tr::L::commPrecision] = static_cast<double>((i / 11) % 2);
    layout[tr::L::sequenceParallel] = 1;
    layout[tr::L::flashAttention] = static_cast<double>((i / 13) % 2);
    layout[tr::L::tpOverlap] = 0;
    layout[tr::L::dpOverlap] = 1;
    layout[tr::L::ppOverlap] = 0.5 * static_cast<double>((i / 17) % 2);
    layout[tr::L::epOverlap] = static_cast<double>((i / 19) % 2);
    layout[tr::L::cpOverlap] = 1;
    layout[tr::L::overlapSlowdown] = 0.1;
    layout[tr::L::gradientBytes] = (i / 23) % 2 == 0 ? 4 : 2;
    layout[tr::L::launchOverheadS] = 4e-6;
    layout[tr::L::fusedKernels] = 1;
    layout[tr::L::attentionKernel] = static_cast<double>((i / 29) % 2);
    r.layouts.insert(r.layouts.end(), layout.begin(), layout.end());
  }
  r.outputs.assign(n * tr::kOutputFieldCount, 0);
  return r;
}

void test_training_validation() {
  std::vector<double> w(kLlama8b, kLlama8b + tr::kWorkloadFieldCount);
  check(invalid_argument_message([&] { tr::validate_workload_row(w.data(), 0); }).empty(), "llama row valid");
  check(invalid_argument_message([&] { tr::validate_workload_row(kMixtral, 1); }).empty(), "mixtral row valid");
  w[tr::W::kvHeads] = 33;
  check(invalid_argument_message([&] { tr::validate_workload_row(w.data(), 2); }) ==
            "workloads[2].kvHeads = 33: must be a whole number from 1 to 32 (heads)",
        "kvHeads message");
  w[tr::W::kvHeads] = 8;
  w[tr::W::ffn] = 0;
  check(invalid_argument_message([&] { tr::validate_workload_row(w.data(), 0); }) ==
            "workloads[0].ffn = 0: must be a whole number from 1 to 10000000 (the model has dense layers)",
        "ffn message");
  std::vector<double> c = h100_chip();
  c[tr::C::gemmEfficiency] = 1.5;
  check(invalid_argument_message([&] { tr::validate_chip_row(c.data(), 0); }) ==
            "chips[0].gemmEfficiency = 1.5: must be a fraction in (0, 1]",
        "chip message");

  const auto run = [](TrainingRows& rows) {
    return invalid_argument_message([&] { tr::evaluate_training_batch(rows.view(), {}); });
  };
  TrainingRows r = training_rows(4);
  r.layouts[2 * tr::kLayoutFieldCount + tr::L::workload] = 2;
  check(run(r) == "layouts[2].workload = 2: must be a row index from 0 to 1", "row index message");
  check(r.outputs[tr::O::status] != 6 && r.outputs[2 * tr::kOutputFieldCount + tr::O::status] == 6 &&
            r.outputs[3 * tr::kOutputFieldCount + tr::O::status] == 6 &&
            std::isnan(r.outputs[3 * tr::kOutputFieldCount + tr::O::stepS]),
        "rows from the bad one on are not evaluated");
  r = training_rows(4);
  r.outputs.pop_back();
  const std::string width = std::to_string(tr::kOutputFieldCount);
  const std::string length = std::to_string(4 * tr::kOutputFieldCount - 1);
  check(run(r) == "outputs: length " + length + " is not a multiple of the row width " + width, "outputs length message: " + run(r));
  // A valid layout of 2^25 GPUs is refused; an invalid one is only a status.
  r = training_rows(1);
  double* lay = r.layouts.data();
  lay[tr::L::tp] = 1;
  lay[tr::L::pp] = 2;
  lay[tr::L::dp] = 16777216;
  lay[tr::L::microbatch] = 1;
  lay[tr::L::globalBatch] = 16777216;
  check(run(r) == "layouts[0]: tp × cp × dp × pp = 33554432 GPUs: must be at most 16777216 (2^24)",
        "GPU bound message");
  lay[tr::L::dp] = 16777216 * 2.5;
  check(run(r).empty(), "invalid dp is a status");
  check(r.outputs[tr::O::status] == 2 && std::isnan(r.outputs[tr::O::stepS]), "invalid dp gives status 2");
}

void test_training_placement() {
  // docs/model/training.md: TP 8 on an 8-GPU node; DP across nodes with TP = 8; with TP = 4, 2 DP ranks per node.
  check(tr::group_ranks_per_domain(8, 1, 8) == 8, "TP 8 in a node");
  check(tr::group_ranks_per_domain(8, 8, 16) == 1, "DP over nodes with TP 8");
  check(tr::group_ranks_per_domain(8, 4, 16) == 2, "DP with TP 4");
  check(tr::group_ranks_per_domain(8, 3, 4) == 0, "stride 3 on 8 GPUs");
  check(tr::group_ranks_per_domain(8, 1, 1) == 1, "group of one");
  // Layers over devices: every layer on exactly one device, first dense layers counted once.
  for (double layers : {7.0, 32.0, 61.0, 126.0}) {
    for (double p : {1.0, 2.0, 4.0, 8.0}) {
      for (double v : {1.0, 2.0, 3.0}) {
        if (p * v > layers) continue;
        const double base = std::floor(layers / (p * v));
        const double rem = layers - base * p * v;
        double total = 0;
        double dense = 0;
        for (double dev = 0; dev < p; dev += 1) {
          total += tr::layers_on_device(dev, p, v, base, rem);
          dense += tr::dense_layers_on_device(dev, p, v, base, rem, 3);
        }
        check(total == layers && dense == 3, "layers over devices L=" + std::to_string(layers));
      }
    }
  }
}

bool same_outputs(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_double(a[i], b[i])) return false;
  }
  return true;
}

void test_training_threads_and_memo() {
  const std::size_t n = 6000;
  TrainingRows one = training_rows(n), many = training_rows(n), again = training_rows(n);
  linkcap::ParallelOptions o1;
  o1.threads = 1;
  linkcap::ParallelOptions o4;
  o4.threads = 4;
  tr::evaluate_training_batch(one.view(), o1);
  tr::evaluate_training_batch(many.view(), o4);
  tr::evaluate_training_batch(again.view(), o4);  // warm memos
  check(same_outputs(one.outputs, many.outputs), "training: 1 and 4 threads agree");
  check(same_outputs(one.outputs, again.outputs), "training: warm memo agrees");
  std::size_t ok = 0;
  for (std::size_t i = 0; i < n; ++i) ok += one.outputs[i * tr::kOutputFieldCount] <= 1 ? 1 : 0;
  check(ok > n / 2, "training rows mostly evaluate (" + std::to_string(ok) + " of " + std::to_string(n) + ")");

  // Other cluster rows (same length): this thread's memo must be emptied. A fresh thread has a fresh memo.
  TrainingRows changed = training_rows(n), fresh = training_rows(n);
  for (TrainingRows* r : {&changed, &fresh}) r->clusters[7] /= 4;  // scaleOutGBps of cluster 0
  tr::evaluate_training_batch(changed.view(), o1);
  std::thread([&] { tr::evaluate_training_batch(fresh.view(), o1); }).join();
  check(same_outputs(changed.outputs, fresh.outputs), "training: memo emptied when the cluster rows change");
  check(!same_outputs(changed.outputs, one.outputs), "training: the change matters");
}

}  // namespace

int main() {
  test_format_number();
  test_validate_cluster();
  test_validate_inputs();
  test_select_matches_candidates();
  test_bad_gpu_counts();
  test_thread_pool();
  test_batch_threads_agree();
  test_batch_fast_path_matches_evaluate_point();
  test_evaluate_one_and_table_reuse();
  test_training_validation();
  test_training_placement();
  test_training_threads_and_memo();
  if (failures != 0) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("linkcap_core_tests: all checks passed\n");
  return 0;
}
