/**
 * Implementation profiles as the study prices them. A study profile is one of @linkcap/core's PROFILES (with
 * overlap fractions overridden or not, as DualPipe overrides Megatron-Core's EP and PP). This file says what each
 * profile changes against the sweep engine's default (megatron-core), so that the runner can price it as layout
 * axes (sweeps/sensitivity-axes.ts) and the follow-ups with predictTraining exactly as the engine did; it finds
 * profiles that price identically (NeMo's recipes and Megatron-Core today), and it names each result row's variant.
 */
import { PROFILES, RECOMPUTE_MODULES, type ImplementationProfile, type OverlapRule, type ProfileId, type RecomputeModule } from '@linkcap/core';
import type { SensitivityPlan, StudyProfile, OverlapKey } from '../plan/sensitivity.js';
import type { Row } from '../results/table.js';

const OVERLAP_KEYS: OverlapKey[] = ['tp', 'dp', 'pp', 'ep', 'cp'];

/** The fields of a profile that a prediction prices (not its name, description or sources). */
function pricedFields(p: StudyProfile): string {
  const t: ImplementationProfile = PROFILES[p.profile];
  const overlap = Object.fromEntries([...OVERLAP_KEYS.map((k) => [k, p.overlap[k] ?? t.overlap[k]]), ['offload', t.overlap.offload], ['slowdown', t.overlap.slowdown]]);
  return JSON.stringify([overlap, t.zero, t.zeroStages, t.gradientBytes, t.launchOverheadUs, t.fusedKernels, t.attentionKernel, t.prefetchParams ?? null, t.recomputeModules ?? [], t.fp8ActivationCache ?? false]);
}

/**
 * Profiles of a list that price exactly as an earlier one (every overlap rule, ZeRO stages, gradient bytes, launch
 * cost and kernels equal): they are not run again, and the report says so. Maps the alias to the profile it equals.
 */
export function profileAliases(profiles: StudyProfile[]): Map<string, string> {
  const aliases = new Map<string, string>();
  profiles.forEach((p, i) => {
    const same = profiles.slice(0, i).find((q) => !aliases.has(q.id) && pricedFields(q) === pricedFields(p));
    if (same) aliases.set(p.id, same.id);
  });
  return aliases;
}

/** GEMM efficiencies (BF16 and FP8) the engine uses for each cluster of the study, by cluster id. */
export type EfficiencyTable = Map<string, { bf16: number; fp8: number }>;

/**
 * The efficiency scale of a row: its chip.gemmEfficiency over the catalog's for its chip; NaN when the FP8 one
 * disagrees or the scale is not one the plan prices (a sweep mixing architectures prices every cluster at every
 * architecture's values, and keeps only its own).
 */
export function efficiencyOf(row: Row, etas: EfficiencyTable, scales: readonly number[]): number {
  const eta = etas.get(String(row.cluster));
  if (!eta) return 1;
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const bf16 = typeof row['chip.gemmEfficiency'] === 'number' ? round((row['chip.gemmEfficiency'] as number) / eta.bf16) : 1;
  const fp8 = typeof row['chip.gemmEfficiencyFp8'] === 'number' ? round((row['chip.gemmEfficiencyFp8'] as number) / eta.fp8) : bf16;
  return bf16 === fp8 && scales.includes(bf16) ? bf16 : NaN;
}

/**
 * Adds the study's two variant columns to every row: `profile` (kept when the row has it: the runner sets it) and
 * `efficiency` (the GEMM efficiency as a multiple of the catalog's for the row's chip; NaN for a combination of
 * BF16 and FP8 efficiencies off the band, which no variant reads).
 */
export function withVariant(rows: Row[], profile: string, etas: EfficiencyTable, scales: readonly number[]): Row[] {
  for (const row of rows) {
    if (row.profile === undefined) row.profile = profile;
    row.efficiency = efficiencyOf(row, etas, scales);
  }
  return rows;
}

/** The plan's profiles with @linkcap/core's definition of each, for the report. */
export function describeProfiles(plan: SensitivityPlan): { profile: StudyProfile; core: ImplementationProfile; alias?: string }[] {
  const aliases = profileAliases(plan.profiles);
  return plan.profiles.map((p) => ({ profile: p, core: PROFILES[p.profile], alias: aliases.get(p.id) }));
}
