// The batch fast path of auto-selection (algo = proto = kAuto, what sweeps ask for). Internal to linkcap_core.
//
// select_candidate prices each candidate from scratch: placement-derived bandwidths, latencies and every
// division, for every point. But of a candidate's time only the bytes moved (with NVLS's pipeline fill) and the
// tree's size correction depend on the message size
// (collective_terms.hpp), and a batch asks for the same (cluster, GPU count, op) with many sizes. So a
// GroupPlan holds everything else, computed once by the very same term functions, and each thread keeps the
// plans it has built in a small direct-mapped cache. Per point, what remains is: the shares (a few
// divisions), the transfer divisions of each protocol (done for the three protocols of an algorithm at once
// in one vector division: IEEE division is correctly rounded lane by lane, so each lane is the double the
// scalar division gives) and the comparisons.
//
// Candidates are visited in select_candidate's order (algorithms 0..7, protocols 0..2) and a candidate
// replaces the best only when strictly faster, so ties keep the earlier one, as in the TypeScript. An
// algorithm is skipped without any division when its smallest latency is already ≥ the best time: a
// candidate's time is latencyS + transfer with transfer ≥ +0 (or NaN), and rounding is monotonic, so
// fl(latencyS + transfer) ≥ latencyS ≥ best (or NaN) and it could not have replaced the best anyway.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "collective.hpp"
#include "collective_terms.hpp"

namespace linkcap {
class ClusterTable;
}

namespace linkcap::plan {

// Four doubles operated on lane by lane. With GCC/Clang a vector type (one 256-bit division on AVX, two
// 128-bit ones on baseline x86-64 SSE2, NEON on Arm); elsewhere a plain struct. Either way each lane is
// computed by the same IEEE operation as the scalar code.
#if defined(__GNUC__) || defined(__clang__)
typedef double Lanes __attribute__((vector_size(32)));
using LaneMask = decltype(Lanes{} > Lanes{});  // all-ones / all-zeros per lane, same width as a double

// a = terms::js_max(a, b) (Math.max) lane by lane, without branches: NaN if either is NaN (the same kNaN),
// else the larger; for equal values a & b bitwise, which is their common value, or for zeros +0 unless both
// are -0. (A vector cast reinterprets the bits; `mask ? x : y` picks lane by lane.) Lanes are passed by
// reference: a 32-byte vector passed by value changes the calling convention between SSE and AVX builds.
[[gnu::always_inline]] inline void js_max_into(Lanes& a, const Lanes& b) {
  const Lanes nan = {terms::kNaN, terms::kNaN, terms::kNaN, terms::kNaN};
  const Lanes larger = a > b ? a : b;
  const Lanes tie = (Lanes)((LaneMask)a & (LaneMask)b);
  const Lanes result = a == b ? tie : larger;
  a = ((a != a) | (b != b)) ? nan : result;
}
#else
struct Lanes {
  double v[4];
  double operator[](unsigned i) const { return v[i]; }
  double& operator[](unsigned i) { return v[i]; }
};
inline Lanes operator/(double a, const Lanes& b) { return {{a / b.v[0], a / b.v[1], a / b.v[2], a / b.v[3]}}; }
inline Lanes operator+(const Lanes& a, const Lanes& b) {
  return {{a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2], a.v[3] + b.v[3]}};
}
inline void js_max_into(Lanes& a, const Lanes& b) {
  for (unsigned i = 0; i < 4; ++i) a.v[i] = terms::js_max(a.v[i], b.v[i]);
}
#endif

// One algorithm's three protocols side by side: lane p is protocol p, lane 3 is padding (rate 1).
struct alignas(32) ProtocolLanes {
  Lanes latencyS;  // latency_us × 1e-6
  Lanes upRate;    // up_gbps × 1e9
  Lanes netRate;   // net_gbps × 1e9
  // The smallest latency among eligible protocols (-inf if one is NaN: then the bound never prunes).
  double minLatencyS;
  std::uint8_t protocols;  // bit p: protocol p is eligible; 0: the algorithm is out for this group and op
  // Every rate is > 0 (false only where a bandwidth underflows to 0 on an absurd cluster row). Then
  // transfer_at(x, rate) = x / rate for every x: for x = 0 the quotient is +0, the TypeScript's literal 0.
  bool positiveRates;
};

