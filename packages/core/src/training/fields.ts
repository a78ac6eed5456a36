/**
 * The packed rows of the training-step model: one place for every field list, in the order the native port
 * reads them (the native engine's training_fields.hpp is generated from this file at build time; append,
 * never reorder). Each row is a run of
 * float64 in a Float64Array; the `const enum`s give the offset of each field inside its row, the `*_FIELDS`
 * arrays give the names in the same order (a test checks that they agree).
 *
 * Units: counts, bytes, seconds, FLOP/s, bytes/s. Codes are small integers stored as float64.
 * docs/model/training.md documents every field.
 */

/** A decoder-only transformer, dense or MoE. */
export const WORKLOAD_FIELDS = [
  'layers',
  'hidden',
  'ffn',
  'gatedFfn',
  'heads',
  'kvHeads',
  'headDim',
  'vHeadDim',
  'qLoraRank',
  'kvLoraRank',
  'ropeHeadDim',
  'vocab',
  'seqLen',
  'tiedEmbeddings',
  'learnedPositions',
  'biases',
  'dropout',
  'experts',
  'sharedExperts',
  'topK',
  'firstDenseLayers',
  'expertFfn',
] as const;

export const enum W {
  /** Transformer layers L. */
  layers = 0,
  /** Hidden size h. */
  hidden = 1,
  /** FFN inner size of the dense layers (per matrix; SwiGLU has three matrices of h × ffn). */
  ffn = 2,
  /** 1 for a gated FFN (SwiGLU: gate, up, down), 0 for a two-matrix FFN (GELU). */
  gatedFfn = 3,
  /** Attention (query) heads a. */
  heads = 4,
  /** Key/value heads (GQA/MQA); = heads for multi-head attention. Ignored when kvLoraRank > 0 (MLA). */
  kvHeads = 5,
  /** Query/key head dimension (h / a for standard attention; 192 for DeepSeek-V3's MLA: 128 + 64 rotary). */
  headDim = 6,
  /** Value head dimension (= headDim for standard attention). */
  vHeadDim = 7,
  /** MLA query compression rank (0: queries projected directly from h). */
  qLoraRank = 8,
  /** MLA key/value compression rank (0: standard or grouped-query attention). */
  kvLoraRank = 9,
  /** MLA decoupled rotary key dimension (part of headDim); 0 without MLA. */
  ropeHeadDim = 10,
  /** Vocabulary size V (as trained, padding included). */
  vocab = 11,
  /** Training sequence length s. */
  seqLen = 12,
  /** 1 when the LM head shares the input embedding matrix. */
  tiedEmbeddings = 13,
  /** 1 for learned absolute position embeddings (s × h parameters), 0 for rotary. */
  learnedPositions = 14,
  /** 1 when linear layers have biases and norms are LayerNorm (gain + bias); 0 for bias-free RMSNorm models. */
  biases = 15,
  /** 1 when dropout is applied (it stores masks and moves bytes). */
  dropout = 16,
  /** Routed experts per MoE layer (0: dense model). */
  experts = 17,
  /** Shared experts per MoE layer (always active). */
  sharedExperts = 18,
  /** Routed experts each token activates. */
  topK = 19,
  /** Leading layers that stay dense in an MoE model. */
  firstDenseLayers = 20,
  /** FFN inner size of one expert. */
  expertFfn = 21,
}
export const WORKLOAD_FIELD_COUNT = WORKLOAD_FIELDS.length;

/** One accelerator: rates, memory, and the calibrated efficiencies that turn rates into time. */
export const CHIP_FIELDS = [
  'peakBf16Flops',
  'peakFp8Flops',
  'memoryBytes',
  'memoryBandwidth',
  'gemmEfficiency',
  'gemmOverheadS',
  'memoryEfficiency',
  'usableMemoryFraction',
  'gemmEfficiencyFp8',
  'attentionFwdEfficiency',
  'attentionBwdEfficiency',
  'attentionSoftmaxFlops',
  'hostBandwidth',
  'memoryReserveBytes',
  'attentionFa2Scale',
] as const;

