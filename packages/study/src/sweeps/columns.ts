/**
 * Column lists of the study's result tables (one definition for the writer and the readers): axis columns by
 * axis name, the layout fields of a configuration, and the metrics of a training prediction.
 */
import type { ColumnDef } from '../results/table.js';

const STRING_AXES = new Set(['cluster', 'model', 'overlap', 'lever', 'precision', 'commPrecision']);
const INT_AXES = new Set(['gpus']);

export function axisColumn(name: string): ColumnDef {
  const unit = name === 'scaleUpGBps' ? 'GB/s bidirectional per GPU' : name === 'nicGbps' ? 'Gb/s per NIC, per direction' : undefined;
  return { name, type: STRING_AXES.has(name) ? 'string' : INT_AXES.has(name) ? 'int' : 'float', role: 'axis', ...(unit ? { unit } : {}) };
}

/** Layout fields written for every configuration (the study's precision lives in the axes or the lever). */
export const LAYOUT_COLUMNS: ColumnDef[] = [
  ...['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'globalBatch', 'interleave'].map((name): ColumnDef => ({ name, type: 'int', role: 'layout' })),
  { name: 'recompute', type: 'string', role: 'layout' },
  { name: 'zero', type: 'int', role: 'layout' },
  { name: 'layoutPrecision', type: 'string', role: 'layout' },
  { name: 'layoutCommPrecision', type: 'string', role: 'layout' },
];

/** Metrics of one configuration: the output row of the training model, seconds per step unless named otherwise. */
export const METRIC_COLUMNS: ColumnDef[] = [
  { name: 'stepTimeS', type: 'float', role: 'metric', unit: 's' },
  { name: 'computeS', type: 'float', role: 'metric', unit: 's' },
  { name: 'tpS', type: 'float', role: 'metric', unit: 's' },
  { name: 'cpS', type: 'float', role: 'metric', unit: 's' },
  { name: 'epS', type: 'float', role: 'metric', unit: 's' },
  { name: 'dpS', type: 'float', role: 'metric', unit: 's' },
  { name: 'ppS', type: 'float', role: 'metric', unit: 's' },
  { name: 'bubbleS', type: 'float', role: 'metric', unit: 's' },
  { name: 'optimizerS', type: 'float', role: 'metric', unit: 's' },
  { name: 'slowdownS', type: 'float', role: 'metric', unit: 's' },
  { name: 'mfu', type: 'float', role: 'metric', unit: 'fraction' },
  { name: 'tokensPerS', type: 'float', role: 'metric', unit: 'tokens/s' },
  { name: 'tokensPerSPerGpu', type: 'float', role: 'metric', unit: 'tokens/s per GPU' },
  { name: 'memoryBytes', type: 'float', role: 'metric', unit: 'bytes' },
];

/** The exposed communication terms of a step, with the names the report uses. */
export const COMM_TERMS = [
  { column: 'tpS', label: 'tensor-parallel (TP)' },
  { column: 'cpS', label: 'context-parallel (CP)' },
  { column: 'epS', label: 'expert all-to-all (EP)' },
  { column: 'dpS', label: 'data-parallel gradients (DP)' },
  { column: 'ppS', label: 'pipeline sends (PP)' },
] as const;

export const STATUS_COLUMN: ColumnDef = { name: 'status', type: 'int', role: 'status' };

/** Status codes of a `best` row: the fastest configuration that fits, or why there is none. */
export const BEST_STATUS = { ok: 0, nothingFits: 1, noValidLayout: 2 } as const;
