/**
 * The training model's constants: each either calibrated once (stated with its procedure) or taken from a
 * published figure. Defaults, never tuned per data point; docs/model/training.md ("Calibration") and
 * test/validation/calibrate-training.mjs reproduce the fit.
 */

/**
 * Fraction of dense peak a large GEMM reaches, and the fixed time each GEMM costs on top (kernel launch,
 * tail wave). Calibrated together ONCE by least squares on log(model / measured) over the ten rows of
 * Megatron-LM 2021 Table 1 (A100 80GB, full recompute); every other published row is out of sample.
 */
export const GEMM_EFFICIENCY = 0.7;
export const GEMM_OVERHEAD_S = 8e-6;

/**
 * Fraction of HBM bandwidth element-wise kernels reach. Not fitted: streaming kernels on A100/H100 reach
 * about 80–90% of the datasheet bandwidth (STREAM-like copy figures); 0.8 allows for the less regular ones.
 */
export const MEMORY_EFFICIENCY = 0.8;

/** Fraction of device memory a step may use; the rest is CUDA context, library workspaces and fragmentation. */
export const USABLE_MEMORY_FRACTION = 0.92;

/** Overlap defaults (fractions of each communication allowed to hide behind its compute window). */
export const DEFAULT_OVERLAP = {
  /** TP: off, as Megatron-LM runs by default (TransformerEngine's userbuffer overlap is opt-in). */
  tp: 0,
  /** DP: on, as PyTorch DDP, Megatron (overlap-grad-reduce) and FSDP bucket gradients behind backward. */
  dp: 1,
  /** PP: off (blocking send/recv between stages). */
  pp: 0,
  /** EP: off (dispatch and combine wait for the experts; DualPipe-style schedules reach 1). */
  ep: 0,
  /** CP: on; ring attention exchanges the next KV block while it computes on the current one. */
  cp: 1,
  /**
   * Compute slowdown per second of hidden communication: NCCL kernels take about a tenth of the SMs
   * (8–16 channels of 108–132 SMs) and part of the memory bandwidth while they run.
   */
  slowdown: 0.1,
} as const;
