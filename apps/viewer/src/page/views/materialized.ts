/**
 * Small tables the page materialises once and then queries on every brush (through the server's guarded
 * pre-aggregation wrapper: `CREATE TABLE IF NOT EXISTS "mosaic"."preagg_…" AS SELECT …`, sql-guard.ts): compare's
 * table of pairs, the scatter's per-combination frontiers. Each is named by a hash of its query, so the same
 * question reuses the same table for as long as the server runs.
 */
import type { SelectionClause } from '@uwdata/mosaic-core';
import { collectColumns } from '@uwdata/mosaic-sql';
import { fetchExec } from '../api.js';

/** A short stable hash of a string (FNV-1a, hex). */
export function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

export class MaterializedTable {
  /** The qualified, quoted name to put after FROM. */
  readonly name: string;
  private created: Promise<boolean> | null = null;

  constructor(
    kind: string,
    private readonly select: string,
  ) {
    this.name = `"mosaic"."preagg_${kind}_${hash(select)}"`;
  }

  /** True once the table exists; false if it could not be made (the caller then queries the rows directly). */
  ready(): Promise<boolean> {
    this.created ??= fetchExec(`CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS ${this.name} AS ${this.select}`).then(
      () => true,
      () => false,
    );
    return this.created;
  }
}

/**
 * The columns the clauses constrain (from their `fields`), or null when a clause does not say (then no
 * materialised table can be trusted to answer it).
 */
export function clauseColumns(clauses: SelectionClause[]): Set<string> | null {
  const columns = new Set<string>();
  for (const clause of clauses) {
    const names = (clause.fields ?? []).flatMap((field) => collectColumns(field as never).map((c) => (c as { column: string }).column));
    if (names.length === 0) return null;
    for (const name of names) columns.add(name);
  }
  return columns;
}
