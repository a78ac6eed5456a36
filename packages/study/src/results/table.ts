/**
 * A small in-memory table: what a reduction file holds once read (rows of named values) and what the analysis
 * reads. Column kinds follow the result-directory contract (docs/design/sweep-results.md): strings and integers are
 * axes or layout fields, floats are metrics.
 */
export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface ColumnDef {
  name: string;
  type: 'string' | 'int' | 'float';
  /** axis of the sweep, layout field, metric, or status code. */
  role: 'axis' | 'layout' | 'metric' | 'status';
  unit?: string;
}

export interface Table {
  columns: ColumnDef[];
  rows: Row[];
}

/** The rows whose values match every given column value. */
export function where(rows: readonly Row[], match: Record<string, Cell | undefined>): Row[] {
  const entries = Object.entries(match).filter(([, v]) => v !== undefined);
  return rows.filter((row) => entries.every(([k, v]) => row[k] === v));
}

/** The single row matching, or undefined (throws when several match: the caller's key is incomplete). */
export function one(rows: readonly Row[], match: Record<string, Cell | undefined>): Row | undefined {
  const found = where(rows, match);
  if (found.length > 1) throw new Error(`expected one row for ${JSON.stringify(match)}, found ${found.length}`);
  return found[0];
}

export function num(row: Row | undefined, column: string): number {
  if (row === undefined) return NaN;
  const value = row[column];
  return typeof value === 'number' ? value : NaN;
}

export function str(row: Row | undefined, column: string): string {
  if (row === undefined) return '';
  const value = row[column];
  return typeof value === 'string' ? value : String(value ?? '');
}

/** Distinct values of a column, in first-seen order. */
export function distinct<T extends Cell = Cell>(rows: readonly Row[], column: string): T[] {
  const seen = new Set<Cell>();
  for (const row of rows) if (row[column] !== undefined) seen.add(row[column]);
  return [...seen] as T[];
}
