/**
 * Implementation profiles: what a training framework hides and what it costs, as defaults for the overlap
 * fractions and framework fields of a layout row. Each value is overridable by the explicit option (the CLI's
 * --overlap-*, --zero, --gradient-bytes, --launch-overhead-us, --cuda-graph), and each is documented with its
 * source in docs/model/training.md ("Implementation profiles"). searchLayouts uses the profile's values for
 * every layout it tries, so `--best` never assumes perfect overlap unless asked (`ideal`).
 *
 * Some defaults depend on the layout, and are computed per configuration:
 *  - ring-decomposed TP overlap (Transformer Engine userbuffers, torchtitan async TP): the GEMM is split into t
 *    chunks and each chunk's transfer hides behind the previous chunk's GEMM, so (t − 1)/t of the traffic can
 *    hide: 1/2 at TP2, 7/8 at TP8;
 *  - Megatron-Core overlaps pipeline send/recv with compute only in the interleaved schedule;
 *  - DeepSpeed ZeRO-3 prefetches at most stage3_prefetch_bucket_size parameters (5·10⁷ by default) ahead, so a
 *    layer larger than that waits for the rest of its gather.
 */
import { LinkcapInputError } from '../validate/errors.js';
import { W, type AttentionKernel, type RecomputeModule } from './fields.js';
import { attentionWeightsPerRank, denseMlpParamsPerRank, expertParams, moeDenseParamsPerRank } from './workload.js';

