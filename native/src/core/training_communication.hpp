// Communication of a training step (packages/core/src/training/communication.ts): every call priced by the
// collective model on its group's placement. Message sizes follow nccl-tests' convention (the whole buffer
// for all-gather, reduce-scatter and all-to-all; the per-rank buffer for all-reduce and send/recv).
#pragma once

#include "training_compute.hpp"
#include "training_fields.hpp"
#include "training_placement.hpp"
#include "training_pricing.hpp"

namespace linkcap::training {

// Bytes per activation element on the wire: 1 for FP8 communication, 2 for BF16.
inline double activation_wire_bytes(const double* lay) { return lay[L::commPrecision] == 1 ? 1 : 2; }

// The two TP collectives of a layout, priced once per configuration.
struct TpTimes {
  double reduceS;  // reduce-scatter (with SP) or all-reduce (without) of T h a bytes
  double gatherS;  // all-gather of T h a bytes with SP; 0 without
};

void tensor_parallel_collectives(Pricer& pricer, const GroupShapes& groups, const double* w, const double* lay,
                                 TpTimes& out);

// Fills tpFwdS … z3BwdS of one layer of `kind`. Reads denseParams and expertParams (for ZeRO-3), so
// layer_params must have run first.
void layer_communication(Pricer& pricer, const GroupShapes& groups, const TpTimes& tp, const double* w,
                         const double* lay, LayerKind kind, LayerCost& out);

// TP (and ZeRO-3) communication of the embedding stage or, with isHead, the head stage, per microbatch.
void end_stage_communication(Pricer& pricer, const GroupShapes& groups, const TpTimes& tp, const double* lay,
                             bool isHead, LayerCost& out);

// Raw data-parallel communication after the last microbatch (ZeRO 0–2), for one pipeline stage.
struct DpTail {
  double reduceS;  // gradient all-reduce (ZeRO 0) or reduce-scatter (ZeRO 1/2)
  double gatherS;  // parameter all-gather after the sharded update (ZeRO 1/2)
};

void data_parallel_tail(Pricer& pricer, const GroupShapes& groups, const double* lay, double denseParams,
                        double expertParams, DpTail& out);

// One pipeline point-to-point transfer: the activations of one microbatch, split over the TP ranks.
double pipeline_p2p_s(Pricer& pricer, const GroupShapes& groups, const double* w, const double* lay);

}  // namespace linkcap::training