export const enum C {
  /** Dense BF16 tensor throughput, FLOP/s. */
  peakBf16Flops = 0,
  /** Dense FP8 tensor throughput, FLOP/s (0: no FP8). */
  peakFp8Flops = 1,
  /** Device memory, bytes. */
  memoryBytes = 2,
  /** Device memory bandwidth, bytes/s. */
  memoryBandwidth = 3,
  /** Fraction of peak a large GEMM reaches (calibrated). */
  gemmEfficiency = 4,
  /** Fixed time each GEMM costs beyond its FLOPs at gemmEfficiency × peak (launch, tail waves), s (calibrated). */
  gemmOverheadS = 5,
  /** Fraction of memoryBandwidth element-wise kernels reach. */
  memoryEfficiency = 6,
  /** Fraction of (memoryBytes − memoryReserveBytes) the allocator can fill (the rest: fragmentation). */
  usableMemoryFraction = 7,
  /** Fraction of the FP8 peak a large FP8 GEMM reaches (calibrated per architecture; unused without FP8). */
  gemmEfficiencyFp8 = 8,
  /** Fraction of the BF16 peak the fused-attention forward matmuls reach on long sequences (per architecture). */
  attentionFwdEfficiency = 9,
  /** The same for the fused-attention backward (five matmuls and the softmax recomputation). */
  attentionBwdEfficiency = 10,
  /**
   * Non-matmul work of fused attention per score element (softmax exponent, scaling, masking), in FLOP
   * equivalents at the attention matmul rate: what makes small head dimensions slower per FLOP.
   */
  attentionSoftmaxFlops = 11,
  /** GPU ↔ host memory bandwidth per direction, bytes/s (PCIe or C2C): activation offload. */
  hostBandwidth = 12,
  /** Device memory the runtime keeps before the allocator sees any (CUDA context, NCCL buffers, workspaces), bytes. */
  memoryReserveBytes = 13,
  /**
   * Rate of FlashAttention-2 (PyTorch SDPA's flash backend, the flash-attn 2 package) as a fraction of the
   * architecture's reference fused attention (cuDNN / FlashAttention-3 class, which the attention efficiencies
   * describe): 1 on Ampere, where FA2 is the reference; below 1 where FA2 does not use the newer tensor-core path.
   */
  attentionFa2Scale = 14,
}
export const CHIP_FIELD_COUNT = CHIP_FIELDS.length;

/** One training configuration: which rows it uses, the parallel layout, the schedule and the overlaps. */
export const LAYOUT_FIELDS = [
  'workload',
  'chip',
  'cluster',
  'tp',
  'pp',
  'dp',
  'ep',
  'cp',
  'microbatch',
  'globalBatch',
  'interleave',
  'recompute',
  'zero',
  'precision',
  'commPrecision',
  'sequenceParallel',
  'flashAttention',
  'tpOverlap',
  'dpOverlap',
  'ppOverlap',
  'epOverlap',
  'cpOverlap',
  'overlapSlowdown',
  'gradientBytes',
  'recomputeLayers',
  'offloadLayers',
  'offloadOverlap',
  'launchOverheadS',
  'fusedKernels',
  'recomputeModules',
  'fp8ActivationCache',
  'microbatchGroup',
  'attentionKernel',
] as const;

