/**
 * The HTTP side of `linkcap view`: 127.0.0.1 only, nothing served but the page, its assets, the dataset list,
 * queries and the named files; requests from another origin or host, or without the page's token, refused.
 */
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { tableFromIPC } from '@uwdata/flechette';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, startViewer, type RunningViewer } from '../src/server/index.js';
import { makeFixtures, type Fixtures } from './helpers.js';

let fx: Fixtures;
let viewer: RunningViewer;
let token = '';
const refused: string[] = [];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (no URL normalisation) with any Host header. */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: viewer.port, path, method: options.method ?? 'GET', headers: options.headers, setHost: !options.headers?.Host }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

const origin = () => `http://127.0.0.1:${viewer.port}`;
const query = (sql: string, headers: Record<string, string> = {}) =>
  send('/api/query', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin(), 'X-Linkcap-Token': token, ...headers },
    body: JSON.stringify({ type: 'arrow', sql }),
  });

beforeAll(async () => {
  fx = await makeFixtures();
  viewer = await startViewer({ results: [fx.good], onRefused: (reason) => refused.push(reason) });
  const page = await send('/');
  token = /<meta name="linkcap-token" content="([0-9a-f]+)">/.exec(page.body.toString())?.[1] ?? '';
});
afterAll(async () => {
  await viewer?.close();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

describe('what is served', () => {
  it('binds 127.0.0.1 and serves the page with a strict policy and a fresh token', async () => {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(token).toMatch(/^[0-9a-f]{48}$/);
  });

  it("serves the page's assets by exact name", async () => {
    const page = (await send('/')).body.toString();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1];
    const asset = await send(script);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('answers a query from the page with Arrow IPC', async () => {
    const reply = await query('SELECT count(*) AS n FROM ds0');
    expect(reply.status).toBe(200);
    expect(tableFromIPC(reply.body).toArray()).toEqual([{ n: fx.goodRows }]);
  });

  it('downloads the named files, and only those', async () => {
    const datasets = JSON.parse((await send('/api/datasets', { headers: { 'X-Linkcap-Token': token } })).body.toString());
    const hrefs: string[] = datasets.datasets[0].files.map((f: { href: string }) => f.href);
    expect(hrefs).toEqual(['/files/0', '/files/1', '/files/2']);
    const file = await send('/files/0');
    expect(file.status).toBe(200);
    expect(file.body.subarray(0, 4).toString()).toBe('PAR1');
    expect((await send('/files/3')).status).toBe(404);
  });
});

describe('what is refused', () => {
  it.each([
    '/../package.json',
    '/assets/../../package.json',
    '/assets/..%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/assets/%2e%2e%2findex.html',
    '//etc/passwd',
    '/etc/passwd',
    '/files/../rows.parquet',
    '/files/-1',
    '/src/page/main.ts',
  ])('a path outside what is served: %s', async (path) => {
    const reply = await send(path);
    expect(reply.status).toBe(404);
    expect(reply.body.toString()).not.toMatch(/"name":|root:/);
  });

  it('another Host (DNS rebinding)', async () => {
    const reply = await send('/', { headers: { Host: 'evil.example:80' } });
    expect(reply.status).toBe(403);
  });

  it('a query from another origin, or without the token, or with no Origin', async () => {
    expect((await query('SELECT 1', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await query('SELECT 1', { 'X-Linkcap-Token': 'wrong' })).status).toBe(403);
    expect((await query('SELECT 1', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    const noOrigin = await send('/api/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Linkcap-Token': token },
      body: JSON.stringify({ type: 'arrow', sql: 'SELECT 1' }),
    });
    expect(noOrigin.status).toBe(403);
    expect((await send('/api/datasets')).status).toBe(403);
    expect(refused.some((r) => r.includes('evil.example'))).toBe(true);
  });

  it('SQL that writes, attaches or reads another file, even from the page itself', async () => {
    const write = await query(`COPY (SELECT 1) TO '${fx.root}/out.csv'`);
    expect([400, 403]).toContain(write.status);
    const attach = await query("ATTACH ':memory:' AS x");
    expect(attach.status).toBe(403);
    expect(JSON.parse(attach.body.toString()).error).toMatch(/query refused/);
    const read = await query(`SELECT * FROM read_parquet('${fx.secret}')`);
    expect(read.status).toBe(400);
    expect(JSON.parse(read.body.toString()).error).toMatch(/Permission Error/);
  });

  it('a body that is not a JSON query, or too large', async () => {
    const headers = { 'Content-Type': 'application/json', Origin: origin(), 'X-Linkcap-Token': token };
    expect((await send('/api/query', { method: 'POST', headers, body: 'SELECT 1' })).status).toBe(400);
    expect((await send('/api/query', { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await send('/api/query', { method: 'POST', headers, body: JSON.stringify({ type: 'arrow', sql: 'x'.repeat(2 << 20) }) })).status).toBe(413);
    expect((await send('/', { method: 'DELETE' })).status).toBe(405);
  });
});
