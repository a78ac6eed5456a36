/**
 * SQL the views send through Mosaic, built from column names the dataset reported (always quoted) and values
 * the user typed (always literals). Pure functions of their inputs: tests run them against DuckDB.
 */

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replaceAll("'", "''")}'`;
}

/** `WHERE a AND b` from predicates (SQL strings or Mosaic expression nodes); '' when there are none. */
export function where(...predicates: unknown[]): string {
  const parts = predicates
    .flat(2)
    .filter((p) => p !== null && p !== undefined && p !== '' && p !== true)
    .map((p) => String(p))
    .filter((p) => p.trim() !== '');
  return parts.length === 0 ? '' : `WHERE ${parts.map((p) => `(${p})`).join(' AND ')}`;
}

export type FilterKind = 'string' | 'number';

export class FilterSyntaxError extends Error {}

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const COMPARISON = new RegExp(`^(>=|<=|!=|>|<|=)\\s*(${NUMBER})$`, 'i');
const RANGE = new RegExp(`^(${NUMBER})\\s*\\.\\.\\s*(${NUMBER})$`, 'i');
const LIST = new RegExp(`^${NUMBER}(\\s*,\\s*${NUMBER})*$`, 'i');

/**
 * A table column filter as a SQL predicate. Numbers: `>5`, `<=1e-3`, `!=8`, `10..100` (inclusive), `8` or
 * `8,16,32`. Text: `h800` (contains, any case), `=hgx-h800` (exactly), `!=x`, `a|b` (exactly one of).
 * Returns null for an empty filter; throws FilterSyntaxError naming what is accepted.
 */
export function filterPredicate(column: string, kind: FilterKind, text: string): string | null {
  const input = text.trim();
  if (input === '') return null;
  const col = ident(column);
  if (kind === 'number') {
    let match = COMPARISON.exec(input);
    if (match) return `${col} ${match[1]} ${Number(match[2])}`;
    match = RANGE.exec(input);
    if (match) {
      const [lo, hi] = [Number(match[1]), Number(match[2])].sort((a, b) => a - b);
      return `${col} BETWEEN ${lo} AND ${hi}`;
    }
    if (LIST.test(input)) {
      const values = input.split(',').map((v) => Number(v.trim()));
      return values.length === 1 ? `${col} = ${values[0]}` : `${col} IN (${values.join(', ')})`;
    }
    throw new FilterSyntaxError(`${column}: "${input}" is not a number filter (write >5, <=1e-3, 10..100, 8 or 8,16,32)`);
  }
  if (input.startsWith('!=')) return `${col} IS DISTINCT FROM ${literal(input.slice(2).trim())}`;
  if (input.startsWith('=')) return `${col} = ${literal(input.slice(1).trim())}`;
  if (input.includes('|')) {
    const values = input.split('|').map((v) => v.trim()).filter((v) => v !== '');
    return `${col} IN (${values.map(literal).join(', ')})`;
  }
  const escaped = input.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_');
  return `${col} ILIKE ${literal(`%${escaped}%`)} ESCAPE '\\'`;
}

export interface WindowRequest {
  table: string;
  columns: string[];
  filter: string;
  sort?: { column: string; desc: boolean } | null;
  limit: number;
  offset: number;
}

/** One window of rows for the virtualised table. */
export function windowQuery(request: WindowRequest): string {
  const order = request.sort ? ` ORDER BY ${ident(request.sort.column)} ${request.sort.desc ? 'DESC' : 'ASC'} NULLS LAST` : '';
  const limit = Math.max(0, Math.floor(request.limit));
  const offset = Math.max(0, Math.floor(request.offset));
  return `SELECT ${request.columns.map(ident).join(', ')} FROM ${ident(request.table)} ${request.filter}${order} LIMIT ${limit} OFFSET ${offset}`;
}

/** min and max of numeric columns over the whole table (Parquet statistics answer these without a scan). */
export function rangeQuery(table: string, numeric: string[]): string {
  const parts = numeric.flatMap((c) => [`min(${ident(c)})::DOUBLE AS ${ident(`min:${c}`)}`, `max(${ident(c)})::DOUBLE AS ${ident(`max:${c}`)}`]);
  return `SELECT ${parts.length > 0 ? parts.join(', ') : '1 AS none'} FROM ${ident(table)}`;
}

