/**
 * The metrics a sweep can keep and reduce, by kind, with their ids in the engine and units (the native
 * sweep_codes.hpp takes the ids from these lists at build time: collective ids must stay 0 … n-1 in order).
 * Training metrics come from the output row's field list (training/fields.ts), so a field added there becomes a
 * sweep metric without more work; only `stepS` is renamed (`stepTimeS`, the name docs/design/sweep-results.md uses).
 */
import { ALGORITHMS, PROTOCOLS } from '../model/enums.js';
import { OUTPUT_FIELDS } from '../training/fields.js';

export interface MetricInfo {
  name: string;
  id: number;
  unit: string;
  /** 'code': a small integer shown as a label (algorithm, protocol); 'int': a count. */
  type: 'float' | 'int' | 'code';
  labels?: readonly string[];
}

export const COLLECTIVE_METRICS: readonly MetricInfo[] = [
  { name: 'timeS', id: 0, unit: 's', type: 'float' },
  { name: 'algbwGBps', id: 1, unit: 'GB/s (1e9 B/s), nccl-tests algorithm bandwidth', type: 'float' },
  { name: 'busbwGBps', id: 2, unit: 'GB/s (1e9 B/s), nccl-tests bus bandwidth', type: 'float' },
  { name: 'algorithm', id: 3, unit: 'chosen algorithm', type: 'code', labels: ALGORITHMS },
  { name: 'protocol', id: 4, unit: 'chosen protocol', type: 'code', labels: PROTOCOLS },
  { name: 'scaleUpBytes', id: 5, unit: 'bytes each GPU sends over scale-up links, per direction', type: 'float' },
  { name: 'scaleOutBytes', id: 6, unit: 'bytes each GPU sends over its NICs, per direction', type: 'float' },
];
export const DEFAULT_COLLECTIVE_METRICS = ['timeS', 'algbwGBps', 'busbwGBps', 'algorithm', 'protocol'];

const TRAINING_UNITS: Record<string, string> = {
  stepS: 's per step',
  mfu: 'fraction of peak',
  hfu: 'fraction of peak',
  tokensPerS: 'tokens/s',
  tokensPerSPerGpu: 'tokens/s per GPU',
  modelFlops: 'FLOP per step',
  hardwareFlops: 'FLOP per step',
  microbatches: 'count',
  gpus: 'count',
  criticalStage: 'stage index',
};
const TRAINING_INTS = new Set(['microbatches', 'gpus', 'criticalStage']);

/** Output field 0 is the status (a column of its own); the derived metrics follow the output fields. */
export const TRAINING_METRICS: readonly MetricInfo[] = [
  ...OUTPUT_FIELDS.map((field, id) => ({
    name: field === 'stepS' ? 'stepTimeS' : field,
    id,
    unit: TRAINING_UNITS[field] ?? (field.endsWith('Bytes') ? 'bytes per GPU' : field.endsWith('S') ? 's per step' : ''),
    type: (TRAINING_INTS.has(field) ? 'int' : 'float') as MetricInfo['type'],
  })).filter((m) => m.name !== 'status'),
  { name: 'trainDays', id: OUTPUT_FIELDS.length, unit: 'days to train train.tokens', type: 'float' },
  { name: 'gpuHours', id: OUTPUT_FIELDS.length + 1, unit: 'GPU-hours to train train.tokens', type: 'float' },
  { name: 'costUsd', id: OUTPUT_FIELDS.length + 2, unit: 'USD to train train.tokens at train.pricePerGpuHour', type: 'float' },
];
export const DEFAULT_TRAINING_METRICS = ['stepTimeS', 'mfu', 'tokensPerS', 'memoryBytes'];
export const TRAINING_DERIVED_METRICS = ['trainDays', 'gpuHours', 'costUsd'];
