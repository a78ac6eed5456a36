/**
 * The viewer page: asks the server what it serves, loads column statistics, then builds every view on one
 * crossfilter selection. The state lives in the URL's hash (state.ts).
 */
import * as vg from '@uwdata/vgplot';
import { MosaicClient } from '@uwdata/mosaic-core';
import { column, count, Query, VerbatimNode, type FilterExpr } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import type { DatasetInfo } from '../shared/datasets.js';
import { activity, fetchDatasets, ViewerConnector } from './api.js';
import { defaultsFor, type Dataset } from './dataset.js';
import { h, select } from './dom.js';
import { datasetOf, loadStats, viewableTables } from './load.js';
import { installPreaggFallback, pendingBuilds, prebuildFor } from './table-builds.js';
import { datasetIndex, encodeState, parseHash, readState, readTableState, sameTable, tableKey, type ViewState } from './state.js';
import { checkbox, STATUS_OK_CLAUSE, type View, type ViewContext } from './views/context.js';
import { createCompareView } from './views/compare.js';
import { createParallelView } from './views/parallel.js';
import { createHeatmapView, createLineView } from './views/plots.js';
import { createReductionsView } from './views/reductions.js';
import { createScatterView } from './views/scatter.js';
import { createTableView } from './views/table.js';
import { createWhatIfView } from './views/whatif.js';
import './style.css';

/** Progress the end-to-end tests and the benchmark read (window.__linkcap). */
const probe = {
  activity,
  ready: false,
  /** Renders per view since the page opened. */
  renders: {} as Record<string, number>,
  /** When each view first drew with data, and last drew (ms since navigation start). */
  firstRender: {} as Record<string, number>,
  renderTimes: {} as Record<string, number>,
  /** When each view last received data (ms since navigation start), before drawing it. */
  dataTimes: {} as Record<string, number>,
  lastRender: 0,
  errors: [] as string[],
  /** Table builds queued or running (table-builds.ts). */
  pendingBuilds,
};
(window as unknown as { __linkcap: typeof probe }).__linkcap = probe;

/** Views that span the grid's full width. */
const WIDE = new Set(['parallel', 'table', 'reductions', 'whatif']);

/** Every view, in page order. */
const VIEW_FACTORIES: Record<string, (ctx: ViewContext) => View> = {
  line: createLineView,
  heat: createHeatmapView,
  scatter: createScatterView,
  compare: createCompareView,
  parallel: createParallelView,
  table: createTableView,
  reductions: createReductionsView,
  whatif: createWhatIfView,
};

function problemList(title: string, items: string[], kind: 'error' | 'warning'): HTMLElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-role': kind }, h('strong', {}, title), h('ul', {}, ...items.map((item) => h('li', {}, item))));
}

function header(datasets: DatasetInfo[], current: number, tables: { key: string; label: string }[], table: string): HTMLElement {
  const picker =
    datasets.length > 1
      ? select(
          datasets.map((d) => ({ value: String(d.id), label: d.label })),
          String(current),
          (value) => {
            location.hash = encodeURIComponent(JSON.stringify({ ds: Number(value) }));
            location.reload();
          },
          { 'data-control': 'dataset', 'aria-label': 'result' },
        )
      : h('span', { class: 'dataset-name' }, datasets[current]?.label ?? '');
  const info = datasets[current];
  const files = info ? info.files.map((f) => h('a', { href: f.href, download: '' }, f.label)) : [];
  // Which table of the result the views show: its rows, or a reduction (a sweep with output.rows: none has only those).
  const tablePicker =
    tables.length > 1
      ? h(
          'label',
          { class: 'control' },
          h('span', {}, 'table'),
          select(
            tables.map((t) => ({ value: t.key, label: t.label })),
            table,
            (value) => {
              location.hash = encodeURIComponent(JSON.stringify({ ds: current, t: value }));
              location.reload();
            },
            { 'data-control': 'table' },
          ),
        )
      : null;
  return h(
    'header',
    { class: 'top' },
    h('h1', {}, 'linkcap'),
    picker,
    tablePicker,
    h('span', { class: 'path', title: info?.path ?? '' }, info?.path ?? ''),
    h('nav', { class: 'files' }, ...files),
  );
}

