/**
 * `linkcap view` end to end in Debian's Chromium: a result directory of real model points (10^6 rows by
 * default; LINKCAP_E2E_ROWS to change), every view drawn from it, brushes in one view filtering the others
 * (counts checked against DuckDB run here on the same file), the what-if panel against @linkcap/core,
 * broken files, and the server refusing what it must. Screenshots of each view go to
 * apps/viewer/test-artifacts/ (not committed).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { builtinCatalog, listClusters, predictCollective, predictTraining, resolveClusterSpec } from '@linkcap/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtures, type Fixtures } from '../helpers.js';
import { ARTIFACTS, intAttr, launchChromium, openViewer, screenshot, settle, settleForeground, startView, urlState, waitForViews, watchPage, type ViewServer } from './harness.js';

const ROWS = Number(process.env.LINKCAP_E2E_ROWS ?? 1_000_000);
const TIMEOUT = 180_000;

let fx: Fixtures;
let server: ViewServer;
let browser: Browser;
let instance: DuckDBInstance;
let db: DuckDBConnection;
/** What each page saw: Content-Security-Policy violations and uncaught errors. */
const watchers: { violations: string[]; errors: string[] }[] = [];

async function scalar(sql: string): Promise<number> {
  const row = (await db.runAndReadAll(sql)).getRowObjectsJS()[0];
  return Number(Object.values(row)[0]);
}

const count = (where = '') => scalar(`SELECT count(*) FROM rows ${where}`);

/** The size of the Pareto frontier of (x, y) over the rows passing `where`, by brute force here. */
async function frontierSize(state: { x: string; y: string; minX: boolean; minY: boolean }, where = ''): Promise<number> {
  const { x, y, minX, minY } = state;
  const finite = `isfinite("${x}") AND isfinite("${y}")`;
  const points = (
    await db.runAndReadAll(`SELECT "${x}" AS x, "${y}" AS y FROM rows WHERE ${finite} ${where ? `AND ${where}` : ''} ORDER BY x ${minX ? 'ASC' : 'DESC'}, y ${minY ? 'ASC' : 'DESC'}`)
  ).getRowObjectsJS() as { x: number; y: number }[];
  let best = Number.POSITIVE_INFINITY;
  let size = 0;
  for (const p of points) {
    const score = minY ? p.y : -p.y;
    if (score < best) (size += 1), (best = score);
  }
  return size;
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watchers.push(await watchPage(page));
  return page;
}

