/**
 * The rows as a virtualised table: only the visible window is fetched (LIMIT/OFFSET) and drawn, so 10^7 rows
 * scroll like 100. Sort by any column (click its header), filter any column (the row of inputs under the
 * headers; see filterPredicate for the syntax). The filters are this view's clause in the crossfilter: they
 * narrow every other view, and the table shows the rows every other view's brush leaves.
 */
import { MosaicClient, type Selection } from '@uwdata/mosaic-core';
import { column, count, Query, VerbatimNode, type FilterExpr } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import type { ColumnInfo } from '../../shared/datasets.js';
import { h } from '../dom.js';
import { filterPredicate, FilterSyntaxError, where, windowQuery } from '../sql.js';
import { formatValue, panel, type View, type ViewContext } from './context.js';

export const ROW_HEIGHT = 24;
const VISIBLE_ROWS = 16;
/** Browsers cap an element's height (Chromium near 3.3e7 px); the scroll range is scaled past this. */
const MAX_SPACER_PX = 8_000_000;

/** The first row to show for a scroll position (the scroll range may be scaled down for huge tables). */
export function rowOffset(scrollTop: number, scrollRange: number, rows: number, visible: number): number {
  const last = Math.max(0, rows - visible);
  if (scrollRange <= 0 || last === 0) return 0;
  return Math.min(last, Math.max(0, Math.round((scrollTop / scrollRange) * last)));
}

/** The table's own filters as SQL; a filter that does not parse is reported and left out. */
function ownPredicate(view: TableView): { sql: string; error: string | null } {
  const parts: string[] = [];
  let error: string | null = null;
  for (const column of view.columns) {
    const text = view.ctx.state.table.filters[column.name];
    if (!text) continue;
    try {
      const predicate = filterPredicate(column.name, column.kind === 'string' ? 'string' : 'number', text);
      if (predicate) parts.push(predicate);
    } catch (caught) {
      if (caught instanceof FilterSyntaxError) error = caught.message;
      else throw caught;
    }
  }
  return { sql: parts.join(' AND '), error };
}

/** The visible window of rows. */
class WindowClient extends MosaicClient {
  offset = 0;
  constructor(
    private readonly view: TableView,
    selection: Selection,
  ) {
    super(selection);
  }

  query(filter?: unknown) {
    const { state, dataset } = this.view.ctx;
    return windowQuery({
      table: dataset.table,
      columns: this.view.columns.map((c) => c.name),
      filter: where(filter, ownPredicate(this.view).sql),
      sort: state.table.sort,
      limit: VISIBLE_ROWS + 4,
      offset: this.offset,
    });
  }

  queryResult(data: unknown) {
    this.view.draw(data as Table, ownPredicate(this.view).error);
    return this;
  }

  queryError(error: unknown) {
    this.view.showError(error);
    return this;
  }
}

/** How many rows pass: an aggregate query, so Mosaic can answer it from pre-aggregated tables while brushing. */
class CountClient extends MosaicClient {
  total = -1;
  constructor(
    private readonly view: TableView,
    selection: Selection,
  ) {
    super(selection);
  }

  query(filter?: unknown) {
    const own = ownPredicate(this.view).sql;
    return Query.from(this.view.ctx.dataset.table)
      .select({ n: count() })
      .where(...([filter, own ? new VerbatimNode(`(${own})`) : null].flat().filter(Boolean) as FilterExpr[]));
  }

  queryPending() {
    this.total = -1;
    return this;
  }

  queryResult(data: unknown) {
    this.total = Number((data as Table).getChildAt(0)?.at(0) ?? 0);
    this.view.layout();
    return this;
  }

  queryError(error: unknown) {
    this.view.showError(error);
    return this;
  }
}

class TableView implements View {
  readonly id = 'table';
  readonly element: HTMLElement;
  readonly columns: ColumnInfo[];
  private readonly client: WindowClient;
  private readonly counter: CountClient;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly headerCells = new Map<string, HTMLElement>();
  private scheduled = false;

  constructor(readonly ctx: ViewContext) {
    this.columns = ctx.dataset.columns;
    const template = this.columns.map((c) => (c.kind === 'string' ? 'minmax(120px, 1.4fr)' : 'minmax(96px, 1fr)')).join(' ');
    const header = h('div', { class: 'table-row table-head' });
    const filters = h('div', { class: 'table-row table-filters' });
    for (const column of this.columns) {
      const cell = h(
        'button',
        { class: 'table-cell head', type: 'button', title: column.unit ? `${column.name} (${column.unit})` : column.name, 'data-column': column.name },
        column.name,
      );
      cell.addEventListener('click', () => this.toggleSort(column.name));
      this.headerCells.set(column.name, cell);
      header.appendChild(cell);
      const input = h('input', {
        class: 'table-cell filter',
        type: 'text',
        placeholder: column.kind === 'string' ? 'contains…' : '>x, a..b',
        'data-filter': column.name,
        'aria-label': `filter ${column.name}`,
        value: ctx.state.table.filters[column.name] ?? '',
      });
      input.addEventListener('change', () => this.setFilter(column.name, input.value));
      filters.appendChild(input);
    }
    this.body = h('div', { class: 'table-body' });
    const sticky = h('div', { class: 'table-sticky' }, header, filters, this.body);
    this.spacer = h('div', { class: 'table-spacer' });
    this.scroller = h('div', { class: 'table-scroll', 'data-role': 'scroller' }, sticky, this.spacer);
    for (const row of [header, filters]) row.style.gridTemplateColumns = template;
    this.body.style.setProperty('--columns', template);
    this.scroller.addEventListener('scroll', () => this.onScroll());
    const frame = panel('table', 'Rows', [], this.scroller, { wide: true });
    this.element = frame.element;
    this.status = frame.status;
    this.client = new WindowClient(this, ctx.selection);
    this.counter = new CountClient(this, ctx.selection);
    this.markSort();
    this.publishFilters();
    ctx.coordinator.connect(this.client);
    ctx.coordinator.connect(this.counter);
  }