export const enum L {
  /** Row index into the packed workloads. */
  workload = 0,
  /** Row index into the packed chips. */
  chip = 1,
  /** Row index into the packed clusters (ClusterParams, CLUSTER_FIELDS). */
  cluster = 2,
  /** Tensor-parallel size t. */
  tp = 3,
  /** Pipeline-parallel size p. */
  pp = 4,
  /** Data-parallel size d (GPUs = t × c × d × p). */
  dp = 5,
  /** Expert-parallel size e (MoE; e divides t × c × d and the routed experts). */
  ep = 6,
  /** Context-parallel size c (sequence split for attention). */
  cp = 7,
  /** Sequences per microbatch b. */
  microbatch = 8,
  /** Sequences per step B (global batch); microbatches per pipeline m = B / (b × d). */
  globalBatch = 9,
  /** Interleaved pipeline chunks per device v (1: plain 1F1B). */
  interleave = 10,
  /** Activation recompute: 0 none, 1 selective (attention core), 2 full (every layer). */
  recompute = 11,
  /** ZeRO stage 0–3 (3 = FSDP full sharding). */
  zero = 12,
  /** GEMM precision of transformer layers: 0 BF16, 1 FP8. */
  precision = 13,
  /** Activation communication precision (TP, EP dispatch, PP, CP): 0 BF16, 1 FP8. */
  commPrecision = 14,
  /** 1: sequence parallelism with TP (reduce-scatter + all-gather; norms and dropout split over t). */
  sequenceParallel = 15,
  /** 1: fused (flash) attention: no s × s scores in memory, causal half of the score FLOPs executed. */
  flashAttention = 16,
  /** Fraction 0–1 of TP communication that may hide behind the pass's GEMMs. */
  tpOverlap = 17,
  /** Fraction 0–1 of DP communication that may hide behind backward (gradients) and forward (parameter gather). */
  dpOverlap = 18,
  /** Fraction 0–1 of pipeline point-to-point time that may hide behind compute. */
  ppOverlap = 19,
  /** Fraction 0–1 of expert all-to-all time that may hide behind the layer's compute. */
  epOverlap = 20,
  /** Fraction 0–1 of context-parallel KV exchange that may hide behind attention. */
  cpOverlap = 21,
  /** Compute slowdown per second of hidden communication (SMs and memory bandwidth the collectives take). */
  overlapSlowdown = 22,
  /**
   * Bytes per gradient element in the gradient buffer and on the data-parallel wire: 4 (fp32 accumulation and
   * reduction, Megatron's and FSDP's default) or 2 (BF16).
   */
  gradientBytes = 23,
  /**
   * Layers of each pipeline chunk that use the recompute mode (Megatron's --recompute-num-layers); the other
   * layers keep all their activations. A value ≥ the layers of a chunk recomputes every layer.
   */
  recomputeLayers = 24,
  /** Layers of each pipeline chunk whose activations are offloaded to host memory (0: none). */
  offloadLayers = 25,
  /** Fraction 0–1 of the offload copies that may hide behind the offloaded layer's own compute. */
  offloadOverlap = 26,
  /**
   * Host time to launch one kernel, s (0: CUDA graphs). A pass costs at least its kernel count × this: small
   * layers become launch-bound in eager frameworks.
   */
  launchOverheadS = 27,
  /**
   * 1: norms, rotary embedding and the gated activation run as fused kernels (Transformer Engine, Apex,
   * torch.compile); 0: op by op as eager PyTorch runs them (more passes over memory, more kernels).
   */
  fusedKernels = 28,
  /**
   * Modules recomputed in backward instead of kept, as a bit mask of RECOMPUTE_MODULES (Megatron-Core's
   * --recompute-modules with the selective granularity): 1 layernorm (the norms' outputs), 2 mla_up_proj (MLA's
   * queries, keys and values from the latents), 4 moe_act (the routed experts' activation output), 8 mlp (the
   * dense FFN and shared experts whole). With recompute 'selective' the attention core is recomputed as well;
   * not allowed with 'full'.
   */
  recomputeModules = 29,
  /**
   * 1: DeepSeek-V3's FP8 activation cache (report §3.3.2): the MoE experts' SwiGLU inputs are kept in FP8 and the
   * attention output once in a 12-bit (E5M6) copy. Needs FP8 GEMMs.
   */
  fp8ActivationCache = 30,
  /**
   * Microbatches per group of the interleaved schedule (Megatron-Core's microbatch_group_size_per_vp_stage,
   * the N of the Llama 3 paper's Figure 6): fewer than pp keep fewer microbatches in flight. 0: pp.
   */
  microbatchGroup = 31,
  /**
   * Fused-attention kernel (with flashAttention = 1): 0 the architecture's reference kernel (Transformer
   * Engine's cuDNN fused attention, FlashAttention-3), 1 FlashAttention-2 (PyTorch SDPA's flash backend), at
   * the chip's attentionFa2Scale of the reference rate. ATTENTION_KERNELS names them.
   */
  attentionKernel = 32,
}

/** Names of L.attentionKernel's codes, in code order. */
export const ATTENTION_KERNELS = ['cudnn', 'fa2'] as const;
export type AttentionKernel = (typeof ATTENTION_KERNELS)[number];
export const LAYOUT_FIELD_COUNT = LAYOUT_FIELDS.length;

/** What one configuration costs. Times in seconds per step; stepS is the sum of the ten breakdown terms. */
export const OUTPUT_FIELDS = [
  'status',
  'stepS',
  'computeS',
  'tpS',
  'cpS',
  'epS',
  'dpS',
  'ppS',
  'bubbleS',
  'optimizerS',
  'slowdownS',
  'mfu',
  'hfu',
  'tokensPerS',
  'tokensPerSPerGpu',
  'modelFlops',
  'hardwareFlops',
  'memoryBytes',
  'weightBytes',
  'gradientBytes',
  'optimizerBytes',
  'activationBytes',
  'microbatches',
  'gpus',
  'criticalStage',
  'offloadS',
  'offloadedBytes',
] as const;

