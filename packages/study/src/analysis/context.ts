/**
 * What every section of the study reads: the plan (assumptions, claims), the result directories of its sweeps,
 * the models' sizes, and the model's measured error.
 */
import { axisList, type StudyPlan, type StudySweep } from '../plan/load-plan.js';
import type { SweepResult } from '../results/result-dir.js';
import { profilesOf } from '../plan/sensitivity.js';
import type { Row } from '../results/table.js';
import { stat, type ModelError, type ErrorStat, type PartError } from '../validation/model-error.js';
import { share } from '../report/format.js';
import type { Variant } from './variants.js';

export interface ModelInfo {
  id: string;
  name: string;
  totalParams: number;
  activeParams: number;
  moe: boolean;
}

/** One sweep of the study as it ran: its result directory and its tables. */
export interface StudySweepResult {
  /** The result directory, relative to the report folder (sweeps/<name>). */
  dir: string;
  result: SweepResult;
  /**
   * Reduction tables by name, every row with its `profile` and `efficiency` (variants.ts); `same-layout` holds both
   * sides of the carried-ratio reductions (sweeps/carried.ts).
   */
  tables: Record<string, Row[]>;
  /** Profiles of the plan not run because they price exactly as another (alias → profile). */
  aliases: Record<string, string>;
}

export interface StudyContext {
  plan: StudyPlan;
  /** The sweeps that ran (a sweep --quick skips is absent). */
  results: Partial<Record<StudySweep, StudySweepResult>>;
  models: Map<string, ModelInfo>;
  /** Model id of each model reference on the specs' axes (preset id or models.yaml#id). */
  modelIdOf: Map<string, string>;
  /** undefined when docs/validation.md is not found (an installed package outside the checkout). */
  modelError: ModelError | undefined;
}

/** The rows of one reduction over one or more sweeps (sweeps that did not run add nothing). */
export function table(ctx: StudyContext, sweeps: StudySweep | StudySweep[], name: string): Row[] {
  const out: Row[] = [];
  for (const sweep of Array.isArray(sweeps) ? sweeps : [sweeps]) {
    const result = ctx.results[sweep];
    if (!result) continue;
    const rows = result.tables[name];
    if (!rows) throw new Error(`the ${sweep} sweep has no "${name}" reduction`);
    out.push(...rows);
  }
  return out;
}

/** The base variant of a sweep: its first profile (the plan's base unless the sweep names others) at the catalog's η. */
export function baseVariant(ctx: StudyContext, sweep: StudySweep): Variant {
  return { profile: profilesOf(ctx.plan.sensitivity, sweep)[0].id, efficiency: 1 };
}

/** Model ids of the sweeps' model axes, in axis order, without repeats. */
export function modelIds(ctx: StudyContext, sweeps: StudySweep | StudySweep[]): string[] {
  const ids: string[] = [];
  for (const sweep of Array.isArray(sweeps) ? sweeps : [sweeps]) {
    if (!ctx.results[sweep]) continue;
    for (const ref of axisList(ctx.plan.sweeps[sweep].spec, 'model')) {
      const id = ctx.modelIdOf.get(String(ref)) ?? String(ref);
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** The numeric values of an axis over the sweeps that ran, ascending, without repeats. */
export function numbers(ctx: StudyContext, sweeps: StudySweep | StudySweep[], axis: string): number[] {
  const values = new Set<number>();
  for (const sweep of Array.isArray(sweeps) ? sweeps : [sweeps]) {
    if (!ctx.results[sweep]) continue;
    for (const v of axisList(ctx.plan.sweeps[sweep].spec, axis)) values.add(Number(v));
  }
  return [...values].sort((a, b) => a - b);
}

/** The string values of an axis of one sweep. */
export function labels(ctx: StudyContext, sweep: StudySweep, axis: string): string[] {
  return axisList(ctx.plan.sweeps[sweep].spec, axis).map(String);
}

export function modelName(ctx: StudyContext, id: string): string {
  return ctx.models.get(id)?.name ?? id;
}

function describeStat(label: string, s: ErrorStat | undefined): string {
  if (!s || s.rows === 0) return `${label}: no validated rows`;
  return `${label} median ${share(s.medianAbsError)}, worst ${share(s.worstAbsError)} over ${s.rows} published runs`;
}

/** Rows no constant was fitted on (validation and held-out), pooled, by architecture or overall. */
export function outOfSample(part: PartError, arch?: string): ErrorStat | undefined {
  const groups = arch === undefined ? part.byRole : part.byArchitectureRole[arch] ?? {};
  const ratios = Object.entries(groups)
    .filter(([role]) => role !== 'calibration')
    .flatMap(([, s]) => s.ratios);
  return ratios.length === 0 ? undefined : stat(ratios);
}

/**
 * The model's measured error next to a conclusion, from docs/validation.md: the training and collective rows, the
 * rows no constant was fitted on apart from the calibration rows, and the Hopper rows singled out (H100/H800
 * conclusions lean on them).
 */
export function errorNote(ctx: StudyContext, parts: ('training' | 'collectives')[]): string {
  const error = ctx.modelError;
  if (!error) return 'Model error: docs/validation.md was not found, so the measured error cannot be quoted here.';
  const out: string[] = [];
  if (parts.includes('training')) {
    const t = error.training;
    const archs = Object.entries(t.byArchitecture)
      .map(([arch, s]) => `${arch} ${s.rows}`)
      .join(', ');
    const oos = outOfSample(t);
    const hopper = t.byArchitectureRole.hopper ?? {};
    const hopperFit = hopper.calibration;
    const hopperOos = outOfSample(t, 'hopper');
    const hopperText =
      hopperFit || hopperOos
        ? `; on Hopper (H100/H800): ` +
          [
            hopperFit ? `median ${share(hopperFit.medianAbsError)}, worst ${share(hopperFit.worstAbsError)} over the ${hopperFit.rows} runs its constants were fitted on` : '',
            hopperOos ? `median ${share(hopperOos.medianAbsError)}, 90% within ${share(hopperOos.p90AbsError)}, worst ${share(hopperOos.worstAbsError)} over ${hopperOos.rows} runs out of sample` : 'no out-of-sample Hopper run yet, so the out-of-sample error is the other architectures’',
          ]
            .filter(Boolean)
            .join('; ')
        : '; no H100/H800 training run is validated yet, so step times on Hopper rest on the other architectures’ calibration';
    out.push(
      `${describeStat('training step', t.all)} (${archs})` +
        (oos ? `; out of sample (no constant fitted on them): median ${share(oos.medianAbsError)}, 90% within ${share(oos.p90AbsError)}, worst ${share(oos.worstAbsError)} over ${oos.rows}` : '') +
        hopperText,
    );
  }
  if (parts.includes('collectives')) {
    const hopper = error.collectives.byArchitecture.hopper;
    out.push(
      `${describeStat('collectives', error.collectives.all)}` +
        (hopper && hopper.rows > 0 ? `; on H100/H800/H200 NVLink and NICs: median ${share(hopper.medianAbsError)}, worst ${share(hopper.worstAbsError)} over ${hopper.rows}` : ''),
    );
  }
  return `Model error (docs/validation.md): ${out.join('. ')}.`;
}

/**
 * The relative band a claimed figure is judged with: the 90th percentile of the training error out of sample (the
 * error nine in ten predictions the constants were not fitted on stay within), else over every row, else 15%.
 */
export function errorBand(ctx: StudyContext): number {
  const t = ctx.modelError?.training;
  if (!t) return 0.15;
  return (outOfSample(t) ?? t.all).p90AbsError;
}
