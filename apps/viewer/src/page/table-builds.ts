/**
 * Building the small tables that make brushes fast (Mosaic's pre-aggregations, compare's pairs, the scatter's
 * per-bin frontiers), at low priority and never in a brush's way.
 *
 * Each of these tables costs a full pass over the rows (about a second per table at 10^7 rows on two cores, and a
 * first brush on metrics asks for several). Mosaic runs its own builds in its query queue, where an `exec` holds
 * back every other query until it ends: the first brush waited for all of them (6 s on the scatter, 15 s on a
 * metric axis at 10^7 rows) where a plain scan answers in about one. Here instead:
 *
 * - builds run one at a time, outside Mosaic's queue, and a build starts only when the page's own queries are
 *   done (none in flight, none waiting for a brush to rest): the page's queries never queue behind them;
 * - until its table exists, a view answers the direct way (the scan it ran before the tables existed: the same
 *   rows pass, bins included), and uses the table from the next update on (installPreaggFallback for Mosaic's
 *   views; MaterializedTable.built for compare and the scatter's frontier).
 */
import type { Coordinator } from '@uwdata/mosaic-core';
import { activity, fetchExec } from './api.js';

interface Build {
  sql: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const queue: Build[] = [];
let running = false;
let wake: ReturnType<typeof setTimeout> | undefined;

/** How long the page's queries must have been quiet before a build starts (ms). */
const QUIET_MS = 250;

/** The page's own queries in flight or waiting (builds excluded). */
function foregroundBusy(): boolean {
  return activity.inFlight - activity.building > 0 || activity.scheduled > 0 || performance.now() - activity.lastForeground < QUIET_MS;
}

function pump(): void {
  if (running || queue.length === 0) return;
  if (foregroundBusy()) {
    // Look again when the page's queries may have been quiet for QUIET_MS (or soon, while some are running).
    const busy = activity.inFlight - activity.building > 0 || activity.scheduled > 0;
    clearTimeout(wake);
    wake = setTimeout(pump, busy ? 50 : Math.max(10, QUIET_MS - (performance.now() - activity.lastForeground)));
    return;
  }
  const build = queue.shift()!;
  running = true;
  activity.building += 1;
  fetchExec(build.sql, true).then(build.resolve, build.reject).finally(() => {
    activity.building -= 1;
    running = false;
    pump();
  });
}

/** Runs a table-creating statement at low priority (one at a time, when the page's queries are done). */
export function buildTable(sql: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    queue.push({ sql, resolve, reject });
    pump();
  });
}

/** Builds queued or running (tests and the benchmark wait for them to see the steady state). */
export function pendingBuilds(): number {
  return queue.length + (running ? 1 : 0);
}

/** Mosaic's pre-aggregation statement: `CREATE SCHEMA …; CREATE TABLE IF NOT EXISTS "mosaic"."preagg_…" AS …`. */
function isPreaggCreate(query: unknown): boolean {
  const sql = Array.isArray(query) ? query.map(String).join(';\n') : String(query);
  return /CREATE TABLE IF NOT EXISTS "mosaic"\."preagg_/.test(sql);
}

interface PreaggInfo {
  skip?: boolean;
  result?: Promise<unknown> | null;
}

/**
 * Makes Mosaic's pre-aggregation build through buildTable and answer from a table only once it exists: until
 * then its request returns null, which makes Mosaic query the client the standard way (the same predicate over
 * the rows, so the same counts).
 */
export function installPreaggFallback(coordinator: Coordinator): void {
  const exec = coordinator.exec.bind(coordinator);
  coordinator.exec = ((query: Parameters<Coordinator['exec']>[0], options?: { priority?: number }) => {
    if (!isPreaggCreate(query)) return exec(query, options);
    const sql = (Array.isArray(query) ? query : [query]).map(String).filter((s) => s).join(';\n');
    return buildTable(sql);
  }) as Coordinator['exec'];

  const preaggregator = coordinator.preaggregator;
  const request = preaggregator.request.bind(preaggregator);
  const ready = new WeakSet<object>();
  const watched = new WeakSet<object>();
  preaggregator.request = ((...args: Parameters<typeof request>) => {
    const info = request(...args) as PreaggInfo | null;
    if (!info || info.skip) return info as never;
    if (!watched.has(info)) {
      watched.add(info);
      info.result?.then(
        () => ready.add(info),
        () => {},
      );
    }
    return (ready.has(info) && info.result ? info : null) as never;
  }) as typeof preaggregator.request;
}
