/**
 * The physics of the compute model by operation class, the implementation profiles and the memory options
 * (partial recompute, activation offload, the runtime reserve): each test names the effect it checks.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../src/catalog/builtin.js';
import { applyDocument, checkCatalog } from '../src/catalog/merge.js';
import { resolveClusterId, resolveClusterSpec } from '../src/catalog/resolve-cluster.js';
import { validateCatalogDocument } from '../src/catalog/validate-catalog.js';
import { chipParams } from '../src/training/chip.js';
import { gemmTimeS } from '../src/training/compute.js';
import { predictTraining, type TrainingRequest } from '../src/training/predict.js';
import { PROFILES } from '../src/training/profiles.js';
import type { TrainingLayoutInput } from '../src/training/request.js';
import type { WorkloadSpec } from '../src/training/workload.js';
import { searchLayouts } from '../src/training/search.js';
import { resolveModel } from '../src/training/models.js';

const resolveModelSpec = (id: string): WorkloadSpec => ({ ...resolveModel(id).spec });

const catalog = builtinCatalog();
const h100 = resolveClusterId('dgx-h100', catalog);
const gb200 = resolveClusterId('gb200-nvl72', catalog);

function predict(request: Partial<TrainingRequest>) {
  return predictTraining({ model: 'llama3-70b', cluster: h100, gpus: 64, engine: 'reference', ...request } as TrainingRequest);
}

const NEMO_70B = { tp: 4, pp: 4, interleave: 5, globalBatch: 128, recompute: 'none' as const };

describe('GEMMs: efficiency depends on shape', () => {
  const rate = 989e12 * 0.67;
  const bandwidth = 3.35e12 * 0.8;
  const efficiency = (m: number, n: number, k: number) => (2 * m * n * k) / gemmTimeS(m, n, k, rate, 2, 2, bandwidth) / rate;
  it('a large square GEMM reaches nearly the full efficiency; smaller and skinny ones reach less', () => {
    const large = efficiency(8192, 8192, 8192);
    expect(large).toBeGreaterThan(0.95);
    expect(efficiency(2048, 2048, 2048)).toBeLessThan(large);
    // A short reduction with a large output is bound by its epilogue.
    expect(efficiency(8192, 8192, 256)).toBeLessThan(0.7);
    // A handful of tokens (decode-like, or a sparsely routed expert) is bound by reading the weights.
    expect(efficiency(16, 8192, 8192)).toBeLessThan(0.1);
  });
});

describe('FP8 as real runs do it', () => {
  it('gains far less than the 2× peak ratio: only the linear GEMMs run in FP8, and they pay their casts', () => {
    const bf16 = predict({ layout: NEMO_70B, profile: 'nemo' });
    const fp8 = predict({ layout: { ...NEMO_70B, precision: 'fp8' }, profile: 'nemo' });
    const gain = fp8.tokensPerS / bf16.tokensPerS;
    expect(gain).toBeGreaterThan(1.15);
    expect(gain).toBeLessThan(1.6);
  });

  it('attention stays in BF16: its time does not change with the GEMM precision', () => {
    // A long sequence on one GPU makes attention the larger part; FP8 then gains even less.
    const model = { id: 'long', layers: 8, hidden: 4096, ffn: 14336, activation: 'swiglu' as const, heads: 32, kvHeads: 8, vocab: 32000, seqLen: 65536 };
    const layout = { cp: 8, globalBatch: 8, recompute: 'none' as const };
    const bf16 = predict({ model, gpus: 8, layout });
    const fp8 = predict({ model, gpus: 8, layout: { ...layout, precision: 'fp8' } });
    expect(fp8.tokensPerS / bf16.tokensPerS).toBeLessThan(1.15);
  });
});

describe('fused attention', () => {
  const base = { id: 'att', layers: 4, hidden: 4096, ffn: 16384, heads: 32, vocab: 32000, seqLen: 32768 };
  const computeOf = (model: WorkloadSpec, layout: TrainingLayoutInput = {}) =>
    predict({ model, gpus: 8, layout: { globalBatch: 8, recompute: 'none', ...layout } }).breakdown.computeS;
  it('long sequences make attention dominate: compute per token grows with the sequence', () => {
    const short = computeOf({ ...base, seqLen: 4096 }, { globalBatch: 64 });
    const long = computeOf(base);
    expect(long / short).toBeGreaterThan(1.5);
  });
  it('attention dropout costs random numbers per score element', () => {
    expect(computeOf({ ...base, dropout: true })).toBeGreaterThan(computeOf(base) * 1.05);
  });
  it('context parallelism splits the attention work, but each ring step runs on a shorter key block', () => {
    const one = predict({ model: base, gpus: 8, layout: { globalBatch: 8, recompute: 'none' } });
    const cp8 = predict({ model: base, gpus: 8, layout: { cp: 8, globalBatch: 1, recompute: 'none' } });
    // Same tokens per GPU-step on both; the CP run pays shorter kernels (and its KV exchange).
    expect(cp8.breakdown.computeS).toBeGreaterThan(one.breakdown.computeS / 8);
  });
});

describe('implementation profiles', () => {
  it('megatron-core hides (t − 1)/t of the TP traffic, torchtitan none; an explicit flag overrides', () => {
    expect(predict({ layout: { tp: 8 } }).overlap.tp).toBeCloseTo(7 / 8, 12);
    expect(predict({ layout: { tp: 4 } }).overlap.tp).toBeCloseTo(3 / 4, 12);
    expect(predict({ layout: { tp: 8 }, profile: 'torchtitan-fsdp2' }).overlap.tp).toBe(0);
    expect(predict({ layout: { tp: 8 }, overlap: { tp: 0.3 } }).overlap.tp).toBe(0.3);
  });

  it('sets the ZeRO stage, gradient precision, kernels and launch cost, each overridable', () => {
    const titan = predict({ profile: 'torchtitan-fsdp2', layout: { tp: 8 } });
    expect(titan.layout.zero).toBe(3);
    expect(titan.framework).toEqual({ gradientBytes: 4, launchOverheadUs: PROFILES['torchtitan-fsdp2'].launchOverheadUs, fusedKernels: false, attentionKernel: 'fa2' });
    const graphs = predict({ profile: 'torchtitan-fsdp2', layout: { tp: 8 }, framework: { cudaGraph: true, fusedKernels: true, gradientBytes: 2, attentionKernel: 'cudnn' } });
    expect(graphs.framework).toEqual({ gradientBytes: 2, launchOverheadUs: 0, fusedKernels: true, attentionKernel: 'cudnn' });
    expect(graphs.stepS).toBeLessThan(titan.stepS);
    expect(predict({}).framework.attentionKernel).toBe('cudnn');
    expect(() => predict({ framework: { attentionKernel: 'fa3' as never } })).toThrow(/framework\.attentionKernel.*cudnn, fa2/);
  });

  it('FlashAttention-2 slows only the attention core, by the architecture\'s FA2 scale (Hopper < 1, Ampere 1)', () => {
    // Long sequence with context parallelism: the attention core dominates.
    const base = { model: 'llama3-8b', gpus: 8, layout: { cp: 8, microbatch: 1, globalBatch: 1 } as TrainingLayoutInput };
    const long = (attentionKernel: 'cudnn' | 'fa2', cluster = h100) =>
      predictTraining({ ...base, model: { ...resolveModelSpec('llama3-8b'), seqLen: 262144 }, cluster, engine: 'reference', framework: { attentionKernel } });
    const cudnn = long('cudnn');
    const fa2 = long('fa2');
    expect(fa2.breakdown.computeS).toBeGreaterThan(cudnn.breakdown.computeS * 1.4);
    expect(fa2.breakdown.computeS).toBeLessThan(cudnn.breakdown.computeS / 0.57);
    expect(fa2.breakdown.tpS + fa2.breakdown.dpS).toBeCloseTo(cudnn.breakdown.tpS + cudnn.breakdown.dpS, 9);
    const a100 = resolveClusterId('dgx-a100', catalog);
    expect(long('fa2', a100).stepS).toBe(long('cudnn', a100).stepS);
  });

  it('eager PyTorch kernels move more bytes than fused ones', () => {
    const fused = predict({ model: 'llama3-8b', gpus: 8, layout: { globalBatch: 8 }, framework: { fusedKernels: true } });
    const eager = predict({ model: 'llama3-8b', gpus: 8, layout: { globalBatch: 8 }, framework: { fusedKernels: false } });
    expect(eager.breakdown.computeS).toBeGreaterThan(fused.breakdown.computeS * 1.03);
  });

  it('--best uses the profile, not perfect overlap: the ideal profile is an upper bound', () => {
    const request = { model: 'llama3-70b', cluster: h100, gpus: 64, globalBatch: 64, engine: 'reference' as const, top: 1 };
    const real = searchLayouts({ ...request, space: { tp: [8], pp: [2], microbatch: [1] } });
    const ideal = searchLayouts({ ...request, space: { tp: [8], pp: [2], microbatch: [1] }, profile: 'ideal' });
    expect(real.profile).toBe('megatron-core');
    expect(real.best[0].overlap.tp).toBeCloseTo(7 / 8, 12);
    expect(ideal.best[0].stepS).toBeLessThan(real.best[0].stepS);
    // megatron-core offers ZeRO 0 and 1 (distributed optimizer), not FSDP.
    expect(real.evaluated).toBe(ideal.evaluated / 2);
  });
});

describe('memory: partial recompute, offload, runtime reserve', () => {
  const layout = { tp: 8, pp: 2, globalBatch: 64, recompute: 'full' as const };
  it('recomputing some layers of each chunk lies between none and all, in memory and in time', () => {
    const none = predict({ layout: { ...layout, recompute: 'none' } });
    const all = predict({ layout });
    const some = predict({ layout: { ...layout, recomputeLayers: 20 } });
    expect(predict({ layout: { ...layout, recomputeLayers: 80 } }).stepS).toBe(all.stepS);
    expect(some.memory.activationBytes).toBeLessThan(none.memory.activationBytes);
    expect(some.memory.activationBytes).toBeGreaterThan(all.memory.activationBytes);
    expect(some.stepS).toBeGreaterThan(none.stepS);
    expect(some.stepS).toBeLessThan(all.stepS);
    expect(some.hardwareFlopsPerStep).toBeGreaterThan(none.hardwareFlopsPerStep);
    expect(some.hardwareFlopsPerStep).toBeLessThan(all.hardwareFlopsPerStep);
  });

  it('offloaded activations leave the GPU for host memory; the copies hide behind compute on a fast host link', () => {
    const noOffload = { tp: 4, pp: 2, globalBatch: 64, recompute: 'none' as const };
    const kept = predict({ cluster: gb200, gpus: 72, model: 'llama3-70b', layout: { ...noOffload, tp: 4, pp: 2, dp: 9, globalBatch: 72 } });
    const off = predict({ cluster: gb200, gpus: 72, model: 'llama3-70b', layout: { ...noOffload, tp: 4, pp: 2, dp: 9, globalBatch: 72, offloadLayers: 30 } });
    expect(off.memory.offloadedBytes).toBeGreaterThan(0);
    expect(off.memory.activationBytes).toBeLessThan(kept.memory.activationBytes);
    // NVLink-C2C (450 GB/s each way) hides the copies; H100's PCIe Gen5 does not.
    expect(off.breakdown.offloadS).toBe(0);
    const pcie = predict({ layout: { ...noOffload, offloadLayers: 30 } });
    expect(pcie.breakdown.offloadS).toBeGreaterThan(0);
    expect(pcie.breakdown.offloadS / pcie.stepS).toBeLessThan(1);
  });

  it('a step may use (memory − runtime reserve) × usable fraction', () => {
    const p = predict({ layout: { tp: 8 } });
    const chip = chipParams({ bf16Tflops: 989, memoryGB: 80, memoryTBps: 3.35, architecture: 'hopper' });
    expect(p.memory.usableBytes).toBe((chip.memoryBytes - chip.memoryReserveBytes) * chip.usableMemoryFraction);
    expect(p.memory.usableBytes).toBeLessThan(p.memory.capacityBytes);
  });
});

describe('calibration as catalog data', () => {
  it('every training constant of every architecture names a source; unconfirmed ones say so', () => {
    const table = catalog.defaults.trainingArchitectures;
    expect(Object.keys(table)).toEqual(expect.arrayContaining(['ampere', 'hopper', 'blackwell', 'cdna3', 'other']));
    for (const [arch, entry] of Object.entries(table)) {
      for (const [key, figure] of Object.entries(entry)) {
        expect(catalog.sources.has(figure.source) || figure.source === 'assumption', `${arch}.${key}: ${figure.source}`).toBe(true);
        expect(figure.note, `${arch}.${key}`).toBeTruthy();
      }
    }
  });

  it('a user catalog overrides an architecture’s constants, and predictions follow', () => {
    const doc = validateCatalogDocument({ defaults: { trainingArchitectures: { hopper: { gemmEfficiency: 0.5 } } } }, 'user.yaml');
    const mine = applyDocument(catalog, { ...doc, origin: 'user.yaml' });
    checkCatalog(mine, resolveClusterSpec);
    const slower = resolveClusterId('dgx-h100', mine);
    expect(predict({ cluster: slower, layout: { tp: 8 } }).stepS).toBeGreaterThan(predict({ layout: { tp: 8 } }).stepS);
  });
});