/** The sorted distinct values of a column, one more than `limit` to tell "more than limit". */
export function valuesQuery(table: string, column: string, limit: number): string {
  return `SELECT DISTINCT ${ident(column)} AS v FROM ${ident(table)} ORDER BY 1 NULLS LAST LIMIT ${limit + 1}`;
}

export interface ParetoRequest {
  table: string;
  /** A table reference to read instead of `table`, as SQL (a materialised "schema"."name"). */
  from?: string;
  x: string;
  y: string;
  /** true: smaller is better on that metric. */
  minX: boolean;
  minY: boolean;
  filter: string;
  columns: string[];
  limit?: number;
  /**
   * Prune by bins of x first (exact, see paretoQuery): the x axis as drawn (log or linear, its domain) and
   * the number of bins. Without it the whole filtered set is sorted.
   */
  binning?: { log: boolean; domain: [number, number]; bins: number };
}

/**
 * The Pareto frontier of (x, y): the points no other point beats on both. Rows are ordered best-first on x
 * (ties best-first on y); a row is on the frontier when its y beats the best y of every row before it (one
 * window function).
 *
 * With `binning`, a first pass keeps only candidates, without sorting every row: rows are grouped into bins of
 * x, and a row whose y does not beat the best y of all earlier bins is dominated (an earlier bin holds a row
 * with smaller x and no worse y), so it can be dropped. Every row that could be on the frontier survives, and
 * each dropped row has an earlier, no-worse survivor, so the window over the survivors gives the same frontier.
 * Two scans and a hash aggregate instead of a sort of 10^7 rows.
 */
export function paretoQuery(r: ParetoRequest): string {
  const x = ident(r.x);
  const y = ident(r.y);
  const sx = r.minX ? x : `-${x}`;
  const sy = r.minY ? y : `-${y}`;
  const cols = [...new Set([r.x, r.y, ...r.columns])].map(ident).join(', ');
  const positive = r.binning?.log ? [`${x} > 0`] : [];
  const filter = where(r.filter.replace(/^WHERE /, ''), `${x} IS NOT NULL`, `${y} IS NOT NULL`, `isfinite(${x})`, `isfinite(${y})`, ...positive);
  const from = r.from ?? ident(r.table);
  let source = `SELECT ${cols}, ${sx} AS _sx, ${sy} AS _sy FROM ${from} ${filter}`;
  let prefix = '';
  if (r.binning) {
    const bin = binExpr(r.x, r.binning.log, r.binning.domain, r.binning.bins);
    prefix = [
      `WITH _bins AS (SELECT ${bin} AS _b, min(${sy}) AS _bmin FROM ${from} ${filter} GROUP BY 1),`,
      `_prev AS (SELECT _b, min(_bmin) OVER (ORDER BY _b${r.minX ? '' : ' DESC'} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _prev FROM _bins) `,
    ].join(' ');
    source = `SELECT ${cols}, ${sx} AS _sx, ${sy} AS _sy FROM ${from} JOIN _prev ON ${bin} = _prev._b ${where(filter.replace(/^WHERE /, ''), `_prev._prev IS NULL OR ${sy} < _prev._prev`)}`;
  }
  return [
    `${prefix}SELECT ${cols} FROM (`,
    `SELECT ${cols}, _sy, min(_sy) OVER (ORDER BY _sx, _sy ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _best`,
    `FROM (${source})`,
    `) WHERE _best IS NULL OR _sy < _best ORDER BY ${x}${r.minX ? '' : ' DESC'} LIMIT ${r.limit ?? 2000}`,
  ].join(' ');
}

export interface LocalFrontierRequest {
  table: string;
  x: string;
  y: string;
  minX: boolean;
  minY: boolean;
  /** Columns to keep (the hover's row, and every column a later filter may name). */
  columns: string[];
  /** The columns later filters name: the frontier is taken within each combination of their values. */
  partition: string[];
  /** Expressions to partition by as well (bins of brushed metrics, brush-bins.ts: their columns go in `columns`). */
  partitionExprs?: string[];
  /** Keep only x > 0 (a log x axis) / y > 0. */
  positiveX?: boolean;
  positiveY?: boolean;
}

/**
 * The rows on the Pareto frontier within their own combination of the `partition` columns, over the whole
 * table. Any filter that names only those columns keeps or drops whole combinations, so a row dominated inside
 * its combination stays dominated in the filtered set: the frontier of the filtered rows is the frontier of
 * these rows under the same filter (paretoQuery over this table). Made once per set of brushed columns, it
 * turns each brush into a query over a few thousand rows instead of a scan of all of them.
 */
