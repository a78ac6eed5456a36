/**
 * `linkcap demo` (what `npm start` runs): the question linkcap exists for — how much slower are the same
 * collectives, and the same training step, on H800 (NVLink capped at 400 GB/s) than on H100 (900 GB/s), and how
 * much of it does re-tuning the parallel layout win back?
 */
import { loadCatalog, predictCollective, resolveCluster, type Op } from '@linkcap/core';
import type { Command } from 'commander';
import { formatNumber, renderTable } from '../util/output.js';
import { seedClaimsText } from './seed-claims.js';
import { formatBytesHuman } from '../util/units.js';

const CASES: { op: Op; bytes: number; gpus: number }[] = [
  { op: 'all-reduce', bytes: 2 ** 30, gpus: 8 },
  { op: 'all-reduce', bytes: 2 ** 30, gpus: 64 },
  { op: 'all-reduce', bytes: 2 ** 30, gpus: 1024 },
  { op: 'all-reduce', bytes: 64 * 2 ** 10, gpus: 8 },
  { op: 'all-gather', bytes: 2 ** 30, gpus: 8 },
  { op: 'all-to-all', bytes: 2 ** 28, gpus: 8 },
  { op: 'all-to-all', bytes: 2 ** 28, gpus: 64 },
];

function run(): void {
  const catalog = loadCatalog();
  const h100 = resolveCluster('dgx-h100', catalog);
  const h800 = resolveCluster('hgx-h800', catalog);
  process.stdout.write(`What does the NVLink cap cost? ${h100.name} vs ${h800.name}\n\n`);
  const rows = CASES.map(({ op, bytes, gpus }) => {
    const fast = predictCollective({ op, bytes, gpus, cluster: h100 });
    const capped = predictCollective({ op, bytes, gpus, cluster: h800 });
    return [
      op,
      formatBytesHuman(bytes),
      String(gpus),
      `${formatNumber(fast.timeS * 1e6, 1)} (${fast.algorithm})`,
      `${formatNumber(capped.timeS * 1e6, 1)} (${capped.algorithm})`,
      formatNumber(fast.busbwGBps, 1),
      formatNumber(capped.busbwGBps, 1),
      `${formatNumber(capped.timeS / fast.timeS, 2)}×`,
    ];
  });
  const table = renderTable(
    [
      { header: 'operation', align: 'left' },
      { header: 'size' },
      { header: 'GPUs' },
      { header: `${h100.id} µs (algorithm)` },
      { header: `${h800.id} µs (algorithm)` },
      { header: 'busbw H100' },
      { header: 'busbw H800' },
      { header: 'slowdown' },
    ],
    rows,
  );
  process.stdout.write(`${table}\nbusbw in decimal GB/s (nccl-tests conventions).\n`);
  process.stdout.write(
    `\n${seedClaimsText(h100, h800, resolveCluster('tencent-hcc-previous', catalog), resolveCluster('tencent-hcc-h800-2023', catalog))}\n`,
  );
  process.stdout.write('\nTry:\n');
  process.stdout.write('  linkcap collective all-reduce --cluster hgx-h800 --gpus 16 --sweep-bytes 8B:8GiB\n');
  process.stdout.write('  linkcap collective all-reduce --cluster dgx-h100 --gpus 8 --bytes 1MiB --candidates\n');
  process.stdout.write('  linkcap compare --clusters dgx-h100,hgx-h800 --model gpt3-175b --gpus 1024\n');
  process.stdout.write('  linkcap train --model llama3-70b --cluster hgx-h800 --gpus 1024 --best --profile torchtitan-fsdp2\n');
  process.stdout.write('  linkcap controls --chip h800\n');
}

export function register(program: Command): void {
  program.command('demo').description('H100 vs H800: what the NVLink cap costs on common collectives and the seed claims (the old two-table demo)').action(run);
}
