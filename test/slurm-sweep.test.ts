/**
 * A sweep as a real Slurm job array: test/slurm/slurm-sweep.sh starts munge, slurmctld and slurmd on this host
 * (its own config, socket and ports), submits `linkcap sweep` as an array of 4 tasks (each reads its shard from
 * SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT), merges the shards and compares them with a single run, byte for
 * byte. CI (.ci/run) installs slurm-wlm and munge and runs as root; elsewhere the test says why it cannot run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./slurm/slurm-sweep.sh', import.meta.url));
const hasSlurm = ['sbatch', 'slurmctld', 'slurmd', 'munged'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status === 0);
const isRoot = process.getuid?.() === 0;
const why = !hasSlurm ? 'slurm-wlm and munge are not installed (apt-get install slurm-wlm munge; .ci/run does)' : 'the single-host Slurm needs root';

describe.skipIf(!hasSlurm || !isRoot)(`Slurm job array${!hasSlurm || !isRoot ? ` (skipped: ${why})` : ''}`, () => {
  it('runs a sweep as 4 array tasks whose merged result equals the single run', () => {
    const work = mkdtempSync(join(tmpdir(), 'linkcap-slurm-'));
    chmodSync(work, 0o755); // the munge user must reach its socket directory inside
    const spec = join(work, 'spec.yaml');
    writeFileSync(
      spec,
      `kind: collective
axes:
  cluster: [dgx-h100, hgx-h800]
  op: [all-reduce, all-to-all]
  gpus: [8, 16, 64]
  bytes: 1KiB..1GiB x4
reduce:
  - { name: fastest, kind: argmin, metric: timeS, by: [cluster, op] }
  - { name: spread, kind: quantiles, metric: busbwGBps, by: [cluster] }
  - { name: cap, kind: ratio, metric: timeS, axis: cluster, numerator: hgx-h800, denominator: dgx-h100, by: [op] }
`,
    );
    const r = spawnSync('bash', [script, join(work, 'run'), spec, '4'], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/slurm job array of 4 shards merged: 4 shard results, identical to the single run/);
  }, 300_000);
});
