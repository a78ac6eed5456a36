/**
 * The study plan: examples/study/study.yaml names the sweep specs (plain `linkcap sweep` specs, run by the native
 * sweep engine), the reduced grid of --quick, the sensitivity (profiles, GEMM-efficiency band) and the assumptions
 * (claims tested, prices) the report states. loadPlan reads it and parses every spec it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSweepSpec, LinkcapInputError, parseSweepSpec, SpecSource, type SweepSpec } from '@linkcap/core';
import { parse as parseYaml } from 'yaml';
import { parseSensitivity, type SensitivityPlan } from './sensitivity.js';

/** The sweeps the export-control study runs, by the name the analysis reads them under. */
export const STUDY_SWEEPS = [
  'h800-vs-h100',
  'workarounds',
  'workarounds-classic',
  'workarounds-no-tp',
  'deepseek-v3',
  'tencent',
  'fewer-chips',
  'link-cap-line',
  'cost',
] as const;
export type StudySweep = (typeof STUDY_SWEEPS)[number];

export interface StudyClaims {
  slowdown: { low: number; high: number; source: string };
  doubleCost: { factor: number; source: string };
  deepseekV3: { gpuHoursPerTrillionTokens: number; source: string };
  workarounds: { source: string };
  tencent: { previousDays: number; newDays: number; computeRatio: number; networkGain: number; source: string };
}

export interface StudyPrices {
  base: Record<string, number>;
  source: string;
  h800Premiums: number[];
  utilisation: number[];
}

export interface PlannedSweep {
  file: string;
  spec: SweepSpec;
  /** --quick leaves this sweep out (its section reads only the others). */
  skipped: boolean;
}

export interface StudyPlan {
  /** Folder of study.yaml (and of the specs). */
  dir: string;
  file: string;
  title: string;
  quick: boolean;
  sweeps: Record<StudySweep, PlannedSweep>;
  /** The profiles and the GEMM-efficiency band every headline number is recomputed under. */
  sensitivity: SensitivityPlan;
  claims: StudyClaims;
  prices: StudyPrices;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LinkcapInputError(file, `cannot read as YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Where the shipped plan lives: examples/study/study.yaml of the linkcap checkout this package runs from (found by
 * walking up from this file), else from the working directory.
 */
export function defaultPlanFile(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'examples', 'study', 'study.yaml');
      if (existsSync(candidate)) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new LinkcapInputError('plan', 'examples/study/study.yaml not found above this package or the working directory; pass --plan FILE');
}

/** --quick: the overlay's axes replace the spec's, its `where` (when given) replaces the spec's; `skip: true` leaves the sweep out. */
function applyQuick(spec: SweepSpec, overlay: unknown, file: string, name: string): { spec: SweepSpec; skipped: boolean } {
  if (overlay === undefined || overlay === null) return { spec, skipped: false };
  const path = `${file}: quick.${name}`;
  if (!isObject(overlay)) throw new LinkcapInputError(path, 'must be { axes: { axis: [values] }, where?, skip? }');
  if (overlay.skip === true) return { spec, skipped: true };
  const next: SweepSpec = { ...spec, axes: { ...spec.axes } };
  const axes = overlay.axes ?? {};
  if (!isObject(axes)) throw new LinkcapInputError(`${path}.axes`, 'must map axes to lists');
  for (const [axis, values] of Object.entries(axes)) {
    if (!(axis in spec.axes)) throw new LinkcapInputError(`${path}.axes.${axis}`, `not an axis of ${name} (${Object.keys(spec.axes).join(', ')})`);
    next.axes[axis] = values as SweepSpec['axes'][string];
  }
  if (overlay.where !== undefined) next.where = overlay.where as SweepSpec['where'];
  // Pair reductions (ratio, best-ratio, carried-ratio) whose numerator or denominator the reduced grid leaves out go.
  next.reduce = spec.reduce?.filter((r) => {
    if (r.axis === undefined || !(r.axis in (axes as object))) return true;
    const values = axisList(next, r.axis).map(String);
    return [r.numerator, r.denominator].every((v) => v === undefined || values.includes(String(v)));
  });
  return { spec: checkSweepSpec(next, new SpecSource(`${file} (quick.${name})`)), skipped: false };
}

function need<T>(value: T | undefined, file: string, path: string, what: string): T {
  if (value === undefined || value === null) throw new LinkcapInputError(`${file}: ${path}`, `required: ${what}`);
  return value;
}

/** Reads the study plan and parses its sweep specs; `quick` applies the plan's reduced grid. */
export function loadPlan(options: { file?: string; quick?: boolean } = {}): StudyPlan {
  const file = resolve(options.file ?? defaultPlanFile());
  const dir = dirname(file);
  const data = readYaml(file);
  if (!isObject(data)) throw new LinkcapInputError(file, 'must be a study plan { study, sweeps, quick, claims, prices }');
  const sweepFiles = data.sweeps;
  if (!isObject(sweepFiles)) throw new LinkcapInputError(`${file}: sweeps`, 'must map sweep names to spec files');
  const quickOverlays = isObject(data.quick) ? data.quick : {};
  if (data.sameLayout !== undefined) throw new LinkcapInputError(`${file}: sameLayout`, "no longer read: the specs state the baseline's best layout carried to the other side as carried-ratio reductions (docs/sweeps.md)");
  const sweeps = {} as StudyPlan['sweeps'];
  for (const name of STUDY_SWEEPS) {
    const rel = sweepFiles[name];
    if (typeof rel !== 'string') throw new LinkcapInputError(`${file}: sweeps.${name}`, 'required: the spec file of this sweep');
    const specFile = resolve(dir, rel);
    if (!existsSync(specFile)) throw new LinkcapInputError(`${file}: sweeps.${name}`, `${specFile}: no such file`);
    let { spec } = parseSweepSpec(readFileSync(specFile, 'utf8'), specFile);
    let skipped = false;
    if (options.quick) ({ spec, skipped } = applyQuick(spec, quickOverlays[name], file, name));
    sweeps[name] = { file: specFile, spec, skipped };
  }
  const sensitivity = parseSensitivity(data.sensitivity, file);
  for (const sweep of Object.keys(sensitivity.perSweep)) {
    if (!(STUDY_SWEEPS as readonly string[]).includes(sweep)) throw new LinkcapInputError(`${file}: sensitivity.profiles.sweeps.${sweep}`, `not a sweep of the study (${STUDY_SWEEPS.join(', ')})`);
  }
  const claims = need(data.claims as StudyClaims | undefined, file, 'claims', 'the claims the report tests');
  const prices = need(data.prices as StudyPrices | undefined, file, 'prices', 'prices per GPU-hour');
  return { dir, file, title: typeof data.title === 'string' ? data.title : 'The export-control study', quick: options.quick === true, sweeps, sensitivity, claims, prices };
}

/** The values of one axis of a spec as a list (the study's specs list their values; a bundle counts by its name). */
export function axisList(spec: SweepSpec, axis: string): (string | number | boolean)[] {
  const values = spec.axes[axis];
  if (values === undefined) return [];
  if (!Array.isArray(values)) return typeof values === 'object' ? [] : [values];
  return values.map((v) => (typeof v === 'object' && v !== null ? v.name : v));
}
