/**
 * What every section of the study reads: the plan (assumptions, claims), the result directories of its sweeps,
 * the models' sizes, and the model's measured error.
 */
import type { StudyPlan, StudySweep } from '../plan/load-plan.js';
import type { SweepResult } from '../results/result-dir.js';
import type { Row } from '../results/table.js';
import type { ModelError, ErrorStat } from '../validation/model-error.js';
import { share } from '../report/format.js';
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
  results: Record<StudySweep, SweepResult>;
  models: Map<string, ModelInfo>;
  /** undefined when docs/validation.md is not found (an installed package outside the checkout). */
  modelError: ModelError | undefined;
}

export function table(ctx: StudyContext, sweep: StudySweep, name: string): Row[] {
  const rows = ctx.results[sweep].tables[name];
  if (!rows) throw new Error(`the ${sweep} sweep has no "${name}" reduction`);
  return rows;
}

/** The base variant of a sweep: the first value of its overlap and GEMM-efficiency axes. */
export function baseVariant(ctx: StudyContext, sweep: StudySweep): Variant {
  const axes = ctx.plan.sweeps[sweep].spec.axes;
  return { overlap: String(axes.overlap?.[0] ?? 'default'), gemmEfficiency: Number(axes.gemmEfficiency?.[0] ?? 0.7) };
}

/** Model ids of a sweep's model axis, as stored in its tables (file references resolved to ids). */
export function modelIds(ctx: StudyContext, sweep: StudySweep): string[] {
  return ctx.plan.sweeps[sweep].spec.axes.model.map((ref) => {
    const id = String(ref).split('#').pop()!;
    return ctx.models.has(id) ? id : String(ref);
  });
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
