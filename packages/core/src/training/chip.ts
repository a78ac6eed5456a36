/**
 * The numeric chip row (ChipParams) and its construction from human units: TFLOP/s, vendor GB (binary for
 * HBM), TB/s (as the catalog and hardware.md state them), with the calibrated per-architecture constants as
 * defaults (calibration.ts; chips.json `defaults.trainingArchitectures`).
 */
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { HOST_LINK_EFFICIENCY, trainingDefaultsFor, type TrainingConstants } from './calibration.js';
import { CHIP_FIELDS, CHIP_FIELD_COUNT } from './fields.js';

export interface ChipParams {
  /** Dense BF16 tensor throughput, FLOP/s. */
  peakBf16Flops: number;
  /** Dense FP8 throughput, FLOP/s; 0 when the chip has no FP8. */
  peakFp8Flops: number;
  /** Device memory, bytes. */
  memoryBytes: number;
  /** Memory bandwidth, bytes/s. */
  memoryBandwidth: number;
  gemmEfficiency: number;
  gemmOverheadS: number;
  memoryEfficiency: number;
  usableMemoryFraction: number;
  gemmEfficiencyFp8: number;
  attentionFwdEfficiency: number;
  attentionBwdEfficiency: number;
  attentionSoftmaxFlops: number;
  /** GPU ↔ host bandwidth per direction, bytes/s. */
  hostBandwidth: number;
  memoryReserveBytes: number;
  /** FlashAttention-2's rate as a fraction of the reference fused attention (layout attentionKernel 'fa2'). */
  attentionFa2Scale: number;
}

/** A chip in the units of datasheets; undefined constants take the calibrated defaults of its architecture. */
export interface ChipRates {
  bf16Tflops: number;
  /** 0 or absent: no FP8. */
  fp8Tflops?: number;
  /** Vendor GB; HBM capacities are binary (80 GB = 80 GiB), as the catalog states: bytes = GB × 2^30. */
  memoryGB: number;
  /** Decimal TB/s. */
  memoryTBps: number;
  /** ampere, hopper, blackwell, cdna3, …: selects the calibrated constants (others: the `other` entry). */
  architecture?: string;
  /** Host link (PCIe, or NVLink-C2C for Grace-attached GPUs), bidirectional GB/s; default PCIe Gen5 x16 (128). */
  hostLinkBidirGBps?: number;
  gemmEfficiency?: number;
  gemmOverheadS?: number;
  memoryEfficiency?: number;
  usableMemoryFraction?: number;
  gemmEfficiencyFp8?: number;
  attentionFwdEfficiency?: number;
  attentionBwdEfficiency?: number;
  attentionSoftmaxFlops?: number;
  attentionFa2Scale?: number;
  /** Device memory kept by the runtime (CUDA context, NCCL buffers, workspaces), GiB. */
  memoryReserveGB?: number;
}

/** Host link of a chip whose catalog entry gives none: PCIe Gen5 x16, bidirectional GB/s. */
export const DEFAULT_HOST_LINK_BIDIR_GBPS = 128;

