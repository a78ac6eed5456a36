/** The page's state in the URL, the default columns per view, and the table's scroll arithmetic. */
import { describe, expect, it } from 'vitest';
import type { ColumnInfo, DatasetInfo } from '../src/shared/datasets.js';
import { defaultPair, defaultsFor, largerIsBetter, wantsLog, type ColumnStats, type Dataset } from '../src/page/dataset.js';
import { datasetIndex, encodeState, parseHash, readState } from '../src/page/state.js';
import { rowOffset } from '../src/page/views/table.js';
import { parallelPredicate } from '../src/page/views/parallel.js';

const col = (name: string, kind: ColumnInfo['kind'], role: ColumnInfo['role'], unit?: string): ColumnInfo => ({ name, sqlType: kind === 'string' ? 'VARCHAR' : kind === 'int' ? 'BIGINT' : 'DOUBLE', kind, role, ...(unit ? { unit } : {}) });
const stats = (distinct: number, min: number | null, max: number | null, values: (string | number)[] | null = null): ColumnStats => ({ distinct, min, max, values });

function collectiveDataset(): Dataset {
  const columns = [
    col('cluster', 'string', 'axis'),
    col('op', 'string', 'axis'),
    col('gpus', 'int', 'axis'),
    col('bytes', 'int', 'axis', 'B'),
    col('scaleUpBidirGBps', 'float', 'axis'),
    col('timeS', 'float', 'metric', 's'),
    col('busbwGBps', 'float', 'metric', 'GB/s'),
    col('algorithm', 'string', 'metric'),
    col('status', 'int', 'status'),
  ];
  const s = new Map<string, ColumnStats>([
    ['cluster', stats(3, null, null, ['dgx-a100', 'dgx-h100', 'hgx-h800'])],
    ['op', stats(7, null, null, ['all-gather', 'all-reduce', 'all-to-all', 'broadcast', 'reduce', 'reduce-scatter', 'send-recv'])],
    ['gpus', stats(9, 8, 2048, [8, 16, 32, 64, 128, 256, 512, 1024, 2048])],
    ['bytes', stats(32, 8, 2 ** 34, null)],
    ['scaleUpBidirGBps', stats(25, 100, 900, null)],
    ['timeS', stats(257, 1e-6, 3, null)],
    ['busbwGBps', stats(257, 0.01, 400, null)],
    ['algorithm', stats(257, null, null, null)],
    ['status', stats(257, 0, 0, null)],
  ]);
  return { info: {} as DatasetInfo, table: 'ds0', sample: 'ds0_sample', rows: 1000, columns, stats: s };
}

describe('defaults', () => {
  it('picks columns by role, type and spread, not by name', () => {
    const d = defaultsFor(collectiveDataset());
    expect(d.line).toEqual({ x: 'bytes', y: 'timeS', agg: 'avg', series: 'cluster', logX: true, logY: true });
    expect(d.heat).toMatchObject({ x: 'scaleUpBidirGBps', y: 'gpus', fill: 'timeS' });
    expect(d.scatter).toMatchObject({ x: 'timeS', y: 'busbwGBps', minX: true, minY: false });
    expect(d.compare).toMatchObject({ axis: 'cluster', a: 'dgx-h100', b: 'hgx-h800', metric: 'timeS', group: 'gpus' });
    expect(d.parallel.columns).toEqual(['cluster', 'op', 'gpus', 'bytes', 'scaleUpBidirGBps', 'timeS', 'busbwGBps']);
  });

  it('which way is better, and when a log scale helps', () => {
    expect(largerIsBetter(col('busbwGBps', 'float', 'metric'))).toBe(true);
    expect(largerIsBetter(col('mfu', 'float', 'metric'))).toBe(true);
    expect(largerIsBetter(col('tokensPerS', 'float', 'metric'))).toBe(true);
    expect(largerIsBetter(col('stepTimeS', 'float', 'metric', 's'))).toBe(false);
    expect(largerIsBetter(col('costUsd', 'float', 'metric', 'USD for 1e12 tokens at $2/GPU-h'))).toBe(false);
    expect(largerIsBetter(col('rate', 'float', 'metric', 'GB/s'))).toBe(true);
    expect(wantsLog(stats(1, 8, 2 ** 34))).toBe(true);
    expect(wantsLog(stats(1, 100, 900))).toBe(false);
    expect(wantsLog(stats(1, 0, 1e9))).toBe(false);
    expect(defaultPair(['a', 'b', 'c'])).toEqual(['a', 'b']);
    expect(defaultPair(['hgx-h800', 'x', 'dgx-h100'])).toEqual(['dgx-h100', 'hgx-h800']);
  });
});