beforeAll(async () => {
  browser = await launchChromium();
  fx = await makeFixtures(ROWS);
  server = await startView([fx.good]);
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run(`CREATE VIEW rows AS SELECT * FROM read_parquet('${join(fx.good, 'rows.parquet')}')`);
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.closeSync();
  instance?.closeSync();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

describe('every view draws the sweep', () => {
  it(
    'marks and rows match the data',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const state = await urlState(page);

      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(fx.goodRows);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(fx.goodRows);
      expect(await page.locator('[data-view=table] .table-body .table-row').count()).toBe(16);

      // Line: one line per value of the series axis.
      const series = await scalar(`SELECT count(DISTINCT "${state.line.series}") FROM rows`);
      expect(await page.locator('[data-view=line] g[aria-label=line] path').count()).toBe(series);

      // Heatmap: one cell per pair of values present.
      const cells = await scalar(`SELECT count(*) FROM (SELECT DISTINCT "${state.heat.x}", "${state.heat.y}" FROM rows)`);
      expect(await page.locator('[data-view=heat] g[aria-label=cell] rect').count()).toBe(cells);

      // Scatter: every point with finite (positive, on log axes) coordinates is binned; the frontier is the
      // brute-force one.
      const { x, y, minX, minY, logX, logY } = state.scatter;
      const positive = `${logX ? `AND "${x}" > 0` : ''} ${logY ? `AND "${y}" > 0` : ''}`;
      expect(await intAttr(page, '[data-view=scatter] canvas', 'data-points')).toBe(await count(`WHERE isfinite("${x}") AND isfinite("${y}") ${positive}`));
      const frontier = await frontierSize(state.scatter);
      expect(await intAttr(page, '[data-view=scatter] [data-role=status]', 'data-frontier')).toBe(frontier);
      expect(await page.locator('[data-view=scatter] circle[data-frontier]').count()).toBe(frontier);

      // Compare: pairs of rows matched on every other axis.
      const { axis, a, b, metric } = state.compare;
      const axes = (JSON.parse(readFileSync(join(fx.good, 'manifest.json'), 'utf8')).axes as { name: string }[]).map((c) => c.name);
      const keys = axes.filter((name) => name !== axis).map((name) => `"${name}"`);
      const pairs = await scalar(
        `SELECT count(*) FROM (SELECT * FROM rows WHERE "${axis}" = '${a}' AND "${metric}" > 0) ra JOIN (SELECT * FROM rows WHERE "${axis}" = '${b}' AND "${metric}" > 0) rb USING (${keys.join(', ')})`,
      );
      expect(pairs).toBeGreaterThan(0);
      expect(await intAttr(page, '[data-view=compare] [data-role=status]', 'data-pairs')).toBe(pairs);
      expect(await page.locator('[data-view=compare] rect[data-bar]').count()).toBeGreaterThan(0);

      // Parallel coordinates: a line per sampled row.
      expect(await intAttr(page, '[data-view=parallel] [data-role=status]', 'data-lines')).toBe(1500);
      expect(await intAttr(page, '[data-view=parallel] canvas[data-role=lines]', 'data-lines')).toBe(1500);

      // Reductions: each stored table, all its rows.
      const reductions = page.locator('[data-view=reductions] [data-reduction]');
      expect(await reductions.count()).toBe(2);
      expect(await page.locator('[data-reduction=top-busbw] tbody tr').count()).toBe(100);
      const bestRows = await scalar(`SELECT count(*) FROM read_parquet('${join(fx.good, 'reductions', 'best-per-op.parquet')}')`);
      expect(await page.locator('[data-reduction=best-per-op] tbody tr').count()).toBe(Math.min(500, bestRows));

      expect(await page.locator('[data-view=whatif] [data-output=collective-time]').count()).toBe(1);

      for (const view of ['line', 'heat', 'scatter', 'compare', 'parallel', 'table', 'reductions', 'whatif']) {
        await screenshot(page, `[data-view=${view}]`, `view-${view}`);
      }
      await page.screenshot({ path: `${ARTIFACTS}/viewer.png`, fullPage: false });
      await page.close();
    },
    TIMEOUT,
  );
});

describe('linked views', () => {
  it(
    'a brush on the line chart filters every other view, a heatmap cell narrows them, the URL brings it back',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const box = (await page.locator('[data-view=line] svg').first().boundingBox())!;
      // Drag across the middle of the plot area (inside its margins).
      const y = box.y + box.height * 0.5;
      await page.mouse.move(box.x + box.width * 0.35, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.62, y, { steps: 5 });
      await page.mouse.up();
      await settle(page);
      const state = await urlState(page);
      const [lo, hi] = state.brushes.line as [number, number];
      expect(lo).toBeLessThan(hi);
      const inBrush = `"${state.line.x}" BETWEEN ${lo} AND ${hi}`;
      const expected = await count(`WHERE ${inBrush}`);
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(fx.goodRows);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(expected);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(expected);
      const { x: sx, y: sy, logX, logY } = state.scatter;
      const positive = `${logX ? `AND "${sx}" > 0` : ''} ${logY ? `AND "${sy}" > 0` : ''}`;
      expect(await intAttr(page, '[data-view=scatter] canvas', 'data-points')).toBe(await count(`WHERE ${inBrush} AND isfinite("${sx}") AND isfinite("${sy}") ${positive}`));
      // The frontier under the brush (answered from per-combination frontiers) is the brute-force one.
      expect(await intAttr(page, '[data-view=scatter] [data-role=status]', 'data-frontier')).toBe(await frontierSize(state.scatter, inBrush));
      // Compare answers a brush on a matched axis from its pairs table: the pairs are the join's.
      const { axis, a, b, metric } = state.compare;
      const keys = (JSON.parse(readFileSync(join(fx.good, 'manifest.json'), 'utf8')).axes as { name: string }[]).map((c) => c.name).filter((n) => n !== axis);
      const side = (value: string) => `SELECT * FROM rows WHERE "${axis}" = '${value}' AND "${metric}" > 0 AND ${inBrush}`;
      const pairs = await scalar(`SELECT count(*) FROM (${side(a)}) ra JOIN (${side(b)}) rb USING (${keys.map((k) => `"${k}"`).join(', ')})`);
      expect(await intAttr(page, '[data-view=compare] [data-role=status]', 'data-pairs')).toBe(pairs);
      await screenshot(page, '[data-view=line]', 'brush-line');

      // One heatmap cell on top: both clauses hold.
      await page.locator('[data-view=heat] g[aria-label=cell] rect').nth(3).click();
      await settle(page);
      const after = await urlState(page);
      expect(after.brushes.heat).toHaveLength(1);
      const [cx, cy] = after.brushes.heat[0];
      const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${v}'`);
      const both = await count(`WHERE ${inBrush} AND "${after.heat.x}" = ${lit(cx)} AND "${after.heat.y}" = ${lit(cy)}`);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(both);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(both);

      // The URL holds the brushes: a fresh page opens with the same rows selected.
      const url = page.url();
      const again = await newPage();
      await openViewer(again, url);
      expect(await intAttr(again, '[data-role=match-count]', 'data-count')).toBe(both);
      await again.close();
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'a table filter and a parallel-coordinates brush filter the others',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const filter = page.locator('[data-view=table] input[data-filter=op]');
      await filter.fill('=all-reduce');
      await filter.press('Enter');
      await settle(page);
      const allReduce = await count(`WHERE op = 'all-reduce'`);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(allReduce);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(allReduce);
      const cells = await page.locator('[data-view=table] .table-body .table-row .table-cell:nth-child(2)').allTextContents();
      expect(new Set(cells)).toEqual(new Set(['all-reduce']));

      const axis = (await page.locator('[data-view=parallel] [data-brush=gpus]').boundingBox())!;
      // From a third of the way down to the bottom: the lower GPU counts.
      await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height * 0.35);
      await page.mouse.down();
      await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height - 2, { steps: 6 });
      await page.mouse.up();
      await settle(page);
      const state = await urlState(page);
      const [lo, hi] = state.brushes.parallel.gpus as [number, number];
      const expected = await count(`WHERE op = 'all-reduce' AND gpus BETWEEN ${lo} AND ${hi}`);
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(allReduce);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(expected);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(expected);
      await screenshot(page, '[data-view=parallel]', 'brush-parallel');
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'a rectangle on the scatter snaps to its density cells and filters the others to exactly the rows in them',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const plot = (await page.locator('[data-view=scatter] svg.scatter-svg').boundingBox())!;
      // Inside the plot area, away from its edges (the first and last cells also hold the values clamped into them).
      await page.mouse.move(plot.x + plot.width * 0.3, plot.y + plot.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.55, plot.y + plot.height * 0.45, { steps: 4 });
      await page.mouse.move(plot.x + plot.width * 0.7, plot.y + plot.height * 0.7, { steps: 4 });
      await page.mouse.up();
      await settle(page);
      const state = await urlState(page);
      const { x, y, logX, logY } = state.scatter;
      const [[x0, x1], [y0, y1]] = state.brushes.scatter as [[number, number], [number, number]];
      // The edges are cell edges: a whole number of cells (120 × 80, as the density) from the domain's start.
      const cells = async (name: string, log: boolean, bins: number, edge: number) => {
        const [lo, hi] = Object.values((await db.runAndReadAll(`SELECT min("${name}")::DOUBLE, max("${name}")::DOUBLE FROM rows WHERE isfinite("${name}")`)).getRowObjectsJS()[0]) as number[];
        const t = (v: number) => (log ? Math.log(v) : v);
        return ((t(edge) - t(lo)) * bins) / (t(hi) - t(lo));
      };
      for (const [name, log, bins, edges] of [[x, logX, 120, [x0, x1]], [y, logY, 80, [y0, y1]]] as const) {
        for (const edge of edges) {
          const at = await cells(name, log, bins, edge);
          expect(Math.abs(at - Math.round(at))).toBeLessThan(1e-6);
        }
      }
      // The snapped edges are shown under the plot.
      expect(await page.locator('[data-view=scatter] [data-role=brush]').textContent()).toMatch(new RegExp(`^Brushed: .* ≤ ${x} < .*, .* ≤ ${y} < .* \\(whole density cells\\)$`));
      // Every view counts the rows inside the snapped rectangle (half-open cells), as DuckDB does here.
      const inBrush = `"${x}" >= ${x0} AND "${x}" < ${x1} AND "${y}" >= ${y0} AND "${y}" < ${y1}`;
      const expected = await count(`WHERE ${inBrush}`);
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(fx.goodRows);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(expected);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(expected);
      const { axis, a, b, metric } = state.compare;
      const keys = (JSON.parse(readFileSync(join(fx.good, 'manifest.json'), 'utf8')).axes as { name: string }[]).map((c) => c.name).filter((n) => n !== axis);
      const side = (value: string) => `SELECT * FROM rows WHERE "${axis}" = '${value}' AND "${metric}" > 0 AND ${inBrush}`;
      const pairs = await scalar(`SELECT count(*) FROM (${side(a)}) ra JOIN (${side(b)}) rb USING (${keys.map((k) => `"${k}"`).join(', ')})`);
      expect(await intAttr(page, '[data-view=compare] [data-role=status]', 'data-pairs')).toBe(pairs);
      // The line chart: one line per series with a row in the rectangle.
      const series = await scalar(`SELECT count(DISTINCT "${state.line.series}") FROM rows WHERE ${inBrush}`);
      expect(await page.locator('[data-view=line] g[aria-label=line] path').count()).toBe(series);
      const heatCells = await scalar(`SELECT count(*) FROM (SELECT DISTINCT "${state.heat.x}", "${state.heat.y}" FROM rows WHERE ${inBrush})`);
      expect(await page.locator('[data-view=heat] g[aria-label=cell] rect').count()).toBe(heatCells);
      await screenshot(page, '[data-view=scatter]', 'brush-scatter');

      // The URL brings the same cells back.
      const again = await newPage();
      await openViewer(again, page.url());
      expect(await intAttr(again, '[data-role=match-count]', 'data-count')).toBe(expected);
      expect((await urlState(again)).brushes.scatter).toEqual(state.brushes.scatter);
      await again.close();
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'a brush on a metric axis of the parallel coordinates snaps to its pixel bins and filters the others exactly',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const metric = 'busbwGBps';
      const handle = page.locator(`[data-view=parallel] [data-brush=${metric}]`);
      await handle.scrollIntoViewIfNeeded();
      const axis = (await handle.boundingBox())!;
      await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height * 0.7, { steps: 6 });
      await page.mouse.up();
      await settle(page);
      const state = await urlState(page);
      const [lo, hi] = state.brushes.parallel[metric] as [number, number];
      expect(lo).toBeLessThan(hi);
      // Bin edges: a whole number of the axis' 256 pixel bins from the start of its (log) domain.
      const [min, max] = Object.values((await db.runAndReadAll(`SELECT min("${metric}")::DOUBLE, max("${metric}")::DOUBLE FROM rows WHERE isfinite("${metric}")`)).getRowObjectsJS()[0]) as number[];
      for (const edge of [lo, hi]) {
        const at = (Math.log(edge / min) * 256) / Math.log(max / min);
        expect(Math.abs(at - Math.round(at))).toBeLessThan(1e-6);
      }
      const inBrush = `"${metric}" >= ${lo} AND "${metric}" < ${hi}`;
      const expected = await count(`WHERE ${inBrush}`);
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(fx.goodRows);
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(expected);
      expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(expected);
      const { x: sx, y: sy, logX, logY } = state.scatter;
      const positive = `${logX ? `AND "${sx}" > 0` : ''} ${logY ? `AND "${sy}" > 0` : ''}`;
      expect(await intAttr(page, '[data-view=scatter] canvas', 'data-points')).toBe(await count(`WHERE ${inBrush} AND isfinite("${sx}") AND isfinite("${sy}") ${positive}`));
      // The frontier (from frontiers per bin of the metric) is the brute-force one over the rows in the brush.
      expect(await intAttr(page, '[data-view=scatter] [data-role=status]', 'data-frontier')).toBe(await frontierSize(state.scatter, inBrush));
      const { axis: cmp, a, b, metric: compared } = state.compare;
      const keys = (JSON.parse(readFileSync(join(fx.good, 'manifest.json'), 'utf8')).axes as { name: string }[]).map((c) => c.name).filter((n) => n !== cmp);
      const side = (value: string) => `SELECT * FROM rows WHERE "${cmp}" = '${value}' AND "${compared}" > 0 AND ${inBrush}`;
      const pairs = await scalar(`SELECT count(*) FROM (${side(a)}) ra JOIN (${side(b)}) rb USING (${keys.map((k) => `"${k}"`).join(', ')})`);
      expect(await intAttr(page, '[data-view=compare] [data-role=status]', 'data-pairs')).toBe(pairs);
      await page.close();
    },
    TIMEOUT,
  );
});

