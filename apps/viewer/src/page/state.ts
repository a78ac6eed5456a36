/**
 * The viewer's state (dataset, each view's columns and options, table sort and filters, brushes, what-if
 * inputs) kept in the URL's hash as JSON, so a view can be shared or reopened. Reading is forgiving: a hash
 * from another dataset or another version keeps what still names real columns and drops the rest.
 */
import type { Defaults } from './dataset.js';
import type { WhatIfInputs } from './whatif-model.js';

export type Interval = [number, number];

/** A brush per view; the shape depends on the view. */
export interface Brushes {
  /** Line chart: an interval on its x axis. */
  line?: Interval;
  /** Heatmap: the selected cells as [x, y] values. */
  heat?: [string | number, string | number][];
  /** Scatter: an interval on x and on y. */
  scatter?: [Interval, Interval];
  /** Parallel coordinates: per column, an interval (numbers) or the values inside the brush (strings). */
  parallel?: Record<string, Interval | (string | number)[]>;
  /** Compare: the groups picked in its per-group table (pairs of values in its grid). */
  compare?: (string | number | [string | number, string | number])[];
}

/** The what-if panel's inputs (whatif-model.ts), as the URL keeps them. */
export type WhatIfState = Omit<WhatIfInputs, 'op'> & { op: string };

