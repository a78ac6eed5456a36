/**
 * A view query that waits for the brushes to rest. The Pareto frontier and the compare join scan every row
 * without a pre-aggregate to fall back on (hundreds of ms at 10^7 rows): answering each intermediate position of
 * a drag would queue stale scans in DuckDB ahead of the cheap views. Instead the query runs once the selection
 * has not changed for `delayMs`, a newer query aborts the older one (and the server interrupts it in DuckDB),
 * and an answer that is no longer current is dropped.
 *
 * It filters like a Mosaic client: `selection.predicate(this)` leaves out the clauses this view publishes (its
 * identity is in their `clients` sets).
 */
import type { MosaicClient, Selection, SelectionClause } from '@uwdata/mosaic-core';
import type { FilterExpr } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import { activity, fetchArrow } from '../api.js';

export class DebouncedQuery {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | null = null;
  private generation = 0;
  /** Sources of the clauses this view publishes: their changes do not change its own query. */
  readonly ownSources = new Set<object>();

  constructor(
    private readonly selection: Selection,
    /** The SQL for the current brushes: the combined predicate, and the clauses it came from. */
    private readonly build: (filter: FilterExpr | undefined, clauses: SelectionClause[]) => string | Promise<string>,
    private readonly onData: (table: Table) => void,
    private readonly onError: (error: unknown) => void,
    private readonly delayMs = 80,
  ) {
    selection.addEventListener('value', this.schedule);
    void this.run();
  }

  /** Stands for this view in clause `clients` sets (crossfilter skips a view's own clauses). */
  get client(): MosaicClient {
    return this as unknown as MosaicClient;
  }

  private readonly schedule = () => {
    const active = this.selection.active;
    if (active && this.ownSources.has(active.source)) return;
    if (this.timer === undefined) activity.scheduled += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      activity.scheduled -= 1;
      void this.run();
    }, this.delayMs);
  };

  async run(): Promise<void> {
    const generation = ++this.generation;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const filter = this.selection.predicate(this.client) as FilterExpr | undefined;
    const clauses = this.selection.clauses.filter((clause) => clause.predicate !== null && !clause.clients?.has(this.client));
    try {
      const sql = await this.build(filter, clauses);
      if (controller.signal.aborted) return;
      const table = await fetchArrow(sql, controller.signal);
      if (generation === this.generation) this.onData(table);
    } catch (error) {
      if (!controller.signal.aborted && generation === this.generation) this.onError(error);
    }
  }

  destroy(): void {
    this.selection.removeEventListener('value', this.schedule);
    if (this.timer !== undefined) activity.scheduled -= 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
  }
}
