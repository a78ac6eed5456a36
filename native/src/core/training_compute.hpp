// Compute time of one transformer layer (and of the embedding and LM-head stages) for one microbatch on one
// GPU: packages/core/src/training/compute.ts. The same record (LayerCost, the TypeScript's K fields) also
// carries what communication.ts and memory.ts fill in for the layer kind.
#pragma once

namespace linkcap::training {

// One layer kind's costs per microbatch, per GPU (the K record of compute.ts, same fields, same order).
struct LayerCost {
  double fwdS;          // forward compute: GEMMs + attention core + element-wise
  double bwdS;          // backward compute
  double recomputeS;    // extra compute in backward for activation recompute
  double fwdGemmS;      // GEMM part of the forward (the TP overlap window)
  double bwdGemmS;
  double fwdCoreS;      // attention-core part of the forward (the CP overlap window)
  double bwdCoreS;
  double tpFwdS;        // raw communication per microbatch
  double tpBwdS;
  double cpFwdS;
  double cpBwdS;
  double epFwdS;
  double epBwdS;
  double z3FwdS;        // ZeRO-3 parameter gathers (forward); gather + gradient reduce-scatter (backward)
  double z3BwdS;
  double denseParams;   // parameters per GPU in this layer: replicated-over-DP part
  double expertParams;  // and expert part
  double actBytes;      // activation bytes kept per microbatch under the recompute mode
  double fullActBytes;  // and with no recompute
};

enum class LayerKind : unsigned { Dense = 0, Moe = 1 };

// Eager PyTorch element-wise passes (EAGER_* of compute.ts).
inline constexpr double kEagerRmsnormElements = 17;
inline constexpr double kEagerRmsnormKernels = 7;
inline constexpr double kEagerRotaryFactor = 5;
inline constexpr double kEagerRotaryKernels = 6;
inline constexpr double kEagerSwigluElements = 5;

// Bytes per logit of the unfused fp32 cross-entropy (CROSS_ENTROPY_FWD_BYTES / _BWD_BYTES of compute.ts).
inline constexpr double kCrossEntropyFwdBytes = 38;
inline constexpr double kCrossEntropyBwdBytes = 14;

// gemmTimeS of compute.ts: the operand roofline plus the output epilogue.
inline double gemm_time_s(double m, double n, double k, double rate, double inBytes, double outBytes,
                          double bandwidth) {
  const double compute = (2 * m * n * k) / rate;
  const double operands = (inBytes * (m * k + k * n)) / bandwidth;
  return (compute > operands ? compute : operands) + (outBytes * m * n) / bandwidth;
}

// Fills fwdS … bwdCoreS of one transformer layer of `kind` for one microbatch.
void layer_compute(const double* w, const double* chip, const double* lay, LayerKind kind, LayerCost& out);

// The LM head stage: the vocabulary GEMM (BF16) and the fp32 cross-entropy.
void head_compute(const double* w, const double* chip, const double* lay, LayerCost& out);

// ZeRO-3/FSDP copies on the compute stream for `params` parameters (addZero3Copies of compute.ts).
void add_zero3_copies(const double* chip, const double* lay, double params, LayerCost& out);

// The embedding stage: a gather forward and a scatter-add backward (memory-bound).
void embedding_compute(const double* w, const double* chip, const double* lay, LayerCost& out);

}  // namespace linkcap::training
