// Port of evaluateTrainingRow (packages/core/src/training/step.ts), line by line. Per microbatch each layer
// kind X (dense, MoE, embedding stage, head stage) costs
//   τ_X = compute + exposed TP + exposed CP + exposed EP + exposed ZeRO-3 + slowdown,
// a communication C with window W and overlap fraction f hides min(C, f W), and the hidden part slows compute
// by σ per second. Device i costs τ_i = Σ its layers' τ_X; the pipeline takes m · max τ + (Σ τ − max τ) / v.
#include "training_step.hpp"

#include <cstring>

#include "training_communication.hpp"
#include "training_compute.hpp"
#include "training_fields.hpp"
#include "training_layout.hpp"
#include "training_math.hpp"
#include "training_memory.hpp"
#include "training_placement.hpp"
#include "training_workload.hpp"

namespace linkcap::training {
namespace {

constexpr int kKinds = 4;
constexpr int kDense = 0;
constexpr int kMoe = 1;
constexpr int kEmbed = 2;
constexpr int kHead = 3;

// Components of τ_X per microbatch (P of step.ts).
enum Part : int { kCompute = 0, kTp = 1, kCp = 2, kEp = 3, kDp = 4, kSlowdown = 5 };
constexpr int kParts = 6;

struct Scratch {
  const LayerCost* costs;         // the four kinds' costs (KindCosts::costs)
  double parts[kKinds][kParts];   // a layer that is not recomputed
  double recParts[2][kParts];     // what recomputing one layer adds (transformer kinds)
  double totals[kKinds];
  double recTotals[2];
};

// part / whole, without the division when the quotient is exactly 1 or 0 (same double either way).
inline double exact_fraction(double part, double whole) { return part == whole ? 1 : part == 0 ? 0 : part / whole; }

inline double hidden(double comm, double fraction, double window) {
  const double cap = fraction * window;
  return comm < cap ? comm : cap;
}

// Turns a kind's raw costs into its per-microbatch components (exposure and slowdown applied).
void expose_kind(const double* lay, int kind, Scratch& s) {
  const LayerCost& c = s.costs[kind];
  double* parts = s.parts[kind];
  const double fTp = tp_overlap_of(lay);
  const double fCp = lay[L::cpOverlap];
  const double fEp = lay[L::epOverlap];
  const double fDp = lay[L::dpOverlap];
  const double sigma = lay[L::overlapSlowdown];
  const double fwd = c.fwdS;
  const double bwd = c.bwdS;
  const double tpHf = hidden(c.tpFwdS, fTp, c.fwdGemmS);
  const double tpHb = hidden(c.tpBwdS, fTp, c.bwdGemmS);
  const double cpHf = hidden(c.cpFwdS, fCp, c.fwdCoreS);
  const double cpHb = hidden(c.cpBwdS, fCp, c.bwdCoreS);
  const double epHf = hidden(c.epFwdS, fEp, fwd);
  const double epHb = hidden(c.epBwdS, fEp, bwd);
  const double z3Hf = hidden(c.z3FwdS, fDp, fwd);
  const double z3Hb = hidden(c.z3BwdS, fDp, bwd);
  const double tpXf = c.tpFwdS - tpHf;
  const double cpXf = c.cpFwdS - cpHf;
  const double epXf = c.epFwdS - epHf;
  parts[kCompute] = fwd + bwd;
  parts[kTp] = tpXf + (c.tpBwdS - tpHb);
  parts[kCp] = cpXf + (c.cpBwdS - cpHb);
  parts[kEp] = epXf + (c.epBwdS - epHb);
  parts[kDp] = c.z3FwdS - z3Hf + (c.z3BwdS - z3Hb);
  parts[kSlowdown] = sigma * (tpHf + cpHf + epHf + tpHb + cpHb + epHb + z3Hf + z3Hb);
  double sum = 0;
  for (int i = 0; i < kParts; ++i) sum += parts[i];
  s.totals[kind] = sum;
  if (kind >= kEmbed) return;
  // A recomputed layer runs its recompute work in backward; full recompute repeats the forward's TP, CP and EP
  // communication with the same exposure.
  const double full = lay[L::recompute] == 2 ? 1 : 0;
  double* rec = s.recParts[kind];
  rec[kCompute] = c.recomputeS;
  rec[kTp] = full * tpXf;
  rec[kCp] = full * cpXf;
  rec[kEp] = full * epXf;
  rec[kDp] = 0;
  rec[kSlowdown] = full * sigma * (tpHf + cpHf + epHf);
  s.recTotals[kind] = rec[kCompute] + rec[kTp] + rec[kCp] + rec[kEp] + rec[kSlowdown];
}

// One component of a device's τ: its layers' parts (recomputed layers' extra included) plus its end stages.
inline double stage_part(const Scratch& s, int i, double nDense, double nMoe, double rDense, double rMoe, double first,
                         double last) {
  return nDense * s.parts[kDense][i] + nMoe * s.parts[kMoe][i] + rDense * s.recParts[kDense][i] +
         rMoe * s.recParts[kMoe][i] + first * s.parts[kEmbed][i] + last * s.parts[kHead][i];
}

unsigned fill_invalid(double* out, TrainingStatus status, double gpus) {
  for (std::size_t i = 0; i < kOutputFieldCount; ++i) out[i] = kNaN;
  out[O::status] = static_cast<double>(status);
  out[O::gpus] = gpus;
  return static_cast<unsigned>(status);
}

inline void clear_kind(int kind, Scratch& s) {
  s.totals[kind] = 0;
  s.recTotals[kind] = 0;
  for (int i = 0; i < kParts; ++i) {
    s.parts[kind][i] = 0;
    s.recParts[kind][i] = 0;
  }
}

// The compute part of the per-kind costs: compute, parameters and activation bytes of the dense and MoE
// layers, the embedding stage whole, the head stage's compute (its parameters depend on the pipeline size).
void compute_part(const double* w, const double* chip, const double* lay, ComputeCosts& k) {
  const double t = lay[L::tp];
  const double layers = w[W::layers];
  const double moeLayers = moe_layer_count(w);
  const bool hasDense = layers - moeLayers > 0;
  const bool hasMoe = moeLayers > 0;
  for (int kind = 0; kind < 2; ++kind) {
    LayerCost& c = k.costs[kind];
    if ((kind == kDense && !hasDense) || (kind == kMoe && !hasMoe)) {
      c = LayerCost{};
      continue;
    }
    const LayerKind layerKind = kind == kDense ? LayerKind::Dense : LayerKind::Moe;
    layer_compute(w, chip, lay, layerKind, c);
    layer_params(w, lay, layerKind, c);
    if (lay[L::zero] == 3) add_zero3_copies(chip, lay, c.denseParams + c.expertParams, c);
    layer_activation_bytes(w, lay, layerKind, c);
  }
  LayerCost& ce = k.costs[kEmbed];
  embedding_compute(w, chip, lay, ce);
  ce.denseParams = embedding_params_per_rank(w, t);
  ce.expertParams = 0;
  if (lay[L::zero] == 3) add_zero3_copies(chip, lay, ce.denseParams, ce);
  head_compute(w, chip, lay, k.costs[kHead]);
}

// Per-kind costs for one microbatch, the placement and the pipeline point-to-point price: everything of a
// layout that its schedule, batch and overlaps do not change (training_memo.hpp), from its compute part. The
// TP collectives have one size for every layer: priced once.
void communication_part(const double* w, const double* chip, const double* lay, Pricer& pricer, const ComputeCosts& compute,
                        KindCosts& k) {
  const double t = lay[L::tp];
  const double p = lay[L::pp];
  k.tailZero = -1;  // the slot may hold another layout's tail
  k.placeable = place_groups(pricer.params().gpusPerDomain, t, lay[L::cp], lay[L::dp], p, lay[L::ep], k.groups);
  if (!k.placeable) return;
  std::memcpy(k.costs, compute.costs, sizeof k.costs);
  const GroupShapes& groups = k.groups;
  TpTimes tpTimes;
  tensor_parallel_collectives(pricer, groups, w, lay, tpTimes);
  const double layers = w[W::layers];
  const double moeLayers = moe_layer_count(w);
  const bool hasDense = layers - moeLayers > 0;
  const bool hasMoe = moeLayers > 0;
  for (int kind = 0; kind < 2; ++kind) {
    if ((kind == kDense && !hasDense) || (kind == kMoe && !hasMoe)) continue;
    layer_communication(pricer, groups, tpTimes, w, lay, kind == kDense ? LayerKind::Dense : LayerKind::Moe,
                        k.costs[kind]);
  }
  end_stage_communication(pricer, groups, tpTimes, lay, false, k.costs[kEmbed]);
  LayerCost& ch = k.costs[kHead];
  ch.denseParams = head_params_per_rank(w, t, p);
  ch.expertParams = 0;
  if (lay[L::zero] == 3) add_zero3_copies(chip, lay, ch.denseParams, ch);
  end_stage_communication(pricer, groups, tpTimes, lay, true, ch);
  k.p2pS = pipeline_p2p_s(pricer, groups, w, lay);
}

// The rest of the step from the per-kind costs: exposure, the pipeline, memory, the data-parallel tail.
unsigned finish_training_row(const double* w, const double* chip, const double* lay, Pricer& pricer,
                             const KindCosts& k, double* out) {
  const double t = lay[L::tp];
  const double p = lay[L::pp];
  const double d = lay[L::dp];
  const double e = lay[L::ep];
  const double cp = lay[L::cp];
  const double v = lay[L::interleave];
  const double b = lay[L::microbatch];
  const double gpus = t * cp * d * p;
  if (!k.placeable) return fill_invalid(out, TrainingStatus::Unplaceable, gpus);
  const GroupShapes& groups = k.groups;

  Scratch s;
  s.costs = k.costs;
  const double layers = w[W::layers];
  const double moeLayers = moe_layer_count(w);
  const bool hasDense = layers - moeLayers > 0;
  const bool hasMoe = moeLayers > 0;
  for (int kind = 0; kind < 2; ++kind) {
    if ((kind == kDense && !hasDense) || (kind == kMoe && !hasMoe)) {
      clear_kind(kind, s);
      continue;
    }
    expose_kind(lay, kind, s);
  }
  const LayerCost& ce = k.costs[kEmbed];
  expose_kind(lay, kEmbed, s);
  const LayerCost& ch = k.costs[kHead];
  expose_kind(lay, kHead, s);

  // Pipeline devices: chunk k holds base + [k < rem] layers and sits on device k mod p.
  const double base = js_floor(layers / (p * v));
  const double rem = layers - base * p * v;
  const double firstDense = hasMoe ? w[W::firstDenseLayers] : layers;
  const double m = lay[L::globalBatch] / (b * d);
  const double tokens = (b * w[W::seqLen]) / cp;
  const double dpDense = cp * d;
  const double dpExpert = (t * cp * d) / e;
  const double capacity = (chip[C::memoryBytes] - chip[C::memoryReserveBytes]) * chip[C::usableMemoryFraction];
  const double recomputeLayers = lay[L::recompute] == 0 ? 0 : lay[L::recomputeLayers];
  const double offloadLayers = lay[L::offloadLayers];
  const double fOff = lay[L::offloadOverlap];
  const double hostBandwidth = chip[C::hostBandwidth];
  const LayerCost& cd = k.costs[kDense];
  const LayerCost& cm = k.costs[kMoe];
  const double workingSet = lay[L::recompute] == 2
                                ? js_max(hasDense ? cd.fullActBytes : 0, hasMoe ? cm.fullActBytes : 0)
                                : 0;
  const double logits = (tokens * w[W::vocab] * 6) / t;
  const double gathered = js_max(hasDense ? cd.denseParams : 0, hasMoe ? cm.denseParams + cm.expertParams : 0);

  double tauMax = -1;
  double tauSum = 0;
  double critical = 0;
  double criticalDense = 0;
  double criticalMoe = 0;
  double criticalRecDense = 0;
  double criticalRecMoe = 0;
  double criticalOffload = 0;
  double memMax = -1;
  double memWeights = 0;
  double memGradients = 0;
  double memOptimizer = 0;
  double memActivations = 0;
  double memOffloaded = 0;
  double heaviest = 0;
  double heaviestDense = 0;
  double heaviestMoe = 0;
  double heaviestRecDense = 0;
  double heaviestRecMoe = 0;
  double heaviestParams = -1;
  StageMemory memory;
  // Devices fall into runs that cost the same: each run is priced once, at its first device (the most
  // microbatches in flight); sums weigh it by its length.
  const double perDevice = js_floor(rem / p);
  const double longer = rem - perDevice * p;
  const double denseDevices = hasMoe ? devices_with_dense_layers(p, v, base, rem, firstDense) : 0;
  // The values below are the TypeScript's exactly; they only skip divisions whose result is known: a device
  // below `longer` holds v·base + ⌊rem/p⌋ + 1 layers, the others v·base + ⌊rem/p⌋ (layersOnDevice), and the
  // interleaved schedule's in-flight factor is the same for every device.
  const double group = lay[L::microbatchGroup];
  for (double dev = 0; dev < p;) {
    const double end = pipeline_run_end(dev, p, longer, denseDevices);
    const double count = end - dev;
    const double layersHere = v * base + (dev < longer ? perDevice + 1 : perDevice);
    const double nDense = hasMoe ? dense_layers_on_device(dev, p, v, base, rem, firstDense) : layersHere;
    const double nMoe = layersHere - nDense;
    // Recomputed and offloaded layers, shared between the kinds in proportion to their counts.
    const double recFraction = exact_fraction(selected_layers(recomputeLayers, layersHere, v, base), layersHere);
    const double offFraction = exact_fraction(selected_layers(offloadLayers, layersHere, v, base), layersHere);
    const double rDense = nDense * recFraction;
    const double rMoe = nMoe * recFraction;
    const bool isFirst = dev == 0;
    const bool isLast = dev == p - 1;
    const double perMicrobatch = (nDense - rDense) * cd.fullActBytes + rDense * cd.actBytes +
                                 (nMoe - rMoe) * cm.fullActBytes + rMoe * cm.actBytes;
    // Offload: the selected layers' activations go to host memory in forward and come back for backward, each
    // copy hiding behind this device's compute of the same pass.
    const double offBytes = perMicrobatch * offFraction;
    double offExposed = 0;
    if (offBytes > 0) {
      const double copy = offBytes / hostBandwidth;
      const double fwdWindow = nDense * cd.fwdS + nMoe * cm.fwdS;
      const double bwdWindow = nDense * cd.bwdS + nMoe * cm.bwdS + rDense * cd.recomputeS + rMoe * cm.recomputeS;
      offExposed = copy - hidden(copy, fOff, fwdWindow) + (copy - hidden(copy, fOff, bwdWindow));
    }
    const double tau = nDense * s.totals[kDense] + nMoe * s.totals[kMoe] + rDense * s.recTotals[kDense] +
                       rMoe * s.recTotals[kMoe] + (isFirst ? s.totals[kEmbed] : 0) + (isLast ? s.totals[kHead] : 0) +
                       offExposed;
    tauSum += count * tau;
    if (tau > tauMax) {
      tauMax = tau;
      critical = dev;
      criticalDense = nDense;
      criticalMoe = nMoe;
      criticalRecDense = rDense;
      criticalRecMoe = rMoe;
      criticalOffload = offExposed;
    }
    const double denseParams = nDense * cd.denseParams + nMoe * cm.denseParams + (isFirst ? ce.denseParams : 0) +
                               (isLast ? ch.denseParams : 0);
    const double expertParams = nMoe * cm.expertParams;
    const double inFlight = in_flight_microbatches(dev, p, m, v, group);
    // Working set: one layer being recomputed (full), two layers' staging buffers for the offload copies.
    const double staging = offBytes > 0 ? (2 * perMicrobatch) / layersHere : 0;
    stage_memory(lay, denseParams, expertParams, dpDense, dpExpert, perMicrobatch - offBytes, inFlight,
                 (rDense + rMoe > 0 ? workingSet : 0) + staging + (isLast ? logits : 0), gathered, memory);
    if (memory.total > memMax) {
      memMax = memory.total;
      memWeights = memory.weights;
      memGradients = memory.gradients;
      memOptimizer = memory.optimizer;
      memActivations = memory.activations;
      memOffloaded = offBytes * inFlight;
    }
    if (denseParams + expertParams > heaviestParams) {
      heaviestParams = denseParams + expertParams;
      heaviest = dev;
      heaviestDense = nDense;
      heaviestMoe = nMoe;
      heaviestRecDense = rDense;
      heaviestRecMoe = rMoe;
    }
    dev = end;
  }

  // After the pipeline: data-parallel reduction and gather, and the optimizer, on the stage with the most
  // parameters, with that stage's own overlap windows.
  const double fDp = lay[L::dpOverlap];
  const double sigma = lay[L::overlapSlowdown];
  const double zero = lay[L::zero];
  const double bandwidth = chip[C::memoryBandwidth] * chip[C::memoryEfficiency];
  const double tailFirst = heaviest == 0 ? 1 : 0;
  const double tailLast = heaviest == p - 1 ? 1 : 0;
  const double tailDense = heaviestDense * cd.denseParams + heaviestMoe * cm.denseParams + tailFirst * ce.denseParams +
                           tailLast * ch.denseParams;
  const double tailExpert = heaviestMoe * cm.expertParams;
  const double fwdWindow =
      heaviestDense * cd.fwdS + heaviestMoe * cm.fwdS + tailFirst * ce.fwdS + tailLast * ch.fwdS;
  const double bwdWindow = heaviestDense * cd.bwdS + heaviestMoe * cm.bwdS + heaviestRecDense * cd.recomputeS +
                           heaviestRecMoe * cm.recomputeS + tailFirst * ce.bwdS + tailLast * ch.bwdS;
  DpTail tail;
  if (k.tailZero == zero && k.tailDense == tailDense && k.tailExpert == tailExpert) {
    tail.reduceS = k.tailReduceS;
    tail.gatherS = k.tailGatherS;
  } else {
    data_parallel_tail(pricer, groups, lay, tailDense, tailExpert, tail);
    k.tailZero = zero;
    k.tailDense = tailDense;
    k.tailExpert = tailExpert;
    k.tailReduceS = tail.reduceS;
    k.tailGatherS = tail.gatherS;
  }
  const double hiddenReduce = hidden(tail.reduceS, fDp, bwdWindow);
  const double hiddenGather = hidden(tail.gatherS, fDp, fwdWindow);
  const double tailDp = tail.reduceS - hiddenReduce + (tail.gatherS - hiddenGather);
  const double tailSlow = sigma * (hiddenReduce + hiddenGather);
  const double tailOptimizer = ((kOptimizerBytesPerParam + lay[L::gradientBytes]) *
                                (tailDense / (zero >= 1 ? dpDense : 1) + tailExpert / (zero >= 1 ? dpExpert : 1))) /
                               bandwidth;

  // Pipeline schedule and point-to-point.
  const double bubble = (tauSum - tauMax) / v;
  const double p2p = k.p2pS;
  const double ppRaw = p > 1 ? 2 * p2p * (m * v + p - 1) : 0;
  const double ppHidden = pp_overlap_of(lay) * ppRaw;
  const double ppExposed = ppRaw - ppHidden;
  const double first = critical == 0 ? 1 : 0;
  const double last = critical == p - 1 ? 1 : 0;
  const double cD = criticalDense;
  const double cM = criticalMoe;
  const double rD = criticalRecDense;
  const double rM = criticalRecMoe;
  const double computeS = m * stage_part(s, kCompute, cD, cM, rD, rM, first, last);
  const double tpS = m * stage_part(s, kTp, cD, cM, rD, rM, first, last);
  const double cpS = m * stage_part(s, kCp, cD, cM, rD, rM, first, last);
  const double epS = m * stage_part(s, kEp, cD, cM, rD, rM, first, last);
  const double dpS = m * stage_part(s, kDp, cD, cM, rD, rM, first, last) + tailDp;
  const double slowdownS = m * stage_part(s, kSlowdown, cD, cM, rD, rM, first, last) + sigma * ppHidden + tailSlow;
  const double offloadS = m * criticalOffload;
  const double stepS = computeS + tpS + cpS + epS + dpS + ppExposed + bubble + tailOptimizer + slowdownS + offloadS;

  const double seq = w[W::seqLen];
  const double tokensPerStep = lay[L::globalBatch] * seq;
  const double modelFlops = tokensPerStep * 3 * forward_flops_per_token(w);
  const double recompute = lay[L::recompute];
  // Recompute FLOPs in proportion to the layers that recompute: the first recomputeLayers of each of the p·v
  // chunks (rem of them hold base + 1 layers).
  const double recomputedLayers = (p * v - rem) * (recomputeLayers < base ? recomputeLayers : base) +
                                  rem * (recomputeLayers < base + 1 ? recomputeLayers : base + 1);
  const double recomputeFlops =
      recompute == 2   ? (tokensPerStep * layer_forward_flops_per_token(w) * recomputedLayers) / layers
      : recompute == 1 ? tokensPerStep * recomputedLayers * attention_core_flops_per_token(w)
                       : 0;
  // MFU and HFU against the dense peak of the GEMM precision (FP8 runs against the FP8 peak).
  const double peak = lay[L::precision] == 1 ? chip[C::peakFp8Flops] : chip[C::peakBf16Flops];

  out[O::stepS] = stepS;
  out[O::computeS] = computeS;
  out[O::tpS] = tpS;
  out[O::cpS] = cpS;
  out[O::epS] = epS;
  out[O::dpS] = dpS;
  out[O::ppS] = ppExposed;
  out[O::bubbleS] = bubble;
  out[O::optimizerS] = tailOptimizer;
  out[O::slowdownS] = slowdownS;
  out[O::mfu] = modelFlops / (stepS * gpus * peak);
  out[O::hfu] = (modelFlops + recomputeFlops) / (stepS * gpus * peak);
  out[O::tokensPerS] = tokensPerStep / stepS;
  out[O::tokensPerSPerGpu] = tokensPerStep / stepS / gpus;
  out[O::modelFlops] = modelFlops;
  out[O::hardwareFlops] = modelFlops + recomputeFlops;
  out[O::memoryBytes] = memMax;
  out[O::weightBytes] = memWeights;
  out[O::gradientBytes] = memGradients;
  out[O::optimizerBytes] = memOptimizer;
  out[O::activationBytes] = memActivations;
  out[O::microbatches] = m;
  out[O::gpus] = gpus;
  out[O::criticalStage] = critical;
  out[O::offloadS] = offloadS;
  out[O::offloadedBytes] = memOffloaded;
  TrainingStatus status = TrainingStatus::Ok;
  if (!(stepS == stepS)) {
    status = TrainingStatus::NoCollective;
  } else if (memMax > capacity) {
    status = TrainingStatus::OutOfMemory;
  }
  out[O::status] = static_cast<double>(status);
  return static_cast<unsigned>(status);
}

}  // namespace

unsigned evaluate_training_row(const double* w, const double* chip, const double* lay, Pricer& pricer, double* out) {
  const Problem problem = layout_problem(w, chip, lay);
  if (problem != Problem::None) {
    return fill_invalid(out, problem_status(problem), lay[L::tp] * lay[L::cp] * lay[L::dp] * lay[L::pp]);
  }
  ComputeCosts compute;
  compute_part(w, chip, lay, compute);
  KindCosts k;
  communication_part(w, chip, lay, pricer, compute, k);
  return finish_training_row(w, chip, lay, pricer, k, out);
}

unsigned evaluate_training_row(const double* w, const double* chip, const double* lay, Pricer& pricer,
                               LayerCostMemo& memo, double* out) {
  const LayoutKey key = layout_key(lay);
  const KindCosts* known = memo.layout.lookup(key);
  if (known != nullptr) {
    // A row with this key passed every rule of the fields the key holds (and their workload and chip), so only
    // the rules of the other fields can fail now: their status is InvalidLayout, as layout_problem's would be.
    if (schedule_problem(w, lay) != Problem::None) {
      return fill_invalid(out, TrainingStatus::InvalidLayout, lay[L::tp] * lay[L::cp] * lay[L::dp] * lay[L::pp]);
    }
    return finish_training_row(w, chip, lay, pricer, *known, out);
  }
  const Problem problem = layout_problem(w, chip, lay);
  if (problem != Problem::None) {
    return fill_invalid(out, problem_status(problem), lay[L::tp] * lay[L::cp] * lay[L::dp] * lay[L::pp]);
  }
  const ComputeKey computeKey = compute_key(lay);
  const ComputeCosts* compute = memo.compute.lookup(computeKey);
  if (compute == nullptr) {
    ComputeCosts& fresh = memo.compute.insert(computeKey);
    compute_part(w, chip, lay, fresh);
    compute = &fresh;
  }
  KindCosts& k = memo.layout.insert(key);
  communication_part(w, chip, lay, pricer, *compute, k);
  return finish_training_row(w, chip, lay, pricer, k, out);
}

}  // namespace linkcap::training
