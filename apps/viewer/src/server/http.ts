/**
 * The HTTP side of `linkcap view`, on 127.0.0.1 only. What it answers:
 *
 *   GET  /                 the viewer page (with this run's token in a meta tag)
 *   GET  /assets/<name>    a file of the built page, looked up in a map made at start (never a path join)
 *   GET  /api/datasets     what each RESULTS argument holds (JSON)
 *   POST /api/query        { type: "arrow" | "exec", sql } → Arrow IPC bytes (Mosaic's connector protocol)
 *   GET  /files/<n>        the n-th file named on the command line (download)
 *
 * Everything else is 404. Every request must carry Host 127.0.0.1:<port> or localhost:<port> (a DNS-rebinding
 * page has another Host); API requests must also come from the page's own origin (Origin, Sec-Fetch-Site) and
 * carry its token (X-Linkcap-Token), which only a page served here can read.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RefusedQueryError, firstLine } from './sql-guard.js';
import type { ViewerSession } from './session.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Observable Plot (inside vgplot) writes a <style> element into each chart, with a class name made per
  // chart (so no hash can name it). Style elements only: style attributes and every script stay forbidden.
  "style-src-elem 'self' 'unsafe-inline'",
  "style-src-attr 'none'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_QUERY_BYTES = 1 << 20;
const TOKEN_META = '<meta name="linkcap-token" content="">';

interface Asset {
  path: string;
  type: string;
}

/** Every file under the built page's assets/ folder, keyed by its URL path; nothing else is served. */
export function assetMap(pageDir: string): Map<string, Asset> {
  const map = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name !== 'index.html') {
        const url = `/${relative(pageDir, full).split(sep).join('/')}`;
        map.set(url, { path: full, type: CONTENT_TYPES[extname(entry.name)] ?? 'application/octet-stream' });
      }
    }
  };
  walk(pageDir);
  return map;
}

export interface HttpOptions {
  session: ViewerSession;
  pageDir: string;
  port?: number;
  /** Called for each request that was refused (for the command's log). */
  onRefused?: (reason: string, request: IncomingMessage) => void;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  token: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, message: string): void {
  send(response, status, 'application/json', JSON.stringify({ error: message }), { 'Cache-Control': 'no-store' });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the limit the rest is read and dropped (so the client gets the 413 rather than a reset), up to a point.
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * MAX_QUERY_BYTES) request.destroy();
    else if (size <= MAX_QUERY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_QUERY_BYTES) throw new HttpError(413, `request body over ${MAX_QUERY_BYTES} bytes`);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1 (port 0: any free port). */
export async function startHttpServer(options: HttpOptions): Promise<RunningServer> {
  const { session, pageDir } = options;
  const token = randomBytes(24).toString('hex');
  const indexPath = join(pageDir, 'index.html');
  const indexTemplate = readFileSync(indexPath, 'utf8');
  if (!indexTemplate.includes(TOKEN_META)) throw new Error(`${indexPath}: the built page lacks ${TOKEN_META}; rebuild the viewer`);
  const indexHtml = indexTemplate.replace(TOKEN_META, `<meta name="linkcap-token" content="${token}">`);
  const assets = assetMap(pageDir);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const refuse = (request: IncomingMessage, status: number, reason: string): never => {
    options.onRefused?.(reason, request);
    throw new HttpError(status, reason);
  };

  /** API requests: same origin only, with the page's token. */
  const checkApi = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) refuse(request, 403, `origin ${origin} is not this viewer`);
    if (request.method === 'POST' && origin === undefined) refuse(request, 403, 'a query needs the Origin header of the viewer page');
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') refuse(request, 403, `cross-site request (Sec-Fetch-Site: ${site})`);
    if (request.headers['x-linkcap-token'] !== token) refuse(request, 403, 'missing or wrong X-Linkcap-Token');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host ?? '';
    if (!allowedHosts().has(host)) refuse(request, 403, `host ${JSON.stringify(host)} is not this viewer (127.0.0.1:${port})`);
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    const method = request.method ?? 'GET';

    if (method === 'POST' && path === '/api/query') {
      checkApi(request);
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send the query as application/json');
      let body: { type?: unknown; sql?: unknown };
      try {
        body = JSON.parse(await readBody(request)) as typeof body;
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, 'the body must be JSON { "type": "arrow" | "exec", "sql": "…" }');
      }
      // The page aborts a query it no longer needs (a brush moved on): stop it in DuckDB too.
      const abandoned = new AbortController();
      response.on('close', () => {
        if (!response.writableFinished) abandoned.abort();
      });
      const result = await session.query(body?.type, body?.sql, abandoned.signal);
      if (result === null) send(response, 200, 'application/json', '{}', { 'Cache-Control': 'no-store' });
      else send(response, 200, 'application/vnd.apache.arrow.stream', result, { 'Cache-Control': 'no-store' });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not supported`);
    if (path === '/' || path === '/index.html') {
      send(response, 200, 'text/html; charset=utf-8', indexHtml, { 'Cache-Control': 'no-store' });
      return;
    }
    if (path === '/api/datasets') {
      checkApi(request);
      send(response, 200, 'application/json', JSON.stringify({ datasets: session.datasets }), { 'Cache-Control': 'no-store' });
      return;
    }
    const fileMatch = /^\/files\/(\d{1,6})$/.exec(path);
    if (fileMatch) {
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') refuse(request, 403, `cross-site request (Sec-Fetch-Site: ${site})`);
      const file = session.files[Number(fileMatch[1])];
      if (!file) throw new HttpError(404, 'no such file');
      const size = statSync(file.path).size;
      const name = file.label.split('/').pop() ?? 'file';
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(size),
        'Content-Disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      });
      createReadStream(file.path).pipe(response);
      return;
    }
    const asset = assets.get(path);
    if (!asset) throw new HttpError(404, 'not found');
    send(response, 200, asset.type, readFileSync(asset.path), { 'Cache-Control': 'public, max-age=31536000, immutable' });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(response, error.status, error.message);
      else if (error instanceof RefusedQueryError) {
        options.onRefused?.(error.message, request);
        sendError(response, 403, error.message);
      } else sendError(response, 400, firstLine(error));
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}
