/**
 * The sensitivity the study adds to each base-case sweep spec: one run per implementation profile (the profile's
 * departures from the engine's default as layout axes and the layout search's ZeRO stages), and the GEMM
 * efficiency axes (the catalog's η of every chip in the sweep, times the plan's band). Every reduction is grouped by
 * the added axes too, so each variant has its own argmin, ratio and quantiles.
 */
import { chipParams, chipRatesFromSpec, LinkcapInputError, loadCatalog, resolveCluster, type SweepSpec } from '@linkcap/core';
import type { EfficiencyTable, PricedProfile } from '../analysis/profiles.js';
import { axisList } from '../plan/load-plan.js';

const OVERLAP_AXIS = { tp: 'tpOverlap', dp: 'dpOverlap', pp: 'ppOverlap', ep: 'epOverlap', cp: 'cpOverlap' } as const;
export const EFFICIENCY_AXES = ['chip.gemmEfficiency', 'chip.gemmEfficiencyFp8'] as const;

/** The BF16 and FP8 GEMM efficiencies the engine prices each cluster of the spec with (the catalog's, by architecture). */
export function efficiencyTable(spec: SweepSpec, baseDir: string, into: EfficiencyTable = new Map()): EfficiencyTable {
  const catalog = loadCatalog({ files: (spec.catalog ?? []).map(String), cwd: baseDir });
  for (const ref of axisList(spec, 'cluster').map(String)) {
    const cluster = resolveCluster(ref, catalog, baseDir);
    // The chip row as the sweep engine builds it (sweep/plan.ts): built-in constants of the chip's architecture.
    const chip = chipParams(chipRatesFromSpec(cluster.chip));
    into.set(cluster.id, { bf16: chip.gemmEfficiency, fp8: chip.gemmEfficiencyFp8 });
  }
  return into;
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}

function addBy(spec: SweepSpec, axes: string[]): SweepSpec['reduce'] {
  return spec.reduce?.map((r) => {
    const by = (r as { by?: string[] }).by ?? [];
    return { ...r, by: [...by, ...axes.filter((a) => !by.includes(a))] } as typeof r;
  });
}

/**
 * Why the sweep engine cannot price `profile` on this spec, or undefined when it can. With layout lists (`layouts:
 * all` or a narrowed search), each listed layout carries the engine profile's overlap fractions, which override
 * overlap axes (packages/core/src/sweep/plan.ts, searchLayoutRows): a profile that departs in its overlaps needs
 * the engine's own profile axis.
 */
export function unpricedReason(spec: SweepSpec, profile: PricedProfile): string | undefined {
  const departs = Object.keys(profile.overlap);
  if (spec.layouts === undefined || departs.length === 0) return undefined;
  return `its ${departs.map((k) => k.toUpperCase()).join(', ')} overlap cannot be set on a layout search yet (the sweep engine's layout lists carry megatron-core's overlap fractions)`;
}

/**
 * The spec as the study runs it under one profile: the profile's overlap fractions and compute slowdown as
 * single-valued axes, its ZeRO stages in the layout search, and the efficiency axes.
 */
export function sensitivitySpec(spec: SweepSpec, baseDir: string, name: string, profile: PricedProfile, scales: readonly number[]): SweepSpec {
  const axes: SweepSpec['axes'] = { ...spec.axes };
  for (const [key, axis] of Object.entries(OVERLAP_AXIS)) {
    if (axis in spec.axes) throw new LinkcapInputError(`${name}: axes.${axis}`, 'the study sets the overlap fractions per profile (study.yaml sensitivity.profiles); remove the axis from the spec');
    const value = profile.overlap[key as keyof typeof OVERLAP_AXIS];
    if (value !== undefined) axes[axis] = [value];
  }
  if (profile.slowdown !== undefined) axes.overlapSlowdown = [profile.slowdown];
  for (const [field, value] of Object.entries(profile.fields)) {
    if (field in spec.axes) throw new LinkcapInputError(`${name}: axes.${field}`, `the study sets ${field} per profile (study.yaml sensitivity.profiles); remove the axis from the spec`);
    // The FP8 activation cache needs FP8 GEMMs: set it only where every point runs them.
    if (field === 'fp8ActivationCache' && axisList(spec, 'precision').some((x) => x !== 'fp8')) continue;
    axes[field] = [value];
  }
  let layouts = spec.layouts;
  if (profile.zeroStages && layouts !== undefined) {
    const given = layouts === 'all' ? undefined : (layouts as { zero?: (number | string)[] }).zero;
    const stages = given ? profile.zeroStages.filter((z) => given.map((g) => (g === 'fsdp' ? 3 : Number(g))).includes(z)) : profile.zeroStages;
    // A recipe that pins a ZeRO stage the profile lacks (the classic recipe's distributed optimizer under 2021's
    // Megatron-LM) runs with the profile's own stage.
    const zero = stages.length > 0 ? stages : [Math.min(...profile.zeroStages)];
    layouts = { ...(layouts === 'all' ? {} : layouts), zero } as SweepSpec['layouts'];
  }
  const added: string[] = [];
  const etaList = [...efficiencyTable(spec, baseDir).values()];
  for (const axis of EFFICIENCY_AXES) if (axis in spec.axes) throw new LinkcapInputError(`${name}: axes.${axis}`, 'the study varies GEMM efficiency itself (study.yaml sensitivity.efficiency); remove the axis from the spec');
  axes['chip.gemmEfficiency'] = unique(scales.flatMap((s) => etaList.map((e) => e.bf16 * s)));
  added.push('chip.gemmEfficiency');
  if (axisList(spec, 'precision').includes('fp8')) {
    axes['chip.gemmEfficiencyFp8'] = unique(scales.flatMap((s) => etaList.map((e) => e.fp8 * s)));
    added.push('chip.gemmEfficiencyFp8');
  }
  return { ...spec, axes, ...(layouts !== undefined ? { layouts } : {}), reduce: addBy(spec, added) };
}
