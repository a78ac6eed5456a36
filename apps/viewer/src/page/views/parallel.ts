/**
 * Parallel coordinates over the sweep's axes and metrics, one vertical axis each, with a brush on every axis.
 * Lines come from a fixed random sample of the rows (the server keeps one per dataset) that passes the other
 * views' brushes: 10^7 lines would be ink, not information. The brushes themselves are exact: they filter the
 * other views by SQL over every row.
 */
import { MosaicClient, type Selection } from '@uwdata/mosaic-core';
import { column, VerbatimNode } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import * as d3 from 'd3';
import type { ColumnInfo } from '../../shared/datasets.js';
import { isNumeric, wantsLog } from '../dataset.js';
import { h } from '../dom.js';
import { ident, literal, where } from '../sql.js';
import type { Interval } from '../state.js';
import { panel, type View, type ViewContext } from './context.js';
import { binEdges, binnedClause, binOf, binsOf, binsOfEdges, type Binning } from '../brush-bins.js';

const HEIGHT = 300;
const MARGIN = { left: 96, right: 48, top: 28, bottom: 16 };
const MAX_LINES = 1500;

type Brush = Interval | (string | number)[];

/** The SQL predicate of the parallel-coordinates brushes (all must hold). */
export function parallelPredicate(brushes: Record<string, Brush>, columns: ColumnInfo[]): string {
  const parts: string[] = [];
  for (const [name, brush] of Object.entries(brushes)) {
    const column = columns.find((c) => c.name === name);
    if (!column) continue;
    if (isNumeric(column) && brush.length === 2 && brush.every((v) => typeof v === 'number')) {
      parts.push(`${ident(name)} BETWEEN ${brush[0]} AND ${brush[1]}`);
    } else if (brush.length > 0) {
      parts.push(`${ident(name)} IN (${brush.map((v) => literal(v)).join(', ')})`);
    }
  }
  return parts.join(' AND ');
}

class SampleClient extends MosaicClient {
  constructor(
    selection: Selection,
    private readonly build: (filter: string) => string,
    private readonly onData: (table: Table) => void,
  ) {
    super(selection);
  }
  query(filter?: unknown) {
    return this.build(where(filter));
  }
  queryResult(data: unknown) {
    this.onData(data as Table);
    return this;
  }
}

