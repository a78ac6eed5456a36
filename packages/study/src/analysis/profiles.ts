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

/** The profile the sweep engine prices with when a spec names none. */
export const ENGINE_PROFILE: ProfileId = 'megatron-core';

const OVERLAP_KEYS: OverlapKey[] = ['tp', 'dp', 'pp', 'ep', 'cp'];

/** What a study profile changes against the engine's default, in the terms a sweep spec can state. */
export interface PricedProfile {
  id: string;
  /** Overlap fractions that differ from the engine profile's (as numbers: the sweep's tpOverlap … cpOverlap). */
  overlap: Partial<Record<OverlapKey, number>>;
  /** Compute slowdown while communication hides (the sweep's overlapSlowdown), when it differs. */
  slowdown?: number;
  /** ZeRO stages the framework offers, when they differ (the layout search's `zero` list). */
  zeroStages?: number[];
  /** Other layout fields the profile sets differently, as sweep axis values (gradientBytes, recomputeModules, …). */
  fields: Record<string, number>;
  /** The same departures as predictTraining options (for the follow-ups, priced as the engine priced the run). */
  request: { framework: { gradientBytes?: 2 | 4 }; layout: { recomputeModules?: RecomputeModule[]; fp8ActivationCache?: boolean } };
  /** Fields of the profile a sweep spec cannot state yet, left at the engine profile's values (said in the report). */
  notPriced: string[];
}

function ruleText(rule: OverlapRule): string {
  return typeof rule === 'number' ? String(rule) : rule;
}

/**
 * What `p` changes against the engine's profile. A per-layout rule (ring TP overlap, interleaved-only PP overlap,
 * ZeRO-3 prefetch) that differs from the engine's cannot be a fixed axis value, nor can a launch cost (the sweep's
 * launchOverheadS axis takes whole numbers) or eager kernels: they are listed in notPriced.
 */
export function pricedProfile(p: StudyProfile): PricedProfile {
  const target = PROFILES[p.profile];
  const engine = PROFILES[ENGINE_PROFILE];
  const out: PricedProfile = { id: p.id, overlap: {}, fields: {}, request: { framework: {}, layout: {} }, notPriced: [] };
  for (const k of OVERLAP_KEYS) {
    const wanted: OverlapRule = p.overlap[k] ?? target.overlap[k];
    if (wanted === engine.overlap[k]) continue;
    if (typeof wanted === 'number') out.overlap[k] = wanted;
    else out.notPriced.push(`${k.toUpperCase()} overlap rule ${ruleText(wanted)} (priced as ${ruleText(engine.overlap[k])})`);
  }
  if (target.overlap.slowdown !== engine.overlap.slowdown) out.slowdown = target.overlap.slowdown;
  if (JSON.stringify(target.zeroStages) !== JSON.stringify(engine.zeroStages)) out.zeroStages = [...target.zeroStages];
  if (target.gradientBytes !== engine.gradientBytes) {
    out.fields.gradientBytes = target.gradientBytes;
    out.request.framework.gradientBytes = target.gradientBytes;
  }
  const modules = target.recomputeModules ?? [];
  if (JSON.stringify(modules) !== JSON.stringify(engine.recomputeModules ?? [])) {
    // A bit mask of RECOMPUTE_MODULES (LayoutParams.recomputeModules); the sweep's axis takes whole numbers from 1.
    const mask = modules.reduce((m, name) => m | (1 << RECOMPUTE_MODULES.indexOf(name)), 0);
    if (mask > 0) {
      out.fields.recomputeModules = mask;
      out.request.layout.recomputeModules = [...modules];
    } else out.notPriced.push('no recomputed modules');
  }
  if ((target.fp8ActivationCache ?? false) !== (engine.fp8ActivationCache ?? false)) {
    if (target.fp8ActivationCache) {
      out.fields.fp8ActivationCache = 1;
      out.request.layout.fp8ActivationCache = true;
    } else out.notPriced.push('no FP8 activation cache');
  }
  if (target.launchOverheadUs !== engine.launchOverheadUs) out.notPriced.push(`${target.launchOverheadUs} µs per kernel launch (priced with ${engine.launchOverheadUs} µs)`);
  if (target.fusedKernels !== engine.fusedKernels) out.notPriced.push(`${target.fusedKernels ? 'fused' : 'eager'} kernels (priced ${engine.fusedKernels ? 'fused' : 'eager'})`);
  return out;
}

/** The fields of a profile that a prediction prices (not its name, description or sources). */
function pricedFields(p: StudyProfile): string {
  const t: ImplementationProfile = PROFILES[p.profile];
  const overlap = Object.fromEntries([...OVERLAP_KEYS.map((k) => [k, p.overlap[k] ?? t.overlap[k]]), ['offload', t.overlap.offload], ['slowdown', t.overlap.slowdown]]);
  return JSON.stringify([overlap, t.zero, t.zeroStages, t.gradientBytes, t.launchOverheadUs, t.fusedKernels, t.prefetchParams ?? null, t.recomputeModules ?? [], t.fp8ActivationCache ?? false]);
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

/** The plan's profiles with what each changes, for the report. */
export function describeProfiles(plan: SensitivityPlan): { profile: StudyProfile; core: ImplementationProfile; priced: PricedProfile; alias?: string }[] {
  const aliases = profileAliases(plan.profiles);
  return plan.profiles.map((p) => ({ profile: p, core: PROFILES[p.profile], priced: pricedProfile(p), alias: aliases.get(p.id) }));
}
