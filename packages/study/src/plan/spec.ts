/**
 * The training sweep specs the study ships in examples/study/ (one file per sweep), as parsed here.
 *
 * These specs follow the sweep-spec vocabulary of issue 10 (axes, layouts: all, reductions such as argmin and
 * paired ratios). Until the native sweep engine lands, the temporary adapter in ../sweeps/adapter.ts reads them;
 * then `sweep(spec)` from @linkcap/core will. Errors name the file and the field.
 */
import { LinkcapInputError } from '@linkcap/core';

/** Axis values are strings (cluster, model, overlap profile, lever, precision) or numbers (gpus, bandwidths). */
export type AxisValue = string | number;

export interface Reduction {
  name: string;
  /** Argmin of a metric per point of the axes (over the point's layouts). */
  argmin?: 'stepTimeS';
  /**
   * Paired ratio along one axis: each value of `axis` against `baseline`, in every group of the other axes.
   * `at: baseline-best` evaluates the baseline's best layout on every side; `over: all-layouts` summarises the
   * ratio over every layout priced on both sides (min, median, max), split by the `by` layout fields.
   */
  pairedRatio?: { axis: string; baseline: AxisValue; at?: 'baseline-best'; over?: 'all-layouts'; by?: string[] };
}

export interface LeverSpec {
  /** Restricts the layout search (lists of allowed values per layout field). */
  space?: Record<string, number[] | string[]>;
  overlap?: string;
  commPrecision?: 'bf16' | 'fp8';
  precision?: 'bf16' | 'fp8';
}

export interface TrainingSweepSpec {
  kind: 'training';
  name: string;
  axes: Record<string, AxisValue[]>;
  /** Axes varied one at a time around their first value (a sensitivity design, not a full product). */
  oneAtATime?: string[];
  /** Points to leave out: each entry lists axis values that, all together, exclude a point. */
  exclude?: Record<string, AxisValue>[];
  levers?: Record<string, LeverSpec>;
  batch?: { globalBatchTokens?: number; minTokensPerGpu?: number };
  layouts: 'all' | Record<string, number | string>[];
  reduce: Reduction[];
  output?: { rows?: 'all' | 'none' };
}

const KNOWN_AXES = ['cluster', 'model', 'gpus', 'overlap', 'gemmEfficiency', 'lever', 'scaleUpGBps', 'nicGbps', 'precision', 'commPrecision'];

function fail(file: string, path: string, message: string): never {
  throw new LinkcapInputError(`${file}: ${path}`, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the parsed YAML of one sweep spec and returns it typed. */
export function checkSweepSpec(data: unknown, file: string): TrainingSweepSpec {
  if (!isObject(data)) fail(file, '(document)', 'must be a sweep spec object { kind, name, axes, layouts, reduce }');
  if (data.kind !== 'training') fail(file, 'kind', `${JSON.stringify(data.kind)}: the study's sweeps are training sweeps (kind: training)`);
  if (typeof data.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(data.name)) fail(file, 'name', 'must be a lower-case name (letters, digits, "-")');
  if (!isObject(data.axes)) fail(file, 'axes', 'must map axis names to lists of values');
  for (const [axis, values] of Object.entries(data.axes)) {
    if (!KNOWN_AXES.includes(axis)) fail(file, `axes.${axis}`, `unknown axis; allowed: ${KNOWN_AXES.join(', ')}`);
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      fail(file, `axes.${axis}`, 'must be a non-empty list of strings or numbers');
    }
  }
  for (const axis of ['cluster', 'model', 'gpus']) if (!(axis in data.axes)) fail(file, `axes.${axis}`, 'required');
  if (data.oneAtATime !== undefined) {
    if (!Array.isArray(data.oneAtATime) || !data.oneAtATime.every((a) => typeof a === 'string' && a in (data.axes as object))) {
      fail(file, 'oneAtATime', 'must list axes of the spec');
    }
  }
  if (data.exclude !== undefined && (!Array.isArray(data.exclude) || !data.exclude.every(isObject))) fail(file, 'exclude', 'must be a list of { axis: value } objects');
  if (data.levers !== undefined && !isObject(data.levers)) fail(file, 'levers', 'must map lever names to { space, overlap, commPrecision }');
  if ('lever' in data.axes) {
    for (const lever of data.axes.lever as string[]) {
      if (!isObject(data.levers) || !(lever in data.levers)) fail(file, `levers.${lever}`, 'the lever axis names a lever that is not defined under levers');
    }
  }
  if (data.layouts !== 'all' && !(Array.isArray(data.layouts) && data.layouts.length > 0 && data.layouts.every(isObject))) {
    fail(file, 'layouts', 'must be "all" (every valid layout) or a list of layouts { tp, pp, … }');
  }
  if (!Array.isArray(data.reduce) || data.reduce.length === 0) fail(file, 'reduce', 'must list at least one reduction');
  data.reduce.forEach((r, i) => {
    if (!isObject(r) || typeof r.name !== 'string') fail(file, `reduce[${i}]`, 'must be { name, argmin | pairedRatio }');
    if (r.argmin !== undefined && r.argmin !== 'stepTimeS') fail(file, `reduce[${i}].argmin`, 'only stepTimeS is supported');
    if (r.pairedRatio !== undefined) {
      const p = r.pairedRatio as Record<string, unknown>;
      if (!isObject(p) || typeof p.axis !== 'string' || !(p.axis in (data.axes as object))) fail(file, `reduce[${i}].pairedRatio.axis`, 'must name an axis of the spec');
      const values = (data.axes as Record<string, AxisValue[]>)[p.axis as string];
      if (!values.includes(p.baseline as AxisValue)) fail(file, `reduce[${i}].pairedRatio.baseline`, `must be one of the ${p.axis} values (${values.join(', ')})`);
    }
    if (r.argmin === undefined && r.pairedRatio === undefined) fail(file, `reduce[${i}]`, 'needs argmin or pairedRatio');
  });
  return data as unknown as TrainingSweepSpec;
}
