/**
 * @linkcap/study: linkcap's studies. `runExportControlsStudy` runs the export-control study (examples/study/),
 * analyses the results and writes the report folder (report.md, report.html with SVG charts, the Parquet results,
 * the terminal summary).
 */
export { loadPlan, defaultPlanFile, STUDY_SWEEPS, type StudyPlan, type StudySweep } from './plan/load-plan.js';
export { checkSweepSpec, type TrainingSweepSpec } from './plan/spec.js';
export { runSweepWithAdapter } from './sweeps/adapter.js';
export { readParquet, writeParquet } from './results/parquet.js';
export type { Table, Row, ColumnDef } from './results/table.js';
export { runExportControlsStudy, defaultOutDir, STUDY_FORMAT, type StudyOptions, type StudyResult, type StudyProgress } from './study.js';
export { readResultDir, type SweepResult, type SweepManifest } from './results/result-dir.js';
export { readModelError, findValidationPage, type ModelError } from './validation/model-error.js';
export type { Section, Verdict, Headline } from './report/model.js';