describe('a first brush does not wait for the tables that make the next ones fast', () => {
  it(
    'a rectangle right after first paint is answered by scanning while its tables build, with the same counts as from them',
    async () => {
      const page = await newPage();
      // First paint, not the page at rest: brush as soon as every view has drawn.
      await page.goto(server.url);
      await page.waitForFunction(() => {
        const probe = (window as unknown as { __linkcap?: { ready: boolean; firstRender: Record<string, number> } }).__linkcap;
        return !!probe?.ready && ['scatter', 'table', 'compare', 'line'].every((id) => probe.firstRender[id] !== undefined);
      }, undefined, { timeout: 90_000, polling: 20 });
      const plot = (await page.locator('[data-view=scatter] svg.scatter-svg').boundingBox())!;
      await page.mouse.move(plot.x + plot.width * 0.25, plot.y + plot.height * 0.25);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.65, plot.y + plot.height * 0.75, { steps: 4 });
      await page.mouse.up();
      // Every view has answered this brush while the tables for it are still to be built: the answers came from
      // scanning the rows, not from waiting for the tables.
      const pending = await settleForeground(page);
      expect(pending).toBeGreaterThan(0);
      const counts = async (inBrush: string, state: Awaited<ReturnType<typeof urlState>>) => {
        const expected = await count(`WHERE ${inBrush}`);
        expect(expected).toBeGreaterThan(0);
        expect(expected).toBeLessThan(fx.goodRows);
        expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(expected);
        expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(expected);
        const heatCells = await scalar(`SELECT count(*) FROM (SELECT DISTINCT "${state.heat.x}", "${state.heat.y}" FROM rows WHERE ${inBrush})`);
        expect(await page.locator('[data-view=heat] g[aria-label=cell] rect').count()).toBe(heatCells);
        const { axis, a, b, metric } = state.compare;
        const keys = (JSON.parse(readFileSync(join(fx.good, 'manifest.json'), 'utf8')).axes as { name: string }[]).map((c) => c.name).filter((n) => n !== axis);
        const side = (value: string) => `SELECT * FROM rows WHERE "${axis}" = '${value}' AND "${metric}" > 0 AND ${inBrush}`;
        const pairs = await scalar(`SELECT count(*) FROM (${side(a)}) ra JOIN (${side(b)}) rb USING (${keys.map((k) => `"${k}"`).join(', ')})`);
        expect(await intAttr(page, '[data-view=compare] [data-role=status]', 'data-pairs')).toBe(pairs);
        expect(await intAttr(page, '[data-view=scatter] [data-role=status]', 'data-frontier')).toBeGreaterThan(0);
      };
      const rectangle = async () => {
        const state = await urlState(page);
        const { x, y } = state.scatter;
        const [[x0, x1], [y0, y1]] = state.brushes.scatter as [[number, number], [number, number]];
        return { state, inBrush: `"${x}" >= ${x0} AND "${x}" < ${x1} AND "${y}" >= ${y0} AND "${y}" < ${y1}` };
      };
      const first = await rectangle();
      await counts(first.inBrush, first.state);

      // Once the tables exist, a moved rectangle is answered from them: the counts are still exact.
      await settle(page);
      expect(await page.evaluate(() => (window as unknown as { __linkcap: { pendingBuilds: () => number } }).__linkcap.pendingBuilds())).toBe(0);
      const sent = await page.evaluate(() => (window as unknown as { __linkcap: { activity: { queries: { sql: string }[] } } }).__linkcap.activity.queries.length);
      // (starting outside the first rectangle: a new one, not a move of it)
      await page.mouse.move(plot.x + plot.width * 0.2, plot.y + plot.height * 0.15);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.55, plot.y + plot.height * 0.6, { steps: 4 });
      await page.mouse.up();
      await settle(page);
      const second = await rectangle();
      expect(second.inBrush).not.toBe(first.inBrush);
      await counts(second.inBrush, second.state);
      // and the match count came from a pre-aggregated table this time.
      const queries = await page.evaluate((from) => (window as unknown as { __linkcap: { activity: { queries: { sql: string }[] } } }).__linkcap.activity.queries.slice(from).map((q) => q.sql), sent);
      expect(queries.some((q) => /FROM "mosaic"\."preagg_/.test(q))).toBe(true);
      await page.close();
    },
    TIMEOUT,
  );
});

