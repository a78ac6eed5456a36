/**
 * Which SQL from the page runs. File access is closed by DuckDB itself (session.ts: enable_external_access =
 * false with the named files in allowed_paths, configuration locked); this guard closes the rest using DuckDB's
 * own parser: one statement, and it must be a SELECT (DESCRIBE, SUMMARIZE and table-valued PRAGMAs parse as
 * SELECT). Nothing that writes, attaches, sets, loads or drops.
 *
 * The one exception is Mosaic's pre-aggregation, which materialises small tables of bins to make brushing
 * fast: `CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS "mosaic"."preagg_<id>" AS <select>` (the
 * compare view makes its table of pairs the same way).
 * That exact wrapper is recognised, the <select> is checked like any other query, and the server runs the
 * CREATE itself with a name it validated: the page can add in-memory tables to the `mosaic` schema and nothing
 * else.
 */
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';

export class RefusedQueryError extends Error {
  constructor(reason: string) {
    super(`query refused: ${reason}`);
    this.name = 'RefusedQueryError';
  }
}

export const PREAGG_SCHEMA = 'mosaic';

/** Mosaic's pre-aggregation statement pair (mosaic-core PreAggregator, mosaic-sql createSchema/createTable). */
const PREAGG_PATTERN =
  /^\s*CREATE SCHEMA IF NOT EXISTS "mosaic"\s*;\s*CREATE TABLE IF NOT EXISTS "mosaic"\."(preagg_[A-Za-z0-9_]{1,64})" AS ((?:SELECT|WITH)\b[\s\S]*)$/;

export type CheckedQuery =
  | { kind: 'select'; statement: DuckDBPreparedStatement }
  | { kind: 'preagg'; table: string; select: string };

function statementName(type: StatementType): string {
  return StatementType[type] ?? `statement type ${type}`;
}

/** Prepares `sql` as exactly one SELECT statement, or throws RefusedQueryError saying why not. */
async function prepareSelect(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await connection.extractStatements(sql);
  } catch (error) {
    // A parse error is the page's mistake, not a refusal: pass DuckDB's message through.
    throw new Error(firstLine(error));
  }
  if (extracted.count !== 1) throw new RefusedQueryError(`${extracted.count} statements; send exactly one SELECT`);
  const statement = await extracted.prepare(0);
  if (statement.statementType !== StatementType.SELECT) {
    statement.destroySync();
    throw new RefusedQueryError(`${statementName(statement.statementType)} statements are not allowed; only SELECT`);
  }
  return statement;
}

/** Checks a query from the page. Throws RefusedQueryError for anything but a SELECT or Mosaic's pre-aggregation. */
export async function checkQuery(connection: DuckDBConnection, sql: unknown): Promise<CheckedQuery> {
  if (typeof sql !== 'string' || sql.trim() === '') throw new RefusedQueryError('sql must be a non-empty string');
  const preagg = PREAGG_PATTERN.exec(sql);
  if (preagg) {
    const [, table, select] = preagg;
    const statement = await prepareSelect(connection, select);
    statement.destroySync();
    return { kind: 'preagg', table, select };
  }
  return { kind: 'select', statement: await prepareSelect(connection, sql) };
}

/** The CREATE the server runs for a checked pre-aggregation (table name validated by the pattern). */
export function preaggStatement(query: { table: string; select: string }): string {
  return `CREATE SCHEMA IF NOT EXISTS "${PREAGG_SCHEMA}"; CREATE TABLE IF NOT EXISTS "${PREAGG_SCHEMA}"."${query.table}" AS ${query.select}`;
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
