// The packed rows of the training-step model: mirrors of packages/core/src/training/fields.ts (W, C, L, O,
// TrainingStatus). Each row is a run of float64; these are the offsets of the fields inside a row. Append,
// never reorder: the TypeScript writes the rows and the loader compares trainingFieldCounts.
#pragma once

#include <array>
#include <cstddef>

namespace linkcap::training {

// WorkloadParams: a decoder-only transformer, dense or MoE.
namespace W {
enum : std::size_t {
  layers = 0,
  hidden = 1,
  ffn = 2,
  gatedFfn = 3,
  heads = 4,
  kvHeads = 5,
  headDim = 6,
  vHeadDim = 7,
  qLoraRank = 8,
  kvLoraRank = 9,
  ropeHeadDim = 10,
  vocab = 11,
  seqLen = 12,
  tiedEmbeddings = 13,
  learnedPositions = 14,
  biases = 15,
  dropout = 16,
  experts = 17,
  sharedExperts = 18,
  topK = 19,
  firstDenseLayers = 20,
  expertFfn = 21,
};
}  // namespace W
inline constexpr std::size_t kWorkloadFieldCount = 22;

// ChipParams: rates, memory and the calibrated efficiencies.
namespace C {
enum : std::size_t {
  peakBf16Flops = 0,
  peakFp8Flops = 1,
  memoryBytes = 2,
  memoryBandwidth = 3,
  gemmEfficiency = 4,
  gemmOverheadS = 5,
  memoryEfficiency = 6,
  usableMemoryFraction = 7,
  gemmEfficiencyFp8 = 8,
  attentionFwdEfficiency = 9,
  attentionBwdEfficiency = 10,
  attentionSoftmaxFlops = 11,
  hostBandwidth = 12,
  memoryReserveBytes = 13,
  attentionFa2Scale = 14,
};
}  // namespace C
inline constexpr std::size_t kChipFieldCount = 15;

// LayoutParams: row indices, the parallel layout, the schedule and the overlaps.
namespace L {
enum : std::size_t {
  workload = 0,
  chip = 1,
  cluster = 2,
  tp = 3,
  pp = 4,
  dp = 5,
  ep = 6,
  cp = 7,
  microbatch = 8,
  globalBatch = 9,
  interleave = 10,
  recompute = 11,
  zero = 12,
  precision = 13,
  commPrecision = 14,
  sequenceParallel = 15,
  flashAttention = 16,
  tpOverlap = 17,
  dpOverlap = 18,
  ppOverlap = 19,
  epOverlap = 20,
  cpOverlap = 21,
  overlapSlowdown = 22,
  gradientBytes = 23,
  recomputeLayers = 24,
  offloadLayers = 25,
  offloadOverlap = 26,
  launchOverheadS = 27,
  fusedKernels = 28,
  recomputeModules = 29,
  fp8ActivationCache = 30,
  microbatchGroup = 31,
  attentionKernel = 32,
};
}  // namespace L
inline constexpr std::size_t kLayoutFieldCount = 33;

// Codes of L::attentionKernel (ATTENTION_KERNELS of fields.ts).
namespace AttentionKernel {
enum : unsigned { Cudnn = 0, Fa2 = 1 };
}  // namespace AttentionKernel

// Bits of L::recomputeModules (RecomputeModule of fields.ts).
namespace RecomputeModule {
enum : unsigned { Layernorm = 1, MlaUpProj = 2, MoeAct = 4, Mlp = 8 };
}  // namespace RecomputeModule

// The output row of one configuration.
namespace O {
enum : std::size_t {
  status = 0,
  stepS = 1,
  computeS = 2,
  tpS = 3,
  cpS = 4,
  epS = 5,
  dpS = 6,
  ppS = 7,
  bubbleS = 8,
  optimizerS = 9,
  slowdownS = 10,
  mfu = 11,
  hfu = 12,
  tokensPerS = 13,
  tokensPerSPerGpu = 14,
  modelFlops = 15,
  hardwareFlops = 16,
  memoryBytes = 17,
  weightBytes = 18,
  gradientBytes = 19,
  optimizerBytes = 20,
  activationBytes = 21,
  microbatches = 22,
  gpus = 23,
  criticalStage = 24,
  offloadS = 25,
  offloadedBytes = 26,
};
}  // namespace O
inline constexpr std::size_t kOutputFieldCount = 27;

// Per-configuration status written to O::status. Append only.
enum class TrainingStatus : unsigned {
  Ok = 0,
  OutOfMemory = 1,
  InvalidLayout = 2,
  Unplaceable = 3,
  NoCollective = 4,
  NoFp8 = 5,
  NotEvaluated = 6,  // the call stopped (cancelled, or an invalid row) before reaching this configuration
};

// Field names in row order, for validation messages; the spelling of WORKLOAD_FIELDS / CHIP_FIELDS / LAYOUT_FIELDS.
inline constexpr std::array<const char*, kWorkloadFieldCount> kWorkloadFieldNames = {
    "layers",    "hidden",      "ffn",        "gatedFfn", "heads",          "kvHeads",          "headDim", "vHeadDim",
    "qLoraRank", "kvLoraRank",  "ropeHeadDim", "vocab",   "seqLen",         "tiedEmbeddings",   "learnedPositions",
    "biases",    "dropout",     "experts",    "sharedExperts", "topK",      "firstDenseLayers", "expertFfn",
};
inline constexpr std::array<const char*, kChipFieldCount> kChipFieldNames = {
    "peakBf16Flops",  "peakFp8Flops",  "memoryBytes",      "memoryBandwidth",
    "gemmEfficiency", "gemmOverheadS", "memoryEfficiency", "usableMemoryFraction",
    "gemmEfficiencyFp8", "attentionFwdEfficiency", "attentionBwdEfficiency", "attentionSoftmaxFlops",
    "hostBandwidth", "memoryReserveBytes", "attentionFa2Scale",
};
inline constexpr std::array<const char*, kLayoutFieldCount> kLayoutFieldNames = {
    "workload",  "chip",          "cluster",          "tp",            "pp",        "dp",
    "ep",        "cp",            "microbatch",       "globalBatch",   "interleave", "recompute",
    "zero",      "precision",     "commPrecision",    "sequenceParallel", "flashAttention", "tpOverlap",
    "dpOverlap", "ppOverlap",     "epOverlap",        "cpOverlap",     "overlapSlowdown",
    "gradientBytes", "recomputeLayers", "offloadLayers", "offloadOverlap", "launchOverheadS", "fusedKernels",
    "recomputeModules", "fp8ActivationCache", "microbatchGroup", "attentionKernel",
};

}  // namespace linkcap::training
