/**
 * Activation-memory options of published runs (issue 9, "published layouts must fit"): recomputed modules
 * (Megatron-Core's --recompute-modules; DeepSeek-V3 §3.2.3), DeepSeek-V3's FP8 activation cache (§3.3.2), the
 * interleaved schedule's microbatch group (Llama 3 §3.3.2, Megatron-Core's microbatch_group_size_per_vp_stage),
 * the routed experts' FP8 input, and the deepseek-v3 profile that brings the report's techniques together.
 */
import { describe, expect, it } from 'vitest';
import { K, LAYER_COST_SIZE, LayerKind, layerCompute } from '../src/training/compute.js';
import { RECOMPUTE_MODULES, W } from '../src/training/fields.js';
import { layerActivationBytes } from '../src/training/memory.js';
import { resolveModel } from '../src/training/models.js';
import { predictTraining } from '../src/training/predict.js';
import { loadCatalog, resolveCluster } from '../src/catalog/index.js';
import { H100_CHIP } from './training-fixtures.js';
import { packChips } from '../src/training/chip.js';
import { layoutRowFor } from './training-layout-row.js';

const dsv3 = resolveModel('deepseek-v3').row;
const llama = resolveModel('llama3-8b').row;
const chips = packChips([H100_CHIP]);

/** Activation bytes per token of one layer (microbatch 1, cp 1: tokens = seqLen). */
function perToken(w: Float64Array, kind: number, fields: Record<string, number>): number {
  const lay = layoutRowFor(fields);
  const out = new Float64Array(LAYER_COST_SIZE);
  layerActivationBytes(w, 0, lay, 0, kind, out, 0);
  return out[K.fullActBytes] / w[W.seqLen];
}

function backward(w: Float64Array, kind: number, fields: Record<string, number>): { fwd: number; bwd: number } {
  const lay = layoutRowFor(fields);
  const out = new Float64Array(LAYER_COST_SIZE);
  layerCompute(w, 0, chips, 0, lay, 0, kind, out, 0);
  return { fwd: out[K.fwdS], bwd: out[K.bwdS] };
}

const bit = (name: (typeof RECOMPUTE_MODULES)[number]) => 1 << RECOMPUTE_MODULES.indexOf(name);

describe('recomputed modules keep nothing and cost a second forward in backward', () => {
  it('layernorm drops the two norms’ outputs (BF16: 4h per token; FP8: their FP8 copies, 2h)', () => {
    const h = llama[W.hidden];
    expect(perToken(llama, LayerKind.Dense, {}) - perToken(llama, LayerKind.Dense, { recomputeModules: bit('layernorm') })).toBe(4 * h);
    expect(perToken(llama, LayerKind.Dense, { precision: 1 }) - perToken(llama, LayerKind.Dense, { precision: 1, recomputeModules: bit('layernorm') })).toBe(2 * h);
  });

  it('mla_up_proj drops the queries, keys and values (MLA only) and re-runs the up-projection GEMMs in backward', () => {
    const a = dsv3[W.heads];
    const dq = dsv3[W.headDim];
    const dv = dsv3[W.vHeadDim];
    const saved = perToken(dsv3, LayerKind.Moe, {}) - perToken(dsv3, LayerKind.Moe, { recomputeModules: bit('mla_up_proj') });
    expect(saved).toBe(2 * a * dq + 2 * a * (dq + dv));
    expect(perToken(llama, LayerKind.Dense, { recomputeModules: bit('mla_up_proj') })).toBe(perToken(llama, LayerKind.Dense, {}));
    const plain = backward(dsv3, LayerKind.Moe, {});
    const recomputed = backward(dsv3, LayerKind.Moe, { recomputeModules: bit('mla_up_proj') });
    expect(recomputed.fwd).toBe(plain.fwd);
    expect(recomputed.bwd).toBeGreaterThan(plain.bwd);
  });

  it('moe_act drops the routed experts’ activation output; mlp the shared experts (and a dense layer’s FFN)', () => {
    const k = dsv3[W.topK];
    const fe = dsv3[W.expertFfn];
    const base = perToken(dsv3, LayerKind.Moe, {});
    expect(base - perToken(dsv3, LayerKind.Moe, { recomputeModules: bit('moe_act') })).toBe(k * 2 * fe);
    expect(base - perToken(dsv3, LayerKind.Moe, { recomputeModules: bit('mlp') })).toBe(dsv3[W.sharedExperts] * 6 * fe);
    expect(perToken(llama, LayerKind.Dense, {}) - perToken(llama, LayerKind.Dense, { recomputeModules: bit('mlp') })).toBe(6 * llama[W.ffn]);
  });
});

