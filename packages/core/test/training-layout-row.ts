/** A layout row with sensible defaults and the named fields set (tests of single-layer functions). */
import { L, LAYOUT_FIELD_COUNT, LAYOUT_FIELDS } from '../src/training/fields.js';

const DEFAULTS: Record<string, number> = { tp: 1, pp: 1, dp: 1, ep: 1, cp: 1, microbatch: 1, globalBatch: 1, interleave: 1, gradientBytes: 2, flashAttention: 1, fusedKernels: 1 };

export function layoutRowFor(fields: Record<string, number>): Float64Array {
  const row = new Float64Array(LAYOUT_FIELD_COUNT);
  for (const [key, value] of Object.entries({ ...DEFAULTS, ...fields })) {
    const index = (LAYOUT_FIELDS as readonly string[]).indexOf(key);
    if (index < 0) throw new Error(`no layout field ${key}`);
    row[index] = value;
  }
  row[L.workload] = 0;
  return row;
}
