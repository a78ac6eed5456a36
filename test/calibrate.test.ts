/**
 * calibrateCluster on logs the model writes for a known cluster (test/validation/synthetic-nccl-logs.mjs: the
 * nccl-tests text format, times × log-normal noise). The fit must recover the known parameters within the stated
 * tolerances, say which parameters the logs cannot inform, flag what the model's structure cannot fit, and produce
 * a catalog entry that resolves to the fitted row.
 */
import {
  applyDocument,
  calibrateCluster,
  FIT,
  loadCatalog,
  resolveCluster,
  resolveClusterSpec,
  validateCatalogDocument,
  type ClusterParams,
} from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { syntheticLog } from './validation/synthetic-nccl-logs.mjs';

const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });
const base = resolveCluster('dgx-h100', catalog);
/** A cluster unlike the preset: slower links, NICs and NVLS, longer hops, 4 µs more per call. */
const truth: ClusterParams = { ...base.params, scaleUpGBps: 340, scaleOutGBps: 44, nvlsEfficiency: 0.7, scaleUpHopUs: 0.9, scaleOutHopUs: 3.6, callLatencyUs: 4 };
const OPS = ['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'send-recv'] as const;

function logs(params: ClusterParams, shapes: [number, number][], noise = 0.03, extra: { graph?: boolean } = {}) {
  let seed = 11;
  return shapes.flatMap(([nodes, gpusPerNode]) =>
    OPS.map((op) => ({ file: `${op}-${nodes}x${gpusPerNode}.log`, text: syntheticLog({ params, op, nodes, gpusPerNode, noise, seed: seed++, ...extra }) })),
  );
}

describe('linkcap calibrate on logs with known parameters', () => {
  const result = calibrateCluster({ logs: logs(truth, [[1, 8], [2, 8]]), base, name: 'fitted', date: '2026-11-30' });
  const fitted = new Map(result.fit.parameters.map((p) => [p.parameter, p]));

  it('recovers bandwidths and NVLS efficiency within 3%, hop latencies within 10%, the call latency within 0.5 µs', () => {
    expect(fitted.get('scaleUpGBps')!.value / 340).toBeCloseTo(1, 1);
    expect(Math.abs(fitted.get('scaleUpGBps')!.value / 340 - 1)).toBeLessThan(0.03);
    expect(Math.abs(fitted.get('scaleOutGBps')!.value / 44 - 1)).toBeLessThan(0.03);
    expect(Math.abs(fitted.get('nvlsEfficiency')!.value / 0.7 - 1)).toBeLessThan(0.03);
    expect(Math.abs(fitted.get('scaleUpHopUs')!.value / 0.9 - 1)).toBeLessThan(0.1);
    expect(Math.abs(fitted.get('scaleOutHopUs')!.value / 3.6 - 1)).toBeLessThan(0.1);
    expect(Math.abs(fitted.get('callLatencyUs')!.value - 4)).toBeLessThan(0.5);
    // 3% noise in, ≈3% rms out: the fit explains everything but the noise.
    expect(result.fit.rmsLogBefore).toBeGreaterThan(0.2);
    expect(result.fit.rmsLogAfter).toBeLessThan(0.035);
  });

  it('gives 95% intervals that contain the true values', () => {
    for (const p of result.fit.parameters.filter((q) => q.fitted)) {
      expect(p.low, p.parameter).toBeLessThanOrEqual(truth[p.parameter]);
      expect(p.high, p.parameter).toBeGreaterThanOrEqual(truth[p.parameter]);
      expect(p.low).toBeLessThan(p.value);
      expect(p.high).toBeGreaterThan(p.value);
    }
  });

  it('keeps what the logs cannot show at the base value, and says why', () => {
    expect(fitted.get('inNetworkEfficiency')).toMatchObject({ fitted: false, value: base.params.inNetworkEfficiency, note: 'kept: the base cluster has no in-network reduction' });
    const oneNode = calibrateCluster({ logs: logs(truth, [[1, 8]]), base, name: 'one-node', date: '2026-11-30' });
    const kept = new Map(oneNode.fit.parameters.map((p) => [p.parameter, p]));
    expect(kept.get('scaleOutGBps')).toMatchObject({ fitted: false, value: 48, note: 'kept: no multi-node run' });
    expect(kept.get('scaleOutHopUs')).toMatchObject({ fitted: false, value: 2.7 });
    expect(Math.abs(kept.get('scaleUpGBps')!.value / 340 - 1)).toBeLessThan(0.03);
    expect(oneNode.entry.scaleOut).toBeUndefined();
  });

  it('writes a catalog entry derived from the base with source fit, which resolves to the fitted row', () => {
    const entry = result.entry as Record<string, any>;
    expect(entry.derivedFrom).toBe('dgx-h100');
    expect(entry.scaleUp.efficiency.source).toBe(FIT);
    expect(entry.scaleUp.efficiency.note).toMatch(/^linkcap calibrate 2026-11-30 from all-reduce-1x8\.log, .*: 3\d\d\.\d GB\/s per direction \(95% CI /);
    const next = applyDocument(catalog, validateCatalogDocument({ clusters: { fitted: entry } }, 'test'));
    const resolved = resolveClusterSpec(next.clusters.get('fitted')!, next);
    for (const p of result.fit.parameters) {
      expect(resolved.params[p.parameter] / p.value, p.parameter).toBeCloseTo(1, 5);
    }
    expect(resolved.params.gpusPerDomain).toBe(8);
  });

  it('prices graph-captured logs (graph: 1) as graph replays', () => {
    const graphed = calibrateCluster({ logs: logs(truth, [[1, 8]], 0.02, { graph: true }), base, name: 'graphed', date: '2026-11-30' });
    expect(graphed.runs.every((r) => r.cudaGraph)).toBe(true);
    const call = graphed.fit.parameters.find((p) => p.parameter === 'callLatencyUs')!;
    expect(Math.abs(call.value - 4)).toBeLessThan(0.5);
  });

  it('warns where no algorithm of the model comes within 20%, naming the log, line and size range', () => {
    // A cluster whose 64 KiB–256 KiB all-reduces on one node run 10× slower than any algorithm predicts.
    const files = logs(truth, [[1, 8]]).map((log) =>
      log.file.startsWith('all-reduce')
        ? {
            ...log,
            text: log.text.replace(/^( +(65536|131072|262144) +\S+ +\S+ +\S+ +\S+ +)(\S+)/gm, (_, head: string, _size: string, time: string) => `${head}${(Number(time) * 10).toFixed(2)}`),
          }
        : log,
    );
    const odd = calibrateCluster({ logs: files, base, name: 'odd', date: '2026-11-30' });
    const warning = odd.warnings.find((w) => w.includes('no algorithm/protocol of the model comes within 20%'));
    expect(warning).toMatch(/^all-reduce-1x8\.log:\d+: all-reduce on 1×8 GPUs, 64 KiB–256 KiB: no algorithm\/protocol/);
  });

  it('refuses logs of different GPUs, naming both', () => {
    const mixed = [logs(truth, [[1, 8]])[0], { file: 'a100.log', text: syntheticLog({ params: truth, op: 'all-gather', nodes: 1, gpusPerNode: 8, gpu: 'NVIDIA A100-SXM4-80GB' }) }];
    expect(() => calibrateCluster({ logs: mixed, base, name: 'x', date: '2026-11-30' })).toThrow(/different GPUs \("NVIDIA H100 80GB HBM3" \(all-reduce-1x8\.log:3\), "NVIDIA A100-SXM4-80GB" \(a100\.log:3\)\)/);
  });
});