  private toggleSort(column: string) {
    const sort = this.ctx.state.table.sort;
    this.ctx.state.table.sort = sort?.column !== column ? { column, desc: false } : sort.desc ? null : { column, desc: true };
    this.markSort();
    this.ctx.saveState();
    this.client.offset = 0;
    this.scroller.scrollTop = 0;
    this.client.requestQuery();
  }

  private markSort() {
    const sort = this.ctx.state.table.sort;
    for (const [name, cell] of this.headerCells) {
      cell.dataset.sort = sort?.column === name ? (sort.desc ? 'desc' : 'asc') : '';
      cell.setAttribute('aria-sort', sort?.column === name ? (sort.desc ? 'descending' : 'ascending') : 'none');
    }
  }

  private setFilter(column: string, text: string) {
    if (text.trim() === '') delete this.ctx.state.table.filters[column];
    else this.ctx.state.table.filters[column] = text;
    this.ctx.saveState();
    this.client.offset = 0;
    this.scroller.scrollTop = 0;
    this.publishFilters();
    this.client.requestQuery();
    this.counter.requestQuery();
  }

  /** The filters as this view's clause: every other view is narrowed by them. */
  private publishFilters() {
    const predicate = ownPredicate(this).sql;
    this.ctx.selection.update({
      source: this.client,
      clients: new Set<MosaicClient>([this.client, this.counter]),
      // The filtered columns: a view can tell which columns a clause constrains (compare's pairs table).
      fields: Object.keys(this.ctx.state.table.filters).map((name) => column(name)),
      value: predicate === '' ? null : { ...this.ctx.state.table.filters },
      predicate: predicate === '' ? null : new VerbatimNode(`(${predicate})`),
    });
  }

  private onScroll() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      const range = this.scroller.scrollHeight - this.scroller.clientHeight;
      const offset = rowOffset(this.scroller.scrollTop, range, Math.max(0, this.counter.total), VISIBLE_ROWS);
      if (offset !== this.client.offset) {
        this.client.offset = offset;
        this.client.requestQuery();
      }
    });
  }

  /** Sizes the scroll range to the row count. */
  layout() {
    const rows = Math.max(0, this.counter.total);
    const height = Math.min(MAX_SPACER_PX, Math.max(0, rows - VISIBLE_ROWS) * ROW_HEIGHT);
    this.spacer.style.height = `${height}px`;
    this.updateStatus();
  }

  private lastError: string | null = null;

  private updateStatus() {
    const total = this.ctx.dataset.rows;
    const shown = this.counter.total;
    const parts = [
      shown < 0 ? `counting… of ${total.toLocaleString('en-US')} rows` : `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`,
    ];
    if (shown > 0) parts.push(`showing ${(this.client.offset + 1).toLocaleString('en-US')}–${Math.min(shown, this.client.offset + VISIBLE_ROWS).toLocaleString('en-US')}`);
    this.status.textContent = parts.join(' · ');
    this.status.dataset.count = String(shown);
    if (this.lastError) this.status.appendChild(h('span', { class: 'error' }, ` · ${this.lastError}`));
  }

  draw(table: Table, filterError: string | null) {
    this.lastError = filterError;
    const rows = table.toArray() as Record<string, unknown>[];
    const names = this.columns.map((c) => c.name);
    const cells = rows.slice(0, VISIBLE_ROWS).map((row, i) =>
      h(
        'div',
        { class: 'table-row', 'data-row': this.client.offset + i },
        ...names.map((name, j) => h('div', { class: `table-cell${this.columns[j].kind === 'string' ? '' : ' num'}` }, formatValue(row[name]))),
      ),
    );
    cells.forEach((cell, i) => {
      cell.style.gridTemplateColumns = this.body.style.getPropertyValue('--columns');
      // The what-if panel loads a clicked row's matching columns.
      cell.addEventListener('click', () => window.dispatchEvent(new CustomEvent('linkcap:row', { detail: rows[i] })));
    });
    this.body.replaceChildren(...cells);
    if (rows.length === 0) this.body.appendChild(h('div', { class: 'empty' }, 'No rows match the filters and brushes.'));
    this.updateStatus();
    this.ctx.rendered(this.id);
  }

  showError(error: unknown) {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.updateStatus();
    this.ctx.rendered(this.id);
  }

  destroy() {
    this.ctx.selection.update({ source: this.client, clients: new Set<MosaicClient>([this.client, this.counter]), fields: [], value: null, predicate: null });
    this.ctx.coordinator.disconnect(this.client);
    this.ctx.coordinator.disconnect(this.counter);
  }
}

export function createTableView(ctx: ViewContext): View {
  return new TableView(ctx);
}
