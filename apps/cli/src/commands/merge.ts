/**
 * `linkcap merge SHARD_DIR... -o OUT`: combines the result directories of `linkcap sweep --shard K/N` runs into
 * one, equal to what a single run would have written (reductions merged in the engine, rows concatenated in
 * shard order). Refuses shards of different specs or model versions, and missing shards unless --allow-partial.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mergeSweepResults } from '@linkcap/core';
import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { formatSeconds } from '../util/progress.js';
import { printReductionPreviews } from './sweep-preview.js';

interface MergeCommandOptions {
  out?: string;
  overwrite?: boolean;
  allowPartial?: boolean;
  quiet?: boolean;
}

/** A directory holding shard-* result directories stands for all of them. */
function expand(dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
    if (existsSync(join(dir, 'manifest.json'))) return [dir];
    const shards = readdirSync(dir)
      .filter((name) => name.startsWith('shard-') && statSync(join(dir, name)).isDirectory())
      .sort()
      .map((name) => join(dir, name));
    if (shards.length === 0) throw new UsageError(`${dir}: neither a result directory (manifest.json) nor a directory of shard-* results`);
    return shards;
  });
}

async function run(dirs: string[], options: MergeCommandOptions): Promise<void> {
  const inputs = expand(dirs);
  const out = options.out ?? (dirs.length === 1 ? join(dirs[0], 'merged') : undefined);
  if (!out) throw new UsageError('-o/--out is required when merging several directories');
  const started = performance.now();
  const merged = await mergeSweepResults(inputs, { out, overwrite: options.overwrite, allowPartial: options.allowPartial });
  if (options.quiet) return;
  const m = merged.manifest;
  process.stderr.write(
    `merged ${merged.shards} shard${merged.shards === 1 ? '' : 's'}${merged.missing.length ? ` (missing ${merged.missing.join(', ')}: incomplete)` : ''}: ${m.points.evaluated.toLocaleString('en-US')} points, ${m.files.rowCount.toLocaleString('en-US')} rows in ${formatSeconds((performance.now() - started) / 1000)} → ${out}/\n`,
  );
  printReductionPreviews(merged.result.reductions);
}

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge the result directories of sharded sweeps (linkcap sweep --shard K/N) into one')
    .argument('<dirs...>', 'shard result directories, or a directory holding shard-* directories')
    .option('-o, --out <dir>', 'merged result directory (default: <dir>/merged when one directory of shards is given)')
    .option('--overwrite', 'replace an existing result directory')
    .option('--allow-partial', 'merge even when shards are missing (the result is marked incomplete)')
    .option('--quiet', 'no summary')
    .action(run);
}
