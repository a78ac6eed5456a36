// Validity of a parallel layout for a workload: the numeric rule list of packages/core/src/training/layout.ts.
// The problem codes are part of the interface (append only); problem_status maps them to the output status.
#pragma once

#include "training_fields.hpp"
#include "training_problem.hpp"  // Problem (generated from layout.ts)

namespace linkcap::training {

// tpOverlap / ppOverlap may hold this instead of a fraction: the layout's own rule (OVERLAP_RULE of layout.ts):
// (tp − 1)/tp for TP, 1 with the interleaved schedule else 0 for pipeline p2p.
inline constexpr double kOverlapRule = -1;

inline double tp_overlap_of(const double* lay) {
  const double f = lay[L::tpOverlap];
  return f == kOverlapRule ? (lay[L::tp] - 1) / lay[L::tp] : f;
}

inline double pp_overlap_of(const double* lay) {
  const double f = lay[L::ppOverlap];
  return f == kOverlapRule ? (lay[L::interleave] > 1 ? 1 : 0) : f;
}

// Largest tp, pp, dp, ep, cp and microbatch a layout may name (1 << 24).
inline constexpr double kMaxLayoutSize = 16777216.0;

// First rule the layout row `lay` breaks for its workload row `w` and chip row `chip`, or Problem::None.
Problem layout_problem(const double* w, const double* chip, const double* lay);

// The rules of layout_problem that read fields outside the layout memo's key (training_memo.hpp): the batch,
// the schedule, the ZeRO stage, the overlaps and the recompute and offload counts. For a row whose key matched a
// row that passed layout_problem, this is the whole check (any failure is an InvalidLayout).
Problem schedule_problem(const double* w, const double* lay);

// The output status a problem code maps to.
inline TrainingStatus problem_status(Problem problem) {
  if (problem == Problem::None) return TrainingStatus::Ok;
  return problem == Problem::NoFp8 ? TrainingStatus::NoFp8 : TrainingStatus::InvalidLayout;
}

}  // namespace linkcap::training
