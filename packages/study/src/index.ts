/**
 * @linkcap/study: linkcap's studies. `runExportControlsStudy` runs the export-control study (examples/study/: sweep
 * specs run by the native sweep engine), analyses the result directories and writes the report folder (report.md,
 * report.html with SVG charts, the Parquet results, the terminal summary).
 */
export { loadPlan, defaultPlanFile, STUDY_SWEEPS, type StudyPlan, type StudySweep, type PlannedSweep } from './plan/load-plan.js';
export { runExportControlsStudy, defaultOutDir, STUDY_FORMAT, type StudyOptions, type StudyResult, type StudyProgress } from './study.js';
export { readResultDir, type SweepResult, type ResultManifest } from './results/result-dir.js';
export { readParquet, writeParquet } from './results/parquet.js';
export type { Table, Row, ColumnDef } from './results/table.js';
export { readModelError, findValidationPage, type ModelError } from './validation/model-error.js';
export { profileAliases, describeProfiles } from './analysis/profiles.js';
export { sensitivitySpec, profileAxisValue } from './sweeps/sensitivity-axes.js';
export { parseSensitivity, profilesOf, efficiencyScales, type SensitivityPlan, type StudyProfile } from './plan/sensitivity.js';
export type { Section, Verdict, Headline } from './report/model.js';
