/**
 * Talking to `linkcap view`: the dataset list and Mosaic's connector protocol (POST { type, sql } → Arrow IPC).
 * Every request carries the token the server put in this page's meta tag.
 */
import { tableFromIPC, type Table } from '@uwdata/flechette';
import type { DatasetInfo } from '../shared/datasets.js';

export type { DatasetInfo, ColumnInfo, ReductionInfo } from '../shared/datasets.js';

function token(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="linkcap-token"]')?.content ?? '';
}

async function failure(response: Response): Promise<Error> {
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    // not JSON: keep the status
  }
  return new Error(message);
}

export async function fetchDatasets(): Promise<DatasetInfo[]> {
  const response = await fetch('/api/datasets', { headers: { 'X-Linkcap-Token': token() } });
  if (!response.ok) throw await failure(response);
  return ((await response.json()) as { datasets: DatasetInfo[] }).datasets;
}

/**
 * One query's life in the page (ms since navigation): sent, answer headers in, body in; the server's own split
 * (its Server-Timing header: wait, check, run, encode, total) and the answer's size. The benchmark reads these.
 */
export interface QueryRecord {
  sql: string;
  sent: number;
  headers: number;
  done: number;
  server: Record<string, number>;
  bytes: number;
  aborted?: boolean;
}

/** Counts queries in flight so tests and the benchmark can tell when every view has its data. */
export const activity = {
  inFlight: 0,
  completed: 0,
  failed: 0,
  lastSettled: 0,
  /** queries waiting for brushes to rest */
  scheduled: 0,
  /** of those in flight, table builds (table-builds.ts: low priority, they never hold back the page's queries) */
  building: 0,
  /** when the last of the page's own queries (not a build) ended */
  lastForeground: 0,
  /** the last queries (most recent last, at most QUERY_LOG) */
  queries: [] as QueryRecord[],
};
const QUERY_LOG = 400;

let foregroundStarts: (() => void) | null = null;
/** Calls `listener` as each of the page's own queries (not a table build) starts (table-builds.ts yields to them). */
export function onForegroundQuery(listener: () => void): void {
  foregroundStarts = listener;
}

/** A Server-Timing header as { name: milliseconds } (desc values as numbers too). */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key === 'dur' || key === 'desc') out[name] = Number(value);
    }
  }
  return out;
}

/**
 * POST /api/query { type, sql }: the answer's bytes (Arrow IPC for 'arrow'), counted in `activity`. Every query of
 * the page goes through here. A query the page aborted (`signal`) is not counted as failed.
 */
async function postQuery(type: 'arrow' | 'exec', sql: string, signal?: AbortSignal, build = false): Promise<ArrayBuffer> {
  if (!build) foregroundStarts?.();
  activity.inFlight += 1;
  const record: QueryRecord = { sql: sql.slice(0, 400), sent: performance.now(), headers: 0, done: 0, server: {}, bytes: 0 };
  activity.queries.push(record);
  if (activity.queries.length > QUERY_LOG) activity.queries.shift();
  try {
    const response = await fetch('/api/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Linkcap-Token': token() },
      body: JSON.stringify({ type, sql }),
      signal,
    });
    record.headers = performance.now();
    record.server = parseServerTiming(response.headers.get('Server-Timing'));
    if (!response.ok) throw await failure(response);
    const bytes = await response.arrayBuffer();
    record.done = performance.now();
    record.bytes = bytes.byteLength;
    activity.completed += 1;
    return bytes;
  } catch (error) {
    if (signal?.aborted) record.aborted = true;
    else activity.failed += 1;
    throw error;
  } finally {
    activity.inFlight -= 1;
    activity.lastSettled = performance.now();
    if (!build) activity.lastForeground = activity.lastSettled;
  }
}

/**
 * One Arrow query outside Mosaic's queue, abortable: the heavy views (Pareto frontier, compare) drop the answer to a
 * brush position the user has already left, and the server stops that query in DuckDB.
 */
export async function fetchArrow(sql: string, signal?: AbortSignal): Promise<Table> {
  return tableFromIPC(new Uint8Array(await postQuery('arrow', sql, signal)));
}

/**
 * Runs a statement for its effect (the pre-aggregated tables the page may create; see server/sql-guard.ts).
 * `build`: a low-priority table build (table-builds.ts), not one of the page's own queries; `signal` stops it
 * (the server interrupts DuckDB).
 */
export async function fetchExec(sql: string, build = false, signal?: AbortSignal): Promise<void> {
  await postQuery('exec', sql, signal, build);
}

/** Mosaic's Connector over the viewer's /api/query. */
export class ViewerConnector {
  async query(request: { type: string; sql: string }): Promise<ArrayBuffer | undefined> {
    if (request.type === 'exec') {
      await postQuery('exec', request.sql);
      return undefined;
    }
    return postQuery('arrow', request.sql);
  }
}
