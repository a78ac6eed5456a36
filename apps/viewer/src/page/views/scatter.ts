/**
 * Scatter of two metrics (step time against cost) over millions of rows: the rows are drawn as a density
 * (counts per bin, binned by DuckDB), the Pareto frontier on top as points joined by a step line, and hovering
 * a frontier point shows its whole row (the layout that reaches it). Dragging a rectangle filters the other
 * views to the rows inside it. Which way is better on each metric is a control (smaller by default; larger for
 * metrics named like bandwidth or throughput).
 */
import { MosaicClient, type Selection, type SelectionClause } from '@uwdata/mosaic-core';
import { count, Query, VerbatimNode, type FilterExpr } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import * as d3 from 'd3';
import { axes, canLog, numericMetrics } from '../dataset.js';
import { h, select } from '../dom.js';
import { binExpr, densityDomainPredicate, ident, localFrontierQuery, paretoQuery, where } from '../sql.js';
import type { Interval } from '../state.js';
import { checkbox, formatValue, labelled, panel, type View, type ViewContext } from './context.js';
import { DebouncedQuery } from './debounced.js';
import { clauseColumns, combinations, MaterializedTables } from './materialized.js';
import { binEdges, binnedClause, binnedRanges, binsOf, binsOfEdges, type Binning } from '../brush-bins.js';

const WIDTH = 560;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 10, bottom: 40 };
const BINS: [number, number] = [120, 80];

type Scale = d3.ScaleContinuousNumeric<number, number>;

/** Most value combinations of brushed axes a table of per-combination frontiers is made for. */
const MAX_COMBINATIONS = 20_000;
/**
 * The same with bins of brushed metrics among them (a metric axis has 256): such a table holds a few rows per
 * non-empty combination, and is read with the x-bin pruning of paretoQuery, so it pays off far past the limit
 * above (a line brush on a 100-value axis × status × 256 bins is 256,000 combinations, most of them empty).
 */
const MAX_BINNED_COMBINATIONS = 1_000_000;

class LayerClient extends MosaicClient {
  constructor(
    selection: Selection,
    private readonly build: (filter: FilterExpr | undefined) => string | Query,
    private readonly onData: (table: Table) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    super(selection);
  }
  query(filter?: FilterExpr) {
    return this.build(filter);
  }
  queryResult(data: unknown) {
    this.onData(data as Table);
    return this;
  }
  queryError(error: unknown) {
    this.onError(error);
    return this;
  }
}