export const PROFILE_IDS = ['megatron-core', 'nemo', 'torchtitan-fsdp2', 'deepspeed-zero3', 'megatron-lm-2021', 'deepseek-v3', 'ideal'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

/** How a profile sets one overlap fraction: a constant, or a rule of the layout (see the file comment). */
export type OverlapRule = number | 'ring' | 'interleaved' | 'prefetch-bucket';

export interface ImplementationProfile {
  id: ProfileId;
  name: string;
  /** What the profile stands for, in a sentence. */
  description: string;
  overlap: { tp: OverlapRule; dp: OverlapRule; pp: OverlapRule; ep: OverlapRule; cp: OverlapRule; offload: number; slowdown: number };
  /** ZeRO stage the framework shards with (3 = FSDP). */
  zero: 0 | 1 | 2 | 3;
  /** ZeRO stages the framework offers: what searchLayouts tries unless told otherwise. */
  zeroStages: (0 | 1 | 2 | 3)[];
  /** Bytes per gradient element in the buffer and on the data-parallel wire. */
  gradientBytes: 2 | 4;
  /** Host time per kernel launch, µs (0: the whole step is CUDA-graph captured). */
  launchOverheadUs: number;
  /** Norms, rotary and SwiGLU run as fused kernels (false: op by op, as eager PyTorch). */
  fusedKernels: boolean;
  /**
   * The fused-attention kernel the framework calls: 'cudnn' (Transformer Engine's cuDNN fused attention,
   * FlashAttention-3: the architecture's calibrated rate) or 'fa2' (FlashAttention-2: PyTorch SDPA's flash
   * backend, the flash-attn 2 package).
   */
  attentionKernel: AttentionKernel;
  /** Parameters a ZeRO-3 prefetch covers ahead of use (DeepSpeed's stage3_prefetch_bucket_size). */
  prefetchParams?: number;
  /** Modules the framework recomputes by default (layout.recomputeModules overrides). */
  recomputeModules?: RecomputeModule[];
  /** The framework keeps DeepSeek-V3's FP8 activation cache in FP8 runs (layout.fp8ActivationCache overrides). */
  fp8ActivationCache?: boolean;
  /** Where each value comes from. */
  sources: string[];
}

/** Host launch cost of an eager PyTorch op through its Python frontend (profiler traces: 4–10 µs). */
const EAGER_LAUNCH_US = 5;

export const PROFILES: Record<ProfileId, ImplementationProfile> = {
  'megatron-core': {
    id: 'megatron-core',
    name: 'Megatron-Core (Megatron-LM ≥ core_r0.8, as its published performance runs configure it)',
    description:
      'distributed optimizer (ZeRO-1) with overlapped gradient reduce-scatter and parameter all-gather, BF16 gradient buffers and reduction, Transformer Engine TP communication overlap, p2p overlap in the interleaved schedule, ring context parallelism, no MoE all-to-all overlap, no CUDA graphs',
    overlap: { tp: 'ring', dp: 1, pp: 'interleaved', ep: 0, cp: 1, offload: 1, slowdown: 0.1 },
    zero: 1,
    zeroStages: [0, 1],
    gradientBytes: 2,
    launchOverheadUs: EAGER_LAUNCH_US,
    fusedKernels: true,
    attentionKernel: 'cudnn',
    sources: [
      'Megatron-LM README, performance section: --tp-comm-overlap, --overlap-grad-reduce, --overlap-param-gather, --use-distributed-optimizer',
      'gradients in BF16 (--grad-reduce-in-bf16; Megatron-LM’s default for BF16 without it is fp32): the weak-scaling rows with the most data-parallel traffic (32B, 70B: DP 48, 4–8 microbatches) are consistent only with BF16 reduce-scatters; --grad-precision fp32 restores the default',
      'Megatron-Core pipeline schedules: overlap_p2p_comm applies to the interleaved schedule',
      'Transformer Engine userbuffers: ring-exchange decomposition of AG+GEMM and GEMM+RS',
    ],
  },
  nemo: {
    id: 'nemo',
    name: 'NeMo 2.0 / 24.x performance recipes (Megatron-Core underneath)',
    description:
      'as megatron-core (TP communication overlap, pipeline p2p overlap, optimizer states sharded over data parallel, overlapped gradient and parameter collectives, no CUDA graphs) but with BF16 gradient buffers and reduction',
    overlap: { tp: 'ring', dp: 1, pp: 'interleaved', ep: 0, cp: 1, offload: 1, slowdown: 0.1 },
    zero: 1,
    zeroStages: [0, 1],
    gradientBytes: 2,
    launchOverheadUs: EAGER_LAUNCH_US,
    fusedKernels: true,
    attentionKernel: 'cudnn',
    sources: [
      'NeMo performance summary 24.07 (shared/reference/training.md): TP communication overlap, pipeline p2p overlap',
      'NeMo 24.07 model configs: optim distributed_fused_adam (Apex DistributedFusedAdam: optimizer states sharded over data parallel) with grad_sync_dtype bf16, overlap_grad_sync and overlap_param_sync',
    ],
  },
  'torchtitan-fsdp2': {
    id: 'torchtitan-fsdp2',
    name: 'torchtitan with FSDP2 (PyTorch native: FSDP2, TP with sequence parallelism, pipelining)',
    description:
      'FSDP2 (ZeRO-3) with the next layer’s all-gather prefetched and reduce-scatter overlapped, fp32 gradient reduction, TP collectives blocking (async TP off by default), blocking pipeline p2p, eager PyTorch (no torch.compile: RMSNorm, rotary and SwiGLU op by op)',
    overlap: { tp: 0, dp: 1, pp: 0, ep: 0, cp: 0.5, offload: 1, slowdown: 0.1 },
    zero: 3,
    zeroStages: [3],
    gradientBytes: 4,
    launchOverheadUs: EAGER_LAUNCH_US,
    fusedKernels: false,
    attentionKernel: 'fa2',
    sources: [
      'torchtitan docs (fsdp.md, 2024): FSDP2 implicit forward prefetch, reduce-scatter overlapped with the next backward; mixed_precision_reduce = float32 by default',
      'torchtitan: enable_async_tensor_parallel and compile default to false; its RMSNorm and rotary embedding are plain PyTorch ops',
      'PyTorch context_parallel (experimental): ring attention with rotating KV; half its exchange assumed hidden',
      'attention through F.scaled_dot_product_attention, whose flash backend is FlashAttention-2 (PyTorch 2.2 release notes); with context parallelism torchtitan restricts SDPA to the flash and memory-efficient backends (get_train_context: "currently we only support these two SDP backends"); cuDNN attention assumed not selected without CP either (it sits after flash in SDPA\'s priority order since torch 2.5.1)',
    ],
  },
  'deepspeed-zero3': {
    id: 'deepspeed-zero3',
    name: 'DeepSpeed ZeRO-3 (default configuration)',
    description:
      'ZeRO-3 with prefetch limited to stage3_prefetch_bucket_size = 5e7 parameters, BF16 gradient reduction, no tensor-parallel overlap, Python hooks per submodule',
    overlap: { tp: 0, dp: 'prefetch-bucket', pp: 0, ep: 0, cp: 0, offload: 1, slowdown: 0.1 },
    zero: 3,
    zeroStages: [1, 2, 3],
    gradientBytes: 2,
    launchOverheadUs: 2 * EAGER_LAUNCH_US,
    fusedKernels: false,
    attentionKernel: 'fa2',
    prefetchParams: 5e7,
    sources: [
      'DeepSpeed configuration docs: stage3_prefetch_bucket_size default 5e7, communication_data_type defaults to the model dtype',
      'DeepSpeed ZeRO-3 runs parameter fetch and release in Python module hooks (about twice the eager launch cost per kernel assumed)',
      'models as Hugging Face Transformers writes them: eager RMSNorm, rotary and SwiGLU',
      'attention as Hugging Face Transformers runs it: attn_implementation "sdpa" or "flash_attention_2", both FlashAttention-2 kernels',
    ],
  },
  'megatron-lm-2021': {
    id: 'megatron-lm-2021',
    name: 'Megatron-LM as of 2021 (Narayanan et al. SC’21; Korthikanti et al. 2022)',
    description: 'blocking TP and pipeline communication, gradient all-reduce overlapped with backward, no distributed optimizer, 16-bit gradients',
    overlap: { tp: 0, dp: 1, pp: 0, ep: 0, cp: 1, offload: 1, slowdown: 0.1 },
    zero: 0,
    zeroStages: [0],
    gradientBytes: 2,
    launchOverheadUs: EAGER_LAUNCH_US,
    fusedKernels: true,
    attentionKernel: 'cudnn',
    sources: ['Narayanan et al. SC’21 and Korthikanti et al. 2022 (shared/reference/training.md): TP collectives on the critical path, 1F1B with blocking p2p'],
  },
  'deepseek-v3': {
    id: 'deepseek-v3',
    name: 'DeepSeek-V3’s own framework (HAI-LLM), as its technical report describes the pre-training run',
    description:
      'DualPipe hides the expert all-to-all and the pipeline p2p behind computation, ZeRO-1 data parallelism with gradients accumulated in fp32, RMSNorm and MLA up-projections recomputed in backward, MoE SwiGLU outputs recomputed from their FP8-cached inputs, the attention output cached in 12 bits (FP8 runs); the pipeline bubble is priced as 1F1B’s (DualPipe’s smaller bubble is not modelled)',
    overlap: { tp: 'ring', dp: 1, pp: 1, ep: 1, cp: 1, offload: 1, slowdown: 0.1 },
    zero: 1,
    zeroStages: [0, 1],
    gradientBytes: 4,
    launchOverheadUs: EAGER_LAUNCH_US,
    fusedKernels: true,
    attentionKernel: 'cudnn',
    recomputeModules: ['layernorm', 'mla_up_proj', 'moe_act'],
    fp8ActivationCache: true,
    sources: [
      'DeepSeek-V3 Technical Report (arXiv 2412.19437) §3.2.1: DualPipe overlaps forward and backward chunks so that the all-to-all and PP communication are fully hidden ("near-zero all-to-all communication overhead")',
      '§3.2.3: recomputation of all RMSNorm operations and MLA up-projections during back-propagation; ZeRO-1 across data parallel ranks',
      '§3.3.2–3.3.3: the inputs of the MoE SwiGLU cached in FP8 and its output recomputed; the input of the linear after attention cached in E5M6; master weights and gradient accumulation in fp32',
    ],
  },
  ideal: {
    id: 'ideal',
    name: 'ideal overlap (an upper bound, not a framework)',
    description: 'every communication hides behind its window without slowing compute, BF16 gradients, CUDA graphs',
    overlap: { tp: 1, dp: 1, pp: 1, ep: 1, cp: 1, offload: 1, slowdown: 0 },
    zero: 1,
    zeroStages: [0, 1, 2, 3],
    gradientBytes: 2,
    launchOverheadUs: 0,
    fusedKernels: true,
    attentionKernel: 'cudnn',
    sources: ['linkcap: the bound the previous model assumed with every overlap on'],
  },
};

/** The profile of a request: `megatron-core` when none is named. */
export function resolveProfile(id: unknown): ImplementationProfile {
  if (id === undefined) return PROFILES['megatron-core'];
  if (typeof id !== 'string' || !(PROFILE_IDS as readonly string[]).includes(id)) {
    throw new LinkcapInputError('profile', `${JSON.stringify(id)}: must be one of ${PROFILE_IDS.join(', ')}`);
  }
  return PROFILES[id as ProfileId];
}

/** Parameters of the largest transformer layer on one TP rank (what a ZeRO-3 gather of a layer moves). */
function largestLayerParams(w: Float64Array, t: number, ep: number): number {
  const attention = attentionWeightsPerRank(w, 0, t);
  const dense = w[W.experts] === 0 || w[W.firstDenseLayers] > 0 ? attention + denseMlpParamsPerRank(w, 0, t) : 0;
  const moe = w[W.experts] > 0 ? attention + moeDenseParamsPerRank(w, 0, t) + (w[W.experts] / ep) * expertParams(w, 0) : 0;
  return dense > moe ? dense : moe;
}

/**
 * One overlap fraction of a profile for a concrete layout (t, v, ep) of workload row `w` (offset 0).
 */
export function profileOverlap(profile: ImplementationProfile, rule: OverlapRule, w: Float64Array, t: number, v: number, ep: number): number {
  if (typeof rule === 'number') return rule;
  switch (rule) {
    case 'ring':
      return (t - 1) / t; // the same expression as tpOverlapOf (step.ts) gives for OVERLAP_RULE
    case 'interleaved':
      return v > 1 ? 1 : 0;
    case 'prefetch-bucket': {
      const params = largestLayerParams(w, t, ep);
      const prefetch = profile.prefetchParams ?? Infinity;
      return params <= prefetch ? 1 : prefetch / params;
    }
  }
}