export function localFrontierQuery(r: LocalFrontierRequest): string {
  const x = ident(r.x);
  const y = ident(r.y);
  const sx = r.minX ? x : `-${x}`;
  const sy = r.minY ? y : `-${y}`;
  const cols = [...new Set([r.x, r.y, ...r.columns, ...r.partition])].map(ident).join(', ');
  const parts = [...r.partition.map(ident), ...(r.partitionExprs ?? [])];
  const partition = parts.length > 0 ? `PARTITION BY ${parts.join(', ')} ` : '';
  const filter = where(`${x} IS NOT NULL`, `${y} IS NOT NULL`, `isfinite(${x})`, `isfinite(${y})`, r.positiveX ? `${x} > 0` : '', r.positiveY ? `${y} > 0` : '');
  return [
    `SELECT ${cols} FROM (`,
    `SELECT ${cols}, ${sy} AS _sy, min(${sy}) OVER (${partition}ORDER BY ${sx}, ${sy} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _best`,
    `FROM ${ident(r.table)} ${filter}`,
    `) WHERE _best IS NULL OR _sy < _best`,
  ].join(' ');
}

/**
 * The bin of `column` among `bins` equal bins of [lo, hi] (of ln(column) on a log axis), clamped to the first and
 * last bin: the scatter's density grid, and the x bins the Pareto pruning groups by.
 */
export function binExpr(column: string, log: boolean, [lo, hi]: [number, number], bins: number): string {
  const value = log ? `ln(${ident(column)})` : ident(column);
  const [a, b] = log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
  const span = b - a || 1;
  return `least(${bins - 1}, greatest(0, floor((${value} - ${a}) * ${bins / span})))::INTEGER`;
}

/** The rows a density over (x, y) counts: finite, and positive on log axes. */
export function densityDomainPredicate(r: { x: string; y: string; logX: boolean; logY: boolean }): string {
  const x = ident(r.x);
  const y = ident(r.y);
  return [`isfinite(${x})`, `isfinite(${y})`, r.logX ? `${x} > 0` : '', r.logY ? `${y} > 0` : ''].filter(Boolean).join(' AND ');
}

export interface CompareRequest {
  table: string;
  /** The axis whose two values are compared (cluster), the values (A is the baseline). */
  axis: string;
  a: string | number;
  b: string | number;
  metric: string;
  /** Every other axis: the rows of A and B are matched on all of them. */
  keys: string[];
  /** The axis to break the ratio down by ('' for none), and a second one for a grid of groups ('' for none). */
  group: string;
  group2?: string;
  filter: string;
  /** Histogram bins per factor of two of the ratio. */
  binsPerOctave?: number;
}

/**
 * Per-group statistics and the log2 histogram of `ratio` over the rows of the query `r` (columns g0, g1 as
 * there are groups, and ratio). Group rows carry each group value as text (grp, grp2) and as a number when it
 * is one (sortkey, sortkey2).
 */
function ratioSummary(r: string, groups: string[], bins: number): string {
  const text = (i: number) => (groups[i] ? `CAST(g${i} AS VARCHAR)` : i === 0 ? `'all'` : 'NULL::VARCHAR');
  const number = (i: number) => (groups[i] ? `TRY_CAST(g${i} AS DOUBLE)` : 'NULL::DOUBLE');
  return [
    `SELECT 'hist' AS part, floor(log2(ratio) * ${bins}) / ${bins} AS bin, NULL::VARCHAR AS grp, NULL::VARCHAR AS grp2, NULL::DOUBLE AS sortkey, NULL::DOUBLE AS sortkey2, count(*)::DOUBLE AS n, NULL::DOUBLE AS geo, NULL::DOUBLE AS lo, NULL::DOUBLE AS med, NULL::DOUBLE AS hi FROM (${r}) GROUP BY 2`,
    `UNION ALL`,
    `SELECT 'group', NULL, ${text(0)}, ${text(1)}, ${number(0)}, ${number(1)}, count(*)::DOUBLE, exp(avg(ln(ratio))), min(ratio), median(ratio), max(ratio) FROM (${r}) GROUP BY ALL`,
  ].join(' ');
}

