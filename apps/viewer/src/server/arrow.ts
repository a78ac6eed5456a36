/**
 * DuckDB results into Arrow IPC bytes, the format Mosaic's connectors answer with. @duckdb/node-api has no
 * Arrow output, so columns are read as JS values and encoded with flechette (the Arrow library Mosaic itself
 * decodes with). Results the page asks for are small (aggregates, a table window, a sample), so value-wise
 * conversion costs little next to the query.
 *
 * Types: floats, decimals and integers wider than 32 bits become float64 (exact below 2^53: counts, bytes);
 * narrower integers int32; booleans bool; strings utf8; dates and timestamps float64 milliseconds since the
 * epoch (what Mosaic's plots scale); anything else (lists, structs, intervals) its text. NULL stays null.
 */
import { DuckDBTypeId, type DuckDBResultReader, type DuckDBType } from '@duckdb/node-api';
import { bool, columnFromArray, float64, int32, tableFromColumns, tableToIPC, utf8, type DataType } from '@uwdata/flechette';

type Converted = { type: DataType; values: (number | string | boolean | null)[] };

const INT32_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
]);
const FLOAT_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.BIGNUM,
]);
const TIME_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  const number = Number(value);
  return Number.isNaN(number) ? null : number;
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** One column of JS values (as getColumnsJS gives them) with its DuckDB type, as an Arrow type and values. */
export function convertColumn(type: DuckDBType, values: readonly unknown[]): Converted {
  const id = type.typeId;
  if (INT32_TYPES.has(id)) return { type: int32(), values: values.map(toNumber) };
  if (FLOAT_TYPES.has(id) || TIME_TYPES.has(id)) return { type: float64(), values: values.map(toNumber) };
  if (id === DuckDBTypeId.BOOLEAN) return { type: bool(), values: values.map((v) => (v === null || v === undefined ? null : Boolean(v))) };
  if (id === DuckDBTypeId.VARCHAR || id === DuckDBTypeId.ENUM) return { type: utf8(), values: values.map((v) => (v === null || v === undefined ? null : String(v))) };
  return { type: utf8(), values: values.map(toText) };
}

/** A materialised DuckDB result as Arrow IPC stream bytes. Duplicate column names are kept. */
export function resultToArrowIPC(reader: DuckDBResultReader): Uint8Array {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = reader.getColumnsJS();
  const converted = names.map((_, i) => convertColumn(types[i], columns[i] ?? []));
  return encodeColumns(names, converted);
}

/** Named converted columns as Arrow IPC stream bytes. */
export function encodeColumns(names: readonly string[], columns: readonly Converted[]): Uint8Array {
  // The entry-list form keeps duplicate names (SELECT a.x, b.x), which a name-keyed object would merge.
  const table = tableFromColumns(names.map((name, i) => [name, columnFromArray(columns[i].values, columns[i].type)]));
  return tableToIPC(table, { format: 'stream' }) as Uint8Array;
}