/** "N of M rows" under every brush and filter: the number the tests check after brushing. */
class MatchCount extends MosaicClient {
  constructor(
    private readonly dataset: Dataset,
    private readonly element: HTMLElement,
    ctx: { selection: ViewContext['selection'] },
  ) {
    super(ctx.selection);
  }
  query(filter?: FilterExpr) {
    // An aggregate query object (not text), so Mosaic answers it from pre-aggregated tables while brushing.
    return Query.from(this.dataset.table).select({ n: count() }).where(filter ?? []);
  }
  queryResult(data: unknown) {
    const n = Number((data as Table).getChildAt(0)?.at(0) ?? 0);
    this.element.dataset.count = String(n);
    this.element.textContent = `${n.toLocaleString('en-US')} of ${this.dataset.rows.toLocaleString('en-US')} rows match`;
    return this;
  }
}

async function boot(root: HTMLElement): Promise<void> {
  let datasets: DatasetInfo[];
  try {
    datasets = await fetchDatasets();
  } catch (error) {
    root.replaceChildren(problemList('The viewer could not reach linkcap view', [(error as Error).message], 'error'));
    return;
  }
  const raw = parseHash(location.hash);
  const ds = datasetIndex(raw, datasets.length);
  const info = datasets[ds];
  const tables = info ? viewableTables(info) : [];
  const t = tableKey(raw, tables.map((x) => x.key));
  const chosen = tables.find((x) => x.key === t);
  root.replaceChildren(header(datasets, ds, tables, t));
  if (!info) {
    root.appendChild(problemList('Nothing to show', ['No results were named.'], 'error'));
    return;
  }
  if (info.problems.length > 0) root.appendChild(problemList(`Problems with ${info.label}`, info.problems, 'error'));
  if (info.warnings.length > 0) root.appendChild(problemList('Note', info.warnings, 'warning'));
  if (!info.rows && chosen) {
    root.appendChild(problemList('Note', [`${info.label} stores no rows (the sweep's output.rows: none): the views show its ${chosen.key} table; pick another at the top.`], 'warning'));
  }
  if (!chosen) {
    probe.ready = true;
    return;
  }
  if (chosen.table.rows === 0) {
    root.appendChild(problemList(`${info.label} holds no rows`, [`The ${chosen.key} table is valid but empty: the sweep evaluated no point.`], 'warning'));
    probe.ready = true;
    return;
  }

  const coordinator = vg.coordinator();
  coordinator.databaseConnector(new ViewerConnector() as never);
  coordinator.logger(null);
  // Pre-aggregated tables build at low priority; a view answers by scanning until its table exists.
  installPreaggFallback(coordinator);
  const dataset = datasetOf(info, chosen);
  const columnNames = dataset.columns.map((c) => c.name);
  // The table needs only the columns: it draws first, while the statistics the other views need load.
  const state = { ds, t, okOnly: sameTable(raw, ds, t)?.okOnly !== false, table: readTableState(raw, ds, columnNames, t), brushes: {}, whatif: {} } as unknown as ViewState;
  const selection = vg.Selection.crossfilter();

  const summary = h('span', { class: 'match-count', 'data-role': 'match-count' });
  const clear = h('button', { type: 'button', 'data-control': 'clear' }, 'Clear brushes and filters');
  const grid = h('main', { class: 'grid' });
  // Points that could not be priced (NaN metrics) or, in training, do not fit in memory (status 1) are left out
  // of every view unless asked for: the sweep's own reductions use only status 0 as well.
  const hasStatus = dataset.columns.some((c) => c.name === 'status' && (c.kind === 'int' || c.kind === 'float'));
  const okSource = { reset: () => {} };
  const publishOk = () =>
    selection.update({
      source: okSource,
      clients: new Set(),
      fields: [column('status')],
      value: state.okOnly ? 'status = 0' : null,
      predicate: state.okOnly ? new VerbatimNode('("status" = 0)') : null,
      meta: { type: STATUS_OK_CLAUSE },
    });
  const okToggle = hasStatus
    ? h(
        'label',
        { class: 'control', title: 'status 0: priced, and for training configurations fitting in memory' },
        checkbox(state.okOnly, (checked) => {
          state.okOnly = checked;
          ctx.saveState();
          publishOk();
        }, { 'data-control': 'okOnly' }),
        h('span', {}, 'only points with status 0'),
      )
    : null;
  root.append(h('div', { class: 'summary' }, summary, okToggle, clear), grid);
  const slots = new Map(Object.keys(VIEW_FACTORIES).map((id) => [id, h('section', { class: `panel${WIDE.has(id) ? ' wide' : ''} placeholder`, 'data-slot': id }, h('p', { class: 'loading' }, 'Loading…'))]));
  grid.append(...slots.values());

  const views = new Map<string, View>();
  // Once every view is drawn (and again when the scatter or the parallel coordinates are rebuilt, for other
  // metrics), the tables for their brushes are built ahead, at the lowest priority (table-builds.ts).
  let prebuildDue = true;
  const prebuildIfDue = () => {
    if (!prebuildDue || !probe.ready || !Object.keys(VIEW_FACTORIES).every((id) => probe.firstRender[id] !== undefined)) return;
    prebuildDue = false;
    void prebuildFor(selection, [...views.values()].flatMap((view) => view.brushClauses?.() ?? []));
  };
  let tableDrawn: () => void = () => {};
  const firstTable = new Promise<void>((resolve) => (tableDrawn = resolve));
  const ctx: ViewContext = {
    dataset,
    state,
    selection,
    coordinator,
    saveState: () => history.replaceState(null, '', encodeState(state)),
    rebuild: (id) => {
      const old = views.get(id);
      if (!old) return;
      old.destroy();
      const view = VIEW_FACTORIES[id](ctx);
      views.set(id, view);
      old.element.replaceWith(view.element);
      if (view.brushClauses) prebuildDue = true;
    },
    received: (id) => {
      probe.dataTimes[id] = performance.now();
    },
    rendered: (id) => {
      probe.renders[id] = (probe.renders[id] ?? 0) + 1;
      probe.firstRender[id] ??= performance.now();
      if (id === 'table') tableDrawn();
      probe.renderTimes[id] = performance.now();
      probe.lastRender = performance.now();
      // (after the drawing: the activations run synchronously)
      if (prebuildDue) setTimeout(prebuildIfDue, 0);
    },
  };
  const place = (id: string) => {
    const view = VIEW_FACTORIES[id](ctx);
    views.set(id, view);
    slots.get(id)!.replaceWith(view.element);
  };
  clear.addEventListener('click', () => {
    state.brushes = {};
    state.table.filters = {};
    ctx.saveState();
    location.reload();
  });
  if (hasStatus && state.okOnly) publishOk();
  coordinator.connect(new MatchCount(dataset, summary, ctx));
  place('table');
  // First paint first: the statistics scan whole columns, so they wait for the table's first window (or 3 s).
  await Promise.race([firstTable, new Promise((resolve) => setTimeout(resolve, 3000))]);
  await loadStats(coordinator, dataset);
  Object.assign(state, { ...readState(raw, ds, defaultsFor(dataset), columnNames, t), table: state.table });
  for (const id of Object.keys(VIEW_FACTORIES)) if (id !== 'table') place(id);
  ctx.saveState();
  probe.ready = true;
  prebuildIfDue();
}

const root = document.getElementById('app')!;
boot(root).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  probe.errors.push(message);
  root.appendChild(problemList('The viewer stopped with an error', [message], 'error'));
});