/** The grouping columns of a comparison as `"col" AS g0, "col2" AS g1, ` ('' without groups). */
function groupColumns(groups: string[]): string {
  return groups.map((g, i) => `${ident(g)} AS g${i}, `).join('');
}

function compareSides(r: Pick<CompareRequest, 'table' | 'axis' | 'a' | 'b' | 'metric' | 'keys'>, base: string, extra: string[] = []): string {
  const keys = r.keys.map(ident);
  const m = ident(r.metric);
  const side = (value: string | number) =>
    `SELECT ${[...keys, `${m} AS v`, ...extra].join(', ')} FROM ${ident(r.table)} ${where(base, `${ident(r.axis)} = ${literal(value)}`, `${m} > 0`, `isfinite(${m})`)}`;
  return `WITH a AS (${side(r.a)}), b AS (${side(r.b)})`;
}

/**
 * The ratio metric(B) / metric(A) over rows matched on every other axis, as one result: a histogram of
 * log2(ratio) (part = 'hist', bin = lower edge in log2 units) and per-group statistics (part = 'group':
 * count, geometric mean, min, median, max). One join over the filtered rows.
 */
export function compareQuery(r: CompareRequest): string {
  const keys = r.keys.map(ident);
  const join = keys.length > 0 ? `JOIN b USING (${keys.join(', ')})` : 'CROSS JOIN b';
  const groups = [r.group, r.group2 ?? ''].filter(Boolean);
  const pairs = `SELECT ${groupColumns(groups)}b.v / a.v AS ratio FROM a ${join}`;
  return `${compareSides(r, r.filter.replace(/^WHERE /, ''))} ${ratioSummary(pairs, groups, r.binsPerOctave ?? 8)}`;
}

export type PairsRequest = Pick<CompareRequest, 'table' | 'axis' | 'a' | 'b' | 'metric' | 'keys' | 'binsPerOctave'> & {
  /** Keep each side's status (as _sa, _sb), so that "status = 0" can be asked of both. */
  status: boolean;
  /**
   * Row expressions to keep for each side (the bin indices of brushed metrics, brush-bins.ts): expression i as
   * `_a{i}` (row A) and `_b{i}` (row B), so that a brush on a metric, which must hold for both rows of a pair,
   * filters the pairs (binnedPairsPredicate) instead of joining the rows again.
   */
  perSide?: string[];
};

/** The pairs (pairsQuery with perSide) whose rows A and B both have perSide expression i within [lo, hi]. */
export function binnedPairsPredicate(i: number, [lo, hi]: [number, number]): string {
  return `_a${i} BETWEEN ${lo} AND ${hi} AND _b${i} BETWEEN ${lo} AND ${hi}`;
}

/** The histogram bin of a ratio: the lower edge, in log2 units, of its 1/binsPerOctave slice of an octave. */
function ratioBin(ratio: string, binsPerOctave: number): string {
  return `floor(log2(${ratio}) * ${binsPerOctave}) / ${binsPerOctave}`;
}

/**
 * Every pair of rows (A, B) matched on all keys, over the whole table, with both metrics (_va, _vb), their
 * `ratio` (B / A) and its histogram `bin`, and, when asked, both statuses: made once per comparison, so that a
 * brush on the keys filters 1/n of the rows instead of joining them again. Stored in ratio order: `bin` and
 * `ratio` then rise row group by row group, and DuckDB's zone maps let a query for a few bins (the median's,
 * compareFromSummaryQuery) skip the rest.
 */
export function pairsQuery(r: PairsRequest): string {
  const keys = r.keys.map(ident);
  const join = keys.length > 0 ? `JOIN b USING (${keys.join(', ')})` : 'CROSS JOIN b';
  const perSide = r.perSide ?? [];
  const extra = [...(r.status ? ['"status" AS s'] : []), ...perSide.map((e, i) => `${e} AS _f${i}`)];
  const columns = [...keys, 'a.v AS _va', 'b.v AS _vb', ...(r.status ? ['a.s AS _sa', 'b.s AS _sb'] : []), ...perSide.flatMap((_, i) => [`a._f${i} AS _a${i}`, `b._f${i} AS _b${i}`])];
  const pairs = `SELECT ${columns.join(', ')}, b.v / a.v AS ratio FROM a ${join}`;
  return `${compareSides(r, '', extra)} SELECT *, ${ratioBin('ratio', r.binsPerOctave ?? 8)} AS bin FROM (${pairs}) ORDER BY ratio`;
}

