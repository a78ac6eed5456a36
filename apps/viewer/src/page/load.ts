/**
 * The statistics the views need to choose defaults and draw axes: each numeric column's range (from Parquet
 * statistics, no scan) and the sorted values of every axis that has at most
 * VALUE_LIST_LIMIT of them (one DISTINCT query per column, run side by side). Metrics get no value list: they
 * are continuous, and a DISTINCT over 10^7 floats would cost more than everything else.
 */
import type { Coordinator } from '@uwdata/mosaic-core';
import type { Table } from '@uwdata/flechette';
import type { ColumnInfo, DatasetInfo } from '../shared/datasets.js';
import { isNumeric, VALUE_LIST_LIMIT, type ColumnStats, type Dataset } from './dataset.js';
import { rangeQuery, valuesQuery } from './sql.js';

/** The dataset with empty statistics: enough for the table, which needs only the columns. */
export function datasetOf(info: DatasetInfo): Dataset {
  const rows = info.rows!;
  return { info, table: rows.table, sample: rows.sample, rows: rows.rows, columns: rows.columns, stats: new Map() };
}

/** Axes get value lists (series, heatmap cells, compare pairs, ordinal axes); metrics and status do not. */
export function wantsValueList(column: ColumnInfo): boolean {
  return column.kind !== 'other' && column.role === 'axis';
}

/** Fills dataset.stats. */
export async function loadStats(coordinator: Coordinator, dataset: Dataset): Promise<void> {
  const numeric = dataset.columns.filter(isNumeric).map((c) => c.name);
  const listed = dataset.columns.filter(wantsValueList);
  const [ranges, ...lists] = await Promise.all([
    coordinator.query(rangeQuery(dataset.table, numeric)) as Promise<Table>,
    ...listed.map((c) => coordinator.query(valuesQuery(dataset.table, c.name, VALUE_LIST_LIMIT)) as Promise<Table>),
  ]);
  const range = (ranges.toArray()[0] ?? {}) as Record<string, unknown>;
  for (const column of dataset.columns) {
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
