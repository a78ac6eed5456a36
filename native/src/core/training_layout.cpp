// Port of layoutProblem (packages/core/src/training/layout.ts): same rules, same order, same first answer.
#include "training_layout.hpp"

#include "training_math.hpp"

namespace linkcap::training {
namespace {

inline bool whole(double x, double max) { return x >= 1 && x <= max && js_floor(x) == x; }
inline bool code(double x, double max) { return x >= 0 && x <= max && js_floor(x) == x; }
inline bool fraction(double x) { return x >= 0 && x <= 1; }

}  // namespace

Problem layout_problem(const double* w, const double* chip, const double* lay) {
  const double t = lay[L::tp];
  const double p = lay[L::pp];
  const double d = lay[L::dp];
  const double e = lay[L::ep];
  const double c = lay[L::cp];
  const double b = lay[L::microbatch];
  const double batch = lay[L::globalBatch];
  const double v = lay[L::interleave];
  if (!whole(t, kMaxLayoutSize)) return Problem::Tp;
  if (!whole(p, kMaxLayoutSize)) return Problem::Pp;
  if (!whole(d, kMaxLayoutSize)) return Problem::Dp;
  if (!whole(e, kMaxLayoutSize)) return Problem::Ep;
  if (!whole(c, kMaxLayoutSize)) return Problem::Cp;
  if (!whole(b, kMaxLayoutSize)) return Problem::Microbatch;
  if (!whole(batch, 1099511627776.0)) return Problem::GlobalBatch;  // 2^40
  if (!whole(v, 1024)) return Problem::Interleave;
  if (!code(lay[L::recompute], 2)) return Problem::Recompute;
  if (!code(lay[L::zero], 3)) return Problem::Zero;
  if (!code(lay[L::precision], 1)) return Problem::Precision;
  if (!code(lay[L::commPrecision], 1)) return Problem::CommPrecision;
  if (!code(lay[L::sequenceParallel], 1)) return Problem::SequenceParallel;
  if (!code(lay[L::flashAttention], 1)) return Problem::FlashAttention;
  if (!fraction(lay[L::tpOverlap]) && lay[L::tpOverlap] != kOverlapRule) return Problem::TpOverlap;
  if (!fraction(lay[L::dpOverlap])) return Problem::DpOverlap;
  if (!fraction(lay[L::ppOverlap]) && lay[L::ppOverlap] != kOverlapRule) return Problem::PpOverlap;
  if (!fraction(lay[L::epOverlap])) return Problem::EpOverlap;
  if (!fraction(lay[L::cpOverlap])) return Problem::CpOverlap;
  const double slowdown = lay[L::overlapSlowdown];
  if (!(slowdown >= 0 && slowdown <= 10)) return Problem::OverlapSlowdown;
  const double gradientBytes = lay[L::gradientBytes];
  if (gradientBytes != 2 && gradientBytes != 4) return Problem::GradientBytes;
  if (!code(lay[L::recomputeLayers], kMaxLayoutSize)) return Problem::RecomputeLayers;
  if (!code(lay[L::offloadLayers], kMaxLayoutSize)) return Problem::OffloadLayers;
  if (!fraction(lay[L::offloadOverlap])) return Problem::OffloadOverlap;
  const double launch = lay[L::launchOverheadS];
  if (!(launch >= 0 && launch <= 0.01)) return Problem::LaunchOverhead;
  if (!code(lay[L::fusedKernels], 1)) return Problem::FusedKernels;
  if (!code(lay[L::recomputeModules], 15) || (lay[L::recomputeModules] != 0 && lay[L::recompute] == 2)) {
    return Problem::RecomputeModules;
  }
  if (!code(lay[L::fp8ActivationCache], 1) || (lay[L::fp8ActivationCache] == 1 && lay[L::precision] != 1)) {
    return Problem::Fp8ActivationCache;
  }
  if (!code(lay[L::microbatchGroup], kMaxLayoutSize)) return Problem::MicrobatchGroup;
  if (!code(lay[L::attentionKernel], 1)) return Problem::AttentionKernel;

  const double heads = w[W::heads];
  if (js_mod(heads, t) != 0) return Problem::HeadsPerTp;
  const double kv = w[W::kvHeads];
  if (w[W::kvLoraRank] == 0 && js_mod(kv, t) != 0 && js_mod(t, kv) != 0) return Problem::KvHeadsPerTp;
  const double experts = w[W::experts];
  const bool hasDense = experts == 0 || w[W::firstDenseLayers] > 0;
  if (hasDense && js_mod(w[W::ffn], t) != 0) return Problem::FfnPerTp;
  if (experts > 0 && js_mod(w[W::sharedExperts] * w[W::expertFfn], t) != 0) return Problem::SharedFfnPerTp;
  if (js_mod(batch, b * d) != 0) return Problem::BatchDivides;
  if (w[W::layers] < p * v) return Problem::LayersPerChunk;
  if (v > 1 && p == 1) return Problem::InterleaveNeedsPp;
  if (v > 1 && js_mod(batch / (b * d), p) != 0) return Problem::InterleaveMicrobatches;
  if (js_mod(w[W::seqLen], c) != 0) return Problem::SeqPerCp;
  if (experts == 0 && e != 1) return Problem::EpOnDense;
  if (experts > 0 && js_mod(experts, e) != 0) return Problem::ExpertsPerEp;
  if (js_mod(t * c * d, e) != 0) return Problem::EpDividesRanks;
  if (experts > 0 && t > 1 && lay[L::sequenceParallel] != 1) return Problem::MoeTpNeedsSp;
  if (lay[L::precision] == 1 && !(chip[C::peakFp8Flops] > 0)) return Problem::NoFp8;
  return Problem::None;
}

Problem schedule_problem(const double* w, const double* lay) {
  const double p = lay[L::pp];
  const double d = lay[L::dp];
  const double b = lay[L::microbatch];
  const double batch = lay[L::globalBatch];
  const double v = lay[L::interleave];
  if (!whole(batch, 1099511627776.0)) return Problem::GlobalBatch;
  if (!whole(v, 1024)) return Problem::Interleave;
  if (!code(lay[L::zero], 3)) return Problem::Zero;
  if (!fraction(lay[L::tpOverlap]) && lay[L::tpOverlap] != kOverlapRule) return Problem::TpOverlap;
  if (!fraction(lay[L::dpOverlap])) return Problem::DpOverlap;
  if (!fraction(lay[L::ppOverlap]) && lay[L::ppOverlap] != kOverlapRule) return Problem::PpOverlap;
  if (!fraction(lay[L::epOverlap])) return Problem::EpOverlap;
  if (!fraction(lay[L::cpOverlap])) return Problem::CpOverlap;
  const double slowdown = lay[L::overlapSlowdown];
  if (!(slowdown >= 0 && slowdown <= 10)) return Problem::OverlapSlowdown;
  if (!code(lay[L::recomputeLayers], kMaxLayoutSize)) return Problem::RecomputeLayers;
  if (!code(lay[L::offloadLayers], kMaxLayoutSize)) return Problem::OffloadLayers;
  if (!fraction(lay[L::offloadOverlap])) return Problem::OffloadOverlap;
  if (!code(lay[L::microbatchGroup], kMaxLayoutSize)) return Problem::MicrobatchGroup;
  if (js_mod(batch, b * d) != 0) return Problem::BatchDivides;
  if (w[W::layers] < p * v) return Problem::LayersPerChunk;
  if (v > 1 && p == 1) return Problem::InterleaveNeedsPp;
  if (v > 1 && js_mod(batch / (b * d), p) != 0) return Problem::InterleaveMicrobatches;
  return Problem::None;
}

}  // namespace linkcap::training
