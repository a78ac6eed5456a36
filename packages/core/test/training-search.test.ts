/** searchLayouts and compareClusters: only valid layouts, infeasible ones reported, ordering, comparison. */
import { describe, expect, it } from 'vitest';
import { compareClusters } from '../src/training/compare.js';
import { predictTraining } from '../src/training/predict.js';
import { divisors, searchLayouts } from '../src/training/search.js';
import { LinkcapInputError } from '../src/validate/errors.js';
import { A100, A100_CHIP, H100, H100_CHIP, H800 } from './training-fixtures.js';

describe('searchLayouts', () => {
  const result = searchLayouts({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 256, top: 8, engine: 'reference' });

  it('counts every configuration as feasible, out of memory or invalid', () => {
    expect(result.evaluated).toBeGreaterThan(500);
    expect(result.feasible + result.outOfMemory + result.invalid).toBe(result.evaluated);
    expect(result.outOfMemory).toBeGreaterThan(0);
  });

  it('returns only feasible, valid layouts, fastest first, one per parallel shape', () => {
    expect(result.best.length).toBe(8);
    const keys = new Set<string>();
    let previous = 0;
    for (const p of result.best) {
      expect(p.feasible).toBe(true);
      expect(p.status).toBe('ok');
      const l = p.layout;
      expect(l.tp * l.pp * l.dp * l.cp).toBe(256);
      expect(64 % l.tp).toBe(0);
      expect(l.globalBatch % (l.microbatch * l.dp)).toBe(0);
      expect(p.memory.totalBytes).toBeLessThanOrEqual(p.memory.usableBytes);
      expect(p.stepS).toBeGreaterThanOrEqual(previous);
      previous = p.stepS;
      const key = [l.tp, l.pp, l.dp, l.ep, l.cp, l.microbatch, l.interleave].join(',');
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    }
  });

  it('each result re-evaluates to the same prediction through predictTraining', () => {
    const top = result.best[0];
    const again = predictTraining({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 256, layout: top.layout, engine: 'reference' });
    expect(again.stepS).toBe(top.stepS);
    expect(again.memory.totalBytes).toBe(top.memory.totalBytes);
  });

  it('reports faster layouts that do not fit as infeasible', () => {
    for (const p of result.fastestInfeasible) {
      expect(p.feasible).toBe(false);
      expect(p.status).toBe('out of memory');
      expect(p.stepS).toBeLessThan(result.best[0].stepS);
    }
  });

  it('the space narrows the search', () => {
    const narrow = searchLayouts({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 256, space: { tp: [8], pp: [4] }, engine: 'reference' });
    for (const p of narrow.best) {
      expect(p.layout.tp).toBe(8);
      expect(p.layout.pp).toBe(4);
    }
    expect(narrow.evaluated).toBeLessThan(result.evaluated);
  });

  it('MoE models search expert parallelism', () => {
    const moe = searchLayouts({ model: 'mixtral-8x7b', cluster: H100, chip: H100_CHIP, gpus: 64, engine: 'reference', top: 20 });
    expect(moe.best.some((p) => p.layout.ep > 1)).toBe(true);
    for (const p of moe.best) expect(8 % p.layout.ep).toBe(0);
  });

  it('with nothing that fits it says so (no layout is silently dropped)', () => {
    const none = searchLayouts({ model: 'llama3-405b', cluster: A100, chip: A100_CHIP, gpus: 8, engine: 'reference' });
    expect(none.best).toEqual([]);
    expect(none.outOfMemory).toBeGreaterThan(0);
    expect(none.fastestInfeasible.length).toBeGreaterThan(0);
    expect(none.noLayoutReason).toBeUndefined();
  });

  it('says why nothing could be evaluated, by the constraint that emptied the search', () => {
    const reason = (request: Partial<Parameters<typeof searchLayouts>[0]>) =>
      searchLayouts({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 64, engine: 'reference', ...request }).noLayoutReason;
    expect(reason({ space: { tp: [3] } })).toMatch(/^no tensor-parallel size tp ∈ 3 times context-parallel size cp ∈ \{1, 2, 4, 8\} divides the 64 GPUs/);
    expect(reason({ gpus: 8, space: { tp: [8], pp: [8] } })).toMatch(/^no pipeline size pp ∈ 8 divides/);
    // 2^31 GPUs: the divisors come from the factorisation, so this answers at once instead of trying 2^31 integers.
    const huge = searchLayouts({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 2 ** 31, engine: 'reference' });
    expect(huge.evaluated).toBe(0);
    expect(huge.noLayoutReason).toMatch(/global batch of \d+ sequences cannot be split over the data-parallel ranks/);
    const invalid = searchLayouts({ model: 'llama3-70b', cluster: H100, chip: H100_CHIP, gpus: 1024, space: { tp: [128] }, engine: 'reference' });
    expect(invalid.evaluated).toBeGreaterThan(0);
    expect(invalid.noLayoutReason).toMatch(/^all \d+ layouts break a rule .*tp: 128: must divide the attention heads \(64\)/);
    expect(reason({})).toBeUndefined();
  });

  it('searches models with sequences shorter than 1024 tokens (cp = 1 is always a candidate)', () => {
    const tiny = { id: 'tiny', name: 'Tiny', layers: 2, hidden: 128, ffn: 512, heads: 2, vocab: 1000, seqLen: 128 };
    const r = searchLayouts({ model: tiny, cluster: H100, chip: H100_CHIP, gpus: 64, engine: 'reference' });
    expect(r.feasible).toBeGreaterThan(0);
    expect(r.best[0].layout.cp).toBe(1);
  });

  it('rejects a bad space naming the field', () => {
    expect(() => searchLayouts({ model: 'llama3-8b', cluster: H100, chip: H100_CHIP, gpus: 8, space: { tp: [0] } })).toThrow(LinkcapInputError);
    expect(() => searchLayouts({ model: 'llama3-8b', cluster: H100, chip: H100_CHIP, gpus: 8, space: { tp: [0] } })).toThrow(/space\.tp/);
    expect(() => searchLayouts({ model: 'llama3-8b', cluster: H100, chip: H100_CHIP, gpus: 8, top: 0 })).toThrow(/top/);
  });
});

