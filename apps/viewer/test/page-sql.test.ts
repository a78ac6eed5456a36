/**
 * The SQL the page's views send, run against DuckDB on small tables whose answers are computed here by brute
 * force: table filters, the Pareto frontier, the compare ratios, density bins.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binField } from '../src/page/brush-bins.js';
import { binExpr, binnedPairsPredicate, compareFromPairsQuery, filteredPairsSummary, compareFromSummaryQuery, compareQuery, pairsSummaryQuery, densityDomainPredicate, localFrontierQuery, pairsQuery, filterPredicate, FilterSyntaxError, ident, literal, paretoQuery, where, windowQuery } from '../src/page/sql.js';

let instance: DuckDBInstance;
let db: DuckDBConnection;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

// A small sweep: cluster × gpus × bytes, time = bytes / bandwidth(cluster) × log2(gpus) + latency.
const CLUSTERS = { h100: 370.8, h800: 164.8, "o'brien": 100 };
const GPUS = [8, 16, 32, 64];
const BYTES = [1024, 1048576, 1073741824];
const timeOf = (cluster: keyof typeof CLUSTERS, gpus: number, bytes: number) => (bytes / (CLUSTERS[cluster] * 1e9)) * Math.log2(gpus) + 1e-5 * gpus;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  const values = Object.keys(CLUSTERS).flatMap((c) =>
    GPUS.flatMap((g) => BYTES.map((b) => `(${literal(c)}, ${g}, ${b}, ${timeOf(c as keyof typeof CLUSTERS, g, b)}, ${g * timeOf(c as keyof typeof CLUSTERS, g, b) * 3})`)),
  );
  await db.run(`CREATE TABLE t (cluster VARCHAR, gpus BIGINT, bytes BIGINT, "timeS" DOUBLE, "costUsd" DOUBLE); INSERT INTO t VALUES ${values.join(', ')}`);
  await db.run(`INSERT INTO t VALUES ('h100', 8, 5, NULL, NULL)`);
});
afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

describe('quoting', () => {
  it('quotes identifiers and literals', () => {
    expect(ident('a"b')).toBe('"a""b"');
    expect(literal("o'brien")).toBe("'o''brien'");
    expect(literal(1e-3)).toBe('0.001');
    expect(() => literal(Number.NaN)).toThrow(/finite/);
    expect(where()).toBe('');
    expect(where(null, '', 'a > 1', ['b < 2'])).toBe('WHERE (a > 1) AND (b < 2)');
  });
});

describe('table filters', () => {
  const count = async (column: string, kind: 'string' | 'number', text: string) => Number((await rows(`SELECT count(*) AS n FROM t ${where(filterPredicate(column, kind, text))}`))[0].n);

  it('number filters: comparisons, ranges, lists', async () => {
    expect(await count('gpus', 'number', '>16')).toBe(3 * 2 * 3);
    expect(await count('gpus', 'number', '<= 16')).toBe(3 * 2 * 3 + 1);
    expect(await count('gpus', 'number', '64..16')).toBe(3 * 3 * 3);
    expect(await count('gpus', 'number', '8,64')).toBe(3 * 2 * 3 + 1);
    expect(await count('bytes', 'number', '=1.073741824e9')).toBe(3 * 4);
    expect(await count('gpus', 'number', '!=8')).toBe(3 * 3 * 3);
  });

  it('text filters: contains (any case), exact, excluded, one of; quotes are data', async () => {
    expect(await count('cluster', 'string', 'H')).toBe(2 * 12 + 1);
    expect(await count('cluster', 'string', '=h800')).toBe(12);
    expect(await count('cluster', 'string', '!=h800')).toBe(25);
    expect(await count('cluster', 'string', 'h800|h100')).toBe(25);
    expect(await count('cluster', 'string', "o'b")).toBe(12);
    expect(await count('cluster', 'string', '%')).toBe(0);
  });

  it('an empty filter is none; a bad one names the column and the syntax', () => {
    expect(filterPredicate('gpus', 'number', '  ')).toBeNull();
    expect(() => filterPredicate('gpus', 'number', '>>5')).toThrow(FilterSyntaxError);
    expect(() => filterPredicate('gpus', 'number', 'abc')).toThrow(/gpus: "abc" is not a number filter \(write >5/);
  });

  it('windows of rows, sorted, with nulls last', async () => {
    const sql = windowQuery({ table: 't', columns: ['cluster', 'timeS'], filter: where("cluster = 'h100'"), sort: { column: 'timeS', desc: true }, limit: 3, offset: 0 });
    const got = await rows(sql);
    expect(got).toHaveLength(3);
    expect(got[0].timeS).toBeCloseTo(timeOf('h100', 64, 1073741824), 12);
    const last = await rows(windowQuery({ table: 't', columns: ['timeS'], filter: where("cluster = 'h100'"), sort: { column: 'timeS', desc: false }, limit: 5, offset: 10 }));
    expect(last.at(-1)!.timeS).toBeNull();
  });
});

describe('Pareto frontier', () => {
  /** Brute force: points no other point beats on both (at least as good on both, better on one). */
  function frontier(points: { x: number; y: number }[], minX: boolean, minY: boolean) {
    const better = (a: number, b: number, min: boolean) => (min ? a < b : a > b);
    const noWorse = (a: number, b: number, min: boolean) => (min ? a <= b : a >= b);
    return points.filter((p) => !points.some((q) => noWorse(q.x, p.x, minX) && noWorse(q.y, p.y, minY) && (better(q.x, p.x, minX) || better(q.y, p.y, minY))));
  }

  it.each([
    [true, true, null],
    [true, false, null],
    [false, true, null],
    [false, false, null],
    [true, true, { log: true, domain: [1e-5, 10], bins: 7 }],
    [false, true, { log: true, domain: [1e-5, 10], bins: 7 }],
    [true, false, { log: false, domain: [0, 5], bins: 3 }],
    [false, false, { log: false, domain: [0.001, 0.002], bins: 50 }],
  ] as const)('matches brute force (minX %s, minY %s, binned %j)', async (minX, minY, binning) => {
    const all = (await rows('SELECT "timeS" AS x, "costUsd" AS y FROM t WHERE "timeS" IS NOT NULL')) as { x: number; y: number }[];
    const expected = frontier(all, minX, minY)
      .map((p) => `${p.x},${p.y}`)
      .sort();
    const request = { table: 't', x: 'timeS', y: 'costUsd', minX, minY, filter: '', columns: ['cluster', 'gpus'], ...(binning ? { binning: { ...binning, domain: [...binning.domain] as [number, number] } } : {}) };
    const got = await rows(paretoQuery(request));
    expect(got.map((r) => `${r.timeS},${r.costUsd}`).sort()).toEqual([...new Set(expected)]);
    expect(Object.keys(got[0])).toEqual(['timeS', 'costUsd', 'cluster', 'gpus']);
  });

  it('from a table of per-combination frontiers gives the same frontier for filters on those columns', async () => {
    const base = { x: 'timeS', y: 'costUsd', minX: true, minY: true, columns: ['cluster', 'gpus'] };
    await db.run(`CREATE TABLE local1 AS ${localFrontierQuery({ ...base, table: 't', partition: ['gpus', 'bytes'] })}`);
    const local = Number((await rows('SELECT count(*) AS n FROM local1'))[0].n);
    expect(local).toBe(12); // one of the three clusters per (gpus, bytes): faster is cheaper here
    for (const filter of ['', where('"gpus" BETWEEN 16 AND 32'), where('"bytes" = 1048576', '"gpus" IN (8, 64)')]) {
      const direct = await rows(paretoQuery({ ...base, table: 't', filter }));
      const viaLocal = await rows(paretoQuery({ ...base, table: 'local1', filter }));
      expect(viaLocal).toEqual(direct);
    }
  });

  it('partitioned by bins of a metric as well, answers a brush on whole bins (brush-bins.ts) as the rows do', async () => {
    const base = { x: 'timeS', y: 'costUsd', minX: true, minY: true, columns: ['cluster', 'gpus'] };
    const [{ lo, hi }] = await rows(`SELECT min("costUsd") AS lo, max("costUsd") AS hi FROM t WHERE isfinite("costUsd")`);
    const bins = String(binField({ column: 'costUsd', log: true, domain: [lo as number, hi as number], bins: 6 }));
    await db.run(`CREATE TABLE local2 AS ${localFrontierQuery({ ...base, table: 't', partition: ['gpus'], partitionExprs: [bins] })}`);
    const sizes: number[] = [];
    for (const filter of [where(`${bins} BETWEEN 1 AND 3`), where(`${bins} BETWEEN 4 AND 5`, '"gpus" IN (8, 32)'), where(`${bins} = 0`)]) {
      const direct = await rows(paretoQuery({ ...base, table: 't', filter }));
      expect(await rows(paretoQuery({ ...base, table: 'local2', filter }))).toEqual(direct);
      // As the scatter reads it: with the x-bin pruning too.
      const [{ tlo, thi }] = await rows(`SELECT min("timeS") AS tlo, max("timeS") AS thi FROM t WHERE isfinite("timeS")`);
      expect(await rows(paretoQuery({ ...base, table: 't', from: 'local2', filter, binning: { log: true, domain: [tlo as number, thi as number], bins: 16 } }))).toEqual(direct);
      sizes.push(direct.length);
    }
    expect(sizes.every((n) => n > 0)).toBe(true);
  });

  it('applies the filter of the other views', async () => {
    const got = await rows(paretoQuery({ table: 't', x: 'timeS', y: 'costUsd', minX: true, minY: true, filter: where("cluster = 'h800'"), columns: ['cluster'] }));
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got.map((r) => r.cluster))).toEqual(new Set(['h800']));
  });
});

