/**
 * The low-priority table builds (table-builds.ts): one at a time, only when the page's own queries are done; the
 * tables a brush asked for before those made ahead; a table built once is ready at once; a newer prebuild drops
 * the ahead builds not yet started; a page query stops a running ahead build, which starts over later. The
 * server is replaced by a fake fetchExec that records the statements and finishes when the test says.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Call {
  sql: string;
  finish: () => void;
  signal?: AbortSignal;
}

const calls: Call[] = [];
const api = vi.hoisted(() => ({
  activity: { inFlight: 0, building: 0, scheduled: 0, lastForeground: -1e9 },
  foreground: null as null | (() => void),
}));

vi.mock('../src/page/api.js', () => ({
  activity: api.activity,
  onForegroundQuery: (listener: () => void) => (api.foreground = listener),
  fetchExec: (sql: string, _build: boolean, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      api.activity.inFlight += 1;
      const done = () => (api.activity.inFlight -= 1);
      signal?.addEventListener('abort', () => (done(), reject(new Error('aborted'))));
      calls.push({ sql, signal, finish: () => (done(), resolve()) });
    }),
}));

const { buildTable, pendingBuilds, prebuildFor, DroppedBuild } = await import('../src/page/table-builds.js');

const create = (name: string) => `CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "mosaic"."preagg_${name}" AS SELECT 1`;
const started = () => calls.map((c) => /preagg_(\w+)/.exec(c.sql)![1]);
/** A selection whose activation asks for the named table, as a view's listener does. */
const selectionBuilding = (asked: Promise<unknown>[]) =>
  ({ activate: (clause: { name: string }) => asked.push(buildTable(create(clause.name)).then(() => 'built', (error: unknown) => error)) }) as never;

beforeEach(() => {
  vi.useFakeTimers();
  calls.length = 0;
  Object.assign(api.activity, { inFlight: 0, building: 0, scheduled: 0, lastForeground: -1e9 });
});
afterEach(() => vi.useRealTimers());

describe('table builds', () => {
  it('run one at a time, and wait until the page has been quiet for a moment', async () => {
    api.activity.lastForeground = performance.now();
    const a = buildTable(create('a1'));
    const b = buildTable(create('b1'));
    expect(started()).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(started()).toEqual(['a1']);
    calls[0].finish();
    await a;
    await vi.advanceTimersByTimeAsync(0);
    expect(started()).toEqual(['a1', 'b1']);
    calls[1].finish();
    await b;
    await vi.advanceTimersByTimeAsync(0);
    expect(pendingBuilds()).toBe(0);
    // Built once, asked again: ready without a statement.
    await buildTable(create('a1'));
    expect(calls).toHaveLength(2);
  });

  it('start a brush\'s tables before those made ahead, drop ahead ones a newer prebuild replaces, and stop a running ahead build for a page query', async () => {
    api.activity.scheduled = 1; // the page is busy: nothing starts
    const asked: Promise<unknown>[] = [];
    const first = prebuildFor(selectionBuilding(asked), [{ name: 'x2' }, { name: 'y2' }] as never);
    await vi.advanceTimersByTimeAsync(10);
    await first;
    expect(pendingBuilds()).toBe(2);
    expect(pendingBuilds({ ahead: false })).toBe(0);
    // A newer prebuild drops x2 and y2 (not started) and asks for z2.
    const again: Promise<unknown>[] = [];
    const second = prebuildFor(selectionBuilding(again), [{ name: 'z2' }] as never);
    await vi.advanceTimersByTimeAsync(0);
    await second;
    expect(await asked[0]).toBeInstanceOf(DroppedBuild);
    expect(await asked[1]).toBeInstanceOf(DroppedBuild);
    // A brush asks for its table after z2 was queued: it starts first.
    const brush = buildTable(create('brush2'));
    expect(pendingBuilds()).toBe(2);
    expect(pendingBuilds({ ahead: false })).toBe(1);
    api.activity.scheduled = 0;
    await vi.advanceTimersByTimeAsync(300);
    expect(started()).toEqual(['brush2']);
    calls[0].finish();
    await brush;
    await vi.advanceTimersByTimeAsync(0);
    expect(started()).toEqual(['brush2', 'z2']);
    // A page query starts: the ahead build is stopped, and starts over once the page is quiet again.
    api.foreground!();
    expect(calls[1].signal?.aborted).toBe(true);
    api.activity.lastForeground = performance.now();
    await vi.advanceTimersByTimeAsync(100);
    expect(started()).toEqual(['brush2', 'z2']);
    await vi.advanceTimersByTimeAsync(300);
    expect(started()).toEqual(['brush2', 'z2', 'z2']);
    calls[2].finish();
    expect(await again[0]).toBe('built');
    await vi.advanceTimersByTimeAsync(0);
    expect(pendingBuilds()).toBe(0);
  });
});