export interface ViewState extends Defaults {
  ds: number;
  /** Which table of the result the views show: 'rows' or a reduction's name. */
  t: string;
  /** Only points with status 0 (priced, and for training fitting in memory), when the table has a status. */
  okOnly: boolean;
  table: { sort: { column: string; desc: boolean } | null; filters: Record<string, string> };
  brushes: Brushes;
  whatif: Partial<WhatIfState>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInterval = (v: unknown): v is Interval => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isScalar = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export function encodeState(state: ViewState): string {
  return `#${encodeURIComponent(JSON.stringify(state))}`;
}

/** The JSON in a location hash, or null when there is none or it is not JSON. */
export function parseHash(hash: string): Record<string, unknown> | null {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text === '') return null;
  try {
    const value = JSON.parse(decodeURIComponent(text)) as unknown;
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** The table a hash asks for, if the result has it; else the first (rows when present). */
export function tableKey(raw: Record<string, unknown> | null, keys: string[]): string {
  const t = raw?.t;
  return typeof t === 'string' && keys.includes(t) ? t : (keys[0] ?? 'rows');
}

/** The dataset index a hash asks for (0 when none or out of range). */
export function datasetIndex(raw: Record<string, unknown> | null, count: number): number {
  const ds = raw?.ds;
  return typeof ds === 'number' && Number.isInteger(ds) && ds >= 0 && ds < count ? ds : 0;
}

type Section = Record<string, string | boolean | string[]>;

/** Fields of `defaults` replaced by `raw`'s where the types match and column names exist. */
function mergeSection<T extends Section>(defaults: T, raw: unknown, columns: Set<string>, valueFields: string[] = []): T {
  if (!isObject(raw)) return { ...defaults };
  const out: Section = { ...defaults };
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = raw[key];
    if (typeof fallback === 'boolean' && typeof value === 'boolean') out[key] = value;
    else if (typeof fallback === 'string' && typeof value === 'string') {
      if (valueFields.includes(key) || value === '' || columns.has(value)) out[key] = value;
    } else if (Array.isArray(fallback) && Array.isArray(value)) {
      const kept = value.filter((v): v is string => typeof v === 'string' && columns.has(v));
      if (kept.length > 0) out[key] = kept;
    }
  }
  return out as T;
}

function readBrushes(raw: unknown, columns: Set<string>): Brushes {
  if (!isObject(raw)) return {};
  const brushes: Brushes = {};
  if (isInterval(raw.line)) brushes.line = raw.line;
  if (Array.isArray(raw.heat)) {
    const cells = raw.heat.filter((c): c is [string | number, string | number] => Array.isArray(c) && c.length === 2 && c.every(isScalar));
    if (cells.length > 0) brushes.heat = cells;
  }
  if (Array.isArray(raw.scatter) && raw.scatter.length === 2 && raw.scatter.every(isInterval)) brushes.scatter = raw.scatter as [Interval, Interval];
  if (isObject(raw.parallel)) {
    const parallel: NonNullable<Brushes['parallel']> = {};
    for (const [column, value] of Object.entries(raw.parallel)) {
      if (!columns.has(column)) continue;
      if (isInterval(value)) parallel[column] = value;
      else if (Array.isArray(value) && value.length > 0 && value.every(isScalar)) parallel[column] = value;
    }
    if (Object.keys(parallel).length > 0) brushes.parallel = parallel;
  }
  const isPair = (v: unknown): v is [string | number, string | number] => Array.isArray(v) && v.length === 2 && v.every(isScalar);
  if (Array.isArray(raw.compare) && raw.compare.length > 0 && (raw.compare.every(isScalar) || raw.compare.every(isPair))) brushes.compare = raw.compare;
  return brushes;
}

function readWhatIf(raw: unknown): Partial<WhatIfState> {
  if (!isObject(raw)) return {};
  const out: Partial<WhatIfState> = {};
  for (const key of ['cluster', 'model', 'op'] as const) if (typeof raw[key] === 'string') out[key] = raw[key] as string;
  for (const key of ['bytes', 'gpus', 'scaleUpBidirGBps', 'nicGbps', 'tp', 'pp'] as const) {
    const value = raw[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[key] = value;
  }
  return out;
}

function sameDataset(raw: Record<string, unknown> | null, ds: number): Record<string, unknown> | null {
  return raw !== null && datasetIndex(raw, Number.MAX_SAFE_INTEGER) === ds ? raw : null;
}

/** The view state for one table: a hash for another table of the result gives that table's defaults. */
export function sameTable(raw: Record<string, unknown> | null, ds: number, t: string): Record<string, unknown> | null {
  const r = sameDataset(raw, ds);
  return r !== null && (r.t === undefined ? t === 'rows' : r.t === t) ? r : null;
}

/** The table's sort and filters (needed before the statistics that the other views' defaults wait for). */
export function readTableState(raw: Record<string, unknown> | null, ds: number, columnNames: string[], t = 'rows'): ViewState['table'] {
  const columns = new Set(columnNames);
  const r = sameTable(raw, ds, t);
  const table = isObject(r?.table) ? r.table : {};
  const sort = isObject(table.sort) && typeof table.sort.column === 'string' && columns.has(table.sort.column) ? { column: table.sort.column, desc: table.sort.desc === true } : null;
  const filters: Record<string, string> = {};
  if (isObject(table.filters)) {
    for (const [column, text] of Object.entries(table.filters)) if (columns.has(column) && typeof text === 'string' && text.trim() !== '') filters[column] = text;
  }
  return { sort, filters };
}

/** The state for a dataset: its defaults, overridden by whatever in `raw` still fits its columns. */
export function readState(raw: Record<string, unknown> | null, ds: number, defaults: Defaults, columnNames: string[], t = 'rows'): ViewState {
  const columns = new Set(columnNames);
  const r = sameTable(raw, ds, t);
  return {
    ds,
    t,
    okOnly: r?.okOnly !== false,
    line: mergeSection(defaults.line, r?.line, columns, ['agg']),
    heat: mergeSection(defaults.heat, r?.heat, columns, ['agg']),
    scatter: mergeSection(defaults.scatter, r?.scatter, columns),
    compare: mergeSection(defaults.compare, r?.compare, columns, ['a', 'b']),
    parallel: mergeSection(defaults.parallel, r?.parallel, columns),
    table: readTableState(raw, ds, columnNames, t),
    brushes: readBrushes(r?.brushes, columns),
    whatif: readWhatIf(raw?.whatif),
  };
}