describe('divisors', () => {
  it('equals trial division for 1 … 2000 and handles large primes and powers of two', () => {
    for (let n = 1; n <= 2000; n += 1) {
      const slow = Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
      expect(divisors(n)).toEqual(slow);
    }
    expect(divisors(2 ** 31)).toEqual(Array.from({ length: 32 }, (_, k) => 2 ** k));
    expect(divisors(2147483647)).toEqual([1, 2147483647]); // prime
    expect(divisors(2 ** 31 - 2)).toHaveLength(192);
  });
});

describe('compareClusters', () => {
  it('best per cluster, the baseline layout everywhere, and slowdowns against the baseline', () => {
    const result = compareClusters({
      model: 'llama3-70b',
      clusters: [
        { ...H100, chip: { id: 'h100', bf16Tflops: 989, fp8Tflops: 1979, memoryGB: 80, memoryTBps: 3.35 } },
        { ...H800, chip: { id: 'h800', bf16Tflops: 989, fp8Tflops: 1979, memoryGB: 80, memoryTBps: 3.35 } },
      ],
      gpus: 128,
      engine: 'reference',
    });
    expect(result.baseline).toBe('test-h100');
    const [base, capped] = result.clusters;
    expect(base.slowdownBest).toBe(1);
    expect(base.slowdownSameLayout).toBeCloseTo(1, 12);
    expect(capped.slowdownSameLayout).toBeGreaterThanOrEqual(1);
    // Re-tuning on the capped cluster can only help (or tie).
    expect(capped.slowdownBest).toBeLessThanOrEqual(capped.slowdownSameLayout + 1e-12);
    expect(capped.sameLayout!.layout).toEqual(base.best!.layout);
  });

  it('needs two clusters', () => {
    expect(() => compareClusters({ model: 'llama3-8b', clusters: [H100], gpus: 8 })).toThrow(/clusters/);
  });
});
