/**
 * Connections to one DuckDB instance, handed to the least busy: a query never waits behind a slow one on a
 * shared connection (DuckDB runs queries of different connections side by side). Closing interrupts what
 * runs and waits for it to stop before closing: a connection closed under a running query leaves its promise
 * pending forever, which would keep the process alive.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

interface Pooled {
  connection: DuckDBConnection;
  running: Set<Promise<unknown>>;
}

export class ConnectionPool {
  private readonly pooled: Pooled[] = [];
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly max = 6,
  ) {}

  get size(): number {
    return this.pooled.length;
  }

  /**
   * Runs `task` on the least busy connection (a new one while fewer than `max` exist and all are busy). When
   * `signal` aborts (the page dropped the request) and the task runs alone on its connection, DuckDB is
   * interrupted: the scan stops instead of finishing for nobody.
   */
  async use<T>(task: (connection: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error('the viewer is shutting down');
    let entry = this.pooled.reduce<Pooled | undefined>((best, p) => (!best || p.running.size < best.running.size ? p : best), undefined);
    if (!entry || (entry.running.size > 0 && this.pooled.length < this.max)) {
      entry = { connection: await this.instance.connect(), running: new Set() };
      this.pooled.push(entry);
    }
    const pooled = entry;
    const running = task(pooled.connection);
    pooled.running.add(running);
    const interrupt = () => {
      if (pooled.running.size === 1 && pooled.running.has(running)) pooled.connection.interrupt();
    };
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      return await running;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      pooled.running.delete(running);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.pooled) {
      if (entry.running.size > 0) entry.connection.interrupt();
      await Promise.allSettled([...entry.running]);
      entry.connection.closeSync();
    }
    this.pooled.length = 0;
  }
}
