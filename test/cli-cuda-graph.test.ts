/** `--cuda-graph` prices calls as CUDA-graph replays: the tuner's base latency is not paid (docs/model/collectives.md). */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const quiet = { LINKCAP_ENGINE: 'reference', LINKCAP_CATALOG: '' };

describe('linkcap collective --cuda-graph', () => {
  it('drops the 6.6 µs LL ring base of a tiny one-node all-reduce and nothing else', () => {
    const args = ['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '8B', '--json'];
    const launched = JSON.parse(runCli(args, { env: quiet }).stdout);
    const graphed = runCli([...args, '--cuda-graph'], { env: quiet });
    expect(graphed.status).toBe(0);
    const replay = JSON.parse(graphed.stdout);
    expect(launched.algorithm).toBe('ring');
    expect(replay.algorithm).toBe('ring');
    expect((launched.timeS - replay.timeS) * 1e6).toBeCloseTo(6.6, 6);
  });

  it('leaves large messages alone (NVLS has no base latency to drop)', () => {
    const args = ['collective', 'all-reduce', '--cluster', 'dgx-h100', '--gpus', '8', '--bytes', '8GiB', '--json'];
    const a = JSON.parse(runCli(args, { env: quiet }).stdout);
    const b = JSON.parse(runCli([...args, '--cuda-graph'], { env: quiet }).stdout);
    expect(b.timeS).toBe(a.timeS);
  });
});
