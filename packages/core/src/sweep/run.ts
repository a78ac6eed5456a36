/**
 * `sweep(spec, { signal, onProgress })`: runs a sweep in the native engine and hands back row chunks (typed-array
 * columns, an async iterator) and the reductions. The index space is walked in windows of outer points; each
 * window runs off the JS thread on the engine's pool and its rows come back as one chunk, valid until the
 * iterator is advanced. Aborting stops the workers at the next chunk boundary: the result is then marked
 * incomplete and holds exactly the prefix that was evaluated (rows and reductions alike).
 */
import { LinkcapInputError } from '../validate/errors.js';
import { createSweepEngine, type ColumnBuffer, type NativeSweepEngine } from './native.js';
import { ColumnType } from './native-codes.js';
import { buildSweepPlan, type PlanColumn, type PlanOptions, type PlanReduction, type SweepPlan, type ValueType } from './plan.js';
import type { SweepSpec } from './spec.js';

export interface Column {
  name: string;
  type: ValueType | 'status';
  unit?: string;
  /** Numbers, or codes into `labels` for strings (0xFFFFFFFF: null). */
  data: ColumnBuffer;
  labels?: readonly string[];
}

export interface RowChunk {
  /** Index of the chunk's first row among all rows of this run. */
  offset: number;
  length: number;
  columns: Column[];
}

export interface ReductionResult {
  name: string;
  kind: PlanReduction['kind'];
  by: string[];
  metric?: string;
  metrics?: string[];
  pair?: PlanReduction['pair'];
  length: number;
  columns: Column[];
}

export interface SweepProgress {
  /** Outer points (index space without layouts) done and in this run's range. */
  outerDone: number;
  outerTotal: number;
  fraction: number;
  /** Points evaluated so far (passed `where`). */
  evaluated: number;
  elapsedS: number;
}

export interface ShardOption {
  index: number;
  count: number;
}

export interface SweepOptions extends PlanOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SweepProgress) => void;
  /** Engine threads; 0 (default) = every core. */
  threads?: number;
  shard?: ShardOption;
  /** Produce row chunks (default: when the spec's output.rows is all). */
  rows?: boolean;
  /** Rows per chunk (default 262,144). */
  chunkRows?: number;
}

export interface SweepResult {
  complete: boolean;
  points: { total?: number; evaluated: number; ok: number };
  statuses: number[];
  range: { begin: number; end: number; done: number };
  reductions: ReductionResult[];
  /** The deterministic sample of rows (output.rows: sample N). */
  sample?: RowChunk;
  /** The reductions' mergeable state (what `linkcap merge` combines). */
  state: Uint8Array;
  elapsedS: number;
}

/** Slice [begin, end) of the outer index space that shard `index` of `count` evaluates. */
export function shardRange(outer: number, shard: ShardOption | undefined): { begin: number; end: number } {
  if (!shard) return { begin: 0, end: outer };
  const { index, count } = shard;
  if (!(Number.isInteger(count) && count >= 1 && count <= 1_000_000)) throw new LinkcapInputError('shard', `${count}: the shard count must be a whole number from 1 to 1000000`);
  if (!(Number.isInteger(index) && index >= 0 && index < count)) throw new LinkcapInputError('shard', `${index}: the shard index must be a whole number from 0 to ${count - 1}`);
  // Exact in doubles up to 2^53 / 2^20: split by floor(outer × k / count) without overflow.
  const cut = (k: number) => Math.floor(outer / count) * k + Math.floor(((outer % count) * k) / count);
  return { begin: cut(index), end: cut(index + 1) };
}

/**
 * A column buffer of the plan column's type. `shared`: on a SharedArrayBuffer, which the native engine requires for
 * the buffers an asynchronous window writes (memory JavaScript cannot detach while the workers run).
 */
