/** Types of make-results.mjs (the generator of test and benchmark result directories). */
export interface MakeResultsOptions {
  kind?: 'collective' | 'training';
  /** About how many collective points (the grid is sized to reach it). */
  rows?: number;
  out: string;
}
export interface MakeResultsSummary {
  out: string;
  rows: number;
  ok: number;
  evaluatedS: number;
  totalS: number;
}
export function makeResults(options: MakeResultsOptions): Promise<MakeResultsSummary>;
export function collectiveGrid(rows: number): { caps: number[]; nics: number[] };
