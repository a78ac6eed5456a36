/**
 * `linkcap study export-controls`: runs the study's sweeps, reads their result directories, analyses them into the
 * report's sections and writes the report folder. The folder is built under a temporary name next to the target
 * and renamed into place at the end: an interrupted run never leaves a half-written report, and a folder that is
 * not a linkcap study report is never overwritten.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { countParameters, getTrainingEngine, LinkcapInputError, resolveModel } from '@linkcap/core';
import { axisList, loadPlan, STUDY_SWEEPS, type StudyPlan, type StudySweep } from './plan/load-plan.js';
import { efficiencyScales, profilesOf } from './plan/sensitivity.js';
import { readResultDir } from './results/result-dir.js';
import { runSweep } from './sweeps/run-sweep.js';
import { carriedReductions, sameLayoutRows } from './sweeps/carried.js';
import { efficiencyTable, sensitivitySpec } from './sweeps/sensitivity-axes.js';
import { profileAliases, withVariant, type EfficiencyTable } from './analysis/profiles.js';
import { findValidationPage, readModelError } from './validation/model-error.js';
import type { ModelInfo, StudyContext, StudySweepResult } from './analysis/context.js';
import { analyseSections } from './analysis/sections.js';
import { renderChart } from './report/charts.js';
import { assumptionsMarkdown, filesMarkdown, generatedLine, unsupportedMarkdown } from './report/front.js';
import { reportHtml } from './report/html.js';
import { reportMarkdown } from './report/markdown.js';
import type { Section, Verdict } from './report/model.js';
import { summaryText } from './report/summary.js';

export const STUDY_FORMAT = 'linkcap-study/1';

export interface StudyProgress {
  phase: 'sweep' | 'analyse' | 'write';
  sweep?: string;
  /** Share of the sweep's points done (0–1). */
  fraction?: number;
}

export interface StudyOptions {
  quick?: boolean;
  /** Report folder (default ./linkcap-study/export-controls[-quick]). */
  out?: string;
  /** Study plan file (default: examples/study/study.yaml of the checkout). */
  plan?: string;
  /** docs/validation.md to quote the model error from (default: found above the plan or this package). */
  validationPage?: string;
  onProgress?: (progress: StudyProgress) => void;
}

export interface StudyResult {
  dir: string;
  summary: string;
  sections: Section[];
  study: Record<string, unknown>;
}

export function defaultOutDir(quick: boolean): string {
  return resolve('linkcap-study', quick ? 'export-controls-quick' : 'export-controls');
}