describe('FP8 runs: what the expert path keeps', () => {
  it('a routed copy’s input is kept as an FP8 copy (1 byte per element), as the dense layers’ inputs are', () => {
    const k = dsv3[W.topK];
    const h = dsv3[W.hidden];
    const fe = dsv3[W.expertFfn];
    const bf16 = perToken(dsv3, LayerKind.Moe, {});
    const fp8 = perToken(dsv3, LayerKind.Moe, { precision: 1 });
    // Per token: 2h of norm-output copies, the attention output's extra FP8 copy (+a·dv), routed input h and
    // activation output fe per copy, the shared expert's activation output fe, the latents' norm outputs.
    const a = dsv3[W.heads];
    const latents = dsv3[W.qLoraRank] + dsv3[W.kvLoraRank];
    expect(bf16 - fp8).toBe(2 * h - a * dsv3[W.vHeadDim] + k * (h + fe) + fe + latents);
  });

  it('DeepSeek-V3’s cache keeps the SwiGLU inputs in FP8 and the attention output once in 12 bits', () => {
    const k = dsv3[W.topK];
    const fe = dsv3[W.expertFfn];
    const a = dsv3[W.heads];
    const dv = dsv3[W.vHeadDim];
    const saved = perToken(dsv3, LayerKind.Moe, { precision: 1 }) - perToken(dsv3, LayerKind.Moe, { precision: 1, fp8ActivationCache: 1 });
    expect(saved).toBe((k + dsv3[W.sharedExperts]) * 2 * fe + 1.5 * a * dv);
  });
});

describe('rules and defaults', () => {
  const catalog = loadCatalog();
  const h800 = resolveCluster('deepseek-v3-h800', catalog);
  const layout = { tp: 1, pp: 16, ep: 64, microbatch: 1, globalBatch: 15360, zero: 1 as const, precision: 'fp8' as const };
  const predict = (extra: object) => predictTraining({ model: 'deepseek-v3', cluster: h800, gpus: 2048, engine: 'reference', ...extra });

  it('modules cannot go with full recompute, the cache needs FP8: errors name the field', () => {
    expect(() => predict({ layout: { ...layout, recompute: 'full', recomputeModules: ['layernorm'] } })).toThrow(/recomputeModules: needs recompute none or selective/);
    expect(() => predict({ layout: { ...layout, precision: 'bf16', fp8ActivationCache: true } })).toThrow(/fp8ActivationCache: needs precision fp8/);
    expect(() => predict({ layout: { ...layout, recomputeModules: ['attention'] } })).toThrow(/recomputeModules: "attention": must be one of layernorm, mla_up_proj, moe_act, mlp/);
    expect(() => predict({ layout: { ...layout, microbatchGroup: 0 } })).toThrow(/microbatchGroup/);
  });

  it('the deepseek-v3 profile brings the report’s techniques; the published layout fits with them and not without', () => {
    const own = predict({ layout, profile: 'deepseek-v3' });
    expect(own.layout.recomputeModules).toEqual(['layernorm', 'mla_up_proj', 'moe_act']);
    expect(own.layout.fp8ActivationCache).toBe(true);
    expect(own.overlap.ep).toBe(1);
    expect(own.feasible).toBe(true);
    const megatron = predict({ layout, overlap: { ep: 1 } });
    expect(megatron.feasible).toBe(false);
    expect(own.memory.activationBytes).toBeLessThan(0.5 * megatron.memory.activationBytes);
    // BF16 runs get the modules but not the cache (it caches FP8 GEMM inputs); full recompute gets neither.
    expect(predict({ layout: { ...layout, precision: 'bf16' }, profile: 'deepseek-v3' }).layout.fp8ActivationCache).toBe(false);
    expect(predict({ layout: { ...layout, recompute: 'full' }, profile: 'deepseek-v3' }).layout.recomputeModules).toEqual([]);
  });

  it('a smaller microbatch group keeps fewer interleaved microbatches in flight, at the same step time', () => {
    const cluster = resolveCluster('dgx-h100', catalog);
    const base = { model: 'llama3-405b', cluster, gpus: 8192, engine: 'reference' as const };
    const layout405 = { tp: 8, pp: 16, interleave: 4, globalBatch: 2048, recompute: 'none' as const, zero: 2 as const };
    const standard = predictTraining({ ...base, layout: layout405 });
    const grouped = predictTraining({ ...base, layout: { ...layout405, microbatchGroup: 8 } });
    expect(grouped.layout.microbatchGroup).toBe(8);
    expect(standard.layout.microbatchGroup).toBe(16);
    expect(grouped.memory.activationBytes).toBeLessThan(0.75 * standard.memory.activationBytes);
    expect(grouped.stepS).toBe(standard.stepS);
  });
});
