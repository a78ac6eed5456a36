/**
 * The reductions stored with the sweep (top-k, best per group, Pareto, quantiles, …), each as its own table.
 * They were computed over every row when the sweep ran, so brushes do not filter them; a reduction that could
 * not be read shows its error in place.
 */
import type { Table } from '@uwdata/flechette';
import type { ReductionInfo } from '../../shared/datasets.js';
import { h } from '../dom.js';
import { ident } from '../sql.js';
import { formatValue, panel, type View, type ViewContext } from './context.js';

const MAX_ROWS = 500;

function describe(reduction: ReductionInfo): string {
  const parts = [reduction.kind, reduction.metric ? `of ${reduction.metric}` : '', reduction.by && reduction.by.length > 0 ? `by ${reduction.by.join(', ')}` : ''];
  return parts.filter(Boolean).join(' ');
}

export function createReductionsView(ctx: ViewContext): View {
  const reductions = ctx.dataset.info.reductions;
  const body = h('div', { class: 'reductions' });
  const frame = panel('reductions', 'Reductions', [], body, { wide: true });
  if (reductions.length === 0) {
    body.appendChild(h('p', { class: 'empty' }, 'This result stores no reductions.'));
    return { id: 'reductions', element: frame.element, destroy() {} };
  }
  let pending = reductions.length;
  const finished = () => {
    pending -= 1;
    if (pending === 0) ctx.rendered('reductions');
  };
  for (const reduction of reductions) {
    const section = h('details', { class: 'reduction', open: true, 'data-reduction': reduction.name }, h('summary', {}, h('strong', {}, reduction.name), ` ${describe(reduction)}`));
    body.appendChild(section);
    if (reduction.problem || !reduction.table || !reduction.columns) {
      section.appendChild(h('p', { class: 'error' }, reduction.problem ?? 'not readable'));
      finished();
      continue;
    }
    const columns = reduction.columns;
    const query = `SELECT ${columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(reduction.table)} LIMIT ${MAX_ROWS}`;
    ctx.coordinator
      .query(query)
      .then((result) => {
        const rows = (result as Table).toArray() as Record<string, unknown>[];
        const table = h(
          'table',
          { class: 'mini-table' },
          h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { title: c.unit ?? '' }, c.name)))),
          h(
            'tbody',
            {},
            ...rows.map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, formatValue(row[c.name]))))),
          ),
        );
        const note = (reduction.rows ?? rows.length) > rows.length ? ` (first ${rows.length} of ${reduction.rows})` : '';
        section.append(h('div', { class: 'plot-body' }, table), h('p', { class: 'panel-status' }, `${(reduction.rows ?? rows.length).toLocaleString('en-US')} rows${note}`));
      })
      .catch((error: unknown) => section.appendChild(h('p', { class: 'error' }, error instanceof Error ? error.message : String(error))))
      .finally(finished);
  }
  return { id: 'reductions', element: frame.element, destroy() {} };
}
