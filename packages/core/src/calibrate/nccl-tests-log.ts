/**
 * Reads nccl-tests output (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf, sendrecv_perf,
 * broadcast_perf, reduce_perf) into runs of measured rows. The format is the one nccl-tests' src/common.cu prints:
 *
 *   # nccl-tests version 2.17.1 nccl-headers=22602 nccl-library=22602      (2.13 and later)
 *   # Collective test starting: all_reduce_perf                             (2.13 and later)
 *   # nThread 1 nGpus 1 minBytes 8 maxBytes 8589934592 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
 *   #
 *   # Using devices
 *   #  Rank  0 Group  0 Pid  13919 on      node1 device  0 [0000:04:00] NVIDIA H100 80GB HBM3
 *   …
 *   #                                                              out-of-place                       in-place
 *   #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
 *   #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
 *              8             2     float     sum      -1    18.75    0.00    0.00      0    18.33    0.00    0.00      0
 *   …
 *   # Out of bounds values : 0 OK
 *   # Avg bus bandwidth    : 102.829
 *
 * Older releases print "error" for "#wrong", no "root" column and no "Group"; launchers prefix lines ("0: " from
 * srun -l, "[1,0]<stdout>:" from mpirun --tag-output); NCCL_DEBUG lines may be interleaved. Rank lines give the
 * hosts, so GPUs per node and node count; the busbw/algbw ratio tells all-reduce from reduce-scatter and send/recv
 * when the log does not name its test. Problems name the file and line.
 */
import { OPS, type Op } from '../model/enums.js';
import { LinkcapInputError } from '../validate/errors.js';

/** An error in a log, naming the file and (when there is one) the line. */
export class NcclLogError extends LinkcapInputError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(line === undefined ? file : `${file}:${line}`, reason);
    this.name = 'NcclLogError';
  }
}

/** A finding that does not stop the fit, with where it was found. */
export interface LogWarning {
  file: string;
  line?: number;
  message: string;
}

/** One measured time of a row (out-of-place or in-place). */
export interface MeasuredTime {
  timeUs: number;
  algbwGBps: number;
  busbwGBps: number;
  /** Wrong elements the check found; null when not checked ("N/A") or an old float error column. */
  wrong: number | null;
}

export interface LogRow {
  line: number;
  bytes: number;
  count: number;
  type: string;
  redop: string;
  root: number;
  outOfPlace: MeasuredTime;
  inPlace?: MeasuredTime;
}

export interface LogRank {
  rank: number;
  host: string;
  device: number;
  gpu: string;
}

/** One test run: a header, its devices and its table. A file may hold several (scripts that run every test). */
export interface LogRun {
  file: string;
  /** Line of the run's "# nThread" header. */
  line: number;
  op: Op;
  /** How the op was known: the "Collective test starting" line, the file name, the columns, or the caller. */
  opFrom: 'test-name' | 'file-name' | 'columns' | 'option';
  ranks: LogRank[];
  /** Ranks per host (the scale-up group each node contributes) and hosts. */
  gpusPerNode: number;
  nodes: number;
  /** GPU model as the devices list names it ("NVIDIA H100 80GB HBM3"). */
  gpu: string;
  /** Launched from CUDA graphs (nccl-tests -G, header "graph: 1"). */
  cudaGraph: boolean;
  ncclVersion?: string;
  rows: LogRow[];
  /** The summary line ("# Avg bus bandwidth") was reached. */
  complete: boolean;
}

export interface ParseOptions {
  /** The op of runs the log does not name (no "Collective test starting" line and no test name in the file name). */
  op?: Op;
  /** Keep runs whose rows report wrong elements, dropping those rows with a warning, instead of failing. */
  skipWrong?: boolean;
}

export interface ParsedLog {
  file: string;
  runs: LogRun[];
  warnings: LogWarning[];
}

/** nccl-tests binaries and the op each measures. */
const TEST_OPS: readonly [RegExp, Op][] = [
  [/all_?reduce/i, 'all-reduce'],
  [/reduce_?scatter/i, 'reduce-scatter'],
  [/all_?gather/i, 'all-gather'],
  [/all_?to_?all/i, 'all-to-all'],
  [/send_?recv/i, 'send-recv'],
  [/broadcast/i, 'broadcast'],
  [/(^|[^a-z_])reduce(_perf|[^a-z_]|$)/i, 'reduce'],
];

function opFromName(name: string): Op | undefined {
  for (const [pattern, op] of TEST_OPS) if (pattern.test(name)) return op;
  return undefined;
}

