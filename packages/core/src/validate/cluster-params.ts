/** Range checks of a numeric cluster row; native/src/core/validate_cluster.cpp applies the same table. */
import { CLUSTER_FIELDS, type ClusterParams } from '../model/cluster-params.js';
import { describeValue, LinkcapInputError } from './errors.js';

type Rule = { check: (v: number) => boolean; range: string };

const positive: Rule = { check: (v) => v > 0, range: 'must be > 0' };
const nonNegative: Rule = { check: (v) => v >= 0, range: 'must be ≥ 0' };
const flag: Rule = { check: (v) => v === 0 || v === 1, range: 'must be 0 or 1' };
const fraction: Rule = { check: (v) => v > 0 && v <= 1, range: 'must be in (0, 1]' };
const wholeAtLeastOne: Rule = { check: (v) => Number.isInteger(v) && v >= 1, range: 'must be a whole number ≥ 1' };

export const CLUSTER_FIELD_RULES: Record<keyof ClusterParams, Rule> = {
  gpusPerDomain: wholeAtLeastOne,
  scaleUpTopology: { check: (v) => v === 0 || v === 1 || v === 2, range: 'must be 0 (switch), 1 (mesh) or 2 (ring)' },
  scaleUpGBps: positive,
  scaleUpHopUs: nonNegative,
  inSwitchReduction: flag,
  nvlsEfficiency: fraction,
  llCapGBps: positive,
  scaleOutGBps: positive,
  scaleOutHopUs: nonNegative,
  tierHopUs: nonNegative,
  leafDomains: wholeAtLeastOne,
  oversubscription: { check: (v) => v >= 1, range: 'must be ≥ 1' },
  inNetworkReduction: flag,
  inNetworkEfficiency: fraction,
  callLatencyUs: { check: (v) => v >= 0 && v <= 1e6, range: 'must be from 0 to 1000000 (µs)' },
  cudaGraph: flag,
};

/** Throws LinkcapInputError naming `${label}.${field}` when a field is missing, not finite or out of range. */
export function validateClusterParams(params: ClusterParams, label = 'cluster'): void {
  if (params === null || typeof params !== 'object') throw new LinkcapInputError(label, 'must be an object of cluster parameters');
  for (const field of CLUSTER_FIELDS) {
    const value = (params as unknown as Record<string, unknown>)[field];
    const rule = CLUSTER_FIELD_RULES[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule.check(value)) {
      throw new LinkcapInputError(`${label}.${field}`, `${describeValue(value)}: ${rule.range}`);
    }
  }
}

/**
 * Checks row `row` of a packed cluster table with the rules above, worded as the native engine words it
 * (native/src/core/validate_cluster.cpp): `clusters[0].scaleUpGBps = 0: must be > 0`.
 */
export function validateClusterRow(packed: Float64Array, row: number): void {
  for (let field = 0; field < CLUSTER_FIELDS.length; field += 1) {
    const value = packed[row * CLUSTER_FIELDS.length + field];
    const name = CLUSTER_FIELDS[field];
    if (!Number.isFinite(value) || !CLUSTER_FIELD_RULES[name].check(value)) {
      throw LinkcapInputError.outOfRange(`clusters[${row}].${name}`, value, CLUSTER_FIELD_RULES[name].range);
    }
  }
}