export function createScatterView(ctx: ViewContext): View {
  const s = ctx.state.scatter;
  const change = (patch: Partial<typeof s>) => {
    Object.assign(ctx.state.scatter, patch);
    delete ctx.state.brushes.scatter;
    ctx.saveState();
    ctx.rebuild('scatter');
  };
  const metrics = numericMetrics(ctx.dataset);
  const metricOptions = metrics.map((c) => ({ value: c.name, label: c.unit ? `${c.name} (${c.unit})` : c.name }));
  const better = (min: boolean, onchange: (min: boolean) => void, name: string) =>
    select([{ value: 'min', label: 'lower is better' }, { value: 'max', label: 'higher is better' }], min ? 'min' : 'max', (v) => onchange(v === 'min'), { 'data-control': name });
  const controls = [
    labelled('x', select(metricOptions, s.x, (x) => change({ x }), { 'data-control': 'x' })),
    better(s.minX, (minX) => change({ minX }), 'minX'),
    labelled('y', select(metricOptions, s.y, (y) => change({ y }), { 'data-control': 'y' })),
    better(s.minY, (minY) => change({ minY }), 'minY'),
    labelled('log x', checkbox(s.logX, (logX) => change({ logX }), { 'data-control': 'logX' })),
    labelled('log y', checkbox(s.logY, (logY) => change({ logY }), { 'data-control': 'logY' })),
  ];
  const chart = h('div', { class: 'chart' });
  const frame = panel('scatter', 'Scatter and Pareto frontier', controls, chart);
  const none = { id: 'scatter', element: frame.element, destroy() {} };
  const xs = ctx.dataset.stats.get(s.x);
  const ys = ctx.dataset.stats.get(s.y);
  if (!s.x || !s.y || s.x === s.y || !xs || !ys || xs.min === null || xs.max === null || ys.min === null || ys.max === null) {
    chart.appendChild(h('p', { class: 'empty' }, 'The scatter needs two numeric metrics.'));
    return none;
  }
  // Log as asked, where every value is positive.
  const logX = s.logX && canLog(xs);
  const logY = s.logY && canLog(ys);
  const xDomain: Interval = [xs.min, xs.max === xs.min ? xs.min + 1 : xs.max];
  const yDomain: Interval = [ys.min, ys.max === ys.min ? ys.min + 1 : ys.max];
  const x: Scale = (logX ? d3.scaleLog() : d3.scaleLinear()).domain(xDomain).range([MARGIN.left, WIDTH - MARGIN.right]);
  const y: Scale = (logY ? d3.scaleLog() : d3.scaleLinear()).domain(yDomain).range([HEIGHT - MARGIN.bottom, MARGIN.top]);

  const canvas = h('canvas', { width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom, class: 'density' });
  canvas.style.position = 'absolute';
  canvas.style.left = `${MARGIN.left}px`;
  canvas.style.top = `${MARGIN.top}px`;
  const svg = d3.create('svg').attr('width', WIDTH).attr('height', HEIGHT).attr('class', 'scatter-svg');
  svg.style('position', 'relative');
  const unit = (name: string) => ctx.dataset.columns.find((c) => c.name === name)?.unit;
  svg
    .append('g')
    .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
    .call(d3.axisBottom(x).ticks(6, logX ? '~s' : undefined))
    .call((g) => g.append('text').attr('x', WIDTH - MARGIN.right).attr('y', 32).attr('fill', 'currentColor').attr('text-anchor', 'end').text(`${s.x}${unit(s.x) ? ` (${unit(s.x)})` : ''} →`));
  svg
    .append('g')
    .attr('transform', `translate(${MARGIN.left},0)`)
    .call(d3.axisLeft(y).ticks(6, logY ? '~s' : undefined))
    .call((g) => g.append('text').attr('x', -MARGIN.left + 4).attr('y', MARGIN.top).attr('fill', 'currentColor').attr('text-anchor', 'start').text(`↑ ${s.y}`));
  const frontierLine = svg.append('path').attr('class', 'frontier-line').attr('fill', 'none').attr('stroke', '#d6336c').attr('stroke-width', 1.5);
  const frontierDots = svg.append('g').attr('class', 'frontier');
  const brushLayer = svg.append('g').attr('class', 'brush');
  const tooltip = h('div', { class: 'tooltip', 'data-role': 'tooltip' });
  tooltip.style.display = 'none';
  chart.append(canvas, svg.node()!, tooltip);
  chart.style.width = `${WIDTH}px`;
  chart.style.height = `${HEIGHT}px`;

  let densityDone = false;
  let frontierDone = false;
  const done = () => {
    if (densityDone && frontierDone) ctx.rendered('scatter');
  };
  const showError = (error: unknown) => {
    frame.status.textContent = error instanceof Error ? error.message : String(error);
    frame.status.classList.add('error');
    ctx.rendered('scatter');
  };

  const drawDensity = (table: Table) => {
    ctx.received('scatter');
    const context = canvas.getContext('2d')!;
    context.clearRect(0, 0, canvas.width, canvas.height);
    const bx = table.getChild('bx').toArray() as ArrayLike<number>;
    const by = table.getChild('by').toArray() as ArrayLike<number>;
    const n = table.getChild('n').toArray() as ArrayLike<number>;
    let max = 1;
    let total = 0;
    for (let i = 0; i < n.length; i += 1) {
      max = Math.max(max, n[i]);
      total += n[i];
    }
    const cw = canvas.width / BINS[0];
    const ch = canvas.height / BINS[1];
    for (let i = 0; i < n.length; i += 1) {
      const t = Math.log1p(n[i]) / Math.log1p(max);
      context.fillStyle = d3.interpolateBlues(0.25 + 0.75 * t);
      context.fillRect(bx[i] * cw, canvas.height - (by[i] + 1) * ch, Math.ceil(cw), Math.ceil(ch));
    }
    canvas.dataset.bins = String(n.length);
    canvas.dataset.points = String(total);
    densityDone = true;
    done();
  };

  type Row = Record<string, unknown>;
  let frontier: Row[] = [];
  const layoutColumns = axes(ctx.dataset).map((c) => c.name);
  const drawFrontier = (table: Table) => {
    ctx.received('scatter');
    frontier = (table.toArray() as Row[]).filter((r) => typeof r[s.x] === 'number' && typeof r[s.y] === 'number');
    const px = (r: Row) => x(r[s.x] as number);
    const py = (r: Row) => y(r[s.y] as number);
    const line = d3.line<Row>().x(px).y(py).curve(s.minY === s.minX ? d3.curveStepAfter : d3.curveStepBefore);
    frontierLine.attr('d', frontier.length > 1 ? line(frontier) : null);
    frontierDots
      .selectAll('circle')
      .data(frontier)
      .join('circle')
      .attr('cx', px)
      .attr('cy', py)
      .attr('r', 3.5)
      .attr('fill', '#d6336c')
      .attr('data-frontier', '');
    frame.status.textContent = `${frontier.length} point${frontier.length === 1 ? '' : 's'} on the Pareto frontier (${s.minX ? 'lower' : 'higher'} ${s.x}, ${s.minY ? 'lower' : 'higher'} ${s.y}); hover one for its layout`;
    frame.status.dataset.frontier = String(frontier.length);
    frontierDone = true;
    done();
  };

  const table = ctx.dataset.table;
  // The density as an aggregate query object, so Mosaic can pre-aggregate it for brushes in other views.
  const density = new LayerClient(
    ctx.selection,
    (filter) =>
      Query.from(table)
        .select({
          bx: new VerbatimNode(binExpr(s.x, logX, xDomain, BINS[0])),
          by: new VerbatimNode(binExpr(s.y, logY, yDomain, BINS[1])),
          n: count(),
        })
        .where(...[filter ?? [], new VerbatimNode(`(${densityDomainPredicate({ x: s.x, y: s.y, logX, logY })})`)].flat())
        .groupby('bx', 'by'),
    drawDensity,
    showError,
  );
  // The frontier scans every filtered row (no pre-aggregate can answer it): it waits for brushes to rest.
  // Brushes on a few axes (the usual case) are answered from the frontiers within each combination of those
  // axes' values, made once per set of brushed axes (exact: localFrontierQuery), at once once that table exists;
  // other brushes scan the rows.
  const hasStatus = ctx.dataset.columns.some((c) => c.name === 'status');
  const partitionable = new Set([...layoutColumns, ...(hasStatus ? ['status'] : [])]);
  const kept = [...layoutColumns, ...(hasStatus ? ['status'] : [])];
  const locals = new MaterializedTables('pf');
  const base = { table, x: s.x, y: s.y, minX: s.minX, minY: s.minY, columns: layoutColumns };
  /**
   * The per-combination frontiers that answer these clauses (null: they scan the rows): partitioned by the
   * brushed axes' values and by the bins of brushed metrics (a parallel-coordinates brush on a metric selects
   * whole bins, brush-bins.ts, so it too keeps or drops whole partitions).
   */
  const partitionFor = (clauses: SelectionClause[]) => {
    const plain = clauses.filter((clause) => !binnedRanges(clause));
    const binnedClauses = clauses.filter((clause) => binnedRanges(clause));
    const brushed = clauseColumns(plain);
    if (!brushed || ![...brushed].every((c) => partitionable.has(c))) return null;
    const exprs = [...new Set(binnedClauses.flatMap((clause) => binnedRanges(clause)!.map((r) => r.sql)))].sort();
    const bins = binnedClauses.flatMap((clause) => binnedRanges(clause)!.map((r) => r.bins)).reduce((a, b) => a * b, 1);
    if (combinations(ctx.dataset, brushed) * bins > (exprs.length > 0 ? MAX_BINNED_COMBINATIONS : MAX_COMBINATIONS)) return null;
    const metrics = [...(clauseColumns(binnedClauses) ?? [])];
    const columns = [...brushed].sort();
    return { columns, exprs, metrics, key: [...columns, ...exprs].join('\u0000') };
  };
  /** The per-combination frontiers for these clauses, made on first use. */
  const localFor = (partition: NonNullable<ReturnType<typeof partitionFor>>) =>
    locals.get(partition.key, () => localFrontierQuery({ ...base, columns: [...kept, ...partition.metrics], partition: partition.columns, partitionExprs: partition.exprs, positiveX: logX }));
  const pareto = new DebouncedQuery(
    ctx.selection,
    async (filter, clauses) => {
      const partition = partitionFor(clauses);
      if (partition) {
        const local = localFor(partition);
        const pruning = partition.exprs.length > 0 ? { binning: { log: logX, domain: xDomain, bins: 4096 } } : {};
        // Until its table exists (built at low priority), the frontier scans the rows as before.
        if (local.available()) return paretoQuery({ ...base, from: local.name, filter: where(filter), ...pruning });
      }
      return paretoQuery({ ...base, filter: where(filter), binning: { log: logX, domain: xDomain, bins: 4096 } });
    },
    drawFrontier,
    showError,
    (clauses) => {
      const partition = partitionFor(clauses);
      return partition !== null && locals.built(partition.key);
    },
  );

  // A brush starting on binned metrics in another view: make its frontiers while the user drags.
  const prepare = (activated: unknown) => {
    const clause = activated as SelectionClause;
    if (!binnedRanges(clause) || clause.clients?.has(pareto.client)) return;
    const others = ctx.selection.clauses.filter((c) => c.source !== clause.source && c.predicate !== null && !c.clients?.has(pareto.client));
    const partition = partitionFor([...others, clause]);
    if (partition) void localFor(partition).ready();
  };
  ctx.selection.addEventListener('activate', prepare as never);

  // Hover: the nearest frontier point within 14 px shows its row.
  const svgNode = svg.node()!;
  svgNode.addEventListener('pointermove', (event) => {
    const [mx, my] = d3.pointer(event, svgNode);
    let best: Row | null = null;
    let bestD = 14 * 14;
    for (const r of frontier) {
      const d = (x(r[s.x] as number) - mx) ** 2 + (y(r[s.y] as number) - my) ** 2;
      if (d < bestD) (bestD = d), (best = r);
    }
    if (!best) {
      tooltip.style.display = 'none';
      return;
    }
    const lines = [...new Set([...layoutColumns, s.x, s.y])].map((c) => `${c}: ${formatValue(best![c])}`);
    tooltip.textContent = lines.join('\n');
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(mx + 12, WIDTH - tooltip.offsetWidth - 4)}px`;
    // Above the point in the lower half, so the whole row stays inside the chart.
    tooltip.style.top = `${my > HEIGHT / 2 ? Math.max(0, my - tooltip.offsetHeight - 12) : my + 12}px`;
  });
  svgNode.addEventListener('pointerleave', () => (tooltip.style.display = 'none'));

  // Brush: the rows inside the rectangle filter every other view. It selects whole density cells (brush-bins.ts):
  // the drawn rectangle snaps to their edges, and Mosaic answers the other views from tables pre-aggregated per
  // cell (made when a brush starts), counting exactly the rows in those cells.
  const clients = new Set<MosaicClient>([density, pareto.client]);
  const source = { reset: () => brushLayer.call(brush.move, null) };
  pareto.ownSources.add(source);
  const binnings: Binning[] = [
    { column: s.x, log: logX, domain: xDomain, bins: BINS[0] },
    { column: s.y, log: logY, domain: yDomain, bins: BINS[1] },
  ];
  const clause = (cells: [number, number][] | null) => binnedClause({ source, clients, binnings, value: cells });
  // What the rectangle selects, in words: the snapped edges (a rectangle drawn inside a cell takes the whole cell).
  const brushNote = h('div', { class: 'panel-status', 'data-role': 'brush' });
  frame.status.before(brushNote);
  const publish = (cells: [[number, number], [number, number]] | null) => {
    ctx.selection.update(clause(cells));
    if (cells) {
      const [xr, yr] = [binEdges(binnings[0], cells[0]), binEdges(binnings[1], cells[1])];
      ctx.state.brushes.scatter = [xr, yr];
      const range = (name: string, [lo, hi]: Interval) => `${formatValue(lo)} ≤ ${name} < ${formatValue(hi)}`;
      brushNote.textContent = `Brushed: ${range(s.x, xr)}, ${range(s.y, yr)} (whole density cells)`;
    } else {
      delete ctx.state.brushes.scatter;
      brushNote.textContent = '';
    }
    ctx.saveState();
  };
  /** The rectangle around whole cells, in pixels. */
  const cellArea = (cells: [[number, number], [number, number]]): [[number, number], [number, number]] => {
    const [xr, yr] = [binEdges(binnings[0], cells[0]), binEdges(binnings[1], cells[1])];
    return [
      [x(xr[0]), y(yr[1])],
      [x(xr[1]), y(yr[0])],
    ];
  };
  let snapping = false;
  const brush = d3
    .brush<undefined>()
    .extent([
      [MARGIN.left, MARGIN.top],
      [WIDTH - MARGIN.right, HEIGHT - MARGIN.bottom],
    ])
    .on('start', (event: d3.D3BrushEvent<undefined>) => {
      // Mosaic builds its per-cell tables while the user drags.
      if (event.sourceEvent) ctx.selection.activate(clause([[0, 0], [0, 0]]));
    })
    .on('end', (event: d3.D3BrushEvent<undefined>) => {
      if (snapping || (!event.sourceEvent && !restoring)) return;
      const area = event.selection as [[number, number], [number, number]] | null;
      if (!area) return publish(null);
      const [[x0, y0], [x1, y1]] = area;
      const cells: [[number, number], [number, number]] = [
        binsOf(binnings[0], [x.invert(x0), x.invert(x1)]),
        binsOf(binnings[1], [y.invert(y1), y.invert(y0)]),
      ];
      snapping = true;
      brushLayer.call(brush.move, cellArea(cells));
      snapping = false;
      publish(cells);
    });
  let restoring = false;
  brushLayer.call(brush);
  const saved = ctx.state.brushes.scatter;
  if (saved) {
    restoring = true;
    const cells: [[number, number], [number, number]] = [binsOfEdges(binnings[0], saved[0]), binsOfEdges(binnings[1], saved[1])];
    snapping = true;
    brushLayer.call(brush.move, cellArea(cells));
    snapping = false;
    publish(cells);
    restoring = false;
  }
  ctx.coordinator.connect(density);
  return {
    id: 'scatter',
    element: frame.element,
    brushClauses: () => [clause([[0, 0], [0, 0]])],
    destroy() {
      ctx.selection.update(clause(null));
      ctx.selection.removeEventListener('activate', prepare as never);
      ctx.coordinator.disconnect(density);
      pareto.destroy();
    },
  };
}
