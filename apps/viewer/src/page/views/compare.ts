/**
 * Compare: the ratio of a metric between two values of one axis (B over A, A the baseline: H800 over H100),
 * over rows matched on every other axis, shown as a distribution (histogram of the ratio on a log2 scale) and
 * per group of a chosen axis (count, geometric mean, min, median, max), or as a grid over two axes (the H800/H100
 * slowdown over link cap × GPU count). Clicking groups or cells (shift for more) filters the other views to them.
 */
import { VerbatimNode } from '@uwdata/mosaic-sql';
import type { Table } from '@uwdata/flechette';
import * as d3 from 'd3';
import { axes, defaultPair, discreteAxes, numericMetrics } from '../dataset.js';
import { h, select } from '../dom.js';
import type { SelectionClause } from '@uwdata/mosaic-core';
import { collectColumns, column } from '@uwdata/mosaic-sql';
import { binnedPairsPredicate, compareFromPairsQuery, compareFromSummaryQuery, compareQuery, filteredPairsSummary, ident, literal, pairsQuery, pairsSummaryQuery, where } from '../sql.js';
import { formatValue, labelled, panel, STATUS_OK_CLAUSE, type View, type ViewContext } from './context.js';
import { DebouncedQuery } from './debounced.js';
import { combinations, MaterializedTable, MaterializedTables } from './materialized.js';
import { binnedRanges } from '../brush-bins.js';

const WIDTH = 560;
const HEIGHT = 200;
const MARGIN = { left: 48, right: 12, top: 8, bottom: 32 };

/**
 * Whether the brushes can be answered from the pairs table: each clause names its columns (fields) and they are
 * all matched axes (the same on both sides of a pair), or it is the "status 0" switch. Returns their predicates.
 */
export function pairsPlan(
  clauses: SelectionClause[],
  keys: Set<string>,
): { predicates: unknown[]; okOnly: boolean; columns: Set<string>; binned: { sql: string; range: [number, number] }[] } | null {
  const predicates: unknown[] = [];
  const brushed = new Set<string>();
  const binned: { sql: string; range: [number, number] }[] = [];
  let okOnly = false;
  for (const clause of clauses) {
    if (clause.meta?.type === STATUS_OK_CLAUSE) {
      okOnly = true;
      continue;
    }
    // Whole bins of metrics (the scatter's rectangle): answered from pairs that keep both rows' bins.
    const ranges = binnedRanges(clause);
    if (ranges) {
      binned.push(...ranges);
      continue;
    }
    const columns = (clause.fields ?? []).flatMap((field) => collectColumns(field as never).map((c) => (c as { column: string }).column));
    if (columns.length === 0 || !columns.every((c) => keys.has(c))) return null;
    for (const column of columns) brushed.add(column);
    predicates.push(clause.predicate);
  }
  return { predicates, okOnly, columns: brushed, binned };
}

/**
 * Most value combinations of the brushed and grouping keys a summary of the pairs is made for: past this the
 * summary (combinations × bins) would be no smaller than the pairs themselves.
 */
const MAX_SUMMARY_COMBINATIONS = 5_000;

interface Summary {
  part: string;
  bin: number;
  grp: string;
  grp2: string | null;
  sortkey: number | null;
  sortkey2: number | null;
  n: number;
  geo: number;
  lo: number;
  med: number;
  hi: number;
}

type Toggle = (values: (string | number)[], event: MouseEvent) => void;

/** One group axis: a row per group with the ratio's statistics; click to pick. */
function ratioTable(perGroup: Summary[], group: string, picked: Map<string, unknown>, keyOf: (v: (string | number)[]) => string, toggle: Toggle | null): HTMLElement {
  return h(
    'table',
    { class: 'mini-table' },
    h('thead', {}, h('tr', {}, h('th', {}, group || 'all'), h('th', {}, 'pairs'), h('th', {}, 'geo. mean'), h('th', {}, 'min'), h('th', {}, 'median'), h('th', {}, 'max'))),
    h(
      'tbody',
      {},
      ...perGroup.map((r) => {
        const values = [r.sortkey ?? r.grp];
        const key = keyOf(values);
        const tr = h(
          'tr',
          { class: picked.has(key) ? 'selected' : '', 'data-group': key },
          h('td', {}, r.sortkey !== null ? formatValue(r.sortkey) : String(r.grp)),
          h('td', {}, formatValue(r.n)),
          h('td', { 'data-stat': 'geo' }, `×${formatValue(r.geo)}`),
          h('td', {}, `×${formatValue(r.lo)}`),
          h('td', {}, `×${formatValue(r.med)}`),
          h('td', {}, `×${formatValue(r.hi)}`),
        );
        if (toggle) tr.addEventListener('click', (event) => toggle(values, event));
        return tr;
      }),
    ),
  );
}

