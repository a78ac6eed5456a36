/**
 * Validity of a parallel layout for a workload. One numeric rule list serves both the hot path (a problem
 * code, 0 when valid) and the typed API (the same code turned into a LinkcapInputError that names the
 * field and the allowed range), so the two can never disagree.
 */
import { C, L, W, TrainingStatus } from './fields.js';

/**
 * tpOverlap and ppOverlap may hold this instead of a fraction: the layout's own rule of the megatron-core
 * profile, resolved by the step model ((tp − 1)/tp for TP's ring decomposition; 1 with the interleaved
 * schedule, else 0, for pipeline p2p). Callers that fix a layout axis but not the overlap (sweeps) use it.
 */
export const OVERLAP_RULE = -1;

/**
 * Rule codes; 0 = valid. The order is part of the native interface: append only (the native engine's
 * training_problem.hpp is generated from this enum at build time).
 */
export const enum Problem {
  None = 0,
  Tp,
  Pp,
  Dp,
  Ep,
  Cp,
  Microbatch,
  GlobalBatch,
  Interleave,
  Recompute,
  Zero,
  Precision,
  CommPrecision,
  SequenceParallel,
  FlashAttention,
  TpOverlap,
  DpOverlap,
  PpOverlap,
  EpOverlap,
  CpOverlap,
  OverlapSlowdown,
  HeadsPerTp,
  KvHeadsPerTp,
  FfnPerTp,
  SharedFfnPerTp,
  BatchDivides,
  LayersPerChunk,
  InterleaveNeedsPp,
  InterleaveMicrobatches,
  SeqPerCp,
  EpOnDense,
  ExpertsPerEp,
  EpDividesRanks,
  MoeTpNeedsSp,
  NoFp8,
  GradientBytes,
  RecomputeLayers,
  OffloadLayers,
  OffloadOverlap,
  LaunchOverhead,
  FusedKernels,
  RecomputeModules,
  Fp8ActivationCache,
  MicrobatchGroup,
  AttentionKernel,
}

const MAX_SIZE = 1 << 24;

function whole(x: number, max: number): boolean {
  return x >= 1 && x <= max && Math.floor(x) === x;
}

function code(x: number, max: number): boolean {
  return x >= 0 && x <= max && Math.floor(x) === x;
}

function fraction(x: number): boolean {
  return x >= 0 && x <= 1;
}

