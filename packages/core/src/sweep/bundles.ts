/**
 * Bundle axes (training): axes whose every value sets several layout fields at once. First of all the
 * implementation profile: `profile: [megatron-core, nemo, torchtitan-fsdp2, ideal]` applies each profile of
 * packages/core/src/training/profiles.ts (its overlap rules, ZeRO stage, gradient bytes, launch cost, fused
 * kernels; with `layouts: all` also the ZeRO stages it searches and its per-layout overlaps). A value may also be
 * an object, a custom bundle: `{ name: dualpipe, profile: megatron-core, overlap: { ep: 1, pp: 1 } }`, or any
 * layout fields `{ name: tp8-sp, tp: 8, sequenceParallel: true }` under an axis of any free name.
 *
 * What a value sets comes in two layers (native/src/core/sweep_plan.hpp BundlePlan): a profile's defaults are
 * applied before the layouts that `layouts: all` enumerates (whose per-layout overlaps and ZeRO stage replace
 * them), the fields an object names explicitly after them; layout axes come last of all.
 */
import { OVERLAP_RULE } from '../training/layout.js';
import { ATTENTION_KERNELS, L, LAYOUT_FIELDS } from '../training/fields.js';
import { PROFILE_IDS, PROFILES, type ImplementationProfile, type ProfileId } from '../training/profiles.js';
import { checkOverlapInput, recomputeModuleMask, resolveFramework, type FrameworkInput, type OverlapInput } from '../training/request.js';
import { parseLayoutValue, ROW_FIELDS, SEARCH_FIELDS } from './layout-values.js';
import type { AxisScalar, BundleValue } from './spec.js';

const OVERLAP_FIELDS: Record<keyof OverlapInput, number> = { tp: L.tpOverlap, dp: L.dpOverlap, pp: L.ppOverlap, ep: L.epOverlap, cp: L.cpOverlap, offload: L.offloadOverlap, slowdown: L.overlapSlowdown };

export class BundleError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * A profile's layout fields, as the engine resolves them per point: the ring rule of TP overlap and the
 * interleaved rule of pipeline overlap as OVERLAP_RULE (training/step.ts resolves them for each layout); a rule the
 * engine cannot resolve (DeepSpeed's prefetch bucket, which depends on the model's layer size) only where
 * `layouts: all` enumerates the layouts (each layout carries its value; NaN here), else an error.
 */
export function profileFields(profile: ImplementationProfile, layoutsAll: boolean, framework: FrameworkInput = {}): Map<number, number> {
  const fields = new Map<number, number>();
  const rule = (key: 'tp' | 'dp' | 'pp' | 'ep' | 'cp'): number => {
    const r = profile.overlap[key];
    if (typeof r === 'number') return r;
    if (r === 'ring' && key === 'tp') return OVERLAP_RULE;
    if (r === 'interleaved' && key === 'pp') return OVERLAP_RULE;
    if (layoutsAll) return NaN;
    throw new Error(
      `profile ${profile.id} sets the ${key} overlap per layout (${r}), which the engine resolves only for enumerated layouts: use layouts: all, or set ${key}Overlap as an axis or in the bundle`,
    );
  };
  const f = resolveFramework(framework, profile);
  fields.set(L.zero, profile.zero);
  fields.set(L.gradientBytes, f.gradientBytes);
  fields.set(L.launchOverheadS, f.launchOverheadUs * 1e-6);
  fields.set(L.fusedKernels, f.fusedKernels ? 1 : 0);
  fields.set(L.attentionKernel, ATTENTION_KERNELS.indexOf(f.attentionKernel));
  for (const key of ['tp', 'dp', 'pp', 'ep', 'cp'] as const) fields.set(OVERLAP_FIELDS[key], rule(key));
  fields.set(L.offloadOverlap, profile.overlap.offload);
  fields.set(L.overlapSlowdown, profile.overlap.slowdown);
  // The modules it recomputes and its FP8 activation cache: the engine drops them where the layout does not allow
  // them (full recompute; a BF16 run), as resolveLayout does (sweep_engine.cpp, build_layout_from).
  fields.set(L.recomputeModules, recomputeModuleMask(profile.recomputeModules ?? []));
  fields.set(L.fp8ActivationCache, profile.fp8ActivationCache ? 1 : 0);
  return fields;
}

/** Writes a profile's fields into a layout row (the base layout of a sweep). */
export function applyProfile(row: Float64Array, profile: ImplementationProfile, layoutsAll: boolean): void {
  for (const [field, value] of profileFields(profile, layoutsAll)) if (!Number.isNaN(value)) row[field] = value;
}

export interface ResolvedBundle {
  label: string;
  /** The profile this value applies (undefined: none; only objects may leave it out). */
  profile?: ProfileId;
  early: Map<number, number>;
  late: Map<number, number>;
}

export interface BundleAxis {
  labels: string[];
  values: ResolvedBundle[];
  /** The native plan's bundle: fields, late flags and one row per value (NaN where a value leaves a field). */
  native: { fields: Int32Array; late: Uint8Array; table: Float64Array };
}

export function isBundleList(values: unknown): boolean {
  return Array.isArray(values) && values.some((v) => v !== null && typeof v === 'object');
}