describe('compare', () => {
  it('gives the ratio B/A over rows matched on the other axes, per group and as a histogram', async () => {
    const sql = compareQuery({ table: 't', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'bytes'], group: 'gpus', filter: '', binsPerOctave: 4 });
    const result = await rows(sql);
    const groups = result.filter((r) => r.part === 'group');
    expect(groups.map((g) => g.grp).sort()).toEqual(['16', '32', '64', '8']);
    for (const g of groups) {
      const gpus = Number(g.grp);
      const ratios = BYTES.map((b) => timeOf('h800', gpus, b) / timeOf('h100', gpus, b));
      expect(g.n).toBe(3);
      expect(g.lo).toBeCloseTo(Math.min(...ratios), 12);
      expect(g.hi).toBeCloseTo(Math.max(...ratios), 12);
      expect(g.geo).toBeCloseTo(Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / 3), 12);
    }
    const hist = result.filter((r) => r.part === 'hist');
    expect(hist.reduce((s, r) => s + (r.n as number), 0)).toBe(12);
    const all = GPUS.flatMap((g) => BYTES.map((b) => timeOf('h800', g, b) / timeOf('h100', g, b)));
    for (const r of hist) {
      const inBin = all.filter((ratio) => Math.floor(Math.log2(ratio) * 4) / 4 === r.bin).length;
      expect(r.n).toBe(inBin);
    }
  });

  it('per pair of groups (a grid: the H800/H100 slowdown over two axes)', async () => {
    const sql = compareQuery({ table: 't', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'bytes'], group: 'gpus', group2: 'bytes', filter: '' });
    const cells = (await rows(sql)).filter((r) => r.part === 'group');
    expect(cells).toHaveLength(12);
    for (const cell of cells) {
      const [gpus, bytes] = [Number(cell.grp), Number(cell.grp2)];
      expect(cell.sortkey).toBe(gpus);
      expect(cell.sortkey2).toBe(bytes);
      expect(cell.n).toBe(1);
      expect(cell.geo).toBeCloseTo(timeOf('h800', gpus, bytes) / timeOf('h100', gpus, bytes), 12);
    }
  });

  it('numbers as the compared values, no grouping, and a filter', async () => {
    const sql = compareQuery({ table: 't', axis: 'gpus', a: 8, b: 64, metric: 'timeS', keys: ['cluster', 'bytes'], group: '', filter: where("cluster = 'h100'") });
    const groups = (await rows(sql)).filter((r) => r.part === 'group');
    expect(groups).toHaveLength(1);
    expect(groups[0].grp).toBe('all');
    expect(groups[0].n).toBe(3);
  });
});

