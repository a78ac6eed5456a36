/**
 * Progress of long runs: a cli-progress bar on a terminal, one line every few seconds otherwise, JSON Lines
 * events for programs (--jsonl), or nothing (--quiet). Everything goes to stderr except JSON Lines (stdout).
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'bar' | 'lines' | 'jsonl' | 'quiet';

export interface ProgressUpdate {
  fraction: number;
  points: number;
  total?: number;
  rate: number;
  etaS: number;
}

export function progressMode(options: { quiet?: boolean; jsonl?: boolean }): ProgressMode {
  if (options.jsonl) return 'jsonl';
  if (options.quiet) return 'quiet';
  return process.stderr.isTTY ? 'bar' : 'lines';
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function emitJsonl(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

export class ProgressReporter {
  private bar?: cliProgress.SingleBar;
  private lastLine = 0;
  private finished = false;

  constructor(
    private readonly mode: ProgressMode,
    private readonly label: string,
  ) {
    if (mode === 'bar') {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% | {points} points | {rate}/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 20, fps: 10 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, { points: '0', rate: '0' });
    }
  }

  update(u: ProgressUpdate): void {
    if (this.finished) return;
    if (u.fraction >= 1) this.finished = true;
    const permille = Math.round(u.fraction * 1000);
    if (this.bar) {
      this.bar.update(permille, { points: formatCount(u.points), rate: formatCount(u.rate) });
    } else if (this.mode === 'lines') {
      const now = Date.now();
      if (now - this.lastLine < 5000 && u.fraction < 1) return;
      this.lastLine = now;
      process.stderr.write(`${this.label}: ${(u.fraction * 100).toFixed(1)}% (${formatCount(u.points)} points, ${formatCount(u.rate)}/s, ETA ${formatSeconds(u.etaS)})\n`);
    } else if (this.mode === 'jsonl') {
      const now = Date.now();
      if (now - this.lastLine < 1000 && u.fraction < 1) return;
      this.lastLine = now;
      emitJsonl({ event: 'progress', fraction: u.fraction, points: u.points, rate: u.rate, etaS: u.etaS });
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
