/**
 * Without the addon the package falls back to the TypeScript reference with exactly one warning and the
 * same numbers; LINKCAP_ENGINE=native turns the missing addon into the loader's actionable error.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const args = ['collective', 'all-reduce', '--cluster', 'hgx-h800', '--gpus', '64', '--sweep-bytes', '1KiB:1GiB', '--json'];

describe('engine fallback', () => {
  it('warns once and gives the native engine’s results when the addon is missing', () => {
    const native = runCli(args, { env: { LINKCAP_ENGINE: 'native' } });
    expect(native.status).toBe(0);
    const fallback = runCli(args, { env: { LINKCAP_NATIVE_PATH: '/nonexistent/linkcap_native.node' } });
    expect(fallback.status).toBe(0);
    expect(fallback.stderr.match(/LINKCAP_NO_NATIVE/g)).toHaveLength(1);
    expect(fallback.stderr).toContain('/nonexistent/linkcap_native.node');
    const a = JSON.parse(native.stdout).results;
    const b = JSON.parse(fallback.stdout).results;
    expect(b).toHaveLength(a.length);
    a.forEach((row: { timeS: number; algorithm: string }, i: number) => {
      expect(b[i].algorithm).toBe(row.algorithm);
      expect(Math.abs(b[i].timeS - row.timeS) / row.timeS).toBeLessThanOrEqual(1e-9);
    });
  });

  it('LINKCAP_ENGINE=native with no addon fails with the list of paths and the build command', () => {
    const r = runCli(args, { env: { LINKCAP_ENGINE: 'native', LINKCAP_NATIVE_PATH: '/nonexistent/linkcap_native.node' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/nonexistent/linkcap_native.node: not built');
    expect(r.stderr).toContain('npm run build');
  });
});