// Launcher prefixes: srun -l ("12: "), OpenMPI --tag-output ("[1,0]<stdout>:"), plain "[0] ".
const PREFIX = /^\s*(?:\[\d+(?:,\d+)*\](?:<std(?:out|err)>)?:?\s?|\d+:\s)/;
const HEADER = /^#\s*nThread\s+(\d+)\s+nGpus\s+(\d+)\s+minBytes\s+(\d+)\s+maxBytes\s+(\d+)(.*)$/;
const VERSION = /^#\s*nccl-tests version\s+(\S+)/;
const TEST_START = /^#\s*Collective test starting:\s*(\S+)/;
const RANK = /^#\s*Rank\s+(\d+)\s+(?:Group\s+\d+\s+)?Pid\s+\d+\s+on\s+(\S+)\s+device\s+(\d+)\s+\[[^\]]*\]\s*(.*)$/;
const COLUMNS = /^#\s*size\s+count\s+type\s+redop\s+/;
const SUMMARY = /^#\s*Avg bus bandwidth\s*:/;
const OUT_OF_BOUNDS = /^#\s*Out of bounds values\s*:\s*(\d+)\s*(\S+)/;
const FAILURE = /Test (?:NCCL|CUDA) failure|Test failure|NCCL WARN.*(?:failed|error)/i;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function parseNumber(token: string): number | undefined {
  return NUMBER.test(token) ? Number(token) : undefined;
}

/** "0", "12", "N/A", old float errors ("1e-06", "0e+00", "3e-05*"). */
function parseWrong(token: string): number | null | undefined {
  if (token === 'N/A') return null;
  if (/^\d+$/.test(token)) return Number(token);
  if (/^-?[\d.]+e[+-]?\d+\*?$/i.test(token)) return null;
  return undefined;
}

interface Draft {
  line: number;
  threads: number;
  gpusPerThread: number;
  cudaGraph: boolean;
  version?: string;
  testName?: string;
  ranks: LogRank[];
  hasRoot: boolean;
  columnsLine?: number;
  rows: LogRow[];
  complete: boolean;
  failed?: { line: number; text: string };
  outOfBounds?: { line: number; count: number };
}

/** Splits a data line into a row, or explains why it is not one. */
function parseRow(tokens: string[], hasRoot: boolean, line: number): LogRow | string {
  const fixed = hasRoot ? 5 : 4;
  if (tokens.length !== fixed + 4 && tokens.length !== fixed + 8) {
    return `a result row has ${fixed + 8} columns (size, count, type, redop, ${hasRoot ? 'root, ' : ''}then time, algbw, busbw, #wrong out-of-place and in-place); this line has ${tokens.length}`;
  }
  const bytes = parseNumber(tokens[0]);
  const count = parseNumber(tokens[1]);
  const root = hasRoot ? parseNumber(tokens[4]) : -1;
  if (bytes === undefined || !Number.isInteger(bytes) || bytes < 0 || count === undefined || root === undefined) {
    return 'size, count and root must be whole numbers';
  }
  const times: MeasuredTime[] = [];
  for (let at = fixed; at < tokens.length; at += 4) {
    const timeUs = parseNumber(tokens[at]);
    const algbwGBps = parseNumber(tokens[at + 1]);
    const busbwGBps = parseNumber(tokens[at + 2]);
    const wrong = parseWrong(tokens[at + 3]);
    const valid = timeUs !== undefined && algbwGBps !== undefined && busbwGBps !== undefined && wrong !== undefined && timeUs > 0;
    // An in-place block that was not measured ("N/A" times) leaves the out-of-place one.
    if (!valid && at > fixed) break;
    if (timeUs === undefined || algbwGBps === undefined || busbwGBps === undefined || wrong === undefined) {
      return `columns ${at + 1}–${at + 4} must be time (µs), algbw, busbw (GB/s) and #wrong`;
    }
    if (!(timeUs > 0)) return `time ${tokens[at]} µs must be > 0`;
    times.push({ timeUs, algbwGBps, busbwGBps, wrong });
  }
  return {
    line,
    bytes,
    count,
    type: tokens[2],
    redop: tokens[3],
    root,
    outOfPlace: times[0],
    ...(times[1] ? { inPlace: times[1] } : {}),
  };
}

/** all-reduce, reduce-scatter or send/recv from busbw/algbw (2(n−1)/n, (n−1)/n, 1), on the row with most bandwidth. */
function opFromRatio(rows: LogRow[], n: number): Op | undefined {
  const best = rows.reduce<LogRow | undefined>((a, r) => (!a || r.outOfPlace.algbwGBps > a.outOfPlace.algbwGBps ? r : a), undefined);
  if (!best || best.outOfPlace.algbwGBps < 1) return undefined;
  const ratio = best.outOfPlace.busbwGBps / best.outOfPlace.algbwGBps;
  const candidates: [Op, number][] = [
    ['all-reduce', (2 * (n - 1)) / n],
    ['reduce-scatter', (n - 1) / n],
    ['send-recv', 1],
  ];
  const near = candidates.filter(([, f]) => Math.abs(ratio / f - 1) < 0.02);
  return near.length === 1 ? near[0][0] : undefined;
}

