/**
 * The study plan: examples/study/study.yaml names the sweep specs, the reduced grid of --quick and the assumptions
 * (claims tested, prices, token budget) the report states. loadPlan reads it and every spec it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinkcapInputError } from '@linkcap/core';
import { parse as parseYaml } from 'yaml';
import { checkSweepSpec, type AxisValue, type TrainingSweepSpec } from './spec.js';

/** The sweeps the export-control study needs, by the name the analysis uses. */
export const STUDY_SWEEPS = ['h800-vs-h100', 'workarounds', 'deepseek-v3', 'tencent', 'fewer-chips', 'link-cap-line', 'cost'] as const;
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

export interface StudyPlan {
  /** Folder of study.yaml; model references like models.yaml#id resolve against it. */
  dir: string;
  file: string;
  title: string;
  quick: boolean;
  sweeps: Record<StudySweep, { file: string; spec: TrainingSweepSpec }>;
  sensitivity: { overlap: Record<string, string>; gemmEfficiency: { note: string } };
  claims: StudyClaims;
  prices: StudyPrices;
  tokens: number;
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LinkcapInputError(file, `cannot read as YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Where the shipped plan lives: examples/study/study.yaml of the linkcap checkout this package runs from (found
 * by walking up from this file), else from the working directory.
 */
export function defaultPlanFile(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
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

function applyQuick(spec: TrainingSweepSpec, overlay: unknown, file: string): TrainingSweepSpec {
  if (overlay === undefined || overlay === null) return spec;
  if (!isObject(overlay)) throw new LinkcapInputError(`${file}: quick.${spec.name}`, 'must be { axes: { axis: [values] } }');
  const axes = overlay.axes ?? {};
  if (!isObject(axes)) throw new LinkcapInputError(`${file}: quick.${spec.name}.axes`, 'must map axes to lists');
  const next = { ...spec, axes: { ...spec.axes } };
  for (const [axis, values] of Object.entries(axes)) {
    if (!(axis in spec.axes)) throw new LinkcapInputError(`${file}: quick.${spec.name}.axes.${axis}`, `not an axis of ${spec.name}`);
    next.axes[axis] = values as AxisValue[];
  }
  return checkSweepSpec(next, `${file} (quick.${spec.name})`);
}

function need<T>(value: T | undefined, file: string, path: string, what: string): T {
  if (value === undefined || value === null) throw new LinkcapInputError(`${file}: ${path}`, `required: ${what}`);
  return value;
}

/** Reads the study plan and its sweep specs; `quick` applies the plan's reduced grid. */
export function loadPlan(options: { file?: string; quick?: boolean } = {}): StudyPlan {
  const file = resolve(options.file ?? defaultPlanFile());
  const dir = dirname(file);
  const data = readYaml(file);
  if (!isObject(data)) throw new LinkcapInputError(file, 'must be a study plan { study, sweeps, quick, claims, prices }');
  const sweepFiles = data.sweeps;
  if (!isObject(sweepFiles)) throw new LinkcapInputError(`${file}: sweeps`, 'must map sweep names to spec files');
  const quickOverlays = isObject(data.quick) ? data.quick : {};
  const sweeps = {} as StudyPlan['sweeps'];
  for (const name of STUDY_SWEEPS) {
    const rel = sweepFiles[name];
    if (typeof rel !== 'string') throw new LinkcapInputError(`${file}: sweeps.${name}`, 'required: the spec file of this sweep');
    const specFile = resolve(dir, rel);
    let spec = checkSweepSpec(readYaml(specFile), specFile);
    if (options.quick) spec = applyQuick(spec, quickOverlays[name], file);
    sweeps[name] = { file: specFile, spec };
  }
  const sensitivity = need(data.sensitivity as StudyPlan['sensitivity'] | undefined, file, 'sensitivity', 'what each sensitivity value means');
  const claims = need(data.claims as StudyClaims | undefined, file, 'claims', 'the claims the report tests');
  const prices = need(data.prices as StudyPrices | undefined, file, 'prices', 'prices per GPU-hour');
  const tokens = need(data.tokens as number | undefined, file, 'tokens', 'the token budget GPU-hours are counted for');
  if (typeof tokens !== 'number' || !(tokens > 0)) throw new LinkcapInputError(`${file}: tokens`, 'must be a number of tokens > 0');
  return {
    dir,
    file,
    title: typeof data.title === 'string' ? data.title : 'The export-control study',
    quick: options.quick === true,
    sweeps,
    sensitivity,
    claims,
    prices,
    tokens,
  };
}