export function createParallelView(ctx: ViewContext): View {
  const { dataset } = ctx;
  // A column can be an axis here when it has a range (numbers) or a value list (axes with ≤ 256 values).
  const drawable = (c: ColumnInfo) => {
    const stats = dataset.stats.get(c.name);
    return c.role !== 'status' && (isNumeric(c) ? stats?.min !== null && stats?.min !== undefined : !!stats?.values);
  };
  const chosen = ctx.state.parallel.columns.filter((name) => dataset.columns.some((c) => c.name === name && drawable(c)));
  const columns = chosen.map((name) => dataset.columns.find((c) => c.name === name)!);
  const picker = h('details', { class: 'column-picker' }, h('summary', {}, `${columns.length} columns`));
  for (const column of dataset.columns.filter(drawable)) {
    const box = h('input', { type: 'checkbox', 'data-column': column.name });
    box.checked = chosen.includes(column.name);
    box.addEventListener('change', () => {
      const next = dataset.columns.filter((c) => (c.name === column.name ? box.checked : ctx.state.parallel.columns.includes(c.name))).map((c) => c.name);
      ctx.state.parallel.columns = next;
      if (ctx.state.brushes.parallel) delete ctx.state.brushes.parallel[column.name];
      ctx.saveState();
      ctx.rebuild('parallel');
    });
    picker.appendChild(h('label', { class: 'control' }, box, column.name));
  }
  const chart = h('div', { class: 'chart plot-body' });
  const frame = panel('parallel', 'Parallel coordinates', [picker], chart, { wide: true });
  if (columns.length < 2) {
    chart.appendChild(h('p', { class: 'empty' }, 'Pick two or more columns.'));
    return { id: 'parallel', element: frame.element, destroy() {} };
  }

  const WIDTH = Math.max(640, Math.min(1800, 100 * columns.length + MARGIN.left + MARGIN.right));
  const xPos = d3.scalePoint<string>().domain(columns.map((c) => c.name)).range([MARGIN.left, WIDTH - MARGIN.right]);
  const scales = new Map<string, { scale: (v: unknown) => number | undefined; invert: (a: number, b: number) => Brush | null }>();
  const yRange: [number, number] = [HEIGHT - MARGIN.bottom, MARGIN.top];
  for (const column of columns) {
    const stats = dataset.stats.get(column.name);
    if (isNumeric(column) && stats && stats.min !== null && stats.max !== null) {
      const log = wantsLog(stats);
      const scale = (log ? d3.scaleLog() : d3.scaleLinear()).domain([stats.min, stats.max === stats.min ? stats.min + 1 : stats.max]).range(yRange);
      scales.set(column.name, {
        scale: (v) => (typeof v === 'number' && (!log || v > 0) ? scale(v) : undefined),
        invert: (a, b) => [scale.invert(b), scale.invert(a)] as Interval,
      });
    } else {
      const values = (stats?.values ?? []).map((v) => v);
      const scale = d3.scalePoint<string>().domain(values.map(String)).range(yRange).padding(0.5);
      scales.set(column.name, {
        scale: (v) => (v === null || v === undefined ? undefined : scale(String(v))),
        invert: (a, b) => {
          const inside = values.filter((v) => {
            const p = scale(String(v))!;
            return p >= a && p <= b;
          });
          return inside.length > 0 ? inside : null;
        },
      });
    }
  }

  // Brushes on metrics select whole bins, one per pixel of the axis (brush-bins.ts): each metric's brush is its
  // own clause, which Mosaic answers from tables pre-aggregated per bin (made when the brush starts) instead of
  // scanning every row, with exact counts. Brushes on the sweep's axes (a few values each) stay exact ranges and
  // value lists, in one clause, which the other views answer from their per-combination tables.
  const binnings = new Map<string, Binning>();
  for (const column of columns) {
    const stats = dataset.stats.get(column.name);
    if (column.role !== 'metric' || !isNumeric(column) || !stats || stats.min === null || stats.max === null) continue;
    const domain: Interval = [stats.min, stats.max === stats.min ? stats.min + 1 : stats.max];
    binnings.set(column.name, { column: column.name, log: wantsLog(stats), domain, bins: yRange[0] - yRange[1] });
  }

  // Lines on a canvas (1,500 SVG paths cost the page a style, layout and paint pass on every brush), axes and
  // brushes in an SVG on top.
  const ratio = window.devicePixelRatio || 1;
  const canvas = h('canvas', { width: String(Math.round(WIDTH * ratio)), height: String(Math.round(HEIGHT * ratio)), class: 'lines', 'data-role': 'lines' });
  canvas.style.position = 'absolute';
  canvas.style.left = '0';
  canvas.style.top = '0';
  canvas.style.width = `${WIDTH}px`;
  canvas.style.height = `${HEIGHT}px`;
  const svg = d3.create('svg').attr('width', WIDTH).attr('height', HEIGHT);
  svg.style('position', 'relative');
  const axisLayer = svg.append('g');
  for (const column of columns) {
    const g = axisLayer.append('g').attr('transform', `translate(${xPos(column.name)},0)`).attr('data-axis', column.name);
    const stats = dataset.stats.get(column.name);
    if (isNumeric(column) && stats?.min !== null) {
      const log = wantsLog(stats);
      const scale = (log ? d3.scaleLog() : d3.scaleLinear()).domain([stats!.min!, stats!.max === stats!.min ? stats!.min! + 1 : stats!.max!]).range(yRange);
      g.call(d3.axisLeft(scale).ticks(5, log ? '~s' : '~s'));
    } else {
      const values = (stats?.values ?? []).map(String);
      g.call(d3.axisLeft(d3.scalePoint<string>().domain(values).range(yRange).padding(0.5)));
    }
    g.append('text').attr('y', MARGIN.top - 12).attr('text-anchor', 'middle').attr('fill', 'currentColor').attr('font-weight', 600).text(column.name);
  }
  const stack = h('div', { class: 'parallel-stack' }, canvas, svg.node()!);
  stack.style.position = 'relative';
  stack.style.width = `${WIDTH}px`;
  stack.style.height = `${HEIGHT}px`;
  chart.appendChild(stack);

  const brushes: Record<string, Brush> = { ...(ctx.state.brushes.parallel ?? {}) };
  /** The bins each brushed metric selects (its entry in `brushes` holds their edges). */
  const binned: Record<string, [number, number]> = {};
  for (const [name, binning] of binnings) {
    const saved = brushes[name];
    if (saved && saved.length === 2 && saved.every((v) => typeof v === 'number')) binned[name] = binsOfEdges(binning, saved as Interval);
    else delete brushes[name];
  }
  const sample = dataset.sample ?? dataset.table;
  const names = columns.map((c) => ident(c.name)).join(', ');
  let fallbackNote = '';
  let drawn: Record<string, unknown>[] = [];
  /** Inside every brush of this view (its own brushes do not filter its lines, they highlight them). */
  const inside = (row: Record<string, unknown>) =>
    Object.entries(brushes).every(([name, brush]) => {
      const value = row[name];
      const column = columns.find((c) => c.name === name);
      if (!column) return true;
      const binning = binnings.get(name);
      if (binning) {
        const cells = binned[name];
        if (typeof value !== 'number' || !Number.isFinite(value) || (binning.log && value <= 0) || !cells) return false;
        const bin = binOf(binning, value);
        return bin >= cells[0] && bin <= cells[1];
      }
      if (isNumeric(column)) return typeof value === 'number' && value >= (brush[0] as number) && value <= (brush[1] as number);
      return (brush as unknown[]).some((v) => String(v) === String(value));
    });
  /** Each row's polyline (points in CSS pixels), made once per answer. */
  let polylines: [number, number][][] = [];
  /** Paints the lines: those outside this view's brushes first and faint, those inside on top. */
  const paint = () => {
    const context = canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, WIDTH, HEIGHT);
    context.lineWidth = 1;
    let highlighted = 0;
    for (const pass of [false, true]) {
      context.strokeStyle = pass ? 'rgba(47, 111, 223, 0.3)' : 'rgba(184, 190, 198, 0.12)';
      drawn.forEach((row, i) => {
        if (inside(row) !== pass) return;
        if (pass) highlighted += 1;
        const points = polylines[i];
        if (points.length < 2) return;
        context.beginPath();
        context.moveTo(points[0][0], points[0][1]);
        for (let k = 1; k < points.length; k += 1) context.lineTo(points[k][0], points[k][1]);
        context.stroke();
      });
    }
    canvas.dataset.lines = String(drawn.length);
    frame.status.dataset.highlighted = String(highlighted);
  };
  const draw = (table: Table) => {
    ctx.received('parallel');
    const rows = table.toArray() as Record<string, unknown>[];
    drawn = rows;
    polylines = rows.map((row) => {
      const points: [number, number][] = [];
      for (const column of columns) {
        const y = scales.get(column.name)!.scale(row[column.name]);
        if (y === undefined || !Number.isFinite(y)) continue;
        points.push([xPos(column.name)!, y]);
      }
      return points;
    });
    paint();
    frame.status.textContent = `${rows.length.toLocaleString('en-US')} lines: rows of the ${sample === dataset.table ? 'table' : 'random sample'} that pass the other views${fallbackNote}; drag on an axis to brush it`;
    frame.status.dataset.lines = String(rows.length);
    ctx.rendered('parallel');
  };
  const client = new SampleClient(ctx.selection, (filter) => `SELECT ${names} FROM ${ident(sample)} ${filter} LIMIT ${MAX_LINES}`, async (table) => {
    fallbackNote = '';
    // A narrow brush elsewhere can leave the sample empty while rows still match: then draw the first matches.
    if (table.numRows < 20 && sample !== dataset.table) {
      const full = (await ctx.coordinator.query(`SELECT ${names} FROM ${ident(dataset.table)} ${where(ctx.selection.predicate(client))} LIMIT 200`)) as Table;
      if (full.numRows > table.numRows) {
        fallbackNote = ' (too few in the sample: the first matching rows instead)';
        draw(full);
        return;
      }
    }
    draw(table);
  });

  const clients = new Set<MosaicClient>([client]);
  const source = { reset: () => {} };
  const metricSources = new Map([...binnings.keys()].map((name) => [name, { reset: () => {} }]));
  const metricClause = (name: string, cells: [number, number] | null) =>
    binnedClause({ source: metricSources.get(name)!, clients, binnings: [binnings.get(name)!], value: cells ? [cells] : null });
  const saveBrushes = () => {
    if (Object.keys(brushes).length > 0) ctx.state.brushes.parallel = { ...brushes };
    else delete ctx.state.brushes.parallel;
    ctx.saveState();
    paint();
  };
  /** The clause of the brushes on axes (every brush not on a binned metric). */
  const publishAxes = () => {
    const axisBrushes = Object.fromEntries(Object.entries(brushes).filter(([name]) => !binnings.has(name)));
    const predicate = parallelPredicate(axisBrushes, columns);
    ctx.selection.update({
      source,
      clients,
      fields: Object.keys(axisBrushes).map((name) => column(name)),
      value: Object.keys(axisBrushes).length > 0 ? axisBrushes : null,
      predicate: predicate ? new VerbatimNode(`(${predicate})`) : null,
    });
  };
  const publish = (name: string) => {
    if (binnings.has(name)) ctx.selection.update(metricClause(name, binned[name] ?? null));
    else publishAxes();
    saveBrushes();
  };
  for (const column of columns) {
    const binning = binnings.get(column.name);
    const scale = scales.get(column.name)!;
    /** The pixel span of whole bins (a brush on a metric snaps to it). */
    const binSpan = (cells: [number, number]): [number, number] => {
      const [lo, hi] = binEdges(binning!, cells);
      return [scale.scale(hi)!, scale.scale(lo)!];
    };
    let snapping = false;
    const brush = d3
      .brushY<undefined>()
      .extent([
        [-10, MARGIN.top],
        [10, HEIGHT - MARGIN.bottom],
      ])
      .on('start', (event: d3.D3BrushEvent<undefined>) => {
        // Mosaic builds its per-bin tables while the user drags.
        if (event.sourceEvent && binning) ctx.selection.activate(metricClause(column.name, [0, 0]));
      })
      .on('end', (event: d3.D3BrushEvent<undefined>) => {
        if (!event.sourceEvent || snapping) return;
        const area = event.selection as [number, number] | null;
        const value = area ? scale.invert(area[0], area[1]) : null;
        if (binning) {
          if (value) {
            const cells = binsOf(binning, value as Interval);
            binned[column.name] = cells;
            brushes[column.name] = binEdges(binning, cells);
            snapping = true;
            g.call(brush.move, binSpan(cells));
            snapping = false;
          } else {
            delete binned[column.name];
            delete brushes[column.name];
          }
        } else if (value) brushes[column.name] = value;
        else delete brushes[column.name];
        publish(column.name);
      });
    const g = axisLayer.append('g').attr('class', 'axis-brush').attr('data-brush', column.name).attr('transform', `translate(${xPos(column.name)},0)`).call(brush);
    const saved = brushes[column.name];
    if (saved && binning) {
      snapping = true;
      g.call(brush.move, binSpan(binned[column.name]));
      snapping = false;
    } else if (saved) {
      const ys = (isNumeric(column) ? (saved as Interval) : saved).map((v) => scale.scale(v)).filter((v): v is number => v !== undefined);
      if (ys.length > 0) g.call(brush.move, [Math.min(...ys) - (isNumeric(column) ? 0 : 4), Math.max(...ys) + (isNumeric(column) ? 0 : 4)]);
    }
  }
  if (Object.keys(brushes).length > 0) {
    publishAxes();
    for (const name of Object.keys(binned)) ctx.selection.update(metricClause(name, binned[name]));
    saveBrushes();
  }
  ctx.coordinator.connect(client);
  return {
    id: 'parallel',
    element: frame.element,
    brushClauses: () => [...binnings.keys()].map((name) => metricClause(name, [0, 0])),
    destroy() {
      ctx.selection.update({ source, clients, fields: [], value: null, predicate: null });
      for (const name of metricSources.keys()) ctx.selection.update(metricClause(name, null));
      ctx.coordinator.disconnect(client);
    },
  };
}