// An algorithm with the Simple protocol only (NVLS, NVLS tree, in-network).
struct SingleCandidate {
  double latencyS;
  double upRate;
  double netRate;
  std::uint8_t algo;
  bool eligible;
};

// Everything about (cluster, GPU count, op) that does not depend on the size.
struct alignas(32) GroupPlan {
  std::uint64_t key;  // cluster << 40 | op << 32 | gpus; kEmptyKey when unused
  bool placed;        // false: the GPU count cannot be placed (BadGpuCount); busFactor is then 1
  Placement placement;
  double ringTotalFactor;  // terms::ring_total_factor(op, n)
  double busFactor;        // bus_bandwidth_factor(op, n)
  // All-reduce: ring, tree. Reduce-scatter, all-gather, broadcast, reduce: ring. All-to-all, send/recv: direct.
  // (Eligibility puts every other algorithm of NCCL's out for those ops.)
  ProtocolLanes lanes[2];
  // All-reduce only: NVLS or NVLS tree (one domain or several), then in-network.
  SingleCandidate singles[2];
};

inline constexpr std::uint64_t kEmptyKey = ~std::uint64_t{0};

inline std::uint64_t plan_key(std::uint16_t cluster, Op op, std::uint32_t gpus) {
  return static_cast<std::uint64_t>(cluster) << 40 | static_cast<std::uint64_t>(op) << 32 | gpus;
}

// Fills `plan` for the key's cluster row, op and GPU count.
void build_plan(GroupPlan& plan, const PreparedCluster& cluster, std::uint64_t key, Op op, std::uint32_t gpus);

class PlanCache {
 public:
  static constexpr unsigned kBits = 9;  // 512 plans of 448 bytes: 224 KiB per thread

  // This thread's cache, valid for `table`: kept while the cluster rows are bit-identical to those its plans
  // were built on (a sweep streams many calls over the same rows; a one-point call must not rebuild), emptied
  // when they change. Allocates the first time only.
  static PlanCache& for_thread(const ClusterTable& table);

  const GroupPlan& get(const PreparedCluster* clusters, std::uint16_t cluster, Op op, std::uint32_t gpus) {
    const std::uint64_t key = plan_key(cluster, op, gpus);
    // Fibonacci hashing of the whole key: consecutive GPU counts and ops land in different slots.
    GroupPlan& plan = plans_[static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - kBits))];
    if (plan.key != key) build_plan(plan, clusters[cluster], key, op, gpus);
    return plan;
  }

 private:
  std::unique_ptr<GroupPlan[]> plans_;
  std::vector<double> rows_;     // the packed cluster rows the plans were built on
  std::uint64_t generation_ = 0;  // the table that last used this cache
};

// --- per point ------------------------------------------------------------------------------------------

struct Best {
  double timeS;
  terms::Shares shares;
  unsigned algo;
  unsigned proto;
  bool found;
};

// select_candidate's `if (!found || time < best) replace`, written as selects: which protocol or algorithm
// wins changes with the size from point to point, and a mispredicted branch costs more than the selects.
template <unsigned algo>
[[gnu::always_inline]] inline void keep_if_faster(double timeS, terms::Shares s, unsigned proto, Best& best) {
  const bool take = !best.found | (timeS < best.timeS);
  best.timeS = take ? timeS : best.timeS;
  best.shares.up = take ? s.up : best.shares.up;
  best.shares.net = take ? s.net : best.shares.net;
  best.algo = take ? algo : best.algo;
  best.proto = take ? proto : best.proto;
  best.found = true;
}