/** Two group axes: a grid of the geometric-mean ratio (B over A), red where B is larger; click cells to pick. */
function ratioGrid(
  perGroup: Summary[],
  groups: string[],
  b: string,
  a: string,
  picked: Map<string, unknown>,
  keyOf: (v: (string | number)[]) => string,
  toggle: Toggle,
): HTMLElement {
  const order = (values: { label: string; key: number | null }[]) =>
    [...new Map(values.map((v) => [v.label, v])).values()].sort((p, q) => (p.key !== null && q.key !== null ? p.key - q.key : p.label.localeCompare(q.label)));
  const xs = order(perGroup.map((r) => ({ label: r.grp, key: r.sortkey })));
  const ys = order(perGroup.map((r) => ({ label: r.grp2 ?? '', key: r.sortkey2 })));
  const cell = 46;
  const left = 72;
  const top = 8;
  const width = left + xs.length * cell + 8;
  const height = top + ys.length * 22 + 40;
  const extent = d3.max(perGroup, (r) => Math.abs(Math.log2(r.geo))) || 1;
  const colour = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain([-extent, 0, extent]);
  const svg = d3.create('svg').attr('width', width).attr('height', height).attr('class', 'ratio-grid');
  const x = (label: string) => left + xs.findIndex((v) => v.label === label) * cell;
  const y = (label: string) => top + ys.findIndex((v) => v.label === label) * 22;
  for (const r of perGroup) {
    const values = [r.sortkey ?? r.grp, r.sortkey2 ?? r.grp2 ?? ''];
    const key = keyOf(values);
    const g = svg
      .append('g')
      .attr('transform', `translate(${x(r.grp)},${y(r.grp2 ?? '')})`)
      .attr('data-group', key)
      .attr('data-cell', '')
      .attr('class', picked.has(key) ? 'selected' : null)
      .style('cursor', 'pointer');
    g.append('rect').attr('width', cell - 2).attr('height', 20).attr('fill', colour(Math.log2(r.geo)));
    g.append('text').attr('x', (cell - 2) / 2).attr('y', 14).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', Math.abs(Math.log2(r.geo)) > extent * 0.6 ? '#fff' : '#111').text(`×${formatValue(Number(r.geo.toPrecision(3)))}`);
    g.append('title').text(`${groups[0]} ${r.grp}, ${groups[1]} ${r.grp2}: ${b} / ${a} geometric mean ×${formatValue(r.geo)} over ${r.n} pairs (min ×${formatValue(r.lo)}, max ×${formatValue(r.hi)})`);
    g.on('click', (event: MouseEvent) => toggle(values, event));
  }
  const shown = (v: { label: string; key: number | null }) => (v.key !== null ? formatValue(v.key) : v.label);
  for (const v of ys) svg.append('text').attr('x', left - 4).attr('y', y(v.label) + 14).attr('text-anchor', 'end').attr('font-size', 10).attr('fill', 'currentColor').text(shown(v));
  for (const v of xs) svg.append('text').attr('x', x(v.label) + cell / 2).attr('y', top + ys.length * 22 + 12).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', 'currentColor').text(shown(v));
  svg.append('text').attr('x', left + (xs.length * cell) / 2).attr('y', height - 4).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', 'currentColor').text(`${groups[0]} →   (rows: ${groups[1]})`);
  return h('div', { class: 'plot-body' }, svg.node()!);
}