function finishRun(file: string, draft: Draft, options: ParseOptions, warnings: LogWarning[]): LogRun | undefined {
  if (draft.failed) throw new NcclLogError(file, draft.failed.line, `the test failed ("${draft.failed.text.slice(0, 120)}"): no timings to fit`);
  if (draft.rows.length === 0) {
    if (draft.columnsLine === undefined) throw new NcclLogError(file, draft.line, 'truncated: the run has a header but no result table');
    throw new NcclLogError(file, draft.columnsLine, 'truncated: the result table has no rows');
  }
  if (!draft.complete) {
    const last = draft.rows[draft.rows.length - 1].line;
    warnings.push({ file, line: last, message: 'truncated: no "# Avg bus bandwidth" summary after this row; the rows before it are used' });
  }
  if (draft.ranks.length === 0) {
    throw new NcclLogError(file, draft.line, 'the log lists no devices ("#  Rank …" lines), so GPUs per node and node count are unknown; keep the device list nccl-tests prints');
  }
  const ranks = draft.ranks;
  const seen = new Set<number>();
  for (const r of ranks) {
    if (seen.has(r.rank)) throw new NcclLogError(file, draft.line, `rank ${r.rank} is listed twice: two runs mixed in one log?`);
    seen.add(r.rank);
  }
  const perHost = new Map<string, number>();
  for (const r of ranks) perHost.set(r.host, (perHost.get(r.host) ?? 0) + 1);
  const counts = [...new Set(perHost.values())];
  if (counts.length > 1) {
    const detail = [...perHost].map(([h, c]) => `${h}: ${c}`).join(', ');
    throw new NcclLogError(file, draft.line, `hosts run different numbers of ranks (${detail}); the model places the same number of GPUs on every node`);
  }
  const gpus = [...new Set(ranks.map((r) => r.gpu.trim()))];
  if (gpus.length > 1) throw new NcclLogError(file, draft.line, `mixed GPU models in one run (${gpus.join(', ')})`);
  const n = ranks.length;
  if (n < 2) throw new NcclLogError(file, draft.line, 'a single rank measures no communication');

  // Which collective.
  let op: Op | undefined;
  let opFrom: LogRun['opFrom'] = 'test-name';
  if (draft.testName) op = opFromName(draft.testName);
  if (!op) {
    op = opFromName(file.split(/[\\/]/).pop() ?? file);
    opFrom = 'file-name';
  }
  if (!op && options.op) {
    op = options.op;
    opFrom = 'option';
  }
  if (!op) {
    const first = draft.rows[0];
    opFrom = 'columns';
    if (first.root >= 0) op = first.redop === 'none' ? 'broadcast' : 'reduce';
    else if (first.redop !== 'none') op = opFromRatio(draft.rows, n);
    if (!op) {
      const which = first.redop === 'none' ? 'all-gather from all-to-all' : 'all-reduce from reduce-scatter and send/recv';
      throw new NcclLogError(file, draft.line, `cannot tell ${which}: the log does not name its test; name the file after it (all_gather_perf.log) or pass --op`);
    }
  }

  // Rows: sizes must grow (a table restarting is two runs pasted together), and #wrong must be 0.
  const rows: LogRow[] = [];
  for (let i = 0; i < draft.rows.length; i += 1) {
    const row = draft.rows[i];
    if (i > 0 && row.bytes <= draft.rows[i - 1].bytes) {
      throw new NcclLogError(file, row.line, `size ${row.bytes} B does not grow after ${draft.rows[i - 1].bytes} B (line ${draft.rows[i - 1].line}): two runs mixed in one table?`);
    }
    const wrong = (row.outOfPlace.wrong ?? 0) + (row.inPlace?.wrong ?? 0);
    if (wrong > 0) {
      if (!options.skipWrong) {
        throw new NcclLogError(file, row.line, `the run reported ${wrong} wrong elements at ${row.bytes} B: its timings are not trustworthy (fix the cluster, or pass --skip-wrong to drop such rows)`);
      }
      warnings.push({ file, line: row.line, message: `dropped: ${wrong} wrong elements at ${row.bytes} B` });
      continue;
    }
    if (row.bytes === 0) continue; // nccl-tests prints 0-byte rows for small counts: nothing moves
    rows.push(row);
  }
  if (draft.outOfBounds && draft.outOfBounds.count > 0 && !options.skipWrong) {
    throw new NcclLogError(file, draft.outOfBounds.line, `${draft.outOfBounds.count} out-of-bounds values: the run failed its checks (pass --skip-wrong to use the rows that passed)`);
  }
  if (rows.length === 0) throw new NcclLogError(file, draft.line, 'no usable rows (every row was dropped)');
  return {
    file,
    line: draft.line,
    op,
    opFrom,
    ranks,
    gpusPerNode: counts[0],
    nodes: perHost.size,
    gpu: gpus[0],
    cudaGraph: draft.cudaGraph,
    ...(draft.version ? { ncclVersion: draft.version } : {}),
    rows,
    complete: draft.complete,
  };
}

