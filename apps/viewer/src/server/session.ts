/**
 * The DuckDB session behind `linkcap view`: one in-memory database with a view per named table file (the
 * Parquet is read in place, never copied), then locked down before the page can send anything:
 *
 *   allowed_paths            = exactly the named files
 *   enable_external_access   = false  (no other file, no COPY … TO, no ATTACH of files, no INSTALL)
 *   autoload/autoinstall     = false  (offline: never fetch an extension)
 *   lock_configuration       = true   (the page cannot SET any of it back)
 *
 * Queries then go through sql-guard.ts (one SELECT, or Mosaic's pre-aggregation) and come back as Arrow IPC.
 * A pool of connections (pool.ts) lets a slow query (a sorted table window over 10^7 rows) run beside fast ones.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { resultToArrowIPC } from './arrow.js';
import { ConnectionPool } from './pool.js';
import { readManifestText, sourceFiles, type Manifest, type ResultSource, type TableFile } from './results.js';
import { checkQuery, firstLine, preaggStatement, RefusedQueryError } from './sql-guard.js';
import type { ColumnInfo, ColumnKind, ColumnRole, DatasetInfo, ReductionInfo, TableInfo } from '../shared/datasets.js';

export type { ColumnInfo, ColumnKind, ColumnRole, DatasetInfo, ReductionInfo, TableInfo };

export interface SessionOptions {
  /** Rows kept in the per-dataset sample the parallel-coordinates view draws (default 20000). */
  sampleRows?: number;
  /** DuckDB worker threads (default: DuckDB's, one per core). */
  threads?: number;
  /** Connections serving page queries side by side (default 6). */
  connections?: number;
  /** Called after each page query with its SQL and milliseconds (LINKCAP_VIEW_LOG=1 in the CLI). */
  onQuery?: (sql: string, ms: number, error?: string) => void;
}

const KINDS: [RegExp, ColumnKind][] = [
  [/^(VARCHAR|ENUM|UUID)/, 'string'],
  [/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/, 'int'],
  [/^(FLOAT|DOUBLE|DECIMAL|REAL)/, 'float'],
  [/^BOOLEAN$/, 'bool'],
];

export function columnKind(sqlType: string): ColumnKind {
  for (const [pattern, kind] of KINDS) if (pattern.test(sqlType)) return kind;
  return 'other';
}

/**
 * The role of each column. With a manifest: its `axes` are axes, its `metrics` metrics, `status` the status; the
 * other columns of the rows file (`columns`: a training sweep's layout fields tp, pp, …) are inputs, so axes; in a
 * reduction table (`reduction`), its own columns (rank, count, p50, ratio, baseline…) are classified by type.
 * Without a manifest (the contract): strings, integers and booleans are axes, floats metrics.
 */
