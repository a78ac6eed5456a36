/**
 * The sensitivity the study adds to each base-case sweep spec: the sweep engine's `profile` axis (every profile of
 * the sweep, a custom one as a bundle), and the GEMM efficiency axes (the catalog's η of every chip in the sweep,
 * BF16 and FP8 together, times the plan's band), paired per cluster by a `where` clause when chips differ. Every
 * reduction is grouped by the added axes too, so each variant has its own argmin, ratio and quantiles.
 */
import { chipParams, chipRatesFromSpec, LinkcapInputError, loadCatalog, resolveCluster, type SweepSpec } from '@linkcap/core';
import type { EfficiencyTable } from '../analysis/profiles.js';
import { axisList } from '../plan/load-plan.js';
import type { StudyProfile } from '../plan/sensitivity.js';

export const EFFICIENCY_AXES = ['chip.gemmEfficiency', 'chip.gemmEfficiencyFp8'] as const;

/** A custom value of the engine's `profile` axis (docs/sweeps.md, "Bundle axes"). */
type BundleValue = Extract<Extract<SweepSpec['axes'][string], unknown[]>[number], object>;

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

/**
 * One value of the `profile` axis: a plan profile that only renames a core profile is its id; one with overlaps of
 * its own is a custom bundle. A profile's per-layout settings (DeepSeek-V3's recomputed modules and FP8 activation
 * cache) need nothing here: the engine applies them where each point's layout allows (docs/sweeps.md, "Bundle axes").
 */
export function profileAxisValue(p: StudyProfile): string | BundleValue {
  if (p.id === p.profile && Object.keys(p.overlap).length === 0) return p.profile;
  return { name: p.id, profile: p.profile, ...(Object.keys(p.overlap).length > 0 ? { overlap: { ...p.overlap } } : {}) };
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}

function literal(value: number): string {
  // JavaScript's shortest round-trip form: the expression parser reads back the very same double.
  return String(value);
}

/**
 * The spec as the study runs it: the profiles as the engine's `profile` axis and the GEMM efficiency axes, every
 * reduction grouped by them.
 */
export function sensitivitySpec(spec: SweepSpec, baseDir: string, name: string, profiles: StudyProfile[], scales: readonly number[]): { spec: SweepSpec } {
  const axes: SweepSpec['axes'] = { ...spec.axes };
  if ('profile' in spec.axes) throw new LinkcapInputError(`${name}: axes.profile`, 'the study sets the profiles (study.yaml sensitivity.profiles); remove the axis from the spec');
  axes.profile = profiles.map(profileAxisValue);
  for (const axis of EFFICIENCY_AXES) if (axis in spec.axes) throw new LinkcapInputError(`${name}: axes.${axis}`, 'the study varies GEMM efficiency itself (study.yaml sensitivity.efficiency); remove the axis from the spec');
  const etas = efficiencyTable(spec, baseDir);
  const fp8 = axisList(spec, 'precision').includes('fp8');
  axes['chip.gemmEfficiency'] = unique(scales.flatMap((s) => [...etas.values()].map((e) => e.bf16 * s)));
  if (fp8) axes['chip.gemmEfficiencyFp8'] = unique(scales.flatMap((s) => [...etas.values()].map((e) => e.fp8 * s)));
  const added = ['profile', 'chip.gemmEfficiency', ...(fp8 ? ['chip.gemmEfficiencyFp8'] : [])];

  // Each cluster keeps its own chip's values (the same scale for BF16 and FP8): the pairs as a where clause, needed
  // only when the values are not all one chip's.
  const where = spec.where === undefined ? [] : Array.isArray(spec.where) ? [...spec.where] : [spec.where];
  const distinct = new Set([...etas.values()].map((e) => `${e.bf16}|${e.fp8}`));
  if (distinct.size > 1 || fp8) {
    const perCluster = [...etas.entries()].map(([cluster, e]) => {
      const pairs = scales.map((s) => `(chip.gemmEfficiency == ${literal(e.bf16 * s)}${fp8 ? ` && chip.gemmEfficiencyFp8 == ${literal(e.fp8 * s)}` : ''})`);
      return `(cluster == '${cluster}' && (${pairs.join(' || ')}))`;
    });
    where.push(perCluster.join(' || '));
  }
  const reduce = spec.reduce?.map((r) => {
    const by = (r as { by?: string[] }).by ?? [];
    return { ...r, by: [...by, ...added.filter((a) => !by.includes(a))] } as typeof r;
  });
  return { spec: { ...spec, axes, ...(where.length > 0 ? { where } : {}), reduce } };
}
