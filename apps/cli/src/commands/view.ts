/**
 * `linkcap view [RESULTS…]`: serves the web viewer (@linkcap/viewer) over sweep result directories or table
 * files on 127.0.0.1, prints the URL, and opens a browser only with --open. Without RESULTS it opens the last
 * sweep's output (util/last-sweep.ts). Runs until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { InputError, UsageError } from '../util/errors.js';
import { parseWholeNumber } from '../util/values.js';
import { LAST_SWEEP_FILE, lastSweep } from '../util/last-sweep.js';

interface ViewOptions {
  port?: string;
  open?: boolean;
  threads?: string;
}

/** Opens `url` in the desktop's browser; failures only print a hint (the URL is already printed). */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => process.stderr.write(`linkcap view: could not start ${command}; open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`linkcap view: could not start ${command}; open ${url} yourself\n`);
  }
}

async function run(results: string[], options: ViewOptions): Promise<void> {
  const port = options.port === undefined ? 0 : parseWholeNumber(options.port, '--port', { min: 1, max: 65535 });
  const threads = options.threads === undefined ? undefined : parseWholeNumber(options.threads, '--threads', { min: 1, max: 1024 });
  // Loaded here, not at the top: DuckDB is only needed by this command.
  const viewer = await import('@linkcap/viewer/server');
  if (results.length === 0) {
    const last = lastSweep();
    if (!last) {
      throw new UsageError(
        `no RESULTS named, no sweep recorded in ./${LAST_SWEEP_FILE} and no *.sweep directory here; name a result directory or Parquet file (linkcap view out/) or run linkcap sweep first`,
      );
    }
    process.stderr.write(`linkcap view: opening ${last.path} (${last.from})\n`);
    results = [last.path];
  }
  let running;
  try {
    running = await viewer.startViewer({
      results,
      port,
      threads,
      onRefused: (reason) => process.stderr.write(`linkcap view: refused a request: ${reason}\n`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new InputError(`--port: ${port} is in use; choose another or leave --port out for any free port`);
    // A RESULTS argument that names nothing the viewer can open: the message names it (exit 1).
    if (error instanceof viewer.ResultArgumentError) throw new InputError(error.message);
    throw error;
  }
  const lines = [`Serving ${running.datasets.length === 1 ? '1 result' : `${running.datasets.length} results`} at ${running.url}  (Ctrl-C to stop)`];
  for (const dataset of running.datasets) {
    const rows = dataset.rows ? `${dataset.rows.rows.toLocaleString('en-US')} rows` : 'no rows';
    const reductions = dataset.reductions.length > 0 ? `, ${dataset.reductions.length} reduction${dataset.reductions.length === 1 ? '' : 's'}` : '';
    lines.push(`  ${dataset.label}: ${rows}${reductions}  (${dataset.path})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const dataset of running.datasets) {
    for (const problem of dataset.problems) process.stderr.write(`linkcap view: ${dataset.label}: ${problem}\n`);
  }
  if (options.open) openBrowser(running.url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('view')
    .description('browse sweep results in the web viewer (served on 127.0.0.1; Ctrl-C to stop)')
    .argument('[results...]', 'result directories (manifest.json + rows.parquet) or .parquet/.csv/.jsonl files; default: the last sweep')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .option('--open', 'open the viewer in the default browser')
    .option('--threads <n>', 'DuckDB worker threads (default: one per core)')
    .addHelpText(
      'after',
      '\nThe server binds 127.0.0.1 only and serves nothing but the viewer and the named files; the page runs\nread-only SQL over them through DuckDB. Example: linkcap view out/ --open',
    )
    .action(run);
}