export function createCompareView(ctx: ViewContext): View {
  const s = ctx.state.compare;
  const change = (patch: Partial<typeof s>) => {
    Object.assign(ctx.state.compare, patch);
    delete ctx.state.brushes.compare;
    ctx.saveState();
    ctx.rebuild('compare');
  };
  const candidates = discreteAxes(ctx.dataset, 64);
  const values = (ctx.dataset.stats.get(s.axis)?.values ?? []).map(String);
  const valueOptions = values.map((v) => ({ value: v }));
  const groups = discreteAxes(ctx.dataset, 64).filter((c) => c.name !== s.axis);
  const controls = [
    labelled('metric', select(numericMetrics(ctx.dataset).map((c) => ({ value: c.name })), s.metric, (metric) => change({ metric }), { 'data-control': 'metric' })),
    labelled(
      'of',
      select(candidates.map((c) => ({ value: c.name })), s.axis, (axis) => {
        const pair = defaultPair((ctx.dataset.stats.get(axis)?.values ?? []).map(String));
        change({ axis, a: pair[0], b: pair[1] });
      }, { 'data-control': 'axis' }),
    ),
    labelled('B', select(valueOptions, s.b, (b) => change({ b }), { 'data-control': 'b' })),
    labelled('over A', select(valueOptions, s.a, (a) => change({ a }), { 'data-control': 'a' })),
    labelled('per', select([{ value: '', label: 'none' }, ...groups.map((c) => ({ value: c.name }))], s.group, (group) => change({ group }), { 'data-control': 'group' })),
    labelled(
      '×',
      select([{ value: '', label: 'none' }, ...groups.filter((c) => c.name !== s.group).map((c) => ({ value: c.name }))], s.group2, (group2) => change({ group2 }), {
        'data-control': 'group2',
      }),
    ),
  ];
  const histogram = h('div', { class: 'chart' });
  const groupTable = h('div', { class: 'compare-groups' });
  const body = h('div', {}, histogram, groupTable);
  const frame = panel('compare', 'Compare', controls, body);
  if (!s.axis || !s.metric || values.length < 2 || s.a === s.b || !values.includes(s.a) || !values.includes(s.b)) {
    body.replaceChildren(h('p', { class: 'empty' }, 'Compare needs an axis with two values to set against each other, and a numeric metric.'));
    return { id: 'compare', element: frame.element, destroy() {} };
  }
  const axisColumn = ctx.dataset.columns.find((c) => c.name === s.axis)!;
  const asValue = (v: string): string | number => (axisColumn.kind === 'string' ? v : Number(v));
  const keys = axes(ctx.dataset)
    .map((c) => c.name)
    .filter((name) => name !== s.axis);
  const groupColumn = ctx.dataset.columns.find((c) => c.name === s.group);
  const group2Column = s.group && s.group2 !== s.group ? ctx.dataset.columns.find((c) => c.name === s.group2) : undefined;
  const grouping = [groupColumn, group2Column].filter((c): c is NonNullable<typeof c> => c !== undefined);
  /** A picked group as the values of its grouping columns; a key for the set of picks. */
  const typed = (values: (string | number)[]) => values.map((v, i) => (grouping[i].kind === 'string' ? String(v) : Number(v)));
  const keyOf = (values: (string | number)[]) => JSON.stringify(typed(values));
  const picked = new Map<string, (string | number)[]>();
  for (const saved of ctx.state.brushes.compare ?? []) {
    const values = Array.isArray(saved) ? saved : [saved];
    if (values.length === grouping.length) picked.set(keyOf(values), typed(values));
  }

  const source = { reset: () => {} };
  let query: DebouncedQuery;
  const publish = () => {
    const list = [...picked.values()];
    const match = (values: (string | number)[]) => `(${values.map((v, i) => `${ident(grouping[i].name)} = ${literal(v)}`).join(' AND ')})`;
    const predicate = list.length > 0 && grouping.length > 0 ? new VerbatimNode(`(${list.map(match).join(' OR ')})`) : null;
    const fields = list.length > 0 ? grouping.map((c) => column(c.name)) : [];
    ctx.selection.update({ source, clients: new Set([query.client]), fields, value: list.length > 0 ? list : null, predicate });
    if (list.length > 0) ctx.state.brushes.compare = grouping.length === 1 ? list.map((v) => v[0]) : (list as [string | number, string | number][]);
    else delete ctx.state.brushes.compare;
    ctx.saveState();
  };
  /** Click: pick this group alone (or unpick it); shift-click: add or remove it. */
  const toggle = (values: (string | number)[], event: MouseEvent) => {
    const key = keyOf(values);
    if (!event.shiftKey) {
      const only = picked.size === 1 && picked.has(key);
      picked.clear();
      if (!only) picked.set(key, typed(values));
    } else if (picked.has(key)) picked.delete(key);
    else picked.set(key, typed(values));
    for (const element of groupTable.querySelectorAll<HTMLElement | SVGElement>('[data-group]')) element.classList.toggle('selected', picked.has(element.dataset.group!));
    publish();
  };

  const draw = (table: Table) => {
    ctx.received('compare');
    const rows = table.toArray() as Summary[];
    const hist = rows.filter((r) => r.part === 'hist').sort((a, b) => a.bin - b.bin);
    const perGroup = rows.filter((r) => r.part === 'group').sort((a, b) => (a.sortkey !== null && b.sortkey !== null ? a.sortkey - b.sortkey : String(a.grp).localeCompare(String(b.grp))));
    const matched = hist.reduce((n, r) => n + r.n, 0);
    frame.status.dataset.pairs = String(matched);
    if (matched === 0) {
      histogram.replaceChildren(h('p', { class: 'empty' }, `No rows of ${s.b} and ${s.a} match on the other axes under the current brushes.`));
      groupTable.replaceChildren();
      frame.status.textContent = '';
      ctx.rendered('compare');
      return;
    }
    const step = hist.length > 1 ? Math.min(...hist.slice(1).map((r, i) => r.bin - hist[i].bin)) : 0.125;
    const x = d3
      .scaleLinear()
      .domain([Math.min(0, hist[0].bin), Math.max(0, hist[hist.length - 1].bin + step)])
      .nice()
      .range([MARGIN.left, WIDTH - MARGIN.right]);
    const y = d3
      .scaleLinear()
      .domain([0, d3.max(hist, (r) => r.n) ?? 1])
      .nice()
      .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const svg = d3.create('svg').attr('width', WIDTH).attr('height', HEIGHT);
    svg
      .append('g')
      .selectAll('rect')
      .data(hist)
      .join('rect')
      .attr('x', (r) => x(r.bin))
      .attr('width', (r) => Math.max(1, x(r.bin + step) - x(r.bin) - 1))
      .attr('y', (r) => y(r.n))
      .attr('height', (r) => y(0) - y(r.n))
      .attr('fill', (r) => (r.bin >= 0 ? '#d6336c' : '#2f9e44'))
      .attr('data-bar', '');
    svg.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom).attr('stroke', '#333').attr('stroke-dasharray', '3,3');
    svg
      .append('g')
      .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).ticks(8).tickFormat((v) => `×${formatValue(2 ** Number(v))}`))
      .call((g) => g.append('text').attr('x', WIDTH - MARGIN.right).attr('y', 28).attr('fill', 'currentColor').attr('text-anchor', 'end').text(`${s.metric}(${s.b}) / ${s.metric}(${s.a}) →`));
    svg.append('g').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(4, '~s'));
    histogram.replaceChildren(svg.node()!);

    const table2 = grouping.length === 2 ? ratioGrid(perGroup, grouping.map((c) => c.name), s.b, s.a, picked, keyOf, toggle) : ratioTable(perGroup, s.group, picked, keyOf, s.group ? toggle : null);
    groupTable.replaceChildren(table2);
    const all = perGroup.reduce((acc, r) => acc + Math.log(r.geo) * r.n, 0) / Math.max(1, matched);
    frame.status.textContent = `${matched.toLocaleString('en-US')} matched pairs; geometric mean ratio ×${formatValue(Math.exp(all))} (${s.b} over ${s.a}, matched on ${keys.join(', ') || 'nothing'})`;
    ctx.rendered('compare');
  };

  // The join scans every filtered row: it waits for brushes to rest. Brushes on the matched axes alone (the usual
  // case) are answered from a table of all pairs, made once per comparison, and, per set of brushed keys, from a
  // summary of it (pairsSummaryQuery): a brush moving over those keys then reads a few thousand rows, and the
  // median a few row groups of the pairs (exact either way), at once, without waiting. Any other brush (on a
  // metric, on the compared axis) joins the filtered rows again.
  const request = { table: ctx.dataset.table, axis: s.axis, a: asValue(s.a), b: asValue(s.b), metric: s.metric, keys };
  const hasStatus = ctx.dataset.columns.some((c) => c.name === 'status');
  const pairs = new MaterializedTable('cmp', pairsQuery({ ...request, status: hasStatus }));
  const summaries = new MaterializedTables('cmpsum');
  const grouped = grouping.map((c) => c.name);
  /** The pairs plan for these clauses, and the key of the summary that answers it (null: none would be small). */
  const planFor = (clauses: SelectionClause[]) => {
    const plan = pairsPlan(clauses, new Set(keys));
    if (!plan) return null;
    const columns = [...new Set([...plan.columns, ...grouped])].sort();
    const perSide = [...new Set(plan.binned.map((b) => b.sql))].sort();
    return { plan, columns, perSide, summary: perSide.length === 0 && combinations(ctx.dataset, columns) <= MAX_SUMMARY_COMBINATIONS ? columns.join('\u0000') : null };
  };
  // Pairs that also keep both rows' bins of brushed metrics, made once per set of binned fields (a rectangle on
  // the scatter): a metric brush must hold for both rows of a pair, and their bins say so without a join.
  const binnedPairs = new MaterializedTables('cmpbin');
  const binnedPairsFor = (perSide: string[]) => binnedPairs.get(perSide.join('\u0000'), () => pairsQuery({ ...request, status: hasStatus, perSide }));
  /**
   * A summary of those pairs per combination of both rows' bins (with the brushed keys, groups and histogram bin),
   * made once per set of binned fields and keys: far fewer rows than pairs where metrics go together (time and
   * bandwidth, for one), and never more. Null where the keys alone would make it too large.
   */
  const binnedSummaryFor = (planned: { columns: string[]; perSide: string[] }) => {
    if (combinations(ctx.dataset, planned.columns) > MAX_SUMMARY_COMBINATIONS) return null;
    const table = binnedPairsFor(planned.perSide);
    const columns = [...planned.columns, ...planned.perSide.flatMap((_, i) => [`_a${i}`, `_b${i}`])];
    return binnedSummaries.get([...planned.perSide, ...planned.columns].join('\u0000'), () => pairsSummaryQuery({ pairs: table.name, columns, status: hasStatus }));
  };
  const binnedSummaries = new MaterializedTables('cmpbinsum');
  // Each table is used once it exists; until then (it is built at low priority, table-builds.ts) the view answers
  // from the table it builds on, or joins the rows as before.
  query = new DebouncedQuery(
    ctx.selection,
    async (filter, clauses) => {
      const planned = planFor(clauses);
      if (planned && planned.perSide.length > 0) {
        const table = binnedPairsFor(planned.perSide);
        if (table.available()) {
          const { plan, perSide } = planned;
          const bins = plan.binned.map((b) => binnedPairsPredicate(perSide.indexOf(b.sql), b.range));
          const okOnly = plan.okOnly && hasStatus;
          const stored = binnedSummaryFor(planned);
          if (stored?.available()) {
            return compareFromSummaryQuery({ pairs: table.name, summary: stored.name, group: s.group, group2: group2Column?.name, filter: where(...plan.predicates, ...bins), okOnly });
          }
          const filter = where(...plan.predicates, ...bins, okOnly ? '_sa = 0 AND _sb = 0' : '');
          const summary = filteredPairsSummary({ pairs: table.name, groups: [s.group, group2Column?.name ?? ''], filter });
          return compareFromSummaryQuery({ pairs: table.name, summary, group: s.group, group2: group2Column?.name, filter: '', okOnly: false, pairsFilter: filter });
        }
      } else if (planned && pairs.available()) {
        const { plan, columns } = planned;
        const answer = { pairs: pairs.name, group: s.group, group2: group2Column?.name, filter: where(...plan.predicates), okOnly: plan.okOnly && hasStatus };
        if (planned.summary !== null) {
          const summary = summaries.get(planned.summary, () => pairsSummaryQuery({ pairs: pairs.name, columns, status: hasStatus }));
          if (summary.available()) return compareFromSummaryQuery({ ...answer, summary: summary.name });
        }
        return compareFromPairsQuery(answer);
      }
      return compareQuery({ ...request, group: s.group, group2: group2Column?.name, filter: where(filter) });
    },
    draw,
    (error) => {
      frame.status.textContent = error instanceof Error ? error.message : String(error);
      ctx.rendered('compare');
    },
    (clauses) => {
      const planned = planFor(clauses);
      if (planned && planned.perSide.length > 0) return binnedPairs.built(planned.perSide.join('\u0000'));
      // (a summary of them, when made, answers faster still)
      return planned?.summary != null && summaries.built(planned.summary);
    },
  );
  query.ownSources.add(source);
  // A brush starting on binned metrics: make its pairs table while the user drags.
  const prepare = (activated: unknown) => {
    const clause = activated as SelectionClause;
    if (!binnedRanges(clause)) return;
    const others = ctx.selection.clauses.filter((c) => c.source !== clause.source && c.predicate !== null && !c.clients?.has(query.client));
    const planned = planFor([...others, clause]);
    if (planned && planned.perSide.length > 0) void binnedPairsFor(planned.perSide).ready().then((built) => built && binnedSummaryFor(planned)?.ready());
  };
  ctx.selection.addEventListener('activate', prepare as never);
  if (picked.size > 0) publish();
  return {
    id: 'compare',
    element: frame.element,
    destroy() {
      ctx.selection.update({ source, clients: new Set([query.client]), fields: [], value: null, predicate: null });
      ctx.selection.removeEventListener('activate', prepare as never);
      query.destroy();
    },
  };
}
