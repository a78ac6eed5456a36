/**
 * The training model's constants. Per-architecture ones (GEMM and attention efficiencies, per-kernel time,
 * memory reserve) are data: chips.json `defaults.trainingArchitectures`, each figure with its source or the fit
 * that produced it (test/validation/calibrate-training.mjs refits them on shared/reference/training.md and
 * prints the residuals). The few global ones below are kernel facts, documented with their sources in
 * docs/model/training.md ("Compute" and "Calibration").
 */
import chipsJson from '../../catalog/chips.json';

/** The calibrated constants of one architecture, in the units chips.json states them. */
export interface TrainingConstants {
  /** Fraction of the dense BF16 peak a large BF16 GEMM sustains in training. */
  gemmEfficiency: number;
  /** Fraction of the dense FP8 peak a large FP8 GEMM sustains in training. */
  gemmEfficiencyFp8: number;
  /** Fixed time per GEMM or attention kernel (launch latency, ramp-up, tail wave), µs. */
  gemmOverheadUs: number;
  /** Fraction of the BF16 peak fused-attention forward matmuls reach on long sequences. */
  attentionFwdEfficiency: number;
  attentionBwdEfficiency: number;
  /** Non-matmul attention work per score element (exponent, scaling, masking), in FLOP equivalents. */
  attentionSoftmaxFlops: number;
  /**
   * Rate of FlashAttention-2 (PyTorch SDPA's flash backend) as a fraction of the reference fused attention the
   * two attention efficiencies describe (layout attentionKernel 'fa2').
   */
  attentionFa2Scale: number;
  /** Fraction of HBM bandwidth memory-bound kernels reach. */
  memoryEfficiency: number;
  /** Fraction of the memory left after the reserve that the allocator can fill (fragmentation). */
  usableMemoryFraction: number;
  /** Device memory the runtime keeps (CUDA context, NCCL buffers, library workspaces), GiB. */
  memoryReserveGB: number;
}

export const TRAINING_CONSTANT_KEYS = [
  'gemmEfficiency',
  'gemmEfficiencyFp8',
  'gemmOverheadUs',
  'attentionFwdEfficiency',
  'attentionBwdEfficiency',
  'attentionSoftmaxFlops',
  'attentionFa2Scale',
  'memoryEfficiency',
  'usableMemoryFraction',
  'memoryReserveGB',
] as const satisfies readonly (keyof TrainingConstants)[];

/** A figure of the catalog ({ value, source, note }) or a plain number. */
type FigureLike = { value: number | null } | number;

function numberOf(figure: FigureLike | undefined): number | undefined {
  if (typeof figure === 'number') return figure;
  if (figure && typeof figure.value === 'number') return figure.value;
  return undefined;
}

/** Turns one architecture entry of the catalog (figures) into numbers; missing keys come from `fallback`. */
export function trainingConstantsOf(entry: object | undefined, fallback?: TrainingConstants): TrainingConstants {
  const figures = entry as Partial<Record<keyof TrainingConstants, FigureLike>> | undefined;
  const out = {} as TrainingConstants;
  for (const key of TRAINING_CONSTANT_KEYS) {
    const value = numberOf(figures?.[key]) ?? fallback?.[key];
    if (value === undefined) throw new Error(`chips.json defaults.trainingArchitectures: ${key} has no value`);
    out[key] = value;
  }
  return out;
}

const BUILTIN_TABLE = (chipsJson as unknown as { defaults: { trainingArchitectures: Record<string, Partial<Record<keyof TrainingConstants, FigureLike>>> } }).defaults
  .trainingArchitectures;
const BUILTIN_OTHER = trainingConstantsOf(BUILTIN_TABLE.other);
const builtin = new Map<string, TrainingConstants>();

/** The built-in constants of an architecture (`other` for one the table does not list). */
export function trainingDefaultsFor(architecture: string | undefined): TrainingConstants {
  const key = architecture !== undefined && architecture in BUILTIN_TABLE ? architecture : 'other';
  let constants = builtin.get(key);
  if (!constants) {
    constants = trainingConstantsOf(BUILTIN_TABLE[key], BUILTIN_OTHER);
    builtin.set(key, constants);
  }
  return { ...constants };
}

/**
 * Fused-attention tile (query and key block), tokens: a causal kernel computes the diagonal tiles whole, so a
 * query sees (s + 128)/2 keys on average. FlashAttention-2/3 and cuDNN use 128-token blocks for d ≤ 128.
 */
export const ATTENTION_TILE = 128;

/**
 * Key length at which a fused-attention kernel reaches half its long-sequence efficiency: per query block it
 * pays a fixed prologue and epilogue (load Q, rescale and write O) besides the work proportional to the keys.
 * From the sequence-length curves of FlashAttention-2 (A100) and FlashAttention-3 (H100): causal forward at
 * 512 keys runs at about half the rate of 16K keys.
 */
export const ATTENTION_HALF_KEYS = 512;

/**
 * Attention dropout inside a fused kernel draws its mask from Philox: one 4×32-bit draw serves 16 score
 * elements, about 5 integer operations per element at 64 per clock per SM, against one exponent per element at
 * 16 per clock per SM for the softmax: the mask costs 1.25 × the softmax's non-matmul work.
 */
export const ATTENTION_DROPOUT_RATIO = 1.25;

/** Fraction of the host link's line rate that pinned-memory copies reach (PCIe Gen5 x16: ~52 of 64 GB/s). */
export const HOST_LINK_EFFICIENCY = 0.8;
