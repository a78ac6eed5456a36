/**
 * The two views drawn by Mosaic vgplot (Observable Plot underneath), which also pre-aggregates their brushes:
 *
 * - Line chart: a metric (averaged, or min/max/median) against an axis, one line per value of another axis,
 *   linear or log scales; brushing an x range filters the other views.
 * - Heatmap: a metric over two axes, one cell per pair; clicking cells (shift for more) filters the others.
 */
import * as vg from '@uwdata/vgplot';
import type { ColumnInfo } from '../../shared/datasets.js';
import { axes, canLog, discreteAxes, isNumeric, numericMetrics } from '../dataset.js';
import { h, select } from '../dom.js';
import type { Interval } from '../state.js';
import { checkbox, formatValue, labelled, panel, type View, type ViewContext } from './context.js';

export const AGGREGATES = ['avg', 'min', 'max', 'median'] as const;
type Aggregate = (typeof AGGREGATES)[number];
const AGGREGATE_FN: Record<Aggregate, (column: string) => unknown> = { avg: vg.avg, min: vg.min, max: vg.max, median: vg.median };

const options = (columns: ColumnInfo[], none?: string) => [
  ...(none !== undefined ? [{ value: '', label: none }] : []),
  ...columns.map((c) => ({ value: c.name, label: c.unit ? `${c.name} (${c.unit})` : c.name })),
];

const label = (ctx: ViewContext, name: string) => {
  const column = ctx.dataset.columns.find((c) => c.name === name);
  return column?.unit ? `${name} (${column.unit})` : name;
};

interface PlotElement extends HTMLElement {
  value: {
    render(): Promise<void>;
    interactors: { value?: unknown; clause(value: unknown): unknown; selection: { update(clause: unknown): void } }[];
  };
}

/** Calls `received` before and `done` after each render of the plot (Mosaic renders once every mark has its data). */
function onRender(element: HTMLElement, received: () => void, done: () => void): void {
  const plot = (element as PlotElement).value;
  const render = plot.render.bind(plot);
  plot.render = async () => {
    received();
    await render();
    done();
  };
}

/** Puts a brush value back on a plot's interactor (from the URL), as if the user had drawn it. */
function restoreBrush(element: HTMLElement, value: unknown): void {
  const interactor = (element as PlotElement).value.interactors[0];
  if (!interactor || value === undefined) return;
  interactor.value = value;
  interactor.selection.update(interactor.clause(value));
}

/** Keeps state.brushes[key] in step with the clause this plot's interactor publishes. */
function trackBrush(ctx: ViewContext, element: HTMLElement, key: 'line' | 'heat'): () => void {
  const interactor = (element as PlotElement).value.interactors[0];
  const listener = () => {
    const clause = ctx.selection.clauses.find((c) => c.source === interactor);
    const value = clause?.value ?? undefined;
    const before = JSON.stringify(ctx.state.brushes[key] ?? null);
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) delete ctx.state.brushes[key];
    else (ctx.state.brushes as Record<string, unknown>)[key] = value;
    if (JSON.stringify(ctx.state.brushes[key] ?? null) !== before) ctx.saveState();
  };
  ctx.selection.addEventListener('value', listener);
  return () => {
    ctx.selection.removeEventListener('value', listener);
    ctx.selection.update({ source: interactor as object, clients: new Set(), fields: [], value: null, predicate: null });
  };
}

function plotSize(): { width: number; height: number } {
  return { width: 560, height: 300 };
}

