/**
 * Brushes snapped to bins (brush-bins.ts): the SQL bin of every row is the density's bin (sql.ts binExpr), the
 * page's own arithmetic agrees with DuckDB's, saved edges come back as the same bins, and a binned clause carries
 * what Mosaic's pre-aggregator needs (interval metadata on identity scales) and selects exactly its bins.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binEdges, binField, binnedClause, binnedRanges, binOf, binsOf, binsOfEdges, type Binning } from '../src/page/brush-bins.js';
import { binExpr } from '../src/page/sql.js';

let instance: DuckDBInstance;
let db: DuckDBConnection;

const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];

const LINEAR: Binning = { column: 'v', log: false, domain: [-3.5, 1234.25], bins: 120 };
const LOG: Binning = { column: 'v', log: true, domain: [1e-6, 37.5], bins: 80 };

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  // Values across both domains, their edges, and what falls in no bin (NaN, infinities, NULL, non-positive).
  await db.run(`CREATE TABLE t AS SELECT v FROM (SELECT (random() * 1300 - 10)::DOUBLE AS v FROM range(2000)
    UNION ALL SELECT exp(random() * 18 - 14) FROM range(2000)
    UNION ALL SELECT * FROM (VALUES (-3.5), (1234.25), (1e-6), (37.5), (0.0), (-1.0), ('NaN'::DOUBLE), ('Infinity'::DOUBLE), (NULL)) AS x(v))`);
});

afterAll(() => {
  db?.closeSync();
  instance?.closeSync();
});

describe('bins of a metric', () => {
  for (const binning of [LINEAR, LOG]) {
    const name = binning.log ? 'log' : 'linear';
    it(`${name}: the SQL bin is the density's, NULL outside the domain, and the page computes the same bin`, async () => {
      const got = await rows(`SELECT v, ${binField(binning)} AS field, CASE WHEN isfinite(v) AND v > 0 THEN ${binExpr('v', binning.log, binning.domain, binning.bins)} END AS density FROM t`);
      let binned = 0;
      for (const row of got) {
        const v = row.v as number | null;
        const inDomain = v !== null && Number.isFinite(v) && (!binning.log || v > 0);
        if (!inDomain) {
          expect(row.field, String(v)).toBeNull();
          continue;
        }
        binned += 1;
        if (v > 0) expect(row.field).toBe(row.density);
        expect(binOf(binning, v)).toBe(row.field);
      }
      expect(binned).toBeGreaterThan(3000);
    });

    it(`${name}: a brush's bins come back from its saved edges, and the edges bound the bins' values`, () => {
      for (const [first, last] of [[0, 0], [0, binning.bins - 1], [5, 17], [binning.bins - 1, binning.bins - 1], [40, 41]] as [number, number][]) {
        const edges = binEdges(binning, [first, last]);
        expect(edges[0]).toBeLessThan(edges[1]);
        // Through JSON text, as the URL keeps them.
        expect(binsOfEdges(binning, JSON.parse(JSON.stringify(edges)))).toEqual([first, last]);
        const inside = binning.log ? Math.sqrt(edges[0] * edges[1]) : (edges[0] + edges[1]) / 2;
        expect(binsOf(binning, [inside, inside])[0]).toBeGreaterThanOrEqual(first);
        expect(binsOf(binning, [inside, inside])[0]).toBeLessThanOrEqual(last);
      }
      expect(binsOf(binning, [binning.domain[1], binning.domain[0]])).toEqual([0, binning.bins - 1]);
    });
  }
});

describe('a binned clause', () => {
  it('selects the rows of its bins and no others, its guard on plain ranges included (both domains, every end)', async () => {
    for (const binning of [LINEAR, LOG]) {
      const last = binning.bins - 1;
      for (const range of [[0, 0], [0, 7], [3, 3], [3, 40], [40, last], [last, last], [0, last]] as [number, number][]) {
        const clause = binnedClause({ source: {}, clients: new Set(), binnings: [binning], value: [range] });
        const [[n]] = (await db.runAndReadAll(`SELECT count(*) FROM t WHERE ${clause.predicate}`)).getRows() as bigint[][];
        const [[m]] = (await db.runAndReadAll(`SELECT count(*) FROM t WHERE ${binField(binning)} BETWEEN ${range[0]} AND ${range[1]}`)).getRows() as bigint[][];
        expect(n, `${binning.log ? 'log' : 'linear'} ${range}`).toBe(m);
      }
      // The guard is there (a comparison on the column itself), and open at the ends.
      expect(String(binnedClause({ source: {}, clients: new Set(), binnings: [binning], value: [[3, 40]] }).predicate)).toMatch(/"v" >= .* AND \("v" <= /);
      expect(String(binnedClause({ source: {}, clients: new Set(), binnings: [binning], value: [[0, last]] }).predicate)).not.toMatch(/"v" [<>]=/);
    }
  });


  it('selects exactly the rows of its bins, and says so to Mosaic (interval on identity scales) and to compare', async () => {
    const source = {};
    const clause = binnedClause({ source, clients: new Set(), binnings: [LINEAR], value: [[10, 30]] });
    expect(clause.meta).toMatchObject({ type: 'interval', scales: [{ type: 'identity', domain: [0, 119] }], bin: 'floor', pixelSize: 1 });
    expect(clause.value).toEqual([10, 30]);
    const [[n]] = (await db.runAndReadAll(`SELECT count(*) FROM t WHERE ${clause.predicate}`)).getRows() as bigint[][];
    const [lo, hi] = binEdges(LINEAR, [10, 30]);
    const [[m]] = (await db.runAndReadAll(`SELECT count(*) FROM t WHERE v >= ${lo} AND v < ${hi}`)).getRows() as bigint[][];
    expect(Number(n)).toBeGreaterThan(0);
    expect(n).toBe(m);
    expect(binnedRanges(clause)).toEqual([{ sql: String(binField(LINEAR)), range: [10, 30], bins: 120 }]);

    const two = binnedClause({ source, clients: new Set(), binnings: [LINEAR, LOG], value: [[0, 5], [3, 9]] });
    expect(binnedRanges(two)?.map((r) => r.range)).toEqual([[0, 5], [3, 9]]);
    const cleared = binnedClause({ source, clients: new Set(), binnings: [LINEAR, LOG], value: null });
    expect(cleared.predicate).toBeNull();
    expect(binnedRanges(cleared)).toBeNull();
    expect(binnedRanges({ source, clients: new Set(), fields: [], value: [1, 2], predicate: null, meta: { type: 'interval' } } as never)).toBeNull();
  });
});