function positive(field: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be a finite number ${allowZero ? '≥ 0' : '> 0'}`);
  }
  return value;
}

function unit(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new LinkcapInputError(field, `${describeValue(value)}: must be a fraction in (0, 1]`);
  return value;
}

function upTo(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= max)) throw new LinkcapInputError(field, `${describeValue(value)}: must be a number from 0 to ${max}`);
  return value;
}

/**
 * The ChipParams row of a chip. `defaults` are the architecture's calibrated constants (a catalog's, when the
 * chip came from one); without them the built-in entry of `rates.architecture` (or `other`) applies.
 */
export function chipParams(rates: ChipRates, label = 'chip', defaults?: TrainingConstants): ChipParams {
  const arch = defaults ?? trainingDefaultsFor(rates.architecture);
  const own = <T extends keyof TrainingConstants>(key: T, check: (field: string, value: unknown) => number): number =>
    rates[key as keyof ChipRates] === undefined ? arch[key] : check(`${label}.${key}`, rates[key as keyof ChipRates]);
  const memoryBytes = positive(`${label}.memoryGB`, rates.memoryGB) * 2 ** 30;
  const reserveGB = rates.memoryReserveGB === undefined ? arch.memoryReserveGB : upTo(`${label}.memoryReserveGB`, rates.memoryReserveGB, rates.memoryGB);
  const hostLink = rates.hostLinkBidirGBps === undefined ? DEFAULT_HOST_LINK_BIDIR_GBPS : positive(`${label}.hostLinkBidirGBps`, rates.hostLinkBidirGBps);
  return {
    peakBf16Flops: positive(`${label}.bf16Tflops`, rates.bf16Tflops) * 1e12,
    peakFp8Flops: positive(`${label}.fp8Tflops`, rates.fp8Tflops ?? 0, true) * 1e12,
    memoryBytes,
    memoryBandwidth: positive(`${label}.memoryTBps`, rates.memoryTBps) * 1e12,
    gemmEfficiency: own('gemmEfficiency', unit),
    gemmOverheadS: rates.gemmOverheadS === undefined ? arch.gemmOverheadUs * 1e-6 : positive(`${label}.gemmOverheadS`, rates.gemmOverheadS, true),
    memoryEfficiency: own('memoryEfficiency', unit),
    usableMemoryFraction: own('usableMemoryFraction', unit),
    gemmEfficiencyFp8: own('gemmEfficiencyFp8', unit),
    attentionFwdEfficiency: own('attentionFwdEfficiency', unit),
    attentionBwdEfficiency: own('attentionBwdEfficiency', unit),
    attentionSoftmaxFlops: own('attentionSoftmaxFlops', (field, value) => upTo(field, value, 1e6)),
    // Per direction, at the fraction of line rate pinned-memory copies reach.
    hostBandwidth: (hostLink / 2) * HOST_LINK_EFFICIENCY * 1e9,
    memoryReserveBytes: reserveGB * 2 ** 30,
    attentionFa2Scale: own('attentionFa2Scale', unit),
  };
}

/** Checks a numeric ChipParams row (for callers that build one directly). */
export function validateChipParams(chip: ChipParams, label = 'chip'): void {
  positive(`${label}.peakBf16Flops`, chip.peakBf16Flops);
  positive(`${label}.peakFp8Flops`, chip.peakFp8Flops, true);
  positive(`${label}.memoryBytes`, chip.memoryBytes);
  positive(`${label}.memoryBandwidth`, chip.memoryBandwidth);
  unit(`${label}.gemmEfficiency`, chip.gemmEfficiency);
  positive(`${label}.gemmOverheadS`, chip.gemmOverheadS, true);
  unit(`${label}.memoryEfficiency`, chip.memoryEfficiency);
  unit(`${label}.usableMemoryFraction`, chip.usableMemoryFraction);
  unit(`${label}.gemmEfficiencyFp8`, chip.gemmEfficiencyFp8);
  unit(`${label}.attentionFwdEfficiency`, chip.attentionFwdEfficiency);
  unit(`${label}.attentionBwdEfficiency`, chip.attentionBwdEfficiency);
  upTo(`${label}.attentionSoftmaxFlops`, chip.attentionSoftmaxFlops, 1e6);
  positive(`${label}.hostBandwidth`, chip.hostBandwidth);
  unit(`${label}.attentionFa2Scale`, chip.attentionFa2Scale);
  if (!(chip.memoryReserveBytes >= 0 && chip.memoryReserveBytes < chip.memoryBytes)) {
    throw new LinkcapInputError(`${label}.memoryReserveBytes`, `${describeValue(chip.memoryReserveBytes)}: must be from 0 to below memoryBytes (${chip.memoryBytes})`);
  }
}

export function packChips(chips: readonly ChipParams[]): Float64Array {
  const packed = new Float64Array(chips.length * CHIP_FIELD_COUNT);
  chips.forEach((chip, row) => {
    CHIP_FIELDS.forEach((field, column) => {
      packed[row * CHIP_FIELD_COUNT + column] = chip[field];
    });
  });
  return packed;
}