function resolveProfileId(id: unknown, path: (string | number)[]): ProfileId {
  if (typeof id !== 'string' || !(PROFILE_IDS as readonly string[]).includes(id)) {
    throw new BundleError(path, `${JSON.stringify(id)}: must be one of the implementation profiles ${PROFILE_IDS.join(', ')}`);
  }
  return id as ProfileId;
}

/**
 * Resolves a bundle axis. `name === 'profile'`: values are profile ids or objects; other names: objects only.
 * Throws BundleError with the path inside the axis.
 */
export function resolveBundleAxis(name: string, raw: unknown, layoutsAll: boolean): BundleAxis {
  const list = (Array.isArray(raw) ? raw : [raw]) as (AxisScalar | BundleValue)[];
  const values = list.map((v, i): ResolvedBundle => {
    if (typeof v === 'string' && name === 'profile') {
      const id = resolveProfileId(v, [i]);
      return { label: id, profile: id, early: wrap([i], () => profileFields(PROFILES[id], layoutsAll)), late: new Map() };
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new BundleError([i], `${JSON.stringify(v)}: ${name === 'profile' ? 'a profile id or ' : ''}an object { name, …fields } is expected`);
    }
    const object = v as BundleValue;
    if (typeof object.name !== 'string' || object.name === '') throw new BundleError([i, 'name'], 'each bundle value needs a name (its label in the results)');
    const profile = object.profile === undefined ? (name === 'profile' ? resolveProfileId(undefined, [i, 'profile']) : undefined) : resolveProfileId(object.profile, [i, 'profile']);
    const early = profile ? wrap([i], () => profileFields(PROFILES[profile], layoutsAll, object.framework)) : new Map<number, number>();
    const late = new Map<number, number>();
    for (const [key, value] of Object.entries(object)) {
      if (key === 'name' || key === 'profile') continue;
      if (key === 'overlap') {
        const checked = wrap([i, 'overlap'], () => checkOverlapInput(value as OverlapInput));
        for (const [k, x] of Object.entries(checked)) if (x !== undefined) late.set(OVERLAP_FIELDS[k as keyof OverlapInput], x);
        continue;
      }
      if (key === 'framework') {
        if (!profile) {
          const f = wrap([i, 'framework'], () => resolveFramework(value as FrameworkInput, PROFILES['megatron-core']));
          const given = value as FrameworkInput;
          if (given.gradientBytes !== undefined) late.set(L.gradientBytes, f.gradientBytes);
          if (given.launchOverheadUs !== undefined || given.cudaGraph !== undefined) late.set(L.launchOverheadS, f.launchOverheadUs * 1e-6);
          if (given.fusedKernels !== undefined) late.set(L.fusedKernels, f.fusedKernels ? 1 : 0);
          if (given.attentionKernel !== undefined) late.set(L.attentionKernel, ATTENTION_KERNELS.indexOf(f.attentionKernel));
        }
        continue;
      }
      const field = (LAYOUT_FIELDS as readonly string[]).indexOf(key);
      if (field < 0 || ROW_FIELDS.has(key)) {
        throw new BundleError([i, key], `"${key}" is not a layout field; a bundle value sets layout fields (${LAYOUT_FIELDS.filter((f) => !ROW_FIELDS.has(f)).join(', ')}), profile, overlap and framework`);
      }
      if (layoutsAll && SEARCH_FIELDS.has(key)) throw new BundleError([i, key], `with layouts: all, ${key} is enumerated; narrow it under layouts: { ${key}: [...] } instead`);
      const parsed = parseLayoutValue(key, value as AxisScalar);
      if (typeof parsed === 'string') throw new BundleError([i, key], parsed);
      late.set(field, parsed);
    }
    return { label: object.name, profile, early, late };
  });
  const labels = values.map((v) => v.label);
  const seen = new Set<string>();
  labels.forEach((l, i) => {
    if (seen.has(l)) throw new BundleError([i], `"${l}" is used twice; values must be distinct`);
    seen.add(l);
  });
  // The union of the fields any value sets, as (field, late) columns.
  const columns: { field: number; late: boolean }[] = [];
  const key = (field: number, late: boolean) => columns.findIndex((c) => c.field === field && c.late === late);
  for (const v of values) {
    for (const field of v.early.keys()) if (key(field, false) < 0) columns.push({ field, late: false });
    for (const field of v.late.keys()) if (key(field, true) < 0) columns.push({ field, late: true });
  }
  if (columns.length === 0) throw new BundleError([], 'the bundle values set no field');
  const table = new Float64Array(values.length * columns.length).fill(NaN);
  values.forEach((v, row) =>
    columns.forEach((c, k) => {
      const x = (c.late ? v.late : v.early).get(c.field);
      if (x !== undefined) table[row * columns.length + k] = x;
    }),
  );
  return {
    labels,
    values,
    native: { fields: Int32Array.from(columns, (c) => c.field), late: Uint8Array.from(columns, (c) => (c.late ? 1 : 0)), table },
  };
}

function wrap<T>(path: (string | number)[], run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError(path, (error as Error).message);
  }
}
