/**
 * Small tables the page materialises once and then queries on every brush (through the server's guarded
 * pre-aggregation wrapper: `CREATE TABLE IF NOT EXISTS "mosaic"."preagg_…" AS SELECT …`, sql-guard.ts): compare's
 * table of pairs, the scatter's per-combination frontiers. Each is named by a hash of its query, so the same
 * question reuses the same table for as long as the server runs.
 */
import type { SelectionClause } from '@uwdata/mosaic-core';
import { collectColumns } from '@uwdata/mosaic-sql';
import { buildTable, DroppedBuild } from '../table-builds.js';
import type { Dataset } from '../dataset.js';

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
  private failures = 0;
  /** True once the table exists (ready() resolved true). */
  built = false;

  constructor(
    kind: string,
    private readonly select: string,
  ) {
    this.name = `"mosaic"."preagg_${kind}_${hash(select)}"`;
  }

  /**
   * True once the table exists; false if it could not be made (the caller then queries the rows directly). A
   * failed attempt is tried once more on the next call (a transient error must not cost the view its fast path).
   * The build runs at low priority (table-builds.ts): a view answering a brush does not await it, it asks for the
   * table (`void ready()`) and scans until `built`.
   */
  ready(): Promise<boolean> {
    this.created ??= buildTable(`CREATE SCHEMA IF NOT EXISTS "mosaic"; CREATE TABLE IF NOT EXISTS ${this.name} AS ${this.select}`).then(
      () => (this.built = true),
      (error: unknown) => {
        // (a build made ahead and dropped before it started is no failure: asked for again, it is built)
        if (!(error instanceof DroppedBuild)) this.failures += 1;
        if (this.failures < 2) this.created = null;
        return false;
      },
    );
    return this.created;
  }

  /** Whether the table exists now; if not, asks for it (built in the background) and answers false. */
  available(): boolean {
    if (!this.built) void this.ready();
    return this.built;
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

/** How many value combinations the columns can take (status: its codes, fewer than 10; unknown: Infinity). */
export function combinations(dataset: Dataset, columns: Iterable<string>): number {
  let product = 1;
  for (const name of columns) product *= name === 'status' ? 10 : (dataset.stats.get(name)?.distinct ?? Infinity);
  return product;
}

/** Materialised tables by key, made on first use and kept for as long as the view lives. */
export class MaterializedTables {
  private readonly tables = new Map<string, MaterializedTable>();
  constructor(private readonly kind: string) {}

  /** The table for `key` if it was asked for and exists now. */
  built(key: string): boolean {
    return this.tables.get(key)?.built ?? false;
  }

  /** The table for `key`, made from `select()` the first time the key is asked for. */
  get(key: string, select: () => string): MaterializedTable {
    let table = this.tables.get(key);
    if (!table) {
      table = new MaterializedTable(this.kind, select());
      this.tables.set(key, table);
    }
    return table;
  }
}
