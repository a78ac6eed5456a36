/** Loads the statistics the views need to choose defaults: distinct counts, ranges and short value lists. */
import type { Coordinator } from '@uwdata/mosaic-core';
import type { Table } from '@uwdata/flechette';
import type { DatasetInfo } from '../shared/datasets.js';
import { isNumeric, VALUE_LIST_LIMIT, type ColumnStats, type Dataset } from './dataset.js';
import { distinctQuery, statsQuery } from './sql.js';

function firstRow(table: Table): Record<string, unknown> {
  return (table.toArray()[0] ?? {}) as Record<string, unknown>;
}

/** A list column arrives as JSON text (see server/arrow.ts). */
function parseList(value: unknown): (string | number)[] | null {
  if (typeof value !== 'string') return null;
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? list.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number') : null;
  } catch {
    return null;
  }
}

export async function loadDataset(coordinator: Coordinator, info: DatasetInfo): Promise<Dataset> {
  const rows = info.rows!;
  const columns = rows.columns;
  const names = columns.map((c) => c.name);
  const distinctRow = firstRow((await coordinator.query(distinctQuery(rows.sample ?? rows.table, names))) as Table);
  const numeric = columns.filter(isNumeric).map((c) => c.name);
  // Value lists for columns with few values (the sample's estimate is generous: approx_count_distinct errs by ~2%).
  const listed = columns.filter((c) => c.kind !== 'other' && Number(distinctRow[c.name] ?? 0) <= VALUE_LIST_LIMIT).map((c) => c.name);
  const statsRow = firstRow((await coordinator.query(statsQuery(rows.table, numeric, listed, VALUE_LIST_LIMIT))) as Table);
  const stats = new Map<string, ColumnStats>();
  for (const column of columns) {
    const values = listed.includes(column.name) ? parseList(statsRow[`values:${column.name}`]) : null;
    const complete = values !== null && values.length <= VALUE_LIST_LIMIT;
    const min = statsRow[`min:${column.name}`];
    const max = statsRow[`max:${column.name}`];
    stats.set(column.name, {
      distinct: complete ? values.length : Math.max(Number(distinctRow[column.name] ?? 0), VALUE_LIST_LIMIT + 1),
      min: typeof min === 'number' ? min : null,
      max: typeof max === 'number' ? max : null,
      values: complete ? values : null,
    });
  }
  return { info, table: rows.table, sample: rows.sample, rows: rows.rows, columns, stats };
}