/**
 * compareQuery's result from a pairs table: `filter` may name only the keys (the same values on both sides);
 * `okOnly` asks status 0 of both rows of a pair.
 */
export function compareFromPairsQuery(r: { pairs: string; group: string; group2?: string; filter: string; okOnly: boolean; binsPerOctave?: number }): string {
  const groups = [r.group, r.group2 ?? ''].filter(Boolean);
  const rows = `SELECT ${groupColumns(groups)}_vb / _va AS ratio FROM ${r.pairs} ${where(r.filter.replace(/^WHERE /, ''), r.okOnly ? '_sa = 0 AND _sb = 0' : '')}`;
  return ratioSummary(rows, groups, r.binsPerOctave ?? 8);
}

/**
 * A summary of a pairs table small enough to answer each brush position at once: per combination of `columns`
 * (the brushed keys and the group keys), of "both statuses 0" (`_ok`, with `status`) and of histogram bin, the
 * count, sum of ln(ratio), min and max. Every statistic of compareQuery but the median adds up over any set of
 * those combinations; the median is found through it (compareFromSummaryQuery).
 */
export function pairsSummaryQuery(r: { pairs: string; columns: string[]; status: boolean }): string {
  const columns = [...new Set(r.columns)].map(ident);
  const ok = r.status ? ['(_sa = 0 AND _sb = 0) AS _ok'] : [];
  return `SELECT ${[...columns, ...ok, 'bin'].join(', ')}, count(*)::DOUBLE AS n, sum(ln(ratio)) AS sl, min(ratio) AS lo, max(ratio) AS hi FROM ${r.pairs} GROUP BY ALL`;
}

/**
 * compareQuery's result from a summary (pairsSummaryQuery) of the pairs table, exactly: `filter` may name only
 * the summary's columns. Counts, histogram, geometric mean, min and max add up over the summary's rows. The
 * median (DuckDB's: the mean of the two middle values for an even count): the running count per bin tells which
 * bin holds each middle rank and how many filtered pairs come before it. The summary knows the value when the
 * bin holds a single value or the rank is the bin's first or last; otherwise the filtered pairs of that bin
 * alone, counted per distinct ratio, give it.
 */
