/**
 * The numeric chip row (ChipParams) and its construction from human units: TFLOP/s, vendor GB (binary for
 * HBM), TB/s (as the catalog and hardware.md state them), with the calibrated efficiencies as defaults.
 */
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { GEMM_EFFICIENCY, GEMM_OVERHEAD_S, MEMORY_EFFICIENCY, USABLE_MEMORY_FRACTION } from './calibration.js';
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
}

/** A chip in the units of datasheets; undefined efficiencies take the calibrated defaults. */
export interface ChipRates {
  bf16Tflops: number;
  /** 0 or absent: no FP8. */
  fp8Tflops?: number;
  /** Vendor GB; HBM capacities are binary (80 GB = 80 GiB), as the catalog states: bytes = GB × 2^30. */
  memoryGB: number;
  /** Decimal TB/s. */
  memoryTBps: number;
  gemmEfficiency?: number;
  gemmOverheadS?: number;
  memoryEfficiency?: number;
  usableMemoryFraction?: number;
}

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

export function chipParams(rates: ChipRates, label = 'chip'): ChipParams {
  return {
    peakBf16Flops: positive(`${label}.bf16Tflops`, rates.bf16Tflops) * 1e12,
    peakFp8Flops: positive(`${label}.fp8Tflops`, rates.fp8Tflops ?? 0, true) * 1e12,
    memoryBytes: positive(`${label}.memoryGB`, rates.memoryGB) * 2 ** 30,
    memoryBandwidth: positive(`${label}.memoryTBps`, rates.memoryTBps) * 1e12,
    gemmEfficiency: rates.gemmEfficiency === undefined ? GEMM_EFFICIENCY : unit(`${label}.gemmEfficiency`, rates.gemmEfficiency),
    gemmOverheadS: rates.gemmOverheadS === undefined ? GEMM_OVERHEAD_S : positive(`${label}.gemmOverheadS`, rates.gemmOverheadS, true),
    memoryEfficiency: rates.memoryEfficiency === undefined ? MEMORY_EFFICIENCY : unit(`${label}.memoryEfficiency`, rates.memoryEfficiency),
    usableMemoryFraction:
      rates.usableMemoryFraction === undefined ? USABLE_MEMORY_FRACTION : unit(`${label}.usableMemoryFraction`, rates.usableMemoryFraction),
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