/** Parses the text of one log. `file` names it in messages. Throws NcclLogError; returns warnings for the rest. */
export function parseNcclTestsLog(text: string, file: string, options: ParseOptions = {}): ParsedLog {
  if (options.op !== undefined && !(OPS as readonly string[]).includes(options.op)) {
    throw new LinkcapInputError('op', `"${String(options.op)}" must be one of ${OPS.join(', ')}`);
  }
  const warnings: LogWarning[] = [];
  const runs: LogRun[] = [];
  let draft: Draft | undefined;
  let pendingVersion: string | undefined;
  let pendingTest: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const lineNo = index + 1;
    const raw = lines[index];
    if (raw.includes('\u0000')) throw new NcclLogError(file, lineNo, 'binary data: not an nccl-tests log');
    const line = raw.replace(PREFIX, '').trimEnd();
    if (line.trim() === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(VERSION))) {
      pendingVersion = m[1];
      continue;
    }
    if ((m = line.match(TEST_START))) {
      pendingTest = m[1];
      continue;
    }
    if ((m = line.match(HEADER))) {
      if (draft) {
        const run = finishRun(file, draft, options, warnings);
        if (run) runs.push(run);
      }
      const rest = m[5];
      const graph = rest.match(/graph:\s*(\d+)/);
      draft = {
        line: lineNo,
        threads: Number(m[1]),
        gpusPerThread: Number(m[2]),
        cudaGraph: graph !== null && Number(graph[1]) > 0,
        ...(pendingVersion ? { version: pendingVersion } : {}),
        ...(pendingTest ? { testName: pendingTest } : {}),
        ranks: [],
        hasRoot: true,
        rows: [],
        complete: false,
      };
      pendingVersion = undefined;
      pendingTest = undefined;
      continue;
    }
    if (!draft) {
      // Before any header only launcher chatter is expected; a table here means the header was cut off.
      if (COLUMNS.test(line) || /^\s*\d+\s+\d+\s+\S+\s+\S+\s+-?\d/.test(line)) {
        throw new NcclLogError(file, lineNo, 'a result table without the "# nThread … nGpus …" header above it: truncated at the start?');
      }
      continue;
    }
    if ((m = line.match(RANK))) {
      draft.ranks.push({ rank: Number(m[1]), host: m[2], device: Number(m[3]), gpu: m[4] });
      continue;
    }
    if (COLUMNS.test(line)) {
      draft.hasRoot = /\broot\b/.test(line);
      draft.columnsLine = lineNo;
      continue;
    }
    if (SUMMARY.test(line)) {
      draft.complete = true;
      continue;
    }
    if ((m = line.match(OUT_OF_BOUNDS))) {
      draft.outOfBounds = { line: lineNo, count: Number(m[1]) };
      continue;
    }
    if (FAILURE.test(line)) {
      draft.failed = { line: lineNo, text: line.trim() };
      continue;
    }
    if (line.startsWith('#') || /NCCL (?:INFO|WARN|TRACE)/.test(line)) continue;
    const tokens = line.trim().split(/\s+/);
    if (!/^\d+$/.test(tokens[0])) continue; // other output (launcher, application)
    if (draft.columnsLine === undefined) {
      throw new NcclLogError(file, lineNo, 'a result row before the column header ("#  size  count  type …"): not nccl-tests output, or the header was cut');
    }
    if (draft.complete) {
      throw new NcclLogError(file, lineNo, 'a result row after the run\'s summary line without a new header: two logs pasted together?');
    }
    const row = parseRow(tokens, draft.hasRoot, lineNo);
    if (typeof row === 'string') {
      warnings.push({ file, line: lineNo, message: `skipped a malformed row: ${row}` });
      continue;
    }
    draft.rows.push(row);
  }
  if (draft) {
    const run = finishRun(file, draft, options, warnings);
    if (run) runs.push(run);
  }
  if (runs.length === 0) {
    throw new NcclLogError(file, undefined, 'not nccl-tests output: no "# nThread … nGpus … minBytes … maxBytes" header and no result table');
  }
  return { file, runs, warnings };
}