export function allocateColumn(storage: ColumnType, length: number, shared = false): ColumnBuffer {
  const bytes = storage === ColumnType.F64 ? 8 : storage === ColumnType.U8 ? 1 : 4;
  const buffer = shared ? new SharedArrayBuffer(length * bytes) : new ArrayBuffer(length * bytes);
  switch (storage) {
    case ColumnType.F64:
      return new Float64Array(buffer);
    case ColumnType.I32:
      return new Int32Array(buffer);
    case ColumnType.U32:
      return new Uint32Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

function viewColumns(plan: SweepPlan, buffers: ColumnBuffer[], length: number, prefix = ''): Column[] {
  return plan.columns.map((c: PlanColumn, i) => ({
    name: prefix ? `${prefix}${c.name[0].toUpperCase()}${c.name.slice(1)}` : c.name,
    type: c.type,
    unit: c.unit,
    data: buffers[i].subarray(0, length) as ColumnBuffer,
    labels: c.labels,
  }));
}

export class SweepRun implements AsyncIterable<RowChunk> {
  readonly engine: NativeSweepEngine;
  readonly range: { begin: number; end: number };
  private started = false;
  private finished?: SweepResult;
  private doneOuter = 0;
  private cancelled = false;
  private rowsWritten = 0;
  private readonly startTime = performance.now();

  constructor(
    readonly plan: SweepPlan,
    private readonly options: SweepOptions = {},
  ) {
    this.engine = createSweepEngine(plan.native);
    this.range = shardRange(this.engine.outerCount(), options.shard);
    const threads = options.threads ?? 0;
    if (!(Number.isInteger(threads) && threads >= 0 && threads <= 1024)) throw new LinkcapInputError('threads', `${threads}: must be a whole number from 0 (all cores) to 1024`);
  }

  /** Whether row chunks are produced. */
  get withRows(): boolean {
    return this.options.rows ?? this.plan.rows === 'all';
  }

  /** Points of this run's range that pass `where` (evaluates the filter only). */
  countPoints(): number {
    return this.engine.countPoints(this.range.begin, this.range.end, this.options.threads ?? 0);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RowChunk> {
    if (this.started) throw new Error('a sweep run can be iterated once');
    this.started = true;
    const { signal, onProgress } = this.options;
    const threads = this.options.threads ?? 0;
    const rows = this.withRows;
    const capacity = Math.max(this.options.chunkRows ?? 262_144, this.engine.layoutsPerOuter());
    // Two sets of row buffers: the engine fills one while the caller consumes (writes) the other, so writing a
    // chunk overlaps evaluating the next. A chunk stays valid until the iterator is advanced, as documented.
    const sets = rows ? [0, 1].map(() => this.plan.columns.map((c) => allocateColumn(c.storage, capacity, true))) : null;
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const onAbort = () => {
      cancelFlag[0] = 1;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let evaluated = 0;
    const outerTotal = this.range.end - this.range.begin;
    const report = (done: number) =>
      onProgress?.({ outerDone: done, outerTotal, fraction: outerTotal ? done / outerTotal : 1, evaluated, elapsedS: (performance.now() - this.startTime) / 1000 });
    // The window in flight: its promise and the buffer set it fills.
    let pending: { promise: Promise<void>; set: number } | undefined;
    const launch = (begin: number, set: number) => {
      // Without rows a window is large (progress and cancel still come per engine chunk).
      const end = rows ? this.engine.windowEnd(begin, this.range.end, capacity) : Math.min(this.range.end, begin + 2 ** 32);
      const windowStart = begin - this.range.begin;
      pending = { promise: this.engine.runWindowAsync(begin, end, sets ? sets[set] : null, threads, cancelFlag, onProgress ? (done) => report(windowStart + done) : undefined), set };
    };
    try {
      if (this.range.begin < this.range.end && !signal?.aborted) launch(this.range.begin, 0);
      while (pending) {
        const { promise, set } = pending;
        pending = undefined;
        await promise;
        const w = this.engine.lastWindow();
        evaluated += w.evaluated;
        this.doneOuter = w.end - this.range.begin;
        if (w.cancelled || signal?.aborted) this.cancelled = true;
        else if (w.end < this.range.end) launch(w.end, 1 - set);
        if (rows && w.rows > 0) {
          const chunk: RowChunk = { offset: this.rowsWritten, length: w.rows, columns: viewColumns(this.plan, sets![set], w.rows) };
          this.rowsWritten += w.rows;
          yield chunk;
        }
      }
      report(this.doneOuter);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // The caller stopped early (or failed) while the next window ran: stop it, and count what it did (its points
      // are in the reductions), so the result stays an exact prefix.
      if (pending) {
        cancelFlag[0] = 1;
        await (pending as { promise: Promise<void> }).promise.catch(() => undefined);
        this.doneOuter = this.engine.lastWindow().end - this.range.begin;
        this.cancelled = true;
      }
    }
    if (this.doneOuter < outerTotal) this.cancelled = true;
  }

  /** Runs what is left (discarding rows not consumed) and returns the reductions. */
  async result(): Promise<SweepResult> {
    if (this.finished) return this.finished;
    if (!this.started) {
      for await (const chunk of this) void chunk;
    }
    const totals = this.engine.totals();
    this.finished = {
      complete: !this.cancelled && this.doneOuter === this.range.end - this.range.begin,
      points: { evaluated: totals.evaluated, ok: totals.ok },
      statuses: totals.statuses,
      range: { ...this.range, done: this.doneOuter },
      reductions: [],
      state: this.engine.saveState(),
      elapsedS: (performance.now() - this.startTime) / 1000,
    };
    const built = buildReductionResults(this.plan, this.engine);
    this.finished.reductions = built.reductions;
    this.finished.sample = built.sample;
    return this.finished;
  }
}

/** Reductions of an engine (after a run, or after loading shard states) as tables of columns. */
export function buildReductionResults(plan: SweepPlan, engine: NativeSweepEngine): { reductions: ReductionResult[]; sample?: RowChunk } {
  const tables = engine.finish();
  const reductions: ReductionResult[] = [];
  let sample: RowChunk | undefined;
  plan.reductions.forEach((r, index) => {
    const t = tables[index];
    const n = t.ids.length;
    const describe = (ids: Float64Array, prefix = '', moveDigit = -1) => {
      const buffers = plan.columns.map((c) => allocateColumn(c.storage, Math.max(1, n)));
      if (moveDigit >= 0) engine.describe(ids, buffers, t.moveAxis, moveDigit);
      else engine.describe(ids, buffers);
      return viewColumns(plan, buffers, n, prefix);
    };
    if (r.kind === 'sample') {
      sample = { offset: 0, length: n, columns: describe(t.ids) };
      return;
    }
    const columns: Column[] = [];
    const digits = engine.groupDigits(index, t.groups);
    r.by.forEach((name, k) => {
      const axis = plan.axes.find((a) => a.name === name)!;
      const data = axis.labels ? Uint32Array.from(digits[k] ?? []) : Float64Array.from(digits[k] ?? [], (d) => axis.values[d]);
      columns.push({ name, type: axis.type, unit: axis.unit, data: axis.type === 'int' || axis.type === 'bool' ? Int32Array.from(data) : data, labels: axis.labels });
    });
    const hasPoints = t.ids.some((id) => !Number.isNaN(id));
    if (hasPoints) columns.push(...describe(t.ids, '', t.idsDigit).filter((c) => !r.by.includes(c.name)));
    // The baseline: the row's own point moved to the denominator (ratio), or another point (best-ratio, carried).
    if (r.pair && t.ids2.length === n) {
      const baseline = t.ids2Digit >= 0 ? describe(t.ids, 'baseline', t.ids2Digit) : describe(t.ids2, 'baseline');
      columns.push(...baseline.filter((c) => !r.by.includes(c.name.replace(/^baseline(.)/, (_, x: string) => x.toLowerCase()))));
    }
    for (const [name, data] of Object.entries(t.extras)) columns.push({ name, type: 'float', data });
    reductions.push({ name: r.name, kind: r.kind, by: r.by, metric: r.metric, metrics: r.metrics, pair: r.pair, length: n, columns });
  });
  return { reductions, sample };
}

/** Starts a sweep. `spec` is a parsed spec (parseSweepSpec) or a plan (buildSweepPlan). */
export function sweep(spec: SweepSpec | SweepPlan, options: SweepOptions = {}): SweepRun {
  const plan = 'native' in spec && 'columns' in spec ? (spec as SweepPlan) : buildSweepPlan(spec as SweepSpec, options);
  return new SweepRun(plan, options);
}
