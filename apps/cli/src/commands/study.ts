/**
 * `linkcap study export-controls [--quick] [--out DIR]`: the export-control study (@linkcap/study). Runs the
 * study's sweeps (examples/study/), writes the report folder and prints the one-screen summary.
 */
import type { StudyProgress } from '@linkcap/study';
import type { Command } from 'commander';

interface StudyOptions {
  quick?: boolean;
  out?: string;
  plan?: string;
  quiet?: boolean;
}

function progressLine(p: StudyProgress): string {
  if (p.phase === 'sweep') return `sweep ${p.sweep}: ${Math.round((p.fraction ?? 0) * 100)}%`;
  return p.phase === 'analyse' ? 'analysing' : 'writing the report';
}

async function run(options: StudyOptions): Promise<void> {
  // Loaded here, not at start-up: the study brings the plotting and Parquet libraries, which other commands never need.
  const { runExportControlsStudy } = await import('@linkcap/study');
  const tty = process.stderr.isTTY && !options.quiet;
  let last = '';
  const result = await runExportControlsStudy({
    quick: options.quick,
    out: options.out,
    plan: options.plan,
    onProgress: (p) => {
      if (options.quiet) return;
      const line = progressLine(p);
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (p.phase !== 'sweep' || p.fraction === 1) {
        if (line !== last) process.stderr.write(`${line}\n`);
      }
      last = line;
    },
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  process.stdout.write(result.summary);
}

export function register(program: Command): void {
  const study = program.command('study').description('studies that answer a question with many sweeps and a report');
  study
    .command('export-controls')
    .description('the H800/H100 export-control study: the 2023 claims tested; writes report.md, report.html, charts and Parquet results')
    .option('--quick', 'a reduced grid that runs in seconds (what `npm start` runs)')
    .option('--out <dir>', 'report folder (default ./linkcap-study/export-controls, or …-quick)')
    .option('--plan <file>', 'study plan (default: examples/study/study.yaml of this checkout)')
    .option('--quiet', 'no progress lines on stderr')
    .action(run);
}
