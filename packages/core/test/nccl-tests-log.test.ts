/**
 * The nccl-tests log parser on samples written in nccl-tests' output format (fixtures/nccl-tests/README.md) and on
 * bad logs: every error names the file and the line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NcclLogError, parseNcclTestsLog } from '../src/calibrate/nccl-tests-log.js';

const dir = new URL('./fixtures/nccl-tests/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const parse = (name: string, options = {}) => parseNcclTestsLog(read(name), name, options);

function failure(name: string, options = {}): NcclLogError {
  try {
    parse(name, options);
  } catch (error) {
    if (error instanceof NcclLogError) return error;
    throw error;
  }
  throw new Error(`${name} parsed without error`);
}

describe('nccl-tests logs in the standard format', () => {
  it('reads a one-node all_reduce_perf run: devices, both column sets, summary', () => {
    const log = parse('all_reduce_perf-1node.log');
    expect(log.warnings).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run).toMatchObject({ op: 'all-reduce', opFrom: 'test-name', gpusPerNode: 8, nodes: 1, gpu: 'NVIDIA H100 80GB HBM3', cudaGraph: false, complete: true, ncclVersion: '2.17.1', line: 3 });
    expect(run.rows).toHaveLength(25);
    expect(run.rows[0]).toMatchObject({ line: 18, bytes: 8, count: 2, type: 'float', redop: 'sum', root: -1 });
    expect(run.rows[0].outOfPlace).toEqual({ timeUs: 16.12, algbwGBps: 0, busbwGBps: 0, wrong: 0 });
    expect(run.rows[0].inPlace?.timeUs).toBe(15.87);
    expect(run.rows[24]).toMatchObject({ bytes: 134217728 });
    expect(run.rows[24].outOfPlace.timeUs).toBe(590.3);
  });

  it('reads an old release: no Group or root column, float error columns; the op comes from the file name', () => {
    const run = parse('allgather-v100-old.txt').runs[0];
    expect(run).toMatchObject({ op: 'all-gather', opFrom: 'file-name', gpusPerNode: 4, nodes: 1, gpu: 'Tesla V100-SXM2-16GB', cudaGraph: false });
    expect(run.rows).toHaveLength(9);
    expect(run.rows[8].outOfPlace).toEqual({ timeUs: 1652.8, algbwGBps: 40.6, busbwGBps: 30.45, wrong: null });
  });

  it('strips srun -l prefixes, skips NCCL INFO lines, counts hosts and reads graph: 1', () => {
    const run = parse('sendrecv-srun.log').runs[0];
    expect(run).toMatchObject({ op: 'send-recv', gpusPerNode: 4, nodes: 2, cudaGraph: true });
    expect(run.rows.map((r) => r.bytes)).toEqual([8, 64, 512, 4096, 32768, 262144, 2097152, 16777216, 134217728, 1073741824]);
    expect(new Set(run.ranks.map((r) => r.host))).toEqual(new Set(['worker-0', 'worker-1']));
  });

  it('keeps the out-of-place timing of a row whose in-place block was not measured', () => {
    const text = read('all_reduce_perf-1node.log').replace('    15.87    0.00    0.00      0', '      N/A     N/A     N/A    N/A');
    const row = parseNcclTestsLog(text, 'na.log').runs[0].rows[0];
    expect(row.outOfPlace.timeUs).toBe(16.12);
    expect(row.inPlace).toBeUndefined();
  });

  it('reads several runs of one file, each with its own test', () => {
    const log = parse('two-tests.log');
    expect(log.runs.map((r) => [r.op, r.nodes, r.gpusPerNode, r.rows.length])).toEqual([
      ['all-gather', 2, 4, 8],
      ['all-to-all', 2, 4, 8],
    ]);
  });

  it('tells all-reduce, reduce-scatter and send/recv apart by busbw/algbw when nothing names the test', () => {
    const text = read('all_reduce_perf-1node.log').replace('# Collective test starting: all_reduce_perf\n', '');
    expect(parseNcclTestsLog(text, 'run1.txt').runs[0]).toMatchObject({ op: 'all-reduce', opFrom: 'columns' });
    const asRs = text.replace(/(\d+\.\d\d)(\s+)(\d+\.\d\d)(\s+0\s)/g, (_, alg, s1, _bus, rest) => `${alg}${s1}${(Number(alg) * 7 / 8).toFixed(2)}${rest}`);
    expect(parseNcclTestsLog(asRs, 'run2.txt').runs[0].op).toBe('reduce-scatter');
  });
});

describe('bad logs: errors and warnings name the file and line', () => {
  it('not nccl-tests output', () => {
    const error = failure('bad-not-nccl.log');
    expect(error.message).toBe('bad-not-nccl.log: not nccl-tests output: no "# nThread … nGpus … minBytes … maxBytes" header and no result table');
  });

  it('truncated mid-row: the cut row is skipped and the missing summary is a warning, both with lines', () => {
    const log = parse('bad-truncated.log');
    expect(log.runs[0].rows).toHaveLength(7);
    expect(log.runs[0].complete).toBe(false);
    expect(log.warnings.map((w) => [w.line, w.message.split(':')[0]])).toEqual([
      [25, 'skipped a malformed row'],
      [24, 'truncated'],
    ]);
  });

  it('two tables pasted without a header', () => {
    const error = failure('bad-pasted.log');
    expect(error.field).toBe('bad-pasted.log:26');
    expect(error.message).toMatch(/size 1024 B does not grow after 16777216 B \(line 25\): two runs mixed in one table\?/);
  });

  it('#wrong elements fail the log, or with skipWrong drop the row with a warning', () => {
    const error = failure('bad-wrong.log');
    expect(error.field).toBe('bad-wrong.log:23');
    expect(error.message).toMatch(/12 wrong elements at 1048576 B/);
    const log = parse('bad-wrong.log', { skipWrong: true });
    expect(log.runs[0].rows.map((r) => r.bytes)).not.toContain(1048576);
    expect(log.warnings).toEqual([{ file: 'bad-wrong.log', line: 23, message: 'dropped: 12 wrong elements at 1048576 B' }]);
  });

  it('no device list: GPUs per node and nodes are unknown', () => {
    expect(failure('bad-no-devices.log').message).toMatch(/^bad-no-devices\.log:3: the log lists no devices/);
  });

  it('an all-gather or all-to-all table that nothing names asks for --op, and takes it', () => {
    expect(failure('bad-unnamed.log').message).toMatch(/^bad-unnamed\.log:2: cannot tell all-gather from all-to-all/);
    expect(parse('bad-unnamed.log', { op: 'all-to-all' }).runs[0]).toMatchObject({ op: 'all-to-all', opFrom: 'option' });
  });

  it('a result table without its header, binary data and failed tests', () => {
    const table = read('all_reduce_perf-1node.log').split('\n').slice(14).join('\n');
    expect(() => parseNcclTestsLog(table, 'cut.log')).toThrow(/^cut\.log:2: a result table without the "# nThread … nGpus …" header/);
    expect(() => parseNcclTestsLog('# nThread 1\u0000', 'bin.log')).toThrow(/^bin\.log:1: binary data/);
    const failed = read('all_reduce_perf-1node.log').replace('# Out of bounds values : 0 OK', 'gpu-a01: Test NCCL failure common.cu:1234 \'unhandled system error\'');
    expect(() => parseNcclTestsLog(failed, 'failed.log')).toThrow(/^failed\.log:43: the test failed/);
  });

  it('mixed hosts and GPUs inside one run', () => {
    const uneven = read('two-tests.log').replace('#  Rank  7 Group  0 Pid   5007 on      node2', '#  Rank  7 Group  0 Pid   5007 on      node1');
    expect(() => parseNcclTestsLog(uneven, 'uneven.log')).toThrow(/^uneven\.log:3: hosts run different numbers of ranks \(node1: 5, node2: 3\)/);
    const mixed = read('all_reduce_perf-1node.log').replace('device  7 [0000:db:00] NVIDIA H100 80GB HBM3', 'device  7 [0000:db:00] NVIDIA A100-SXM4-80GB');
    expect(() => parseNcclTestsLog(mixed, 'mixed.log')).toThrow(/^mixed\.log:3: mixed GPU models in one run/);
  });
});