describe('URL state', () => {
  const dataset = collectiveDataset();
  const defaults = defaultsFor(dataset);
  const names = dataset.columns.map((c) => c.name);

  it('round-trips through the hash', () => {
    const state = readState(null, 0, defaults, names);
    state.line.y = 'busbwGBps';
    state.line.agg = 'min';
    state.table.sort = { column: 'gpus', desc: true };
    state.table.filters = { op: '=all-reduce' };
    state.brushes = { line: [1024, 65536], heat: [[400, 16]], scatter: [[0.001, 0.01], [1, 10]], parallel: { gpus: [8, 64], cluster: ['dgx-h100'] }, compare: [16, 32] };
    state.whatif = { cluster: 'hgx-h800', scaleUpBidirGBps: 400, gpus: 64 };
    const hash = encodeState(state);
    expect(readState(parseHash(hash), 0, defaults, names)).toEqual(state);
  });

  it('keeps what still fits and drops the rest', () => {
    const raw = {
      ds: 0,
      line: { x: 'no-such-column', y: 'busbwGBps', logX: 'yes' },
      table: { sort: { column: 'gone' }, filters: { gpus: '>8', gone: '1' } },
      brushes: { line: [1, 'x'], parallel: { gpus: [8, 64], gone: [1, 2] } },
      whatif: { gpus: -5, nicGbps: 200 },
    };
    const state = readState(raw, 0, defaults, names);
    expect(state.line).toEqual({ ...defaults.line, y: 'busbwGBps' });
    expect(state.table).toEqual({ sort: null, filters: { gpus: '>8' } });
    expect(state.brushes).toEqual({ parallel: { gpus: [8, 64] } });
    expect(state.whatif).toEqual({ nicGbps: 200 });
  });

  it('a hash for another dataset, or garbage, gives the defaults', () => {
    expect(readState({ ds: 1, line: { y: 'busbwGBps' } }, 0, defaults, names).line).toEqual(defaults.line);
    expect(parseHash('#%7Bnot json')).toBeNull();
    expect(parseHash('')).toBeNull();
    expect(datasetIndex({ ds: 3 }, 2)).toBe(0);
    expect(datasetIndex({ ds: 1 }, 2)).toBe(1);
  });
});

describe('table scrolling over 10^7 rows', () => {
  it('maps the (scaled) scroll range onto every row', () => {
    expect(rowOffset(0, 8e6, 1e7, 16)).toBe(0);
    expect(rowOffset(8e6, 8e6, 1e7, 16)).toBe(1e7 - 16);
    expect(rowOffset(4e6, 8e6, 1e7, 16)).toBe(Math.round(0.5 * (1e7 - 16)));
    expect(rowOffset(100, 0, 10, 16)).toBe(0);
  });
});

describe('parallel-coordinates brushes', () => {
  it('become one predicate over every brushed axis', () => {
    const { columns } = collectiveDataset();
    expect(parallelPredicate({ gpus: [8, 64], cluster: ['dgx-h100', "o'x"] }, columns)).toBe(`"gpus" BETWEEN 8 AND 64 AND "cluster" IN ('dgx-h100', 'o''x')`);
    expect(parallelPredicate({ gone: [1, 2] }, columns)).toBe('');
  });
});