export function createLineView(ctx: ViewContext): View {
  const s = ctx.state.line;
  const agg: Aggregate = AGGREGATES.includes(s.agg as Aggregate) ? (s.agg as Aggregate) : 'avg';
  const change = (patch: Partial<typeof s>) => {
    Object.assign(ctx.state.line, patch);
    delete ctx.state.brushes.line;
    ctx.saveState();
    ctx.rebuild('line');
  };
  const numericAxes = axes(ctx.dataset).filter(isNumeric);
  const controls = [
    labelled('y', select(options(numericMetrics(ctx.dataset)), s.y, (y) => change({ y }), { 'data-control': 'y' })),
    labelled('', select(AGGREGATES.map((a) => ({ value: a })), agg, (a) => change({ agg: a }), { 'data-control': 'agg' })),
    labelled('x', select(options(numericAxes), s.x, (x) => change({ x }), { 'data-control': 'x' })),
    labelled('series', select(options(discreteAxes(ctx.dataset, 24), 'none'), s.series, (series) => change({ series }), { 'data-control': 'series' })),
    labelled('log x', checkbox(s.logX, (logX) => change({ logX }), { 'data-control': 'logX' })),
    labelled('log y', checkbox(s.logY, (logY) => change({ logY }), { 'data-control': 'logY' })),
  ];
  const body = h('div', { class: 'plot-body' });
  const frame = panel('line', 'Line', controls, body);
  if (!s.x || !s.y) {
    body.appendChild(h('p', { class: 'empty' }, 'This dataset has no numeric axis and metric to plot.'));
    return { id: 'line', element: frame.element, destroy() {} };
  }
  const { width, height } = plotSize();
  // optimize: false turns off M4 (one point per pixel column, for lines with many raw points): this line has
  // one aggregated point per x value and series already, and M4's query (a materialised CTE) is one Mosaic
  // cannot pre-aggregate, so a brush on another view (the scatter's rectangle) would scan every row for it.
  const mark = vg.lineY(vg.from(ctx.dataset.table, { filterBy: ctx.selection, optimize: false }), {
    x: s.x,
    y: AGGREGATE_FN[agg](s.y),
    ...(s.series ? { stroke: s.series } : {}),
    marker: 'circle',
    // Plot's tip formats values by its own rules ("0" for 1e-4 s): give it ours, and drop the redundant z.
    tip: { format: { x: (v: unknown) => formatValue(v), y: (v: unknown) => formatValue(v), z: false } },
  });
  const element = vg.plot(
    mark,
    vg.intervalX({ as: ctx.selection }),
    vg.xScale(s.logX && canLog(ctx.dataset.stats.get(s.x)) ? 'log' : 'linear'),
    vg.yScale(s.logY && canLog(ctx.dataset.stats.get(s.y)) ? 'log' : 'linear'),
    vg.xLabel(label(ctx, s.x)),
    vg.yLabel(`${agg} ${label(ctx, s.y)}`),
    vg.width(width),
    vg.height(height),
    vg.marginLeft(64),
    vg.grid(true),
    ...(s.series ? [vg.colorLegend({}), vg.colorScale('ordinal')] : []),
  ) as HTMLElement;
  body.appendChild(element);
  onRender(element, () => ctx.received('line'), () => ctx.rendered('line'));
  if (ctx.state.brushes.line) restoreBrush(element, ctx.state.brushes.line as Interval);
  const untrack = trackBrush(ctx, element, 'line');
  return { id: 'line', element: frame.element, destroy: untrack };
}

export function createHeatmapView(ctx: ViewContext): View {
  const s = ctx.state.heat;
  const agg: Aggregate = AGGREGATES.includes(s.agg as Aggregate) ? (s.agg as Aggregate) : 'avg';
  const change = (patch: Partial<typeof s>) => {
    Object.assign(ctx.state.heat, patch);
    delete ctx.state.brushes.heat;
    ctx.saveState();
    ctx.rebuild('heat');
  };
  const discrete = discreteAxes(ctx.dataset);
  const controls = [
    labelled('fill', select(options(numericMetrics(ctx.dataset)), s.fill, (fill) => change({ fill }), { 'data-control': 'fill' })),
    labelled('', select(AGGREGATES.map((a) => ({ value: a })), agg, (a) => change({ agg: a }), { 'data-control': 'agg' })),
    labelled('x', select(options(discrete), s.x, (x) => change({ x }), { 'data-control': 'x' })),
    labelled('y', select(options(discrete), s.y, (y) => change({ y }), { 'data-control': 'y' })),
    labelled('log color', checkbox(s.logColor, (logColor) => change({ logColor }), { 'data-control': 'logColor' })),
  ];
  const body = h('div', { class: 'plot-body' });
  const frame = panel('heat', 'Heatmap', controls, body);
  if (!s.x || !s.y || !s.fill) {
    body.appendChild(h('p', { class: 'empty' }, 'A heatmap needs two axes with 2–200 values and a numeric metric.'));
    return { id: 'heat', element: frame.element, destroy() {} };
  }
  const { width, height } = plotSize();
  const element = vg.plot(
    vg.cell(vg.from(ctx.dataset.table, { filterBy: ctx.selection }), {
      x: s.x,
      y: s.y,
      fill: AGGREGATE_FN[agg](s.fill),
      inset: 0.5,
      // No tip: Plot draws it over the cell under the pointer, where it would catch the click meant for the cell.
    }),
    vg.toggle({ as: ctx.selection, channels: ['x', 'y'] }),
    vg.colorScale(s.logColor && canLog(ctx.dataset.stats.get(s.fill)) ? 'log' : 'linear'),
    vg.colorScheme('viridis'),
    vg.colorLegend({ label: `${agg} ${label(ctx, s.fill)}` }),
    vg.xLabel(label(ctx, s.x)),
    vg.yLabel(label(ctx, s.y)),
    vg.xTickRotate(-45),
    vg.width(width),
    vg.height(height),
    vg.marginLeft(80),
    vg.marginBottom(56),
  ) as HTMLElement;
  body.appendChild(element);
  onRender(element, () => ctx.received('heat'), () => ctx.rendered('heat'));
  if (ctx.state.brushes.heat) restoreBrush(element, ctx.state.brushes.heat);
  const untrack = trackBrush(ctx, element, 'heat');
  return { id: 'heat', element: frame.element, destroy: untrack };
}