export function classifyColumns(columns: { name: string; sqlType: string }[], manifest: Manifest | null, reduction = false): ColumnInfo[] {
  const axes = new Map((manifest?.axes ?? []).map((c) => [c.name, c]));
  const metrics = new Map((manifest?.metrics ?? []).map((c) => [c.name, c]));
  const rowColumns = new Map((manifest?.columns ?? []).map((c) => [c.name, c]));
  const listed = axes.size + metrics.size > 0;
  return columns.map(({ name, sqlType }) => {
    const kind = columnKind(sqlType);
    const byType: ColumnRole = kind === 'string' || kind === 'int' || kind === 'bool' ? 'axis' : kind === 'float' ? 'metric' : 'other';
    let role: ColumnRole;
    if (name === 'status') role = 'status';
    else if (!listed) role = byType;
    else if (axes.has(name)) role = 'axis';
    else if (metrics.has(name)) role = 'metric';
    else if (rowColumns.has(name)) role = 'axis';
    else role = reduction ? byType : 'other';
    const unit = axes.get(name)?.unit ?? metrics.get(name)?.unit ?? rowColumns.get(name)?.unit;
    const values = axes.get(name)?.values;
    return { name, sqlType, kind, role, ...(unit ? { unit } : {}), ...(values ? { values } : {}) };
  });
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function readerFor(file: TableFile): string {
  const path = sqlString(file.path);
  if (file.format === 'parquet') return `read_parquet(${path})`;
  if (file.format === 'csv') return `read_csv(${path}, header = true)`;
  return `read_json(${path}, format = 'newline_delimited')`;
}

const FORMAT_NAMES = { parquet: 'Parquet', csv: 'CSV', jsonl: 'JSON lines' } as const;

/** A DuckDB error about reading a file, in words: which file, what DuckDB said. */
function unreadable(label: string, file: TableFile, error: unknown): string {
  const message = firstLine(error).replace(/^[A-Za-z ]+Error: /, '');
  return `${label}: cannot be read as ${FORMAT_NAMES[file.format]} (${message}); the file may be truncated, empty or of another format`;
}

export class ViewerSession {
  readonly datasets: DatasetInfo[] = [];
  /** Files the page may download, by index (/files/<index>). */
  readonly files: { path: string; label: string }[] = [];
  private readonly pool: ConnectionPool;
  /** The background connection building the samples (its own pool of one, so close() can stop it). */
  private readonly sampler: ConnectionPool;
  /** Sample tables still to build (name → CREATE), then being built (name → promise). */
  private readonly samples = new Map<string, string>();
  private readonly building = new Map<string, Promise<void>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly onQuery?: SessionOptions['onQuery'],
    connections = 6,
  ) {
    this.pool = new ConnectionPool(instance, connections);
    this.sampler = new ConnectionPool(instance, 1);
  }

  static async open(sources: ResultSource[], options: SessionOptions = {}): Promise<ViewerSession> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const session = new ViewerSession(instance, options.onQuery, options.connections);
    try {
      const setup = await instance.connect();
      const allowed = sources.flatMap(sourceFiles);
      await setup.run('SET autoinstall_known_extensions = false');
      await setup.run('SET autoload_known_extensions = false');
      await setup.run(`SET allowed_paths = [${allowed.map(sqlString).join(', ')}]`);
      for (const [id, source] of sources.entries()) {
        session.datasets.push(await session.register(setup, id, source, options.sampleRows ?? 20_000));
      }
      await setup.run('SET enable_external_access = false');
      await setup.run('SET lock_configuration = true');
      setup.closeSync();
      session.buildSamples();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  private addFile(path: string, label: string): string {
    this.files.push({ path, label });
    return `/files/${this.files.length - 1}`;
  }

  /**
   * Creates the view `name` over `file` and reads its schema and row count. Throws DuckDB's error. Points that
   * could not be priced carry NaN metrics (sweep-results.md); where there may be some, the view turns NaN into
   * NULL so that averages and ranges skip them rather than become NaN.
   */
  private async describeTable(connection: DuckDBConnection, name: string, file: TableFile, manifest: Manifest | null, reduction = false): Promise<TableInfo> {
    const reader = readerFor(file);
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    const columns = described.getRowObjectsJS().map((row) => ({ name: String(row.column_name), sqlType: String(row.column_type) }));
    const floats = columns.filter((c) => columnKind(c.sqlType) === 'float' && !/^DECIMAL/.test(c.sqlType)).map((c) => `"${c.name.replaceAll('"', '""')}"`);
    const nulled = floats.length > 0 && (await this.mayHoldNaN(connection, reader, manifest, columns));
    const select = nulled ? `* REPLACE (${floats.map((c) => `CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END AS ${c}`).join(', ')})` : '*';
    await connection.run(`CREATE VIEW "${name}" AS SELECT ${select} FROM ${reader}`);
    const counted = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${reader}`);
    return { table: name, rows: Number(counted.getRowObjectsJS()[0].n), columns: classifyColumns(columns, manifest, reduction) };
  }

  /** Whether a table may hold NaN metrics: the manifest says some points failed, or (without one) status > 0 somewhere. */
  private async mayHoldNaN(connection: DuckDBConnection, reader: string, manifest: Manifest | null, columns: { name: string }[]): Promise<boolean> {
    const points = manifest?.points;
    if (points && typeof points.ok === 'number' && typeof points.evaluated === 'number') return points.ok < points.evaluated;
    if (!columns.some((c) => c.name === 'status')) return true;
    const result = await connection.runAndReadAll(`SELECT coalesce(max("status"), 0) AS worst FROM ${reader}`);
    return Number(result.getRowObjectsJS()[0].worst) > 0;
  }

  /** The manifest stored in a Parquet file's key-value metadata (for a file named alone). */
  private async embeddedManifest(connection: DuckDBConnection, file: TableFile): Promise<Manifest | null> {
    if (file.format !== 'parquet') return null;
    try {
      const result = await connection.runAndReadAll(
        `SELECT decode(value) AS value FROM parquet_kv_metadata(${sqlString(file.path)}) WHERE decode(key) = 'linkcap.manifest'`,
      );
      const rows = result.getRowObjectsJS();
      return rows.length > 0 ? readManifestText(String(rows[0].value)) : null;
    } catch {
      return null; // an unreadable file is reported by describeTable
    }
  }

  private async register(connection: DuckDBConnection, id: number, source: ResultSource, sampleRows: number): Promise<DatasetInfo> {
    const problems = [...source.problems];
    const warnings = [...source.warnings];
    const files: DatasetInfo['files'] = [];
    let manifest = source.manifest;
    if (!manifest && source.rows) {
      manifest = await this.embeddedManifest(connection, source.rows);
      if (manifest) warnings.splice(0, warnings.length, ...warnings.filter((w) => !w.startsWith('no manifest.json')));
    }
    let rows: DatasetInfo['rows'] = null;
    if (source.rows) {
      const label = source.rows.path === source.path ? source.label : source.rows.path.slice(source.path.length + 1);
      try {
        const info = await this.describeTable(connection, `ds${id}`, source.rows, manifest);
        const sample = info.rows > 0 ? `ds${id}_sample` : null;
        if (sample) this.samples.set(sample, `CREATE TABLE "${sample}" AS SELECT * FROM "ds${id}" USING SAMPLE reservoir(${sampleRows} ROWS) REPEATABLE (42)`);
        rows = { ...info, sample };
        files.push({ label, href: this.addFile(source.rows.path, label) });
      } catch (error) {
        problems.push(unreadable(label, source.rows, error));
      }
    }
    const reductions: ReductionInfo[] = [];
    for (const [j, reduction] of source.reductions.entries()) {
      const entry: ReductionInfo = {
        name: reduction.name,
        ...(reduction.kind ? { kind: reduction.kind } : {}),
        ...(reduction.by ? { by: reduction.by } : {}),
        ...(reduction.metric ? { metric: reduction.metric } : {}),
      };
      if (reduction.problem || !reduction.table) {
        entry.problem = reduction.problem ?? 'no file';
      } else {
        try {
          Object.assign(entry, await this.describeTable(connection, `ds${id}_r${j}`, reduction.table, manifest, true));
          files.push({ label: reduction.file, href: this.addFile(reduction.table.path, reduction.file) });
        } catch (error) {
          entry.problem = unreadable(reduction.file, reduction.table, error);
          problems.push(entry.problem);
        }
      }
      reductions.push(entry);
    }
    return {
      id,
      label: source.label,
      path: source.path,
      kind: manifest?.kind ?? null,
      manifest: manifest ? manifest.raw : null,
      rows,
      reductions,
      files,
      problems,
      warnings,
    };
  }

  /**
   * Builds the samples one after another in the background: a reservoir over 10^7 rows reads every column
   * once, which must not hold up the first paint. A query that names a sample waits for it (see run).
   */
  private buildSamples(): void {
    let chain = Promise.resolve();
    for (const [name, create] of this.samples) {
      const built = chain.then(() => this.sampler.use((connection) => connection.run(create))).then(() => undefined);
      this.building.set(name, built);
      chain = built.catch(() => undefined);
    }
  }

  private async samplesFor(sql: string): Promise<void> {
    for (const [name, built] of this.building) if (sql.includes(`"${name}"`)) await built;
  }

  /**
   * Runs one query from the page: `arrow` returns Arrow IPC bytes, `exec` runs it for its effect (Mosaic's
   * pre-aggregation) and returns null. Throws RefusedQueryError for SQL the guard refuses. `signal`: the page
   * gave up on the answer (DuckDB is interrupted).
   */
  async query(type: unknown, sql: unknown, signal?: AbortSignal): Promise<Uint8Array | null> {
    if (!this.onQuery) return this.run(type, sql, signal);
    const started = performance.now();
    try {
      const result = await this.run(type, sql, signal);
      this.onQuery(String(sql), performance.now() - started);
      return result;
    } catch (error) {
      this.onQuery(String(sql), performance.now() - started, firstLine(error));
      throw error;
    }
  }

  private async run(type: unknown, sql: unknown, signal?: AbortSignal): Promise<Uint8Array | null> {
    if (type !== 'arrow' && type !== 'exec') throw new RefusedQueryError(`type must be "arrow" or "exec" (found ${JSON.stringify(type)})`);
    if (typeof sql === 'string') await this.samplesFor(sql);
    return this.pool.use(async (connection) => {
      const checked = await checkQuery(connection, sql);
      if (checked.kind === 'preagg') {
        await connection.run(preaggStatement(checked));
        return null;
      }
      try {
        const result = await checked.statement.runAndReadAll();
        return type === 'arrow' ? resultToArrowIPC(result) : null;
      } finally {
        checked.statement.destroySync();
      }
    }, signal);
  }

  /** Stops what runs (samples, page queries), then closes every connection and the database. */
  async close(): Promise<void> {
    await this.sampler.close();
    await this.pool.close();
    this.instance.closeSync();
  }
}