describe('compare from a pairs table', () => {
  const sorted = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(r)).sort();

  it('gives what the join gives, for filters on the keys', async () => {
    const request = { table: 't', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'bytes'] };
    await db.run(`CREATE TABLE pairs1 AS ${pairsQuery({ ...request, status: false })}`);
    for (const filter of ['', where('"gpus" BETWEEN 16 AND 32'), where('"bytes" = 1024', '"gpus" IN (8, 64)')]) {
      const joined = await rows(compareQuery({ ...request, group: 'gpus', filter, binsPerOctave: 4 }));
      const paired = await rows(compareFromPairsQuery({ pairs: 'pairs1', group: 'gpus', filter, okOnly: false, binsPerOctave: 4 }));
      expect(sorted(paired)).toEqual(sorted(joined));
      const grid = await rows(compareQuery({ ...request, group: 'gpus', group2: 'bytes', filter }));
      expect(sorted(await rows(compareFromPairsQuery({ pairs: 'pairs1', group: 'gpus', group2: 'bytes', filter, okOnly: false })))).toEqual(sorted(grid));
    }
  });

  it('asks status 0 of both rows of a pair', async () => {
    await db.run(`CREATE TABLE ts AS SELECT *, CASE WHEN cluster = 'h800' AND gpus = 64 THEN 1 ELSE 0 END AS status FROM t`);
    const request = { table: 'ts', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'bytes'] };
    await db.run(`CREATE TABLE pairs2 AS ${pairsQuery({ ...request, status: true })}`);
    const joined = await rows(compareQuery({ ...request, group: '', filter: where('"status" = 0') }));
    const paired = await rows(compareFromPairsQuery({ pairs: 'pairs2', group: '', filter: '', okOnly: true }));
    expect(sorted(paired)).toEqual(sorted(joined));
    expect(paired.find((r) => r.part === 'group')!.n).toBe(9);
  });
});

