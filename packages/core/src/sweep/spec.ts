/**
 * The sweep spec as users write it (YAML or JSON; schema: packages/core/schema/sweep.schema.json,
 * guide: docs/sweeps.md).
 */

export type AxisScalar = string | number | boolean;
export interface AxisRange {
  from: number | string;
  to: number | string;
  factor?: number;
  step?: number;
  points?: number;
  log?: boolean;
}
/**
 * One value of a bundle axis (training): a name and the layout fields it sets, optionally an implementation
 * profile and its overrides (`{ name: dualpipe, profile: megatron-core, overlap: { ep: 1, pp: 1 } }`).
 */
export interface BundleValue {
  name: string;
  profile?: string;
  overlap?: { tp?: number; dp?: number; pp?: number; ep?: number; cp?: number; offload?: number; slowdown?: number };
  framework?: { gradientBytes?: 2 | 4; launchOverheadUs?: number; cudaGraph?: boolean; fusedKernels?: boolean; attentionKernel?: 'cudnn' | 'fa2' };
  [field: string]: unknown;
}
export type AxisValues = AxisScalar | (AxisScalar | BundleValue)[] | AxisRange;

export type ReductionKindName = 'argmin' | 'argmax' | 'top-k' | 'pareto' | 'quantiles' | 'histogram' | 'ratio' | 'best-ratio' | 'carried-ratio' | 'count';

export interface ReductionSpec {
  name: string;
  kind: ReductionKindName;
  metric?: string;
  metrics?: string[];
  maximize?: boolean | string[];
  by?: string[];
  k?: number;
  relativeError?: number;
  bins?: number;
  range?: [number, number];
  log?: boolean;
  axis?: string;
  numerator?: string | number;
  denominator?: string | number;
}

export interface SearchLists {
  tp?: number[];
  pp?: number[];
  cp?: number[];
  ep?: number[];
  microbatch?: number[];
  interleave?: number[];
  recompute?: ('none' | 'selective' | 'full')[];
  zero?: (0 | 1 | 2 | 3)[];
}

export type RowsOption = 'all' | 'none' | `sample ${number}` | { sample: number };
export type OutputFormat = 'parquet' | 'csv' | 'jsonl' | 'arrow';

export interface SweepSpec {
  name?: string;
  description?: string;
  kind: 'collective' | 'training';
  catalog?: string[];
  axes: Record<string, AxisValues>;
  layouts?: 'all' | SearchLists;
  where?: string | string[];
  metrics?: string[];
  train?: { tokens?: number | string; pricePerGpuHour?: number | Record<string, number>; profile?: string };
  reduce?: ReductionSpec[];
  output?: { rows?: RowsOption; format?: OutputFormat; dir?: string };
}
