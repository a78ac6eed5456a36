/**
 * What every section of the study reads: the plan (assumptions, claims), the result directories of its sweeps,
 * the models' sizes, and the model's measured error.
 */
import { axisList, type StudyPlan, type StudySweep } from '../plan/load-plan.js';
import type { SweepResult } from '../results/result-dir.js';
import type { Row } from '../results/table.js';
import type { ModelError, ErrorStat } from '../validation/model-error.js';
import { share } from '../report/format.js';
import { GEMM_EFFICIENCY } from '@linkcap/core';
import { profileOf } from './profiles.js';
import type { Variant } from './variants.js';

export interface ModelInfo {
  id: string;
  name: string;
  totalParams: number;
  activeParams: number;
  moe: boolean;
}

export interface StudyContext {
  plan: StudyPlan;
  /** Result directories of the sweeps that ran (a sweep --quick skips is absent); `same-layout` tables are the follow-ups. */
  results: Partial<Record<StudySweep, SweepResult>>;
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

/** The base variant of a sweep: the profile of the first values of its overlap axes and its first GEMM efficiency. */
export function baseVariant(ctx: StudyContext, sweep: StudySweep): Variant {
  const spec = ctx.plan.sweeps[sweep].spec;
  const first: Row = {};
  for (const axis of ['tpOverlap', 'dpOverlap', 'ppOverlap', 'epOverlap', 'cpOverlap']) {
    const v = axisList(spec, axis)[0];
    if (typeof v === 'number') first[axis] = v;
  }
  const eta = axisList(spec, 'chip.gemmEfficiency')[0];
  return { overlap: profileOf(first), gemmEfficiency: typeof eta === 'number' ? eta : GEMM_EFFICIENCY };
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

/**
 * The model's measured error next to a conclusion, from docs/validation.md: the training and collective rows,
 * with the Hopper rows singled out (H100/H800 conclusions lean on them).
 */
export function errorNote(ctx: StudyContext, parts: ('training' | 'collectives')[]): string {
  const error = ctx.modelError;
  if (!error) return 'Model error: docs/validation.md was not found, so the measured error cannot be quoted here.';
  const out: string[] = [];
  if (parts.includes('training')) {
    const hopper = error.training.byArchitecture.hopper;
    const archs = Object.entries(error.training.byArchitecture)
      .map(([arch, s]) => `${arch} ${s.rows}`)
      .join(', ');
    out.push(
      `${describeStat('training step', error.training.all)} (${archs})` +
        (hopper && hopper.rows > 0 ? `; on Hopper: median ${share(hopper.medianAbsError)}, worst ${share(hopper.worstAbsError)} over ${hopper.rows}` : '; no H100/H800 training run is validated yet, so step times on Hopper rest on an A100 calibration'),
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
