/**
 * The study's sensitivity plan (study.yaml `sensitivity:`): which implementation profiles every headline number is
 * recomputed under (docs/model/training.md, "Implementation profiles") and the band around the catalog's
 * per-architecture GEMM efficiency. The sweep specs describe the base case only; the study adds the sensitivity to
 * each of them (sweeps/sensitivity-axes.ts), so the catalog's calibrated numbers are never retyped in a spec.
 */
import { LinkcapInputError, PROFILE_IDS, type ProfileId } from '@linkcap/core';

const OVERLAP_KEYS = ['tp', 'dp', 'pp', 'ep', 'cp'] as const;
export type OverlapKey = (typeof OVERLAP_KEYS)[number];

/** A profile as the study names it: one of @linkcap/core's profiles, with overlap fractions overridden or not. */
export interface StudyProfile {
  id: string;
  profile: ProfileId;
  /** Overlap fractions set on top of the profile's (DualPipe: EP and PP hidden). */
  overlap: Partial<Record<OverlapKey, number>>;
  /** What the profile stands for in this study (the plan's words; the report adds @linkcap/core's description). */
  meaning: string;
}

export interface SensitivityPlan {
  /** The base case's profile id (every sweep's first profile unless `sweeps` names others). */
  base: string;
  /** Every profile the plan names, base first. */
  profiles: StudyProfile[];
  /** Profiles per sweep (ids), where a sweep departs from [base, ...vary]. */
  perSweep: Record<string, string[]>;
  /** The departures from the base: [base, ...vary]. */
  order: string[];
  efficiency: {
    /** Relative half-width of the band: η × (1 − band) and η × (1 + band) are priced besides the catalog's η. */
    band: number;
    note: string;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function profileId(value: unknown, path: string): ProfileId {
  if (typeof value !== 'string' || !(PROFILE_IDS as readonly string[]).includes(value)) {
    throw new LinkcapInputError(path, `${JSON.stringify(value)}: must be one of ${PROFILE_IDS.join(', ')}`);
  }
  return value as ProfileId;
}

function fraction(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new LinkcapInputError(path, `${JSON.stringify(value)}: must be a number from 0 to 1`);
  return value;
}

/** Reads `sensitivity:` of a study plan (`file` names the plan in errors). */
export function parseSensitivity(data: unknown, file: string): SensitivityPlan {
  const path = `${file}: sensitivity`;
  if (!isObject(data)) throw new LinkcapInputError(path, 'required: { profiles: { base, vary, meaning, custom?, sweeps? }, efficiency: { band, note } }');
  const p = data.profiles;
  if (!isObject(p)) throw new LinkcapInputError(`${path}.profiles`, 'required: { base, vary: [profile ids], meaning: { id: text } }');
  const meaning = isObject(p.meaning) ? p.meaning : {};
  const profiles: StudyProfile[] = [];
  const add = (id: string, profile: ProfileId, overlap: StudyProfile['overlap']) => {
    if (profiles.some((x) => x.id === id)) throw new LinkcapInputError(`${path}.profiles`, `"${id}" is named twice`);
    profiles.push({ id, profile, overlap, meaning: typeof meaning[id] === 'string' ? meaning[id] : '' });
  };
  const base = profileId(p.base, `${path}.profiles.base`);
  add(base, base, {});
  if (!Array.isArray(p.vary)) throw new LinkcapInputError(`${path}.profiles.vary`, `must be a list of profile ids (${PROFILE_IDS.join(', ')})`);
  p.vary.forEach((v, i) => {
    const id = profileId(v, `${path}.profiles.vary[${i}]`);
    add(id, id, {});
  });
  const order = profiles.map((x) => x.id);
  if (p.custom !== undefined) {
    if (!isObject(p.custom)) throw new LinkcapInputError(`${path}.profiles.custom`, 'must map names to { profile, overlap: { tp|dp|pp|ep|cp: fraction } }');
    for (const [id, c] of Object.entries(p.custom)) {
      const at = `${path}.profiles.custom.${id}`;
      if (!isObject(c)) throw new LinkcapInputError(at, 'must be { profile, overlap: { tp|dp|pp|ep|cp: fraction } }');
      const overlap: StudyProfile['overlap'] = {};
      if (c.overlap !== undefined) {
        if (!isObject(c.overlap)) throw new LinkcapInputError(`${at}.overlap`, `must map ${OVERLAP_KEYS.join(', ')} to fractions`);
        for (const [k, v] of Object.entries(c.overlap)) {
          if (!(OVERLAP_KEYS as readonly string[]).includes(k)) throw new LinkcapInputError(`${at}.overlap.${k}`, `not an overlap field (${OVERLAP_KEYS.join(', ')})`);
          overlap[k as OverlapKey] = fraction(v, `${at}.overlap.${k}`);
        }
      }
      add(id, profileId(c.profile, `${at}.profile`), overlap);
    }
  }
  const perSweep: Record<string, string[]> = {};
  if (p.sweeps !== undefined) {
    if (!isObject(p.sweeps)) throw new LinkcapInputError(`${path}.profiles.sweeps`, 'must map sweep names to lists of profile ids');
    for (const [sweep, list] of Object.entries(p.sweeps)) {
      if (!Array.isArray(list) || list.length === 0) throw new LinkcapInputError(`${path}.profiles.sweeps.${sweep}`, 'must be a non-empty list of profile ids');
      perSweep[sweep] = list.map((id, i) => {
        // A sweep may name any of @linkcap/core's profiles besides the plan's own.
        if (!profiles.some((x) => x.id === id)) {
          if (!(PROFILE_IDS as readonly string[]).includes(String(id))) {
            throw new LinkcapInputError(`${path}.profiles.sweeps.${sweep}[${i}]`, `"${String(id)}" is neither a profile of the plan (${profiles.map((x) => x.id).join(', ')}) nor one of ${PROFILE_IDS.join(', ')}`);
          }
          add(String(id), id as ProfileId, {});
        }
        return String(id);
      });
    }
  }
  const e = data.efficiency;
  if (!isObject(e)) throw new LinkcapInputError(`${path}.efficiency`, 'required: { band: relative half-width (0.15 = ±15%), note }');
  if (typeof e.band !== 'number' || !(e.band > 0 && e.band < 0.5)) throw new LinkcapInputError(`${path}.efficiency.band`, `${JSON.stringify(e.band)}: must be a number from 0 to 0.5 (both excluded)`);
  return { base, profiles, perSweep, order, efficiency: { band: e.band, note: typeof e.note === 'string' ? e.note : '' } };
}

/** The study profiles a sweep runs under, its base first. */
export function profilesOf(plan: SensitivityPlan, sweep: string): StudyProfile[] {
  const ids = plan.perSweep[sweep] ?? plan.order;
  return ids.map((id) => plan.profiles.find((p) => p.id === id)!);
}

/** The efficiency scales priced: the catalog's η (1), then its lower and upper edge. */
export function efficiencyScales(plan: SensitivityPlan): number[] {
  return [1, 1 - plan.efficiency.band, 1 + plan.efficiency.band];
}
