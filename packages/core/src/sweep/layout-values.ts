/**
 * Values of layout fields as a spec writes them (`recompute: full`, `zero: fsdp`, `flashAttention: false`,
 * `tpOverlap: 0.5`, `tp: 8`) → the numbers of a layout row (LAYOUT_FIELDS). Shared by layout axes and by the
 * fields a bundle value sets, so both accept the same words and ranges.
 */
import { ATTENTION_KERNELS, PRECISIONS, RECOMPUTE_MODES } from '../training/fields.js';
import type { AxisScalar } from './spec.js';

/** Layout fields with named values. */
export const LAYOUT_LABELS: Partial<Record<string, readonly string[]>> = {
  recompute: RECOMPUTE_MODES,
  precision: PRECISIONS,
  commPrecision: PRECISIONS,
  attentionKernel: ATTENTION_KERNELS,
};
export const LAYOUT_FLAGS = new Set(['sequenceParallel', 'flashAttention', 'fusedKernels', 'fp8ActivationCache']);
export const LAYOUT_FRACTIONS = new Set(['tpOverlap', 'dpOverlap', 'ppOverlap', 'epOverlap', 'cpOverlap', 'offloadOverlap', 'overlapSlowdown']);
/** The row indices: set by the axes that pick rows (model, cluster), never as layout values. */
export const ROW_FIELDS = new Set(['workload', 'chip', 'cluster']);
/** The fields `layouts: all` enumerates. */
export const SEARCH_FIELDS = new Set(['tp', 'pp', 'dp', 'ep', 'cp', 'microbatch', 'interleave', 'recompute', 'zero']);

/** The type a layout field has as a column or axis. */
export function layoutFieldType(field: string): 'string' | 'bool' | 'float' | 'int' {
  if (LAYOUT_LABELS[field]) return 'string';
  if (LAYOUT_FLAGS.has(field)) return 'bool';
  if (LAYOUT_FRACTIONS.has(field) || field === 'launchOverheadS') return 'float';
  return 'int';
}

/** One value of layout field `field` as the layout row holds it, or a message saying what is allowed. */
export function parseLayoutValue(field: string, v: AxisScalar): number | string {
  const labels = LAYOUT_LABELS[field];
  if (labels) return typeof v === 'string' && labels.includes(v) ? labels.indexOf(v) : `"${String(v)}": must be one of ${labels.join(', ')}`;
  if (LAYOUT_FLAGS.has(field)) return typeof v === 'boolean' ? (v ? 1 : 0) : `${JSON.stringify(v)}: must be true or false`;
  if (field === 'zero') return v === 'fsdp' ? 3 : v === 0 || v === 1 || v === 2 || v === 3 ? v : `${JSON.stringify(v)}: must be 0, 1, 2, 3 or fsdp`;
  const n = typeof v === 'number' ? v : Number(v);
  if (LAYOUT_FRACTIONS.has(field)) {
    const max = field === 'overlapSlowdown' ? 10 : 1;
    return n >= 0 && n <= max ? n : `${String(v)}: must be a number from 0 to ${max}`;
  }
  if (field === 'launchOverheadS') return n >= 0 && n <= 0.01 ? n : `${String(v)}: must be a number of seconds from 0 to 0.01`;
  if (field === 'gradientBytes') return n === 2 || n === 4 ? n : `${String(v)}: must be 2 or 4`;
  if (field === 'recomputeModules') return Number.isInteger(n) && n >= 0 && n <= 15 ? n : `${String(v)}: must be a bit mask from 0 to 15 of the recomputed modules (fields.ts RECOMPUTE_MODULES)`;
  const min = field === 'recomputeLayers' || field === 'offloadLayers' || field === 'microbatchGroup' ? 0 : 1;
  return Number.isInteger(n) && n >= min && n <= 2 ** 24 ? n : `${String(v)}: must be a whole number from ${min} to ${2 ** 24}`;
}
