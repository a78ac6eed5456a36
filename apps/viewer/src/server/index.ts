/**
 * `@linkcap/viewer/server`: what `linkcap view` runs. startViewer finds the files behind each RESULTS argument,
 * opens them in a locked-down DuckDB session and serves the built page on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHttpServer, type RunningServer } from './http.js';
import { describeResult } from './results.js';
import { ViewerSession, type DatasetInfo, type SessionOptions } from './session.js';

export { ResultArgumentError, describeResult, readManifestText, parseManifest, type ResultSource, type Manifest } from './results.js';
export { ViewerSession, classifyColumns, type DatasetInfo, type ColumnInfo, type SessionOptions } from './session.js';
export { checkQuery, RefusedQueryError } from './sql-guard.js';
export { CONTENT_SECURITY_POLICY } from './http.js';

export interface ViewerOptions extends SessionOptions {
  /** Result directories or table files (relative to cwd). */
  results: string[];
  port?: number;
  cwd?: string;
  /** The built page (default: dist/page next to this module). */
  pageDir?: string;
  onRefused?: (reason: string) => void;
}

export interface RunningViewer {
  url: string;
  port: number;
  datasets: DatasetInfo[];
  close(): Promise<void>;
}

/** The built page: dist/page beside the bundled server, or apps/viewer/dist/page when run from source. */
export function defaultPageDir(): string {
  const candidates = [new URL('./page/', import.meta.url), new URL('../../dist/page/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(`${dir}/index.html`));
  if (!found) throw new Error(`the viewer page is not built (looked in ${candidates.join(', ')}); run npm run build`);
  return found;
}

export async function startViewer(options: ViewerOptions): Promise<RunningViewer> {
  const pageDir = options.pageDir ?? defaultPageDir();
  const sources = options.results.map((argument) => describeResult(argument, options.cwd));
  const session = await ViewerSession.open(sources, options);
  let http: RunningServer;
  try {
    http = await startHttpServer({ session, pageDir, port: options.port, onRefused: options.onRefused });
  } catch (error) {
    await session.close();
    throw error;
  }
  return {
    url: http.url,
    port: http.port,
    datasets: session.datasets,
    close: async () => {
      await http.close();
      await session.close();
    },
  };
}