export function compareFromSummaryQuery(r: {
  pairs: string;
  summary: string;
  group: string;
  group2?: string;
  filter: string;
  okOnly: boolean;
  /** The pairs the summary summarises, when not `filter` and `okOnly` on the pairs table (filteredPairsSummary). */
  pairsFilter?: string;
}): string {
  const groups = [r.group, r.group2 ?? ''].filter(Boolean);
  // Two grouping slots, g0 and g1, always present (a constant where there is no group) to keep one query shape.
  const slots = [0, 1].map((i) => (groups[i] ? ident(groups[i]) : 'NULL::VARCHAR'));
  const g = 'g0, g1';
  const filter = where(r.filter.replace(/^WHERE /, ''), r.okOnly ? '_ok' : '');
  const pairFilter = r.pairsFilter ?? where(r.filter.replace(/^WHERE /, ''), r.okOnly ? '_sa = 0 AND _sb = 0' : '');
  const matchGroups = [0, 1].map((i) => `p.g${i} IS NOT DISTINCT FROM t.g${i}`).join(' AND ');
  const text = (i: number) => (groups[i] ? `CAST(g${i} AS VARCHAR)` : i === 0 ? `'all'` : 'NULL::VARCHAR');
  const number = (i: number) => (groups[i] ? `TRY_CAST(g${i} AS DOUBLE)` : 'NULL::DOUBLE');
  return [
    `WITH f AS (SELECT ${slots[0]} AS g0, ${slots[1]} AS g1, bin, n, sl, lo, hi FROM ${r.summary} ${filter}),`,
    `cells AS (SELECT ${g}, bin, sum(n) AS n, sum(sl) AS sl, min(lo) AS lo, max(hi) AS hi FROM f GROUP BY ALL),`,
    `ranked AS (SELECT *, sum(n) OVER (PARTITION BY ${g} ORDER BY bin ROWS UNBOUNDED PRECEDING) - n AS before, sum(n) OVER (PARTITION BY ${g}) AS total FROM cells),`,
    // The bins holding the middle ranks k1 = floor((total - 1) / 2) and k2 = floor(total / 2) (0-based; counts are
    // DOUBLE): one, or two neighbours.
    `middle AS (SELECT * FROM (SELECT *, floor((total - 1) / 2) AS k1, floor(total / 2) AS k2 FROM ranked) WHERE (k1 >= before AND k1 < before + n) OR (k2 >= before AND k2 < before + n)),`,
    // A middle value the summary already knows: its bin holds one value (lo = hi; ties are common in sweeps), or it
    // is the bin's first (lo) or last (hi).
    `ends AS (SELECT ${g}, ${[1, 2].map((k) => `min(CASE WHEN lo = hi OR k${k} = before THEN lo WHEN k${k} = before + n - 1 THEN hi END) FILTER (WHERE k${k} >= before AND k${k} < before + n) AS e${k}`).join(', ')} FROM middle GROUP BY ALL),`,
    // Else the pairs of that bin, counted per distinct ratio, give the ranks each value spans.
    `targets AS (SELECT ${g}, bin, before, k1, k2 FROM middle WHERE lo < hi AND ((k1 > before AND k1 < before + n - 1) OR (k2 > before AND k2 < before + n - 1))),`,
    `p AS (SELECT ${slots[0]} AS g0, ${slots[1]} AS g1, bin, ratio FROM ${r.pairs} ${pairFilter}),`,
    `counted AS (SELECT t.g0, t.g1, t.bin, p.ratio, count(*) AS c, any_value(t.before) AS before, any_value(t.k1) AS k1, any_value(t.k2) AS k2 FROM p JOIN targets t ON p.bin = t.bin AND ${matchGroups} GROUP BY ALL),`,
    `spans AS (SELECT *, before + sum(c) OVER (PARTITION BY ${g}, bin ORDER BY ratio ROWS UNBOUNDED PRECEDING) - c AS first FROM counted),`,
    `found AS (SELECT ${g}, min(ratio) FILTER (WHERE k1 >= first AND k1 < first + c) AS c1, max(ratio) FILTER (WHERE k2 >= first AND k2 < first + c) AS c2 FROM spans GROUP BY ALL),`,
    `medians AS (SELECT e.g0, e.g1, coalesce(e.e1, f.c1) AS m1, coalesce(e.e2, f.c2) AS m2 FROM ends e LEFT JOIN found f ON e.g0 IS NOT DISTINCT FROM f.g0 AND e.g1 IS NOT DISTINCT FROM f.g1),`,
    `totals AS (SELECT ${g}, sum(n) AS n, sum(sl) AS sl, min(lo) AS lo, max(hi) AS hi FROM cells GROUP BY ALL)`,
    `SELECT 'hist' AS part, bin, NULL::VARCHAR AS grp, NULL::VARCHAR AS grp2, NULL::DOUBLE AS sortkey, NULL::DOUBLE AS sortkey2, sum(n) AS n, NULL::DOUBLE AS geo, NULL::DOUBLE AS lo, NULL::DOUBLE AS med, NULL::DOUBLE AS hi FROM cells GROUP BY bin`,
    `UNION ALL`,
    `SELECT 'group', NULL, ${text(0)}, ${text(1)}, ${number(0)}, ${number(1)}, n, exp(sl / n), lo, m1 + (m2 - m1) * 0.5, hi`,
    `FROM (SELECT t.*, m.m1, m.m2 FROM totals t LEFT JOIN medians m ON t.g0 IS NOT DISTINCT FROM m.g0 AND t.g1 IS NOT DISTINCT FROM m.g1)`,
  ].join(' ');
}

/**
 * A summary (as pairsSummaryQuery's, per group and histogram bin) of the pairs passing `filter`, made in the
 * query itself: for filters no stored summary can answer (whole bins of metrics, binnedPairsPredicate). A hash
 * aggregate over the pairs, cheap next to the sort a median over them would cost; compareFromSummaryQuery (with
 * `pairsFilter`: the same filter) then reads the pairs of the median's bins alone.
 */
export function filteredPairsSummary(r: { pairs: string; groups: string[]; filter: string }): string {
  const groups = [...new Set(r.groups.filter(Boolean))].map(ident);
  return `(SELECT ${[...groups, 'bin'].join(', ')}, count(*)::DOUBLE AS n, sum(ln(ratio)) AS sl, min(ratio) AS lo, max(ratio) AS hi FROM ${r.pairs} ${r.filter} GROUP BY ALL)`;
}
