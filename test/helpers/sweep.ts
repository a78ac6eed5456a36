/** Helpers for sweep tests: run a spec to plain arrays, and read a column's values. */
import { parseSweepSpec, sweep, type Column, type ReductionResult, type SweepOptions, type SweepResult } from '@linkcap/core';

export type Cell = string | number | null;
export type Rows = Record<string, Cell[]>;

export function cell(c: Column, i: number): Cell {
  const v = c.data[i];
  if (c.type === 'string') return v === 0xffffffff || !c.labels ? null : c.labels[v];
  return v;
}

export function tableOf(columns: readonly Column[], length: number, into: Rows = {}): Rows {
  for (const c of columns) {
    const list = (into[c.name] ??= []);
    for (let i = 0; i < length; i += 1) list.push(cell(c, i));
  }
  return into;
}

export function reductionRows(r: ReductionResult): Rows {
  return tableOf(r.columns, r.length);
}

/** Runs a YAML spec to completion, collecting every row. */
export async function runSpec(yaml: string, options: SweepOptions = {}): Promise<{ rows: Rows; result: SweepResult; count: number }> {
  const { spec, source } = parseSweepSpec(yaml, 'test.yaml');
  const run = sweep(spec, { source, ...options });
  const rows: Rows = {};
  let count = 0;
  for await (const chunk of run) {
    tableOf(chunk.columns, chunk.length, rows);
    count += chunk.length;
  }
  return { rows, result: await run.result(), count };
}

export function rowCount(rows: Rows): number {
  const first = Object.values(rows)[0];
  return first ? first.length : 0;
}
