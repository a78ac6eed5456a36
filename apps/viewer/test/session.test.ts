/**
 * The DuckDB session of `linkcap view`: views over the named files only, locked down (no other file, no
 * writes, no settings), and every problem with a file reported in words that name it.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from '@uwdata/flechette';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, ResultArgumentError } from '../src/server/results.js';
import { ViewerSession } from '../src/server/session.js';
import { RefusedQueryError } from '../src/server/sql-guard.js';
import { makeFixtures, type Fixtures } from './helpers.js';

let fx: Fixtures;
let session: ViewerSession;

beforeAll(async () => {
  fx = await makeFixtures();
  session = await ViewerSession.open(
    [fx.good, fx.truncated, fx.empty, fx.badManifest, fx.escaping, fx.training, fx.trainingNoRows, fx.unpriced].map((dir) => describeResult(dir)),
    { sampleRows: 1000 },
  );
});
afterAll(async () => {
  await session?.close();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const bytes = await session.query('arrow', sql);
  return tableFromIPC(bytes!).toArray() as Record<string, unknown>[];
}

describe('a good result directory', () => {
  it('is a view with the manifest roles and the reductions', async () => {
    const [good] = session.datasets;
    expect(good.problems).toEqual([]);
    expect(good.rows?.rows).toBe(fx.goodRows);
    expect(good.kind).toBe('collective');
    const roles = Object.fromEntries(good.rows!.columns.map((c) => [c.name, c.role]));
    expect(roles).toMatchObject({ cluster: 'axis', bytes: 'axis', timeS: 'metric', algorithm: 'metric', status: 'status' });
    expect(good.reductions.map((r) => r.name)).toEqual(['best-per-op', 'top-busbw']);
    expect(good.reductions[1].rows).toBe(100);
    expect(await rows(`SELECT count(*) AS n FROM "${good.rows!.table}"`)).toEqual([{ n: fx.goodRows }]);
  });

  it('has a sample of the rows for the parallel coordinates', async () => {
    const [good] = session.datasets;
    expect(await rows(`SELECT count(*) AS n FROM "${good.rows!.sample}"`)).toEqual([{ n: 1000 }]);
  });
});

describe('a training sweep', () => {
  it('treats the layout fields as axes and takes axis values from the manifest', () => {
    const training = session.datasets[5];
    expect(training.problems).toEqual([]);
    const columns = Object.fromEntries(training.rows!.columns.map((c) => [c.name, c]));
    expect(columns.tp.role).toBe('axis');
    expect(columns.recompute.role).toBe('axis');
    expect(columns.stepTimeS.role).toBe('metric');
    expect(columns.cluster.values).toEqual(['dgx-h100', 'hgx-h800']);
    expect(columns.gpus.values).toEqual([64, 256]);
  });

  it('keeps the times of layouts that do not fit in memory (status 1, still priced)', async () => {
    const [row] = await rows(`SELECT count(*) FILTER (WHERE status = 1) AS oom, count(*) FILTER (WHERE "stepTimeS" IS NULL) AS missing FROM "${session.datasets[5].rows!.table}"`);
    expect(row.oom).toBeGreaterThan(0);
    expect(row.missing).toBe(0);
  });

  it('without rows (output.rows: none) still opens its reductions', () => {
    const noRows = session.datasets[6];
    expect(noRows.problems).toEqual([]);
    expect(noRows.rows).toBeNull();
    expect(noRows.reductions.map((r) => [r.name, r.kind])).toEqual([
      ['frontier', 'pareto'],
      ['best-layout', 'argmin'],
    ]);
    expect(noRows.reductions[1].rows).toBe(4);
  });
});

describe('points that could not be priced', () => {
  it('show their NaN metrics as NULL, so averages and ranges stay numbers', async () => {
    const unpriced = session.datasets[7];
    expect(unpriced.problems).toEqual([]);
    const [row] = await rows(
      `SELECT count(*) FILTER (WHERE "timeS" IS NULL) AS missing, count(*) FILTER (WHERE status <> 0) AS failed, avg("timeS") AS mean, max("busbwGBps") AS top FROM "${unpriced.rows!.table}"`,
    );
    expect(row.failed).toBeGreaterThan(0);
    expect(row.missing).toBe(row.failed);
    expect(Number.isFinite(row.mean as number)).toBe(true);
    expect(Number.isFinite(row.top as number)).toBe(true);
  });
});

describe('broken files give readable problems, not a crash', () => {
  it('a truncated Parquet file', () => {
    const problems = session.datasets[1].problems.join('\n');
    expect(problems).toMatch(/^rows\.parquet: cannot be read as Parquet \(.+\); the file may be truncated/);
    expect(session.datasets[1].rows).toBeNull();
  });

  it('an empty Parquet file', () => {
    expect(session.datasets[2].problems.join('\n')).toMatch(/^rows\.parquet: cannot be read as Parquet/);
  });

  it('a manifest that is not JSON (the rows are still shown, roles by type)', () => {
    const bad = session.datasets[3];
    expect(bad.problems.join('\n')).toMatch(/^manifest\.json: not valid JSON .*truncated/);
    expect(bad.rows?.rows).toBe(fx.goodRows);
  });

  it('a manifest naming a file outside its directory', () => {
    const escaping = session.datasets[4];
    expect(escaping.problems.join('\n')).toMatch(/reduction "stolen" file "\.\.\/secret\.parquet" must be inside the result directory/);
    expect(escaping.reductions[0].table).toBeUndefined();
  });

  it('a RESULTS argument that names nothing', () => {
    expect(() => describeResult(join(fx.root, 'nope'))).toThrow(ResultArgumentError);
    expect(() => describeResult(join(fx.root, 'good', 'manifest.json'))).toThrow(/unsupported file type/);
  });
});

describe('locked down', () => {
  it('reads no file it was not given, by any reader', async () => {
    for (const sql of [
      `SELECT * FROM read_parquet('${fx.secret}')`,
      `SELECT * FROM '${fx.secret}'`,
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM glob('/etc/*')",
    ]) {
      await expect(session.query('arrow', sql), sql).rejects.toThrow(/Permission Error|disabled by configuration|does not exist/);
    }
  });

  it('writes nothing and changes no setting', async () => {
    const target = join(fx.root, 'written.csv');
    // DuckDB refuses the COPY while binding it (external access is off); the guard would refuse it next.
    await expect(session.query('exec', `COPY (SELECT 1) TO '${target}'`)).rejects.toThrow(/query refused|Permission Error/);
    await expect(session.query('exec', "SET enable_external_access = true")).rejects.toThrow(RefusedQueryError);
    await expect(session.query('exec', 'DROP VIEW ds0')).rejects.toThrow(RefusedQueryError);
    await expect(session.query('exec', `ATTACH '${join(fx.root, 'x.db')}' AS x`)).rejects.toThrow(/query refused|Permission Error/);
    await expect(session.query('exec', "ATTACH ':memory:' AS x")).rejects.toThrow(RefusedQueryError);
    await expect(rows("SELECT current_setting('enable_external_access') AS v, current_setting('lock_configuration') AS locked")).resolves.toEqual([
      { v: false, locked: true },
    ]);
    expect(existsSync(target)).toBe(false);
  });

  it('stops a query the page gave up on', async () => {
    const abandoned = new AbortController();
    const started = performance.now();
    const slow = session.query('arrow', 'SELECT sum(a.range * b.range) AS s FROM range(200000) a, range(200000) b', abandoned.signal);
    setTimeout(() => abandoned.abort(), 50);
    await expect(slow).rejects.toThrow(/Interrupt/i);
    // 4·10^10 products would take minutes; interrupted, the call returns at once and the session still answers.
    expect(performance.now() - started).toBeLessThan(20_000);
    await expect(rows('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('refuses an unknown request type', async () => {
    await expect(session.query('json', 'SELECT 1')).rejects.toThrow(/type must be "arrow" or "exec"/);
  });
});