describe('compare over two axes', () => {
  it(
    'shows the ratio as a grid of groups, and a picked cell filters the other views',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      const { compare } = await urlState(page);
      const second = compare.group === 'nicGbps' ? 'scaleUpGBps' : 'nicGbps';
      await page.locator('[data-view=compare] select[data-control=group2]').selectOption(second);
      await settle(page);
      const cells = await scalar(`SELECT count(*) FROM (SELECT DISTINCT "${compare.group}", "${second}" FROM rows)`);
      expect(await page.locator('[data-view=compare] g[data-cell]').count()).toBe(cells);
      await page.locator('[data-view=compare] g[data-cell]').nth(1).click();
      await settle(page);
      const state = await urlState(page);
      expect(state.compare.group2).toBe(second);
      const [[g1, g2]] = state.brushes.compare as [number, number][];
      expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(await count(`WHERE "${compare.group}" = ${g1} AND "${second}" = ${g2}`));
      await screenshot(page, '[data-view=compare]', 'compare-grid');
      await page.close();
    },
    TIMEOUT,
  );
});

describe('training sweeps', () => {
  it(
    'the scatter finds the time/cost frontier and hovering a point shows its layout; a sweep without rows opens its reductions',
    async () => {
      const view = await startView([fx.training, fx.trainingNoRows]);
      try {
        const page = await newPage();
        await openViewer(page, view.url);
        const state = await urlState(page);
        expect(state.scatter).toMatchObject({ x: 'stepTimeS', y: 'costUsd', minX: true, minY: true });
        const dot = page.locator('[data-view=scatter] circle[data-frontier]').first();
        const box = (await dot.boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        const tip = page.locator('[data-view=scatter] [data-role=tooltip]');
        await tip.waitFor({ state: 'visible' });
        const text = (await tip.textContent()) ?? '';
        for (const field of ['cluster: ', 'gpus: ', 'tp: ', 'pp: ', 'dp: ', 'microbatch: ', 'stepTimeS: ', 'costUsd: ']) expect(text).toContain(field);
        await screenshot(page, '[data-view=scatter]', 'training-scatter-hover');

        // The second result stores no rows: its tables are the reductions, one at a time in the views.
        await page.goto(`${view.url}#${encodeURIComponent(JSON.stringify({ ds: 1 }))}`);
        await page.reload();
        await waitForViews(page, ['table']);
        expect(await page.locator('[data-role=warning]').first().textContent()).toMatch(/stores no rows/);
        const picker = page.locator('select[data-control=table]');
        expect(await picker.locator('option').allTextContents()).toEqual([expect.stringMatching(/^frontier: pareto/), expect.stringMatching(/^best-layout: argmin \(4\)/)]);
        const frontierRows = await scalar(`SELECT count(*) FROM read_parquet('${join(fx.trainingNoRows, 'reductions', 'frontier.parquet')}')`);
        expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(frontierRows);
        // The picker reloads the page on the chosen table.
        await Promise.all([page.waitForEvent('load'), picker.selectOption('best-layout')]);
        await waitForViews(page, ['table']);
        expect(await intAttr(page, '[data-view=table] [data-role=status]', 'data-count')).toBe(4);
        await page.close();
      } finally {
        await view.stop();
      }
    },
    TIMEOUT,
  );
});

describe('what-if', () => {
  it(
    'the scale-up, GPU, TP and PP sliders and the framework profile give the numbers @linkcap/core gives',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url);
      await page.locator('[data-view=whatif] select[data-control=cluster]').selectOption('dgx-h100');
      await page.locator('[data-view=whatif] input[data-control=scaleUpBidirGBps]').fill('400');
      await page.locator('[data-view=whatif] input[data-control=nicGbps]').fill('200');
      const gpuSlider = page.locator('[data-view=whatif] input[data-control=gpus]');
      await gpuSlider.fill(String(Number(await gpuSlider.getAttribute('max')) - 3));
      await page.locator('[data-view=whatif] select[data-control=profile]').selectOption('deepspeed-zero3');
      // The layout sliders run over the sizes the model accepts (their values are on the element): TP 4, the last PP.
      const slider = async (control: string) => {
        const input = page.locator(`[data-view=whatif] input[data-control=${control}]`);
        return { input, values: (await input.getAttribute('data-values'))!.split(',').map(Number) };
      };
      const tp = await slider('tp');
      expect(tp.values).toContain(4);
      await tp.input.fill(String(tp.values.indexOf(4)));
      const pp = await slider('pp');
      expect(pp.values.length).toBeGreaterThan(1);
      await pp.input.fill(String(pp.values.length - 1));
      await settle(page);
      const { whatif } = await urlState(page);
      expect(whatif).toMatchObject({ cluster: 'dgx-h100', scaleUpBidirGBps: 400, nicGbps: 200, profile: 'deepspeed-zero3', tp: 4, pp: pp.values.at(-1) });

      // The same arithmetic outside the page: the preset's spec with the two rates replaced, resolved by the catalog.
      const catalog = builtinCatalog();
      const base = listClusters(catalog).find((c) => c.id === whatif.cluster)!;
      const spec = structuredClone(base.spec);
      spec.scaleUp = { ...spec.scaleUp, bidirectionalGBps: { value: 400, source: 'user' } };
      spec.scaleOut = { ...spec.scaleOut, nicGbps: { value: 200, source: 'user' } };
      const cluster = resolveClusterSpec(spec, catalog);
      const collective = predictCollective({ op: whatif.op, bytes: whatif.bytes, gpus: whatif.gpus, cluster });
      const shownTime = Number(await page.locator('[data-output=collective-time]').getAttribute('data-value'));
      expect(Math.abs(shownTime / collective.timeS - 1)).toBeLessThan(1e-9);
      const shownBusbw = Number(await page.locator('[data-output=collective-busbw]').getAttribute('data-value'));
      expect(Math.abs(shownBusbw / collective.busbwGBps - 1)).toBeLessThan(1e-9);
      const training = predictTraining({ model: whatif.model, cluster, gpus: whatif.gpus, layout: { tp: whatif.tp, pp: whatif.pp }, profile: whatif.profile });
      const shownStep = Number(await page.locator('[data-output=training-step]').getAttribute('data-value'));
      expect(Math.abs(shownStep / training.stepS - 1)).toBeLessThan(1e-9);
      // A cap costs time: the panel says so against the preset.
      expect(await page.locator('[data-output=collective-time] .ratio').textContent()).toMatch(/× \d/);
      await screenshot(page, '[data-view=whatif]', 'whatif-capped');
      await page.close();
    },
    TIMEOUT,
  );
});