/** First rule the layout row breaks for its workload and chip, or Problem.None. */
export function layoutProblem(w: Float64Array, wo: number, chips: Float64Array, co: number, lay: Float64Array, lo: number): number {
  const t = lay[lo + L.tp];
  const p = lay[lo + L.pp];
  const d = lay[lo + L.dp];
  const e = lay[lo + L.ep];
  const c = lay[lo + L.cp];
  const b = lay[lo + L.microbatch];
  const batch = lay[lo + L.globalBatch];
  const v = lay[lo + L.interleave];
  if (!whole(t, MAX_SIZE)) return Problem.Tp;
  if (!whole(p, MAX_SIZE)) return Problem.Pp;
  if (!whole(d, MAX_SIZE)) return Problem.Dp;
  if (!whole(e, MAX_SIZE)) return Problem.Ep;
  if (!whole(c, MAX_SIZE)) return Problem.Cp;
  if (!whole(b, MAX_SIZE)) return Problem.Microbatch;
  if (!whole(batch, 2 ** 40)) return Problem.GlobalBatch;
  if (!whole(v, 1024)) return Problem.Interleave;
  if (!code(lay[lo + L.recompute], 2)) return Problem.Recompute;
  if (!code(lay[lo + L.zero], 3)) return Problem.Zero;
  if (!code(lay[lo + L.precision], 1)) return Problem.Precision;
  if (!code(lay[lo + L.commPrecision], 1)) return Problem.CommPrecision;
  if (!code(lay[lo + L.sequenceParallel], 1)) return Problem.SequenceParallel;
  if (!code(lay[lo + L.flashAttention], 1)) return Problem.FlashAttention;
  if (!fraction(lay[lo + L.tpOverlap]) && lay[lo + L.tpOverlap] !== OVERLAP_RULE) return Problem.TpOverlap;
  if (!fraction(lay[lo + L.dpOverlap])) return Problem.DpOverlap;
  if (!fraction(lay[lo + L.ppOverlap]) && lay[lo + L.ppOverlap] !== OVERLAP_RULE) return Problem.PpOverlap;
  if (!fraction(lay[lo + L.epOverlap])) return Problem.EpOverlap;
  if (!fraction(lay[lo + L.cpOverlap])) return Problem.CpOverlap;
  const slowdown = lay[lo + L.overlapSlowdown];
  if (!(slowdown >= 0 && slowdown <= 10)) return Problem.OverlapSlowdown;
  const gradientBytes = lay[lo + L.gradientBytes];
  if (gradientBytes !== 2 && gradientBytes !== 4) return Problem.GradientBytes;
  if (!code(lay[lo + L.recomputeLayers], MAX_SIZE)) return Problem.RecomputeLayers;
  if (!code(lay[lo + L.offloadLayers], MAX_SIZE)) return Problem.OffloadLayers;
  if (!fraction(lay[lo + L.offloadOverlap])) return Problem.OffloadOverlap;
  const launch = lay[lo + L.launchOverheadS];
  if (!(launch >= 0 && launch <= 0.01)) return Problem.LaunchOverhead;
  if (!code(lay[lo + L.fusedKernels], 1)) return Problem.FusedKernels;
  if (!code(lay[lo + L.recomputeModules], 15) || (lay[lo + L.recomputeModules] !== 0 && lay[lo + L.recompute] === 2)) return Problem.RecomputeModules;
  if (!code(lay[lo + L.fp8ActivationCache], 1) || (lay[lo + L.fp8ActivationCache] === 1 && lay[lo + L.precision] !== 1)) return Problem.Fp8ActivationCache;
  if (!code(lay[lo + L.microbatchGroup], MAX_SIZE)) return Problem.MicrobatchGroup;
  if (!code(lay[lo + L.attentionKernel], 1)) return Problem.AttentionKernel;

  const heads = w[wo + W.heads];
  if (heads % t !== 0) return Problem.HeadsPerTp;
  const kv = w[wo + W.kvHeads];
  if (w[wo + W.kvLoraRank] === 0 && kv % t !== 0 && t % kv !== 0) return Problem.KvHeadsPerTp;
  const experts = w[wo + W.experts];
  const hasDense = experts === 0 || w[wo + W.firstDenseLayers] > 0;
  if (hasDense && w[wo + W.ffn] % t !== 0) return Problem.FfnPerTp;
  if (experts > 0 && (w[wo + W.sharedExperts] * w[wo + W.expertFfn]) % t !== 0) return Problem.SharedFfnPerTp;
  if (batch % (b * d) !== 0) return Problem.BatchDivides;
  if (w[wo + W.layers] < p * v) return Problem.LayersPerChunk;
  if (v > 1 && p === 1) return Problem.InterleaveNeedsPp;
  if (v > 1 && (batch / (b * d)) % p !== 0) return Problem.InterleaveMicrobatches;
  if (w[wo + W.seqLen] % c !== 0) return Problem.SeqPerCp;
  if (experts === 0 && e !== 1) return Problem.EpOnDense;
  if (experts > 0 && experts % e !== 0) return Problem.ExpertsPerEp;
  if ((t * c * d) % e !== 0) return Problem.EpDividesRanks;
  if (experts > 0 && t > 1 && lay[lo + L.sequenceParallel] !== 1) return Problem.MoeTpNeedsSp;
  if (lay[lo + L.precision] === 1 && !(chips[co + C.peakFp8Flops] > 0)) return Problem.NoFp8;
  return Problem.None;
}

