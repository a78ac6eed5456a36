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
 *   views; MaterializedTable.built for compare and the scatter's frontier);
 * - once every view is drawn, the tables for the brushes most likely next (the scatter's rectangle, the metric
 *   axes) are built ahead (prebuildFor), after any a brush asked for, so a user who looks before brushing gets the
 *   fast answer from the first brush on.
 */
import type { Coordinator, Selection, SelectionClause } from '@uwdata/mosaic-core';
import { activity, fetchExec, onForegroundQuery } from './api.js';

interface Build {
  sql: string;
  name: string;
  /** Asked for ahead of any brush (prebuildFor): after every build a brush asked for. */
  ahead: boolean;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Builds waiting, by table name: the ones a brush asked for first, then those made ahead. */
const waiting = new Map<string, Build>();
/** Tables this page has built (or found built): asked for again, they are ready at once. */
const built = new Set<string>();
let running: Build | null = null;
let stopRunning: (() => void) | null = null;
let wake: ReturnType<typeof setTimeout> | undefined;
/** True while prebuildFor activates brushes: the builds they ask for are made ahead, at the lowest priority. */
let askingAhead = false;
/** Counts prebuildFor calls: a newer one stops an older one still activating. */
let prebuildRound = 0;

/** The error a build made ahead rejects with when a later prebuildFor drops it before it started. */
export class DroppedBuild extends Error {}

/** The coordinator whose pre-aggregation installPreaggFallback routed here. */
let mosaic: Coordinator | null = null;

/** How long the page's queries must have been quiet before a build starts (ms). */
const QUIET_MS = 250;

/** The page's own queries in flight or waiting (builds excluded). */
function foregroundBusy(): boolean {
  return activity.inFlight - activity.building > 0 || activity.scheduled > 0 || performance.now() - activity.lastForeground < QUIET_MS;
}

function next(): Build | undefined {
  const all = [...waiting.values()];
  return all.find((b) => !b.ahead) ?? all[0];
}

function pump(): void {
  if (running || waiting.size === 0) return;
  if (foregroundBusy()) {
    // Look again when the page's queries may have been quiet for QUIET_MS (or soon, while some are running).
    const busy = activity.inFlight - activity.building > 0 || activity.scheduled > 0;
    clearTimeout(wake);
    wake = setTimeout(pump, busy ? 50 : Math.max(10, QUIET_MS - (performance.now() - activity.lastForeground)));
    return;
  }
  const build = next()!;
  waiting.delete(build.name);
  running = build;
  activity.building += 1;
  const controller = new AbortController();
  stopRunning = () => controller.abort();
  fetchExec(build.sql, true, controller.signal)
    .then(
      () => {
        built.add(build.name);
        build.resolve();
      },
      (error: unknown) => {
        // Stopped for the page's own queries: it waits to start over.
        if (controller.signal.aborted) waiting.set(build.name, build);
        else build.reject(error);
      },
    )
    .finally(() => {
      activity.building -= 1;
      running = null;
      stopRunning = null;
      pump();
    });
}

/**
 * A query of the page's own starting stops a build made ahead (the server interrupts it in DuckDB; it starts
 * over later): at 10^7 rows such a build takes up to seconds of both cores, which a brush must not share.
 * A build a brush asked for runs on: it is what makes that brush's next positions fast.
 */
onForegroundQuery(() => {
  if (running?.ahead) stopRunning?.();
});

/** The table a `CREATE TABLE IF NOT EXISTS name AS …` statement makes (the statement itself if none is named). */
function tableName(sql: string): string {
  return /CREATE TABLE IF NOT EXISTS ("[^"]+"\."[^"]+")/.exec(sql)?.[1] ?? sql;
}

/**
 * Runs a table-creating statement at low priority: one at a time, when the page's queries are done, the tables a
 * brush asked for before those made ahead. A table already built resolves at once; one already waiting is
 * shared (and moved ahead of the prebuilt ones when a brush asks for it).
 */
export function buildTable(sql: string): Promise<void> {
  const name = tableName(sql);
  if (built.has(name)) return Promise.resolve();
  if (running?.name === name) {
    if (!askingAhead) running.ahead = false; // a brush wants it: no longer stopped for the page's queries
    return running.done;
  }
  const queued = waiting.get(name);
  if (queued) {
    if (!askingAhead && queued.ahead) {
      // a brush wants it now: before every table made ahead
      waiting.delete(name);
      queued.ahead = false;
      const rest = [...waiting.entries()];
      waiting.clear();
      waiting.set(name, queued);
      for (const [k, v] of rest) waiting.set(k, v);
    }
    return queued.done;
  }
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  waiting.set(name, { sql, name, ahead: askingAhead, done, resolve, reject });
  pump();
  return done;
}

/** Builds queued or running (tests and the benchmark wait for them to see the steady state). */
export function pendingBuilds(options: { ahead?: boolean } = {}): number {
  const ahead = options.ahead ?? true;
  return [...waiting.values()].filter((b) => ahead || !b.ahead).length + (running && (ahead || !running.ahead) ? 1 : 0);
}

/**
 * Builds, ahead of any brush, the tables that brushes starting with these clauses will be answered from (each
 * view's `brushClauses`: the scatter's rectangle on its current metrics, each metric axis of the parallel
 * coordinates), at the lowest priority. Tables asked for ahead by an earlier call and not yet started are dropped
 * (the metrics they were for may have changed); a brush asking for one of them queues it again.
 */
export async function prebuildFor(selection: Selection, clauses: SelectionClause[]): Promise<void> {
  const round = ++prebuildRound;
  for (const [name, build] of [...waiting]) {
    if (!build.ahead) continue;
    waiting.delete(name);
    build.reject(new DroppedBuild('dropped: the brushes it was built ahead for changed'));
  }
  // (Mosaic keeps a failed or dropped build's entry without a table: forget them, they are asked for again.)
  mosaic?.preaggregator.clear();
  for (const clause of clauses) {
    // An activation is what a brush starting sends (Mosaic and the views ask for their tables on it). Its
    // listeners run synchronously, so every build asked for here is marked as ahead; one at a time, as a
    // selection dispatching an event keeps only the latest of those sent meanwhile.
    askingAhead = true;
    try {
      selection.activate(clause);
    } finally {
      askingAhead = false;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (round !== prebuildRound) return;
  }
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
  if (mosaic === coordinator) return;
  mosaic = coordinator;
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
