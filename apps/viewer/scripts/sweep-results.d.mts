/** Types of sweep-results.mjs (result directories made by `linkcap sweep` for the viewer's tests and benchmark). */
export function linkGrid(rows: number): { caps: number; nics: number };
export function sweepSpec(rows: number): string;
export function makeSweepResults(options: { rows?: number; out: string }): { out: string; seconds: number };