/** The output status a problem code maps to. */
export function problemStatus(problem: number): number {
  if (problem === Problem.None) return TrainingStatus.Ok;
  return problem === Problem.NoFp8 ? TrainingStatus.NoFp8 : TrainingStatus.InvalidLayout;
}

/**
 * The field a problem is about and a sentence with the allowed range, for the typed API's errors
 * (LinkcapInputError). Not used on the hot path.
 */
export function describeProblem(problem: number, w: Float64Array, wo: number, lay: Float64Array, lo: number): { field: string; message: string } {
  const t = lay[lo + L.tp];
  const p = lay[lo + L.pp];
  const d = lay[lo + L.dp];
  const e = lay[lo + L.ep];
  const c = lay[lo + L.cp];
  const b = lay[lo + L.microbatch];
  const batch = lay[lo + L.globalBatch];
  const v = lay[lo + L.interleave];
  const size = (field: string, value: number) => ({ field, message: `${value}: must be a whole number from 1 to ${MAX_SIZE}` });
  const unit = (field: string, value: number) => ({ field, message: `${value}: must be a fraction from 0 to 1` });
  switch (problem) {
    case Problem.Tp:
      return size('tp', t);
    case Problem.Pp:
      return size('pp', p);
    case Problem.Dp:
      return size('dp', d);
    case Problem.Ep:
      return size('ep', e);
    case Problem.Cp:
      return size('cp', c);
    case Problem.Microbatch:
      return size('microbatch', b);
    case Problem.GlobalBatch:
      return { field: 'globalBatch', message: `${batch}: must be a whole number of sequences from 1 to 2^40` };
    case Problem.Interleave:
      return { field: 'interleave', message: `${v}: must be a whole number from 1 to 1024` };
    case Problem.Recompute:
      return { field: 'recompute', message: 'must be none, selective or full' };
    case Problem.Zero:
      return { field: 'zero', message: 'must be 0, 1, 2, 3 (or fsdp = 3)' };
    case Problem.Precision:
      return { field: 'precision', message: 'must be bf16 or fp8' };
    case Problem.CommPrecision:
      return { field: 'commPrecision', message: 'must be bf16 or fp8' };
    case Problem.SequenceParallel:
      return { field: 'sequenceParallel', message: 'must be true or false' };
    case Problem.FlashAttention:
      return { field: 'flashAttention', message: 'must be true or false' };
    case Problem.TpOverlap:
      return { field: 'overlap.tp', message: `${lay[lo + L.tpOverlap]}: must be a fraction from 0 to 1, or -1 (the ring rule (tp − 1)/tp)` };
    case Problem.DpOverlap:
      return unit('overlap.dp', lay[lo + L.dpOverlap]);
    case Problem.PpOverlap:
      return { field: 'overlap.pp', message: `${lay[lo + L.ppOverlap]}: must be a fraction from 0 to 1, or -1 (1 with the interleaved schedule, else 0)` };
    case Problem.EpOverlap:
      return unit('overlap.ep', lay[lo + L.epOverlap]);
    case Problem.CpOverlap:
      return unit('overlap.cp', lay[lo + L.cpOverlap]);
    case Problem.OverlapSlowdown:
      return { field: 'overlap.slowdown', message: `${lay[lo + L.overlapSlowdown]}: must be a number from 0 to 10` };
    case Problem.HeadsPerTp:
      return { field: 'tp', message: `${t}: must divide the attention heads (${w[wo + W.heads]})` };
    case Problem.KvHeadsPerTp:
      return { field: 'tp', message: `${t}: must divide the KV heads (${w[wo + W.kvHeads]}) or be a multiple of them` };
    case Problem.FfnPerTp:
      return { field: 'tp', message: `${t}: must divide the FFN size (${w[wo + W.ffn]})` };
    case Problem.SharedFfnPerTp:
      return { field: 'tp', message: `${t}: must divide the shared experts' FFN size (${w[wo + W.sharedExperts] * w[wo + W.expertFfn]})` };
    case Problem.BatchDivides:
      return { field: 'globalBatch', message: `${batch} sequences: must be a multiple of microbatch × dp = ${b} × ${d} = ${b * d}` };
    case Problem.LayersPerChunk:
      return { field: v > 1 ? 'interleave' : 'pp', message: `pp × interleave = ${p * v} exceeds the ${w[wo + W.layers]} layers (every chunk needs a layer)` };
    case Problem.InterleaveNeedsPp:
      return { field: 'interleave', message: `${v}: the interleaved schedule needs pp > 1` };
    case Problem.InterleaveMicrobatches:
      return {
        field: 'globalBatch',
        message: `the interleaved schedule needs microbatches per pipeline (${batch / (b * d)}) to be a multiple of pp (${p})`,
      };
    case Problem.SeqPerCp:
      return { field: 'cp', message: `${c}: must divide the sequence length (${w[wo + W.seqLen]})` };
    case Problem.EpOnDense:
      return { field: 'ep', message: `${e}: must be 1 for a dense model` };
    case Problem.ExpertsPerEp:
      return { field: 'ep', message: `${e}: must divide the routed experts (${w[wo + W.experts]})` };
    case Problem.EpDividesRanks:
      return { field: 'ep', message: `${e}: must divide tp × cp × dp = ${t * c * d} (expert groups are carved from those ranks)` };
    case Problem.MoeTpNeedsSp:
      return { field: 'sequenceParallel', message: 'must be true for an MoE model with tp > 1 (tokens are dispatched from sequence shards)' };
    case Problem.NoFp8:
      return { field: 'precision', message: 'fp8: the chip has no FP8 rate; use bf16' };
    case Problem.GradientBytes:
      return { field: 'gradientBytes', message: `${lay[lo + L.gradientBytes]}: must be 2 (BF16) or 4 (fp32)` };
    case Problem.RecomputeLayers:
      return { field: 'recomputeLayers', message: `${lay[lo + L.recomputeLayers]}: must be a whole number from 0 to ${MAX_SIZE}` };
    case Problem.OffloadLayers:
      return { field: 'offloadLayers', message: `${lay[lo + L.offloadLayers]}: must be a whole number from 0 to ${MAX_SIZE}` };
    case Problem.OffloadOverlap:
      return unit('overlap.offload', lay[lo + L.offloadOverlap]);
    case Problem.LaunchOverhead:
      return { field: 'launchOverheadS', message: `${lay[lo + L.launchOverheadS]}: must be a number of seconds from 0 to 0.01` };
    case Problem.FusedKernels:
      return { field: 'fusedKernels', message: 'must be true (fused kernels) or false (eager PyTorch)' };
    case Problem.RecomputeModules:
      return lay[lo + L.recompute] === 2 && code(lay[lo + L.recomputeModules], 15)
        ? { field: 'recomputeModules', message: 'needs recompute none or selective: full recompute already repeats every module' }
        : { field: 'recomputeModules', message: `${lay[lo + L.recomputeModules]}: must be a bit mask from 0 to 15 (layernorm 1, mla_up_proj 2, moe_act 4, mlp 8)` };
    case Problem.Fp8ActivationCache:
      return code(lay[lo + L.fp8ActivationCache], 1)
        ? { field: 'fp8ActivationCache', message: 'needs precision fp8 (the cached activations are the FP8 GEMMs\' inputs)' }
        : { field: 'fp8ActivationCache', message: 'must be true or false' };
    case Problem.MicrobatchGroup:
      return { field: 'microbatchGroup', message: `${lay[lo + L.microbatchGroup]}: must be a whole number from 0 (= pp) to ${MAX_SIZE}` };
    case Problem.AttentionKernel:
      return { field: 'attentionKernel', message: `${lay[lo + L.attentionKernel]}: must be 0 (cudnn) or 1 (fa2)` };
    default:
      return { field: 'layout', message: 'valid' };
  }
}