describe('broken files', () => {
  it(
    'a truncated, an empty and an unreadable-manifest result each say what is wrong in the page',
    async () => {
      const broken = await startView([fx.truncated, fx.empty, fx.badManifest]);
      try {
        await expect.poll(() => broken.stderr.join(''), { timeout: 5000 }).toMatch(/truncated: rows\.parquet: cannot be read as Parquet/);
        const page = await newPage();
        await page.goto(broken.url);
        const alert = page.locator('[role=alert]');
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/Problems with truncated.*rows\.parquet: cannot be read as Parquet \(.+\); the file may be truncated/);
        await screenshot(page, 'body', 'error-truncated');

        await page.goto(`${broken.url}#${encodeURIComponent(JSON.stringify({ ds: 1 }))}`);
        await page.reload();
        await page.locator('[role=alert]').waitFor();
        expect(await page.locator('[role=alert]').textContent()).toMatch(/Problems with empty.*rows\.parquet: cannot be read as Parquet/);

        // A manifest that is not JSON: said so, and the rows are still shown (columns classified by type).
        await page.goto(`${broken.url}#${encodeURIComponent(JSON.stringify({ ds: 2 }))}`);
        await page.reload();
        await openViewer(page, page.url(), ['table', 'line']);
        expect(await page.locator('[role=alert]').textContent()).toMatch(/manifest\.json: not valid JSON/);
        expect(await intAttr(page, '[data-role=match-count]', 'data-count')).toBe(fx.goodRows);
        await page.close();
      } finally {
        await broken.stop();
      }
    },
    TIMEOUT,
  );
});