export const enum O {
  /** TrainingStatus code. */
  status = 0,
  stepS = 1,
  /** Compute of the critical pipeline stage over all microbatches (GEMMs, attention, element-wise, recompute). */
  computeS = 2,
  /** Exposed tensor-parallel communication. */
  tpS = 3,
  /** Exposed context-parallel communication. */
  cpS = 4,
  /** Exposed expert-parallel all-to-all. */
  epS = 5,
  /** Exposed data-parallel communication (gradient reduction, parameter gathers). */
  dpS = 6,
  /** Exposed pipeline point-to-point. */
  ppS = 7,
  /** Pipeline fill and drain (bubble), stage imbalance included. */
  bubbleS = 8,
  /** Optimizer update (memory-bound). */
  optimizerS = 9,
  /** Compute slowed by communication running underneath it. */
  slowdownS = 10,
  /** Model FLOPs utilisation against the dense peak of the GEMM precision (BF16, or FP8 for FP8 runs). */
  mfu = 11,
  /** Hardware FLOPs utilisation (recompute counted), same peak. */
  hfu = 12,
  tokensPerS = 13,
  tokensPerSPerGpu = 14,
  /** Model FLOPs per step, all GPUs (fwd + bwd, no recompute). */
  modelFlops = 15,
  /** Model FLOPs plus recompute FLOPs per step, all GPUs. */
  hardwareFlops = 16,
  /** Peak memory per GPU, bytes (the most loaded pipeline stage). */
  memoryBytes = 17,
  weightBytes = 18,
  gradientBytes = 19,
  optimizerBytes = 20,
  activationBytes = 21,
  /** Microbatches per pipeline per step, m. */
  microbatches = 22,
  gpus = 23,
  /** Pipeline stage (0-based) that sets the pace. */
  criticalStage = 24,
  /** Exposed activation offload copies (GPU ↔ host) of the critical stage; a term of stepS. */
  offloadS = 25,
  /** Activation bytes per GPU held in host memory on the most loaded stage (offload). */
  offloadedBytes = 26,
}
export const OUTPUT_FIELD_COUNT = OUTPUT_FIELDS.length;

/** Per-configuration status in the output row. Append only. */
export const enum TrainingStatus {
  /** Evaluated and fits in memory. */
  Ok = 0,
  /** Evaluated (every time term is valid) but needs more memory than the GPU has: infeasible. */
  OutOfMemory = 1,
  /** The layout breaks a divisibility or range rule (times are NaN). */
  InvalidLayout = 2,
  /** A parallel group cannot be placed on the cluster's domains (times are NaN). */
  Unplaceable = 3,
  /** The collective model has no eligible algorithm for one of the calls (times are NaN). */
  NoCollective = 4,
  /** FP8 requested on a chip without FP8 (times are NaN). */
  NoFp8 = 5,
  /** The call stopped before this configuration (cancelled, or an invalid row at or before it): not evaluated. */
  NotEvaluated = 6,
}
export const TRAINING_STATUS_MESSAGES = [
  'ok',
  'out of memory',
  'invalid layout',
  'a parallel group cannot be placed on the cluster',
  'no eligible collective algorithm',
  'FP8 requested on a chip without FP8',
  'not evaluated',
] as const;

export const RECOMPUTE_MODES = ['none', 'selective', 'full'] as const;
export type RecomputeMode = (typeof RECOMPUTE_MODES)[number];
/** Bits of LayoutParams.recomputeModules (RECOMPUTE_MODULES[i] is bit 1 << i). */
export const enum RecomputeModuleBit {
  Layernorm = 1,
  MlaUpProj = 2,
  MoeAct = 4,
  Mlp = 8,
}

/** Modules of RECOMPUTE_MODULES bit i = 1 << i (LayoutParams.recomputeModules). */
export const RECOMPUTE_MODULES = ['layernorm', 'mla_up_proj', 'moe_act', 'mlp'] as const;
export type RecomputeModule = (typeof RECOMPUTE_MODULES)[number];
export const PRECISIONS = ['bf16', 'fp8'] as const;
export type Precision = (typeof PRECISIONS)[number];
