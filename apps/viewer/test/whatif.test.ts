/**
 * The what-if panel's model: a preset with its link rates replaced is the cluster the catalog itself derives
 * (deriveChip), and its predictions are @linkcap/core's (native when built, else reference) for that cluster.
 */
import { builtinCatalog, deriveChip, listModels, predictCollective, predictTraining, PROFILE_IDS } from '@linkcap/core';
import { describe, expect, it } from 'vitest';
import { clusterPresets, evaluateWhatIf, gpuChoices, layoutChoices, nearestChoice, presetRates, profilePresets, whatIfCluster } from '../src/page/whatif-model.js';
import { initialInputs, snapLayout } from '../src/page/views/whatif.js';

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
    const inputs = { cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce' as const, bytes: 2 ** 28, gpus: 256, scaleUpBidirGBps: 900, nicGbps: 800, tp: 8, pp: 4, profile: 'megatron-core' as const };
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
    const result = evaluateWhatIf({ cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce', bytes: 1024, gpus: 12, scaleUpBidirGBps: 400, nicGbps: 400, tp: 8, pp: 4, profile: 'megatron-core' });
    expect('error' in result.collective && result.collective.error).toMatch(/gpus.*12.*multiple of the domain size 8/);
  });
});

describe('what-if implementation profiles', () => {
  it("offer every profile the training model knows, megatron-core (its default) first", () => {
    expect(profilePresets().map((p) => p.id)).toEqual([...PROFILE_IDS]);
    expect(profilePresets()[0].id).toBe('megatron-core');
    expect(initialInputs({}, () => null).profile).toBe('megatron-core');
    // A training sweep's profile column sets it; the URL's wins.
    expect(initialInputs({}, (c) => (c === 'profile' ? ['deepspeed-zero3'] : null)).profile).toBe('deepspeed-zero3');
    expect(initialInputs({ profile: 'nemo' }, (c) => (c === 'profile' ? ['deepspeed-zero3'] : null)).profile).toBe('nemo');
  });

  it('price the step with the chosen profile, as @linkcap/core does', () => {
    const base = { cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce' as const, bytes: 2 ** 28, gpus: 256, scaleUpBidirGBps: 400, nicGbps: 400, tp: 8, pp: 4 };
    const cluster = whatIfCluster(clusterPresets().find((c) => c.id === 'hgx-h800')!, 400, 400);
    const steps = new Map<string, number>();
    for (const profile of PROFILE_IDS) {
      const result = evaluateWhatIf({ ...base, profile });
      if ('error' in result.training) throw new Error(`${profile}: ${result.training.error}`);
      const expected = predictTraining({ model: 'llama3-70b', cluster, gpus: 256, layout: { tp: 8, pp: 4 }, profile });
      expect(result.training.profile).toBe(profile);
      expect(Math.abs(result.training.stepS / expected.stepS - 1), profile).toBeLessThan(1e-9);
      steps.set(profile, result.training.stepS);
    }
    // The profile matters: an ideal overlap is faster than Megatron-Core as configured.
    expect(steps.get('ideal')!).toBeLessThan(steps.get('megatron-core')!);
  });
});

describe('what-if layout sliders', () => {
  it('offer exactly the TP × PP divisor pairs @linkcap/core accepts', () => {
    const cluster = clusterPresets().find((c) => c.id === 'hgx-h800')!;
    for (const model of ['llama3-70b', 'llama3-8b']) {
      const choices = layoutChoices({ cluster: 'hgx-h800', model, gpus: 512, profile: 'megatron-core' });
      let offered = 0;
      for (let tp = 1; tp <= 512; tp *= 2) {
        for (let pp = 1; tp * pp <= 512; pp *= 2) {
          let accepted = true;
          try {
            predictTraining({ model, cluster, gpus: 512, layout: { tp, pp }, profile: 'megatron-core' });
          } catch {
            accepted = false;
          }
          expect(choices.pp.get(tp)?.includes(pp) ?? false, `${model} tp ${tp} pp ${pp}`).toBe(accepted);
          if (accepted) offered += 1;
        }
      }
      expect(offered).toBeGreaterThan(4);
      // No TP past the attention heads (64 in Llama 3 70B, 32 in 8B), no PP past the layers (80, 32).
      const { spec } = listModels().find((m) => m.id === model)!;
      expect(Math.max(...choices.tp)).toBeLessThanOrEqual(spec.heads);
      expect(Math.max(...[...choices.pp.values()].flat())).toBeLessThanOrEqual(spec.layers);
    }
  });

  it('move a saved layout to the nearest one the model accepts', () => {
    const inputs = { cluster: 'hgx-h800', model: 'llama3-70b', op: 'all-reduce' as const, bytes: 1024, gpus: 512, scaleUpBidirGBps: 400, nicGbps: 400, tp: 128, pp: 3, profile: 'megatron-core' as const };
    const snapped = snapLayout(inputs);
    expect(snapped.tp).toBe(64);
    expect(layoutChoices(inputs).pp.get(64)).toContain(snapped.pp);
    expect(nearestChoice([1, 2, 4, 8], 3)).toBe(4);
    expect(nearestChoice([1, 2, 4, 8], 2.8)).toBe(2);
  });

  it('say why there is no layout', () => {
    const choices = layoutChoices({ cluster: 'hgx-h800', model: 'llama3-70b', gpus: 12, profile: 'megatron-core' });
    expect(choices.tp).toEqual([]);
    expect(choices.error).toMatch(/12/);
  });
});