describe('safety', () => {
  let other: Server;
  afterAll(() => other?.close());

  it(
    'SQL from the page that writes, attaches or reads another file fails; a traversal path is 404',
    async () => {
      const page = await newPage();
      await openViewer(page, server.url, ['table']);
      const target = join(fx.root, 'written.csv');
      const replies = await page.evaluate(
        async ({ target, secret }) => {
          const token = document.querySelector<HTMLMetaElement>('meta[name="linkcap-token"]')!.content;
          const ask = async (sql: string) => {
            const response = await fetch('/api/query', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Linkcap-Token': token }, body: JSON.stringify({ type: 'exec', sql }) });
            return { status: response.status, error: ((await response.json()) as { error?: string }).error ?? '' };
          };
          return {
            copy: await ask(`COPY (SELECT 42) TO '${target}'`),
            attach: await ask("ATTACH ':memory:' AS elsewhere"),
            read: await ask(`SELECT * FROM read_parquet('${secret}')`),
            drop: await ask('DROP VIEW ds0'),
            set: await ask('SET enable_external_access = true'),
          };
        },
        { target, secret: fx.secret },
      );
      expect(replies.copy.status).toBeGreaterThanOrEqual(400);
      expect(existsSync(target)).toBe(false);
      expect(replies.attach).toMatchObject({ status: 403 });
      expect(replies.read.error).toMatch(/Permission Error/);
      expect(replies.drop).toMatchObject({ status: 403 });
      expect(replies.set).toMatchObject({ status: 403 });
      expect((await page.goto(`${server.url}assets/..%2f..%2fpackage.json`))!.status()).toBe(404);
      expect((await page.goto(`${server.url}..%2f..%2f..%2fpackage.json`))!.status()).toBe(404);
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'a page from another origin cannot query the viewer',
    async () => {
      // Another local site: its script tries the viewer's query endpoint both ways a page can.
      other = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<!doctype html><script>
          window.results = Promise.all([
            fetch(${JSON.stringify(`${server.url}api/query`)}, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Linkcap-Token': 'guess' }, body: JSON.stringify({ type: 'arrow', sql: 'SELECT 1' }) })
              .then((r) => 'answered ' + r.status, (e) => 'blocked: ' + e.message),
            fetch(${JSON.stringify(`${server.url}api/query`)}, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ type: 'arrow', sql: 'SELECT 1' }) })
              .then((r) => 'opaque ' + r.type, (e) => 'blocked: ' + e.message),
          ]);
        </script>`);
      });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      const page = await newPage();
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const [cors, simple] = await page.evaluate(() => (window as unknown as { results: Promise<string[]> }).results);
      expect(cors).toMatch(/^blocked/);
      // A simple request reaches the server (and is refused there); Chromium may also block its answer.
      expect(simple).toMatch(/^(opaque opaque|blocked)/);
      await expect.poll(() => server.stderr.join(''), { timeout: 5000 }).toMatch(/refused a request: origin http:\/\/127\.0\.0\.1:\d+ is not this viewer/);
      await page.close();
    },
    TIMEOUT,
  );

  it('no page broke the Content-Security-Policy or threw', () => {
    expect(watchers.length).toBeGreaterThan(5);
    expect(watchers.flatMap((w) => w.violations)).toEqual([]);
    expect(watchers.flatMap((w) => w.errors)).toEqual([]);
  });
});