// Prices the eligible protocols of one algorithm; shares_of() computes its shares (only if not pruned).
template <unsigned algo, class SharesOf>
[[gnu::always_inline]] inline void consider(const ProtocolLanes& f, SharesOf shares_of, double S, Best& best) {
  if (f.protocols == 0) return;
  if (best.found && f.minLatencyS >= best.timeS) return;  // no protocol can be strictly faster (see top)
  const terms::Shares s = shares_of();
  // transfer_at lane by lane: zero bytes take no time, whatever the rate.
  Lanes up;
  Lanes net;
  if (f.positiveRates) {
    up = s.up / f.upRate;
    net = s.net / f.netRate;
  } else {
    up = s.up == 0 ? Lanes{} : s.up / f.upRate;
    net = s.net == 0 ? Lanes{} : s.net / f.netRate;
  }
  // terms::candidate_time lane by lane (the tree's transfer divided by its size correction, lane p protocol p).
  if constexpr (terms::adds_levels<algo>) {
    up = up + net;
  } else {
    js_max_into(up, net);
  }
  if constexpr (static_cast<Algo>(algo) == Algo::Tree) {
    const unsigned entry = terms::tree_correction_index(S);
    const Lanes correction = {terms::tree_correction_at(0, entry), terms::tree_correction_at(1, entry),
                              terms::tree_correction_at(2, entry), 1};
    up = up / correction;
  }
  const Lanes time = f.latencyS + up;
  if (f.protocols & 1u) keep_if_faster<algo>(time[0], s, 0, best);
  if (f.protocols & 2u) keep_if_faster<algo>(time[1], s, 1, best);
  if (f.protocols & 4u) keep_if_faster<algo>(time[2], s, 2, best);
}

template <unsigned algo, class SharesOf>
[[gnu::always_inline]] inline void consider(const SingleCandidate& f, SharesOf shares_of, const Placement& p, double S, Best& best) {
  if (!f.eligible) return;
  if (best.found && f.latencyS >= best.timeS) return;
  const terms::Shares s = shares_of();
  const double timeS = terms::candidate_time<algo, terms::kSimple>(
      f.latencyS, terms::transfer_at(terms::timed_up_bytes<algo>(p, S, s), f.upRate),
      terms::transfer_at(s.net, f.netRate), S);
  keep_if_faster<algo>(timeS, s, terms::kSimple, best);
}

// The candidates of NCCL's algorithms for one op, in select_candidate's order.
template <Op op>
[[gnu::always_inline]] inline void select_auto_for(const GroupPlan& plan, double S, Best& best) {
  using terms::shares;
  constexpr auto A = [](Algo a) { return static_cast<unsigned>(a); };
  const Placement& p = plan.placement;
  if constexpr (terms::is_collective_only(op)) {
    consider<A(Algo::Direct)>(plan.lanes[0], [&] { return shares<A(Algo::Direct)>(p, op, S); }, S, best);
  } else {
    consider<A(Algo::Ring)>(plan.lanes[0], [&] { return terms::ring_shares(p, plan.ringTotalFactor * S); }, S, best);
    if constexpr (op == Op::AllReduce) {
      consider<A(Algo::Tree)>(plan.lanes[1], [&] { return shares<A(Algo::Tree)>(p, op, S); }, S, best);
      const SingleCandidate& nvls = plan.singles[0];
      if (nvls.algo == A(Algo::Nvls)) {
        consider<A(Algo::Nvls)>(nvls, [&] { return shares<A(Algo::Nvls)>(p, op, S); }, p, S, best);
      } else {
        consider<A(Algo::NvlsTree)>(nvls, [&] { return shares<A(Algo::NvlsTree)>(p, op, S); }, p, S, best);
      }
      consider<A(Algo::InNetwork)>(plan.singles[1], [&] { return shares<A(Algo::InNetwork)>(p, op, S); }, p, S, best);
    }
  }
}

// select_candidate(c, plan.placement, op, bytes, kAuto, kAuto, ...), from the plan; plan.placed must be true.
[[gnu::always_inline]] inline Best select_auto(const GroupPlan& plan, Op op, double bytes) {
  Best best{0, {0, 0}, 0, 0, false};
  switch (op) {
    case Op::AllReduce: select_auto_for<Op::AllReduce>(plan, bytes, best); break;
    case Op::ReduceScatter: select_auto_for<Op::ReduceScatter>(plan, bytes, best); break;
    case Op::AllGather: select_auto_for<Op::AllGather>(plan, bytes, best); break;
    case Op::Broadcast: select_auto_for<Op::Broadcast>(plan, bytes, best); break;
    case Op::Reduce: select_auto_for<Op::Reduce>(plan, bytes, best); break;
    case Op::AllToAll: select_auto_for<Op::AllToAll>(plan, bytes, best); break;
    case Op::SendRecv: select_auto_for<Op::SendRecv>(plan, bytes, best); break;
  }
  return best;
}

}  // namespace linkcap::plan

