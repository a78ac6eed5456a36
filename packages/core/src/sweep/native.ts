/**
 * The native SweepEngine class (native/src/addon/sweep.cpp over native/src/core/sweep_engine.hpp). Sweeps
 * have no TypeScript twin: enumeration, filtering and reductions exist only in C++, so a sweep needs the addon.
 */
import { loadNativeBinding, NativeLoadError } from '../engine/loader.js';
import { LinkcapInputError } from '../validate/errors.js';
import type { NativePlan } from './plan.js';

export interface WindowResult {
  end: number;
  rows: number;
  evaluated: number;
  ok: number;
  cancelled: boolean;
}

export interface NativeReductionTable {
  groups: Float64Array;
  ids: Float64Array;
  ids2: Float64Array;
  extras: Record<string, Float64Array>;
  /**
   * Rows that stand for a point with one axis moved (-1: none): describe(ids, columns, moveAxis, idsDigit) for the
   * row's point, and likewise ids2 with ids2Digit for its baseline (paired ratios, carried ratios).
   */
  moveAxis: number;
  idsDigit: number;
  ids2Digit: number;
}

export type ColumnBuffer = Float64Array | Int32Array | Uint32Array | Uint8Array;

export interface NativeSweepEngine {
  outerCount(): number;
  layoutsPerOuter(): number;
  windowEnd(begin: number, limit: number, capacity: number): number;
  countPoints(begin: number, end: number, threads: number): number;
  runWindow(begin: number, end: number, columns: ColumnBuffer[] | null, threads: number): WindowResult;
  runWindowAsync(
    begin: number,
    end: number,
    columns: ColumnBuffer[] | null,
    threads: number,
    cancelFlag: Int32Array,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<void>;
  lastWindow(): WindowResult;
  totals(): { evaluated: number; ok: number; statuses: number[] };
  finish(): NativeReductionTable[];
  saveState(): Uint8Array;
  loadState(state: Uint8Array): void;
  /** Re-evaluates points into columns; with moveAxis, each point with that axis moved to moveDigit (its layout carried). */
  describe(ids: Float64Array, columns: ColumnBuffer[], moveAxis?: number, moveDigit?: number): void;
  groupDigits(reduction: number, groups: Float64Array): Uint32Array[];
}

interface SweepBinding {
  sweepAbiVersion?: number;
  SweepEngine?: new (plan: NativePlan) => NativeSweepEngine;
}

export const SWEEP_ABI_VERSION = 2;

/** Creates the native engine for a plan; a clear error when the addon is missing or too old. */
export function createSweepEngine(plan: NativePlan): NativeSweepEngine {
  let binding: SweepBinding;
  try {
    binding = loadNativeBinding() as unknown as SweepBinding;
  } catch (error) {
    if (error instanceof NativeLoadError) {
      throw new LinkcapInputError('engine', `sweeps run only in the native engine, which did not load.\n${error.message}`);
    }
    throw error;
  }
  if (typeof binding.SweepEngine !== 'function' || binding.sweepAbiVersion !== SWEEP_ABI_VERSION) {
    throw new LinkcapInputError('engine', `the native addon has no sweep engine of version ${SWEEP_ABI_VERSION} (found ${String(binding.sweepAbiVersion)}): rebuild it with npm run build`);
  }
  return new binding.SweepEngine(plan);
}