describe('compare from a summary of the pairs', () => {
  const sorted = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(r)).sort();
  /** Group rows by group; numbers compared to 1e-12 relative (sums over other orders of the same terms). */
  const expectSame = (got: Record<string, unknown>[], want: Record<string, unknown>[]) => {
    const key = (r: Record<string, unknown>) => `${r.part}|${r.bin}|${r.grp}|${r.grp2}`;
    expect(got.map(key).sort()).toEqual(want.map(key).sort());
    const byKey = new Map(want.map((r) => [key(r), r]));
    for (const row of got) {
      const expected = byKey.get(key(row))!;
      for (const [name, value] of Object.entries(expected)) {
        if (typeof value === 'number' && typeof row[name] === 'number') expect(row[name] as number, `${key(row)} ${name}`).toBeCloseTo(value, 12);
        else expect(row[name], `${key(row)} ${name}`).toEqual(value);
      }
    }
  };

  // Many pairs with ties and a spread of ratios, so medians fall inside bins, across two bins, and on ties.
  beforeAll(async () => {
    await db.run(`CREATE TABLE big AS SELECT c AS cluster, g AS gpus, k AS size, n AS nic,
      CASE WHEN c = 'h100' THEN 1.0 + (g * 7 + k * 13 + n) % 5 ELSE (1.0 + (g * 7 + k * 13 + n) % 5) * (CASE WHEN (g + k) % 3 = 0 THEN 1.0 ELSE 1.0 + ((k * 31 + n * 17 + g) % 97) / 40.0 END) END AS "timeS",
      CASE WHEN c = 'h800' AND (k + n) % 11 = 0 THEN 1 ELSE 0 END AS status
      FROM (VALUES ('h100'), ('h800')) AS cs(c), range(1, 9) AS gs(g), range(0, 40) AS ks(k), range(0, 7) AS ns(n)`);
    await db.run(`CREATE TABLE bigpairs AS ${pairsQuery({ table: 'big', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'size', 'nic'], status: true })}`);
  });

  it('is the join, exactly, medians included, for every grouping, brush and status switch', async () => {
    const request = { table: 'big', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'size', 'nic'] };
    const filters = ['', where('"size" BETWEEN 5 AND 22'), where('"gpus" IN (2, 3, 7)', '"nic" = 4'), where('"size" = 39', '"gpus" = 1', '"nic" = 0'), where('"size" > 1000')];
    const groupings: [string, string?][] = [[''], ['gpus'], ['nic', 'gpus']];
    for (const [group, group2] of groupings) {
      const summary = `sum_${group || 'none'}_${group2 ?? ''}`;
      await db.run(`CREATE TABLE ${summary} AS ${pairsSummaryQuery({ pairs: 'bigpairs', columns: ['size', 'gpus', 'nic', group, group2 ?? ''].filter(Boolean), status: true })}`);
      for (const filter of filters) {
        for (const okOnly of [false, true]) {
          // (Over no pairs at all the join still gives its one ungrouped row, of count 0: the summary gives none.)
          const joined = (await rows(compareQuery({ ...request, group, group2, filter: where(filter.replace(/^WHERE /, ''), okOnly ? '"status" = 0' : '') }))).filter((r) => r.n !== 0);
          const summed = await rows(compareFromSummaryQuery({ pairs: 'bigpairs', summary, group, group2, filter, okOnly }));
          expectSame(summed, joined);
        }
      }
    }
  });

  it('answers whole bins of metrics (a scatter rectangle) from pairs keeping both rows\' bins, as the join does', async () => {
    const request = { table: 'big', axis: 'cluster', a: 'h100', b: 'h800', metric: 'timeS', keys: ['gpus', 'size', 'nic'] };
    // Two binned fields: the metric itself (log bins) and the status as a number (linear bins).
    const fields = [binExpr('timeS', true, [1, 26], 12), binExpr('status', false, [0, 1], 2)];
    await db.run(`CREATE TABLE binpairs AS ${pairsQuery({ ...request, status: true, perSide: fields })}`);
    await db.run(`CREATE TABLE binsum AS ${pairsSummaryQuery({ pairs: 'binpairs', columns: ['gpus', 'nic', '_a0', '_b0', '_a1', '_b1'], status: true })}`);
    const cases: { ranges: [number, number][]; keys: string }[] = [
      { ranges: [[0, 11], [0, 1]], keys: '' },
      { ranges: [[2, 7], [0, 1]], keys: '' },
      { ranges: [[3, 9], [0, 0]], keys: '"gpus" IN (2, 3, 7)' },
      { ranges: [[11, 11], [1, 1]], keys: '' },
    ];
    for (const [group, group2] of [[''], ['gpus'], ['nic', 'gpus']] as [string, string?][]) {
      for (const { ranges, keys } of cases) {
        for (const okOnly of [false, true]) {
          // The join, with the bins asked of each row (both rows of a pair then pass).
          const rowFilter = where(keys, ...ranges.map((r, i) => `${fields[i]} BETWEEN ${r[0]} AND ${r[1]}`), okOnly ? '"status" = 0' : '');
          const joined = (await rows(compareQuery({ ...request, group, group2, filter: rowFilter }))).filter((r) => r.n !== 0);
          const filter = where(keys, ...ranges.map((r, i) => binnedPairsPredicate(i, r)), okOnly ? '_sa = 0 AND _sb = 0' : '');
          const summary = filteredPairsSummary({ pairs: 'binpairs', groups: [group, group2 ?? ''], filter });
          const summed = await rows(compareFromSummaryQuery({ pairs: 'binpairs', summary, group, group2, filter: '', okOnly: false, pairsFilter: filter }));
          expectSame(summed, joined);
          // And from a stored summary per combination of both rows' bins (the keys and groups with them).
          const binFilter = where(keys, ...ranges.map((r, i) => binnedPairsPredicate(i, r)));
          expectSame(await rows(compareFromSummaryQuery({ pairs: 'binpairs', summary: 'binsum', group, group2, filter: binFilter, okOnly })), joined);
        }
      }
    }
  });

  it('finds medians in the bins around them (odd, even, ties, across two bins)', async () => {
    await db.run(`CREATE TABLE tiny AS SELECT * FROM (VALUES ('a', 1, 1.0), ('b', 1, 1.0), ('a', 2, 1.0), ('b', 2, 1.0), ('a', 3, 1.0), ('b', 3, 4.0), ('a', 4, 1.0), ('b', 4, 1.1)) AS v(cluster, k, "timeS")`);
    await db.run(`CREATE TABLE tinypairs AS ${pairsQuery({ table: 'tiny', axis: 'cluster', a: 'a', b: 'b', metric: 'timeS', keys: ['k'], status: false })}`);
    await db.run(`CREATE TABLE tinysum AS ${pairsSummaryQuery({ pairs: 'tinypairs', columns: ['k'], status: false })}`);
    const median = async (filter: string) => (await rows(compareFromSummaryQuery({ pairs: 'tinypairs', summary: 'tinysum', group: '', filter, okOnly: false }))).find((r) => r.part === 'group')?.med;
    expect(await median('')).toBeCloseTo(1.05, 12); // ratios 1, 1, 4, 1.1: the middle two are 1 and 1.1 (two bins)
    expect(await median(where('"k" <= 3'))).toBe(1); // 1, 1, 4
    expect(await median(where('"k" >= 3'))).toBeCloseTo(2.55, 12); // 4, 1.1
    expect(await median(where('"k" = 4'))).toBeCloseTo(1.1, 12);
    expect(await median(where('"k" = 9'))).toBeUndefined();
  });
});

describe('density', () => {
  it('bins every finite point of the domain into the grid (log axes)', async () => {
    // As the scatter's density: bins of x and y, over finite (and on log axes positive) points.
    const sql = `SELECT ${binExpr('timeS', true, [1e-5, 10], 10)} AS bx, ${binExpr('costUsd', true, [1e-4, 1e4], 8)} AS by, count(*)::DOUBLE AS n FROM t ${where(densityDomainPredicate({ x: 'timeS', y: 'costUsd', logX: true, logY: true }))} GROUP BY ALL`;
    const bins = await rows(sql);
    expect(bins.reduce((s, r) => s + (r.n as number), 0)).toBe(36);
    for (const b of bins) {
      expect(b.bx).toBeGreaterThanOrEqual(0);
      expect(b.bx).toBeLessThan(10);
      expect(b.by).toBeGreaterThanOrEqual(0);
      expect(b.by).toBeLessThan(8);
    }
    const fastest = timeOf('h100', 8, 1024);
    const expectedBin = Math.floor(((Math.log(fastest) - Math.log(1e-5)) * 10) / (Math.log(10) - Math.log(1e-5)));
    expect(bins.some((b) => b.bx === expectedBin)).toBe(true);
  });
});
