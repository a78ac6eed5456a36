/**
 * The what-if panel's model: a preset with its link rates replaced is the cluster the catalog itself derives
 * (deriveChip), and its predictions are @linkcap/core's (native when built, else reference) for that cluster.
 */
import { builtinCatalog, deriveChip, predictCollective, predictTraining } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { clusterPresets, evaluateWhatIf, gpuChoices, presetRates, whatIfCluster } from '../src/page/whatif-model.js';

describe('what-if clusters', () => {
  it("are the catalog's own derivation (H100 node capped at 400 GB/s = deriveChip's)", () => {
    const h100 = clusterPresets().find((c) => c.id === 'dgx-h100')!;
    expect(presetRates(h100)).toEqual({ scaleUpBidirGBps: 900, nicGbps: 400 });
    const capped = whatIfCluster(h100, 400, 400);
    const derived = deriveChip(builtinCatalog(), 'h100', { name: 'what-if-h800', scaleUpBidirGBps: 400 }).cluster!;
    expect(capped.params).toEqual(derived.params);
    expect(capped.params.scaleUpGBps).toBeCloseTo(164.8, 9);
  });

  it('scale the NIC rate through the catalog rule (NICs × Gb/s ÷ 8 × efficiency)', () => {
    const h800 = clusterPresets().find((c) => c.id === 'hgx-h800')!;
    const half = whatIfCluster(h800, 400, 200);
    expect(half.params.scaleOutGBps).toBeCloseTo(h800.params.scaleOutGBps / 2, 12);
    expect(half.params.scaleUpGBps).toBe(h800.params.scaleUpGBps);
  });

  it('offer GPU counts that fit the domain', () => {
    expect(gpuChoices(8, 64)).toEqual([2, 4, 8, 16, 32, 64]);
    expect(gpuChoices(72, 600)).toEqual([2, 4, 8, 16, 32, 64, 72, 144, 288, 576]);
  });
});

describe('what-if predictions', () => {
  it('equal @linkcap/core for the same inputs', () => {
    const inputs = { cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce' as const, bytes: 2 ** 28, gpus: 256, scaleUpBidirGBps: 900, nicGbps: 800, tp: 8, pp: 4 };
    const result = evaluateWhatIf(inputs);
    if ('error' in result.collective || 'error' in result.training) throw new Error('expected predictions');
    const cluster = whatIfCluster(clusterPresets().find((c) => c.id === 'hgx-h800')!, 900, 800);
    const collective = predictCollective({ op: 'all-reduce', bytes: 2 ** 28, gpus: 256, cluster });
    expect(result.collective.timeS).toBeCloseTo(collective.timeS, 15);
    expect(Math.abs(result.collective.timeS / collective.timeS - 1)).toBeLessThan(1e-9);
    const training = predictTraining({ model: 'llama3-70b', cluster, gpus: 256, layout: { tp: 8, pp: 4 } });
    expect(Math.abs(result.training.stepS / training.stepS - 1)).toBeLessThan(1e-9);
  });

  it('say why a point cannot be priced instead of throwing', () => {
    const result = evaluateWhatIf({ cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce', bytes: 1024, gpus: 12, scaleUpBidirGBps: 400, nicGbps: 400, tp: 8, pp: 4 });
    expect('error' in result.collective && result.collective.error).toMatch(/gpus.*12.*multiple of the domain size 8/);
  });
});
