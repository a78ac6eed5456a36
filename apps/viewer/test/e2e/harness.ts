/**
 * End-to-end harness: `linkcap view` as a child process, Debian's Chromium through playwright-core, and the
 * page's progress probe (window.__linkcap). Chromium missing is a failure with the fix in the message, never a
 * skip: CI installs it (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = `${REPO}apps/cli/dist/cli.js`;
export const ARTIFACTS = `${REPO}apps/viewer/test-artifacts`;
export const CHROMIUM = process.env.LINKCAP_CHROMIUM ?? '/usr/bin/chromium';

/** The flags this machine needs (closed network, no sandbox as root, no GPU). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the viewer's browser tests need it. Install Debian's package (apt-get install chromium; .ci/run does) or set LINKCAP_CHROMIUM to a Chromium binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ViewServer {
  url: string;
  port: number;
  stdout: string[];
  stderr: string[];
  stop(): Promise<void>;
}

/** Starts `linkcap view ARGS…` and resolves once it printed its URL. */
export function startView(args: string[], cwd = REPO): Promise<ViewServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'view', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`linkcap view printed no URL within 60 s\n${stdout.join('')}${stderr.join('')}`));
    }, 60_000);
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk.toString());
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout.join(''));
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[0],
          port: Number(match[1]),
          stdout,
          stderr,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`linkcap view exited with ${code} before printing its URL\n${stdout.join('')}${stderr.join('')}`));
    });
  });
}

export interface Probe {
  ready: boolean;
  renders: Record<string, number>;
  firstRender: Record<string, number>;
  lastRender: number;
  activity: { inFlight: number; completed: number; failed: number; lastSettled: number; scheduled: number; building: number; lastForeground: number };
  errors: string[];
  pendingBuilds: () => number;
}

export const ALL_VIEWS = ['line', 'heat', 'scatter', 'compare', 'parallel', 'table', 'reductions', 'whatif'];

/** Records Content-Security-Policy violations and page errors from the first script on. */
export async function watchPage(page: Page): Promise<{ violations: string[]; errors: string[] }> {
  const seen = { violations: [] as string[], errors: [] as string[] };
  await page.exposeFunction('__reportViolation', (text: string) => seen.violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportViolation(text: string): void }).__reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  return seen;
}

/** Opens the viewer and waits until every view drew with data. */
export async function openViewer(page: Page, url: string, views = ALL_VIEWS): Promise<void> {
  await page.goto(url);
  await waitForViews(page, views);
}

/** Waits until the page is ready and every view in `views` drew with data, then for quiet. */
export async function waitForViews(page: Page, views = ALL_VIEWS): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const probe = (window as unknown as { __linkcap?: Probe }).__linkcap;
      return !!probe?.ready && wanted.every((id) => probe.firstRender[id] !== undefined);
    },
    views,
    { timeout: 90_000, polling: 100 },
  );
  await settle(page);
}

/** Waits until no query is in flight or queued (table builds included) and nothing was drawn for a moment. */
export async function settle(page: Page, quietMs = 300): Promise<void> {
  await page.waitForFunction(
    (quiet) => {
      const probe = (window as unknown as { __linkcap: Probe }).__linkcap;
      const now = performance.now();
      return probe.activity.inFlight === 0 && probe.activity.scheduled === 0 && probe.pendingBuilds() === 0 && now - probe.activity.lastSettled > quiet && now - probe.lastRender > quiet;
    },
    quietMs,
    { timeout: 90_000, polling: 50 },
  );
}

/**
 * Waits until the page's own queries are answered and drawn, not for the tables built in the background
 * (table-builds.ts); returns how many builds were still queued or running then.
 */
export async function settleForeground(page: Page, quietMs = 150): Promise<number> {
  await page.waitForFunction(
    (quiet) => {
      const probe = (window as unknown as { __linkcap: Probe }).__linkcap;
      const now = performance.now();
      const { activity } = probe;
      return activity.inFlight - activity.building === 0 && activity.scheduled === 0 && now - activity.lastForeground > quiet && now - probe.lastRender > quiet;
    },
    quietMs,
    { timeout: 90_000, polling: 20 },
  );
  return page.evaluate(() => (window as unknown as { __linkcap: Probe }).__linkcap.pendingBuilds());
}

export async function intAttr(page: Page, selector: string, attribute: string): Promise<number> {
  const value = await page.locator(selector).first().getAttribute(attribute);
  if (value === null) throw new Error(`${selector} has no ${attribute}`);
  return Number(value);
}

/** The state in the page's URL hash. */
export async function urlState(page: Page): Promise<Record<string, any>> {
  return JSON.parse(decodeURIComponent(new URL(page.url()).hash.slice(1)));
}

export async function screenshot(page: Page, selector: string, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator(selector).first().screenshot({ path: `${ARTIFACTS}/${name}.png` });
}
