/** Parameter and FLOP counts against published figures and Megatron-LM's closed forms; model validation. */
import { describe, expect, it } from 'vitest';
import { W } from '../src/training/fields.js';
import { listModels, parseModels, resolveModel } from '../src/training/models.js';
import { countParameters, forwardFlopsPerToken, layerForwardFlopsPerToken, normaliseWorkload } from '../src/training/workload.js';
import { LinkcapInputError } from '../src/validate/errors.js';

function counts(id: string) {
  return countParameters(resolveModel(id).row);
}

describe('parameter counts', () => {
  it.each([
    ['gpt3-175b', 175e9, 0.03],
    ['llama3-8b', 8.03e9, 0.03],
    ['llama3-70b', 70.6e9, 0.03],
    ['llama3-405b', 405e9, 0.03],
    ['llama1-65b', 65.2e9, 0.03],
    ['mixtral-8x7b', 46.7e9, 0.03],
    ['deepseek-v3', 671e9, 0.03],
  ])('%s has its published total within %s', (id, published, tolerance) => {
    expect(Math.abs(counts(id).total / published - 1)).toBeLessThan(tolerance);
  });

  it('MoE active parameters: Mixtral 12.9B, DeepSeek-V3 37B', () => {
    expect(counts('mixtral-8x7b').active / 12.9e9).toBeCloseTo(1, 1);
    expect(Math.abs(counts('deepseek-v3').active / 37e9 - 1)).toBeLessThan(0.03);
  });

  it('every preset with a published count is within 3% of it', () => {
    for (const model of listModels()) {
      const published = model.publishedParams?.total;
      if (!published) continue;
      const ratio = countParameters(model.row).total / published;
      expect(Math.abs(ratio - 1), `${model.id}: ${ratio}`).toBeLessThan(0.03);
    }
  });

  it('GPT shapes follow Megatron-LM: P = 12 l h² (1 + 13/(12h) + (V + s)/(12 l h)) plus the final norm', () => {
    for (const id of ['megatron-1.7b', 'megatron-18.4b', 'megatron-1t', 'gpt3-175b']) {
      const w = resolveModel(id).row;
      const l = w[W.layers];
      const h = w[W.hidden];
      const V = w[W.vocab];
      const s = w[W.seqLen];
      const megatron = 12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h));
      expect(countParameters(w).total).toBeCloseTo(megatron + 2 * h, -1);
    }
  });
});

describe('FLOPs', () => {
  it('model FLOPs per token = 72 l h² (1 + s/(6h) + V/(12 l h)) / s … Megatron-LM without recompute', () => {
    for (const id of ['megatron-1.7b', 'megatron-145.6b', 'gpt3-175b']) {
      const w = resolveModel(id).row;
      const l = w[W.layers];
      const h = w[W.hidden];
      const V = w[W.vocab];
      const s = w[W.seqLen];
      const perToken = 72 * l * h * h * (1 + s / (6 * h) + V / (12 * l * h));
      expect(3 * forwardFlopsPerToken(w, 0)).toBeCloseTo(perToken, -3);
      // With full recompute (4 passes over the layers): Megatron's 96 B s l h² (1 + s/(6h) + V/(16 l h)).
      const recompute = 96 * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
      expect(3 * forwardFlopsPerToken(w, 0) + layerForwardFlopsPerToken(w, 0)).toBeCloseTo(recompute, -3);
    }
  });

  it('dense models: about 6 × parameters per token plus attention (Transformer Math 101)', () => {
    const w = resolveModel('llama3-70b').row;
    const c = countParameters(w);
    const attention = 3 * 2 * w[W.layers] * w[W.seqLen] * w[W.heads] * 2 * w[W.headDim];
    const ratio = (3 * forwardFlopsPerToken(w, 0)) / (6 * c.total + attention);
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.01);
  });

  it('MoE models count activated parameters (6 × 37B per token for DeepSeek-V3, plus attention)', () => {
    const w = resolveModel('deepseek-v3').row;
    const perToken = 3 * forwardFlopsPerToken(w, 0);
    const sixN = 6 * countParameters(w).active;
    expect(perToken / sixN).toBeGreaterThan(1);
    expect(perToken / sixN).toBeLessThan(1.3);
  });
});

describe('user models', () => {
  it('reads YAML and fills defaults', () => {
    const [model] = parseModels('id: tiny\nlayers: 4\nhidden: 256\nffn: 1024\nheads: 4\nvocab: 1000\nseqLen: 512\n');
    expect(model.id).toBe('tiny');
    expect(model.row[W.kvHeads]).toBe(4);
    expect(model.row[W.headDim]).toBe(64);
  });

  it('reads JSON lists', () => {
    const models = parseModels(JSON.stringify({ models: [{ id: 'a', layers: 2, hidden: 64, ffn: 128, heads: 2, vocab: 10, seqLen: 8 }, { id: 'b', layers: 2, hidden: 64, ffn: 128, heads: 2, vocab: 10, seqLen: 8 }] }));
    expect(models.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it.each([
    [{ layers: 0, hidden: 64, ffn: 128, heads: 2, vocab: 10, seqLen: 8 }, 'model.layers'],
    [{ layers: 2, hidden: 64, ffn: 128, heads: 3, vocab: 10, seqLen: 8 }, 'model.headDim'],
    [{ layers: 2, hidden: 64, ffn: 128, heads: 4, kvHeads: 3, vocab: 10, seqLen: 8 }, 'model.kvHeads'],
    [{ layers: 2, hidden: 64, heads: 4, vocab: 10, seqLen: 8 }, 'model.ffn'],
    [{ layers: 2, hidden: 64, ffn: 128, heads: 4, vocab: 10, seqLen: 8, activation: 'relu' }, 'model.activation'],
    [{ layers: 2, hidden: 64, ffn: 128, heads: 4, vocab: 10, seqLen: 8, moe: { experts: 8, topK: 9, expertFfn: 64 } }, 'model.moe.topK'],
    [{ layers: 2, hidden: 64, ffn: 128, heads: 4, vocab: 10, seqLen: 8, hidden2: 3 }, 'model.hidden2'],
  ])('rejects %j naming %s', (spec, field) => {
    try {
      normaliseWorkload(spec);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LinkcapInputError);
      expect((error as LinkcapInputError).field).toBe(field);
      expect((error as Error).message).toMatch(/must|required|unknown/);
    }
  });

  it('unknown preset names the presets', () => {
    expect(() => resolveModel('no-such-model')).toThrow(/not a preset .*llama3-70b/);
  });
});