/** Refuses to replace anything that is not an earlier study report (nothing of the user's is lost). */
function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const marker = join(dir, 'study.json');
  let ok = false;
  if (existsSync(marker)) {
    try {
      ok = (JSON.parse(readFileSync(marker, 'utf8')) as { format?: string }).format === STUDY_FORMAT;
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new LinkcapInputError('--out', `${dir} exists and is not a linkcap study report (no study.json of format ${STUDY_FORMAT}); choose another folder or remove it`);
}

function modelInfos(plan: StudyPlan): { models: Map<string, ModelInfo>; modelIdOf: Map<string, string> } {
  const models = new Map<string, ModelInfo>();
  const modelIdOf = new Map<string, string>();
  for (const { spec, file } of Object.values(plan.sweeps)) {
    for (const ref of axisList(spec, 'model')) {
      const text = String(ref);
      // Model files are named relative to the spec that names them (models.yaml#kimi-k2).
      const workload = resolveModel(text.includes('#') || /\.(ya?ml|json)$/.test(text) ? resolve(dirname(file), text) : text);
      modelIdOf.set(text, workload.id);
      if (models.has(workload.id)) continue;
      const counts = countParameters(workload.row);
      models.set(workload.id, { id: workload.id, name: workload.name, totalParams: counts.total, activeParams: counts.active, moe: (workload.spec.moe?.experts ?? 0) > 0 });
    }
  }
  return { models, modelIdOf };
}

/**
 * The report folder as one result directory (docs/design/sweep-results.md) for `linkcap view REPORT`: no rows, and
 * every reduction of every sweep and follow-up under the name "<sweep>.<reduction>", its file inside the folder.
 */
function folderManifest(results: Partial<Record<StudySweep, StudySweepResult>>, createdAt: string): Record<string, unknown> {
  const reductions: { name: string; kind: string; file: string; by?: string[]; metric?: string }[] = [];
  const axes = new Map<string, unknown>();
  const metrics = new Map<string, unknown>();
  let evaluated = 0;
  let ok = 0;
  for (const [name, result] of Object.entries(results)) {
    if (!result) continue;
    const m = result.result.manifest;
    evaluated += m.points?.evaluated ?? 0;
    ok += m.points?.ok ?? 0;
    for (const a of (m.axes as { name: string }[] | undefined) ?? []) if (!axes.has(a.name)) axes.set(a.name, { ...a, values: undefined });
    for (const x of (m.metrics as { name: string }[] | undefined) ?? []) if (!metrics.has(x.name)) metrics.set(x.name, x);
    for (const r of m.files.reductions) reductions.push({ ...r, name: `${name}.${r.name}`, file: `${result.dir}/${r.file}` });
  }
  return {
    format: 'linkcap-sweep/1',
    kind: 'training',
    name: 'export-controls study',
    producer: 'linkcap study export-controls: every reduction of the study, one table each; study.json has the sweeps',
    complete: true,
    points: { total: evaluated, evaluated, ok },
    shard: null,
    axes: [...axes.values()],
    metrics: [...metrics.values()],
    files: { rows: null, reductions },
    createdAt,
  };
}

function write(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

export async function runExportControlsStudy(options: StudyOptions = {}): Promise<StudyResult> {
  const quick = options.quick === true;
  const plan = loadPlan({ file: options.plan, quick });
  const dir = resolve(options.out ?? defaultOutDir(quick));
  checkTarget(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const work = join(dirname(dir), `.${basename(dir)}.${process.pid}.partial`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'sweeps'), { recursive: true });
  try {
    const results: Partial<Record<StudySweep, StudySweepResult>> = {};
    const ran: StudySweep[] = [];
    const scales = efficiencyScales(plan.sensitivity);
    const etas: EfficiencyTable = new Map();
    for (const name of STUDY_SWEEPS) {
      const planned = plan.sweeps[name];
      if (planned.skipped) continue;
      const baseDir = dirname(planned.file);
      efficiencyTable(planned.spec, baseDir, etas);
      // Every profile of the sweep on the engine's profile axis; one that prices exactly as an earlier one is not run.
      const profiles = profilesOf(plan.sensitivity, name);
      const aliases = profileAliases(profiles);
      const { spec } = sensitivitySpec(planned.spec, baseDir, name, profiles.filter((p) => !aliases.has(p.id)), scales);
      const dir = `sweeps/${name}`;
      await runSweep(spec, baseDir, join(work, dir), (p) => options.onProgress?.({ phase: 'sweep', sweep: name, fraction: p.fraction }));
      const run = await readResultDir(join(work, dir), { rows: planned.spec.output?.rows === 'all' });
      const tables = Object.fromEntries(Object.entries(run.tables).map(([table, rows]) => [table, withVariant(rows, profiles[0].id, etas, scales)]));
      // The baseline's best layout carried to the other side: the engine's carried-ratio reductions, both sides as rows.
      if (carriedReductions(run.manifest).length > 0) tables['same-layout'] = withVariant(sameLayoutRows(run), profiles[0].id, etas, scales);
      results[name] = { dir, result: run, tables, aliases: Object.fromEntries(aliases) };
      ran.push(name);
    }
    options.onProgress?.({ phase: 'analyse' });
    const page = options.validationPage ?? findValidationPage(plan.dir, dirname(new URL(import.meta.url).pathname));
    const ctx: StudyContext = { plan, results, ...modelInfos(plan), modelError: page ? readModelError(page) : undefined };
    const sections = analyseSections(ctx);

    options.onProgress?.({ phase: 'write' });
    const createdAt = new Date().toISOString();
    const engine = getTrainingEngine().kind;
    const command = `linkcap study export-controls${quick ? ' --quick' : ''}`;
    mkdirSync(join(work, 'charts'));
    const charts = new Map<string, string>();
    for (const section of sections) {
      for (const block of section.blocks) {
        if (block.kind !== 'chart') continue;
        const svg = renderChart(block);
        charts.set(block.id, svg);
        write(join(work, 'charts', `${block.id}.svg`), svg);
      }
    }
    const verdicts: { section: string; verdict: Verdict }[] = [];
    sections.forEach((s, i) => {
      for (const b of s.blocks) if (b.kind === 'verdict') verdicts.push({ section: `${i + 1}. ${s.title}`, verdict: b.verdict });
    });
    const markdown = reportMarkdown(
      {
        title: plan.title,
        generated: generatedLine(ctx, engine, command, createdAt),
        assumptions: assumptionsMarkdown(ctx),
        verdicts,
        files: filesMarkdown(ran),
      },
      sections,
      unsupportedMarkdown(sections),
    );
    write(join(work, 'report.md'), markdown);
    write(join(work, 'report.html'), reportHtml(plan.title, markdown, charts));
    const summary = summaryText(plan.title, sections, dir, quick);
    write(join(work, 'summary.txt'), summary);
    const study = {
      format: STUDY_FORMAT,
      study: 'export-controls',
      title: plan.title,
      quick,
      createdAt,
      engine,
      linkcapVersion: '0.1.0',
      plan: plan.file,
      validationPage: page ?? null,
      sweeps: ran.map((name) => ({
        name,
        dir: results[name]!.dir,
        spec: plan.sweeps[name].file,
        profiles: profilesOf(plan.sensitivity, name).map((p) => p.id),
        ...(Object.keys(results[name]!.aliases).length ? { profileAliases: results[name]!.aliases } : {}),
      })),
      sections: sections.map((s) => ({
        id: s.id,
        title: s.title,
        headlines: s.headlines.map((h) => ({
          id: h.id,
          label: h.label,
          format: h.format,
          base: h.sensitivity.base,
          min: h.sensitivity.min,
          max: h.sensitivity.max,
          variants: h.sensitivity.values.map((v) => ({ label: v.label, profile: v.variant.profile, efficiency: v.variant.efficiency, value: v.value })),
        })),
        verdicts: s.blocks.flatMap((b) => (b.kind === 'verdict' ? [b.verdict] : [])),
        limits: s.limits,
      })),
    };
    write(join(work, 'study.json'), `${JSON.stringify(study, null, 2)}\n`);
    write(join(work, 'manifest.json'), `${JSON.stringify(folderManifest(results, createdAt), null, 2)}\n`);

    // Swap the finished folder into place; an earlier report is removed only after the new one is complete.
    if (existsSync(dir)) {
      const old = join(dirname(dir), `.${basename(dir)}.${process.pid}.old`);
      renameSync(dir, old);
      renameSync(work, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(work, dir);
    }
    return { dir, summary, sections, study };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
