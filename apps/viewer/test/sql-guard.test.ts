/**
 * The guard on the page's SQL, with DuckDB's own parser: one SELECT, or Mosaic's exact pre-aggregation
 * wrapper; everything else refused with a reason.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkQuery, preaggStatement, RefusedQueryError } from '../src/server/sql-guard.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run('CREATE TABLE ds0 AS SELECT range AS x, range * 2.5 AS y FROM range(10)');
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function verdict(sql: unknown): Promise<string> {
  try {
    const checked = await checkQuery(connection, sql);
    if (checked.kind === 'select') checked.statement.destroySync();
    return checked.kind;
  } catch (error) {
    return error instanceof RefusedQueryError ? 'refused' : 'error';
  }
}

describe('checkQuery', () => {
  it.each([
    'SELECT count(*) FROM ds0',
    'WITH a AS (SELECT x FROM ds0) SELECT * FROM a',
    'DESCRIBE SELECT * FROM ds0',
    'SUMMARIZE ds0',
    'FROM ds0 LIMIT 3',
    'SELECT 1 -- a comment; DROP TABLE ds0',
  ])('lets a read through: %s', async (sql) => {
    expect(await verdict(sql)).toBe('select');
  });

  it.each([
    ['DROP TABLE ds0'],
    ['INSERT INTO ds0 VALUES (1, 2)'],
    ['UPDATE ds0 SET x = 0'],
    ['DELETE FROM ds0'],
    ["COPY ds0 TO '/tmp/linkcap-guard-test.csv'"],
    ["ATTACH ':memory:' AS other"],
    ['DETACH other'],
    ['SET enable_external_access = true'],
    ['PRAGMA enable_profiling'],
    ['INSTALL httpfs'],
    ['LOAD httpfs'],
    ["CALL pragma_version()"],
    ['CREATE TABLE t AS SELECT 1'],
    ['CREATE OR REPLACE VIEW ds0 AS SELECT 1'],
    ["EXPORT DATABASE '/tmp/linkcap-guard-export'"],
    ['SELECT 1; DROP TABLE ds0'],
    ['SELECT 1; SELECT 2'],
    ['EXPLAIN SELECT 1'],
  ])('refuses %s', async (sql) => {
    expect(await verdict(sql)).toBe('refused');
  });

  it('refuses what is not SQL text, and passes a parse error through as an error', async () => {
    expect(await verdict(42)).toBe('refused');
    expect(await verdict('   ')).toBe('refused');
    expect(await verdict('SELEKT 1')).toBe('error');
  });

  it("accepts Mosaic's pre-aggregation and rebuilds the CREATE itself", async () => {
    const sql = 'CREATE SCHEMA IF NOT EXISTS "mosaic";\nCREATE TABLE IF NOT EXISTS "mosaic"."preagg_a1b2" AS SELECT x, count(*) AS n FROM ds0 GROUP BY x';
    const checked = await checkQuery(connection, sql);
    expect(checked).toEqual({ kind: 'preagg', table: 'preagg_a1b2', select: 'SELECT x, count(*) AS n FROM ds0 GROUP BY x' });
    if (checked.kind !== 'preagg') throw new Error('expected preagg');
    await connection.run(preaggStatement(checked));
    const count = await connection.runAndReadAll('SELECT count(*) AS n FROM mosaic.preagg_a1b2');
    expect(Number(count.getRowObjectsJS()[0].n)).toBe(10);
  });

  it('accepts a WITH … SELECT as the materialised query', async () => {
    const sql = 'CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "mosaic"."preagg_cmp_1f" AS WITH a AS (SELECT x FROM ds0) SELECT * FROM a';
    expect(await verdict(sql)).toBe('preagg');
  });

  it('refuses a pre-aggregation wrapper around anything but one SELECT, or into another schema', async () => {
    const head = 'CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "mosaic"."preagg_x" AS ';
    expect(await verdict(`${head}SELECT 1; DROP TABLE ds0`)).toBe('refused');
    expect(await verdict(`${head}SELECT 1; COPY ds0 TO '/tmp/x.csv'`)).toBe('refused');
    expect(await verdict(`${head}WITH a AS (SELECT 1) SELECT * FROM a; DROP TABLE ds0`)).toBe('refused');
    expect(await verdict('CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "main"."preagg_x" AS SELECT 1')).toBe('refused');
    expect(await verdict('CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "mosaic"."ds0; DROP TABLE ds0; --" AS SELECT 1')).toBe('refused');
    expect(await verdict('CREATE SCHEMA IF NOT EXISTS "mosaic"')).toBe('refused');
  });
});
