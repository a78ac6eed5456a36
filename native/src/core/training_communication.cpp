// Port of communication.ts. Per transformer layer and microbatch (T = b s / c tokens, a = wire bytes):
// TP 2 all-reduces (or RS + AG pairs with SP) per pass; CP all-gather of the keys and values forward, all-gather
// + reduce-scatter backward; EP dispatch + combine all-to-all; ZeRO-3 weight gathers and gradient scatters.
#include "training_communication.hpp"

#include "training_workload.hpp"

namespace linkcap::training {

void tensor_parallel_collectives(Pricer& pricer, const GroupShapes& groups, const double* w, const double* lay,
                                 TpTimes& out) {
  out.reduceS = 0;
  out.gatherS = 0;
  if (lay[L::tp] == 1) return;
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / lay[L::cp];
  const double bytes = tokens * w[W::hidden] * activation_wire_bytes(lay);
  const double g = groups.tpG;
  const double n = groups.tpN;
  if (lay[L::sequenceParallel] == 1) {
    out.reduceS = pricer.collective_s(Op::ReduceScatter, bytes, g, n);
    out.gatherS = pricer.collective_s(Op::AllGather, bytes, g, n);
  } else {
    out.reduceS = pricer.collective_s(Op::AllReduce, bytes, g, n);
  }
}

void layer_communication(Pricer& pricer, const GroupShapes& groups, const TpTimes& tp, const double* w,
                         const double* lay, LayerKind kind, LayerCost& out) {
  const double t = lay[L::tp];
  const double cp = lay[L::cp];
  const double h = w[W::hidden];
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / cp;
  const double wire = activation_wire_bytes(lay);

  const double pairs = kind == LayerKind::Dense ? 2 : w[W::sharedExperts] > 0 ? 2 : 1;
  const double tpPass = pairs * (tp.reduceS + tp.gatherS);
  out.tpFwdS = tpPass;
  out.tpBwdS = tpPass;

  double cpFwd = 0;
  double cpBwd = 0;
  if (cp > 1) {
    const double ar = w[W::heads] / t;
    const double heads = w[W::kvLoraRank] > 0 ? ar : kv_heads_per_rank(w, t);
    const double bytes = cp * tokens * heads * (w[W::headDim] + w[W::vHeadDim]) * wire;
    const double gather = pricer.collective_s(Op::AllGather, bytes, groups.cpG, groups.cpN);
    cpFwd = gather;
    cpBwd = gather + pricer.collective_s(Op::ReduceScatter, bytes, groups.cpG, groups.cpN);
  }
  out.cpFwdS = cpFwd;
  out.cpBwdS = cpBwd;

  double epFwd = 0;
  double epBwd = 0;
  if (kind == LayerKind::Moe && lay[L::ep] > 1) {
    const double routed = (tokens / t) * w[W::topK] * h;
    const double g = groups.epG;
    const double n = groups.epN;
    const double combine = pricer.collective_s(Op::AllToAll, routed * 2, g, n);
    epFwd = pricer.collective_s(Op::AllToAll, routed * wire, g, n) + combine;
    epBwd = 2 * combine;
  }
  out.epFwdS = epFwd;
  out.epBwdS = epBwd;

  double z3Fwd = 0;
  double z3Bwd = 0;
  if (lay[L::zero] == 3) {
    // Weights gathered in BF16; gradients reduce-scattered at gradientBytes per element.
    const double grad = lay[L::gradientBytes];
    const double dense = out.denseParams;
    const double expert = out.expertParams;
    const double gatherDense = pricer.collective_s(Op::AllGather, dense * 2, groups.dpG, groups.dpN);
    const double gatherExpert = pricer.collective_s(Op::AllGather, expert * 2, groups.edpG, groups.edpN);
    z3Fwd = gatherDense + gatherExpert;
    z3Bwd = z3Fwd + pricer.collective_s(Op::ReduceScatter, dense * grad, groups.dpG, groups.dpN) +
            pricer.collective_s(Op::ReduceScatter, expert * grad, groups.edpG, groups.edpN);
  }
  out.z3FwdS = z3Fwd;
  out.z3BwdS = z3Bwd;
}

void end_stage_communication(Pricer& pricer, const GroupShapes& groups, const TpTimes& tp, const double* lay,
                             bool isHead, LayerCost& out) {
  // Embedding: reduce(-scatter) forward, gather backward; head: gather forward, reduce(-scatter) backward.
  out.tpFwdS = isHead ? tp.gatherS : tp.reduceS;
  out.tpBwdS = isHead ? tp.reduceS : tp.gatherS;
  out.cpFwdS = 0;
  out.cpBwdS = 0;
  out.epFwdS = 0;
  out.epBwdS = 0;
  double z3Fwd = 0;
  double z3Bwd = 0;
  if (lay[L::zero] == 3) {
    const double params = out.denseParams;
    z3Fwd = pricer.collective_s(Op::AllGather, params * 2, groups.dpG, groups.dpN);
    z3Bwd = z3Fwd + pricer.collective_s(Op::ReduceScatter, params * lay[L::gradientBytes], groups.dpG, groups.dpN);
  }
  out.z3FwdS = z3Fwd;
  out.z3BwdS = z3Bwd;
}

void data_parallel_tail(Pricer& pricer, const GroupShapes& groups, const double* lay, double denseParams,
                        double expertParams, DpTail& out) {
  const double zero = lay[L::zero];
  // Gradients travel at gradientBytes per element (fp32 or BF16); updated weights are gathered in BF16.
  const double grad = lay[L::gradientBytes];
  if (zero == 3) {
    out.reduceS = 0;
    out.gatherS = 0;
  } else if (zero == 0) {
    out.reduceS = pricer.collective_s(Op::AllReduce, denseParams * grad, groups.dpG, groups.dpN) +
                  pricer.collective_s(Op::AllReduce, expertParams * grad, groups.edpG, groups.edpN);
    out.gatherS = 0;
  } else {
    out.reduceS = pricer.collective_s(Op::ReduceScatter, denseParams * grad, groups.dpG, groups.dpN) +
                  pricer.collective_s(Op::ReduceScatter, expertParams * grad, groups.edpG, groups.edpN);
    out.gatherS = pricer.collective_s(Op::AllGather, denseParams * 2, groups.dpG, groups.dpN) +
                  pricer.collective_s(Op::AllGather, expertParams * 2, groups.edpG, groups.edpN);
  }
}

double pipeline_p2p_s(Pricer& pricer, const GroupShapes& groups, const double* w, const double* lay) {
  if (lay[L::pp] == 1) return 0;
  const double tokens = (lay[L::microbatch] * w[W::seqLen]) / lay[L::cp];
  const double bytes = (tokens * w[W::hidden] * activation_wire_bytes(lay)) / lay[L::tp];
  return pricer.collective_s(Op::SendRecv, bytes, groups.ppG, groups.ppN);
}

}  // namespace linkcap::training
