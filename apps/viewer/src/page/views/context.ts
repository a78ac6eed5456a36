/** What every view receives: the dataset, the shared state and the crossfilter selection that links them. */
import type { Coordinator, Selection, SelectionClause } from '@uwdata/mosaic-core';
import type { Dataset } from '../dataset.js';
import type { ViewState } from '../state.js';
import { h } from '../dom.js';

export interface ViewContext {
  dataset: Dataset;
  state: ViewState;
  /** Crossfilter: each view's brush filters every other view. */
  selection: Selection;
  coordinator: Coordinator;
  /** Writes the state into the URL (after a view changed it). */
  saveState(): void;
  /** Re-creates the view `id` (after its columns or options changed). */
  rebuild(id: string): void;
  /** Marks a view as drawn with fresh data (tests and the benchmark wait on these). */
  rendered(id: string): void;
  /** Marks a view's data as arrived, before it draws (the benchmark splits query from drawing time with it). */
  received(id: string): void;
}

/** meta.type of the "only points with status 0" clause (main.ts), which views may translate. */
export const STATUS_OK_CLAUSE = 'linkcap-status-ok';

export interface View {
  id: string;
  element: HTMLElement;
  destroy(): void;
  /**
   * What a brush starting in this view activates (one clause per brush it offers on metrics): the page builds
   * the tables for them ahead, once every view is drawn (table-builds.ts prebuildFor).
   */
  brushClauses?(): SelectionClause[];
}

/** The frame of a view: title, controls, body, a status line. `data-view` names it for tests. */
export function panel(id: string, title: string, controls: HTMLElement[], body: HTMLElement, options: { wide?: boolean } = {}): { element: HTMLElement; status: HTMLElement } {
  const status = h('div', { class: 'panel-status', 'data-role': 'status' });
  const element = h(
    'section',
    { class: `panel${options.wide ? ' wide' : ''}`, 'data-view': id },
    h('header', { class: 'panel-header' }, h('h2', {}, title), h('div', { class: 'panel-controls' }, ...controls)),
    body,
    status,
  );
  return { element, status };
}

/** A labelled control. */
export function labelled(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'control' }, h('span', {}, label), control);
}

export function checkbox(checked: boolean, onchange: (checked: boolean) => void, attributes: Record<string, string> = {}): HTMLInputElement {
  const input = h('input', { type: 'checkbox', ...attributes });
  input.checked = checked;
  input.addEventListener('change', () => onchange(input.checked));
  return input;
}

/** Numbers as people read them: 4 significant digits, exponent when very small or large; integers whole. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return value.toExponential(3);
    return String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}
