/**
 * The statistics the views need to choose defaults and draw axes: each numeric column's range (from Parquet
 * statistics, no scan) and the sorted values of every axis that has at most
 * VALUE_LIST_LIMIT of them (one DISTINCT query per column, run side by side). Metrics get no value list: they
 * are continuous, and a DISTINCT over 10^7 floats would cost more than everything else.
 */
import type { Coordinator } from '@uwdata/mosaic-core';
import type { Table } from '@uwdata/flechette';
import type { ColumnInfo, DatasetInfo, TableInfo } from '../shared/datasets.js';
import { isNumeric, VALUE_LIST_LIMIT, type ColumnStats, type Dataset } from './dataset.js';
import { rangeQuery, valuesQuery } from './sql.js';

/** The tables of a result the views can show: its rows, then each readable reduction, by key ('rows' or a name). */
export function viewableTables(info: DatasetInfo): { key: string; label: string; table: TableInfo; sample: string | null }[] {
  const tables: { key: string; label: string; table: TableInfo; sample: string | null }[] = [];
  if (info.rows) tables.push({ key: 'rows', label: `rows (${info.rows.rows.toLocaleString('en-US')})`, table: info.rows, sample: info.rows.sample });
  for (const r of info.reductions) {
    if (r.table && r.columns && r.rows !== undefined) {
      tables.push({ key: r.name, label: `${r.name}: ${r.kind ?? 'reduction'} (${r.rows.toLocaleString('en-US')})`, table: { table: r.table, rows: r.rows, columns: r.columns }, sample: null });
    }
  }
  return tables;
}

/** The dataset with empty statistics: enough for the table, which needs only the columns. */
export function datasetOf(info: DatasetInfo, chosen: { table: TableInfo; sample: string | null }): Dataset {
  const { table, sample } = chosen;
  return { info, table: table.table, sample, rows: table.rows, columns: table.columns, stats: new Map() };
}

/** Axes get value lists (series, heatmap cells, compare pairs, ordinal axes); metrics and status do not. */
export function wantsValueList(column: ColumnInfo): boolean {
  return column.kind !== 'other' && column.role === 'axis';
}

const numbers = (values: (string | number)[]) => values.filter((v): v is number => typeof v === 'number');

/**
 * Fills dataset.stats. An axis whose values the manifest lists (a sweep's axes) needs no query at all: its value
 * list, count and range are the manifest's.
 */
export async function loadStats(coordinator: Coordinator, dataset: Dataset): Promise<void> {
  const known = (c: ColumnInfo) => c.values !== undefined && c.values.length > 0;
  const numeric = dataset.columns.filter((c) => isNumeric(c) && !known(c)).map((c) => c.name);
  const listed = dataset.columns.filter((c) => wantsValueList(c) && !known(c));
  const [ranges, ...lists] = await Promise.all([
    coordinator.query(rangeQuery(dataset.table, numeric)) as Promise<Table>,
    ...listed.map((c) => coordinator.query(valuesQuery(dataset.table, c.name, VALUE_LIST_LIMIT)) as Promise<Table>),
  ]);
  const range = (ranges.toArray()[0] ?? {}) as Record<string, unknown>;
  for (const column of dataset.columns) {
    if (known(column)) {
      const values = column.values!;
      const nums = numbers(values);
      dataset.stats.set(column.name, {
        distinct: values.length,
        min: nums.length > 0 ? Math.min(...nums) : null,
        max: nums.length > 0 ? Math.max(...nums) : null,
        values: values.length <= VALUE_LIST_LIMIT ? values : null,
      });
      continue;
    }
    const index = listed.indexOf(column);
    const values = index >= 0 ? (lists[index].getChild('v').toArray() as unknown[]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number') : null;
    const complete = values !== null && values.length <= VALUE_LIST_LIMIT;
    const min = range[`min:${column.name}`];
    const max = range[`max:${column.name}`];
    const stats: ColumnStats = {
      distinct: complete ? values.length : VALUE_LIST_LIMIT + 1,
      min: typeof min === 'number' ? min : null,
      max: typeof max === 'number' ? max : null,
      values: complete ? values : null,
    };
    dataset.stats.set(column.name, stats);
  }
}
