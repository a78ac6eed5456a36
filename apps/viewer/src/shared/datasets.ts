/** What the server tells the page about each RESULTS argument (GET /api/datasets); shared by both sides. */

export type ColumnRole = 'axis' | 'metric' | 'status' | 'other';
export type ColumnKind = 'string' | 'int' | 'float' | 'bool' | 'other';

export interface ColumnInfo {
  name: string;
  /** DuckDB's type name (VARCHAR, BIGINT, DOUBLE, …). */
  sqlType: string;
  kind: ColumnKind;
  role: ColumnRole;
  unit?: string;
  /** The axis's values from the manifest (spec order), when it lists them. */
  values?: (string | number)[];
}

export interface TableInfo {
  /** The view the page queries. */
  table: string;
  rows: number;
  columns: ColumnInfo[];
}

export interface ReductionInfo extends Partial<TableInfo> {
  name: string;
  kind?: string;
  by?: string[];
  metric?: string;
  problem?: string;
}

export interface DatasetInfo {
  id: number;
  label: string;
  path: string;
  kind: string | null;
  manifest: Record<string, unknown> | null;
  /** The rows table and a fixed random sample of it (for the parallel-coordinates lines). */
  rows: (TableInfo & { sample: string | null }) | null;
  reductions: ReductionInfo[];
  /** Downloadable files. */
  files: { label: string; href: string }[];
  /** Readable errors, each naming the file. */
  problems: string[];
  warnings: string[];
}
