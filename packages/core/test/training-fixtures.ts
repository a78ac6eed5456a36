/**
 * Fixtures of the training-model tests, independent of the catalog: an A100 node (DGX A100: NVSwitch,
 * 240 GB/s achievable per direction, one 200G HDR NIC per GPU), an H100 node, chips, and a generator of
 * random valid configurations (shared with the native differential test, test/training-differential.test.ts).
 */
import type { ClusterParams } from '../src/model/cluster-params.js';
import { chipParams, type ChipParams } from '../src/training/chip.js';
import { L, LAYOUT_FIELD_COUNT, W, WORKLOAD_FIELD_COUNT } from '../src/training/fields.js';
import { listModels } from '../src/training/models.js';
import { packChips } from '../src/training/chip.js';
import { packClusters } from '../src/model/cluster-params.js';
import { seededRandom } from './fixtures.js';

export const A100_NODE: ClusterParams = {
  gpusPerDomain: 8,
  scaleUpTopology: 0,
  scaleUpGBps: 240,
  scaleUpHopUs: 0.6,
  inSwitchReduction: 0,
  nvlsEfficiency: 0.75,
  llCapGBps: 87.7,
  scaleOutGBps: 24,
  scaleOutHopUs: 2.7,
  tierHopUs: 0.45,
  leafDomains: 32,
  oversubscription: 1,
  inNetworkReduction: 0,
  inNetworkEfficiency: 0.9,
  callLatencyUs: 0,
  cudaGraph: 0,
};

export const H100_NODE: ClusterParams = { ...A100_NODE, scaleUpGBps: 370.8, inSwitchReduction: 1, llCapGBps: 141, scaleOutGBps: 48 };
export const H800_NODE: ClusterParams = { ...H100_NODE, scaleUpGBps: 164.8 };

export const A100_CHIP: ChipParams = chipParams({ bf16Tflops: 312, memoryGB: 80, memoryTBps: 2.04, architecture: 'ampere', hostLinkBidirGBps: 64 });
export const H100_CHIP: ChipParams = chipParams({ bf16Tflops: 989, fp8Tflops: 1979, memoryGB: 80, memoryTBps: 3.35, architecture: 'hopper' });
export const GB200_CHIP: ChipParams = chipParams({ bf16Tflops: 2500, fp8Tflops: 5000, memoryGB: 186, memoryTBps: 8, architecture: 'blackwell', hostLinkBidirGBps: 900 });

export const A100 = { id: 'test-a100', params: A100_NODE };
export const H100 = { id: 'test-h100', params: H100_NODE };
export const H800 = { id: 'test-h800', params: H800_NODE };

export { seededRandom };

function divisorsOf(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i += 1) if (n % i === 0) out.push(i);
  return out;
}

/**
 * A batch of random configurations over every preset model, four clusters and three chips: layouts drawn so
 * that most are valid (sizes that divide), with random schedules, recompute modes, ZeRO stages, precisions,
 * flags, overlap fractions, partial recompute, activation offload and framework costs. Some come out out-of-memory or invalid, which the differential test also covers.
 */
export function randomTrainingBatch(seed: number, count: number) {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const models = listModels();
  const workloads = new Float64Array(models.length * WORKLOAD_FIELD_COUNT);
  models.forEach((model, i) => workloads.set(model.row, i * WORKLOAD_FIELD_COUNT));
  const clusters = packClusters([A100_NODE, H100_NODE, H800_NODE, { ...H100_NODE, gpusPerDomain: 72, leafDomains: 4, oversubscription: 2 }]);
  const chips = packChips([A100_CHIP, H100_CHIP, GB200_CHIP]);
  const layouts = new Float64Array(count * LAYOUT_FIELD_COUNT);
  for (let row = 0; row < count; row += 1) {
    const o = row * LAYOUT_FIELD_COUNT;
    const wi = Math.floor(random() * models.length);
    const w = models[wi].row;
    const cluster = Math.floor(random() * 4);
    const domain = cluster === 3 ? 72 : 8;
    const heads = w[W.heads];
    const tp = pick(divisorsOf(domain).filter((t) => heads % t === 0 && t <= 16));
    const cp = pick([1, 1, 1, 2, 4].filter((c) => w[W.seqLen] % c === 0));
    const pp = pick([1, 2, 4, 8, 16].filter((p) => p <= w[W.layers]));
    const dp = pick([1, 2, 4, 8, 16, 32, 64]);
    const block = tp * cp * dp;
    const experts = w[W.experts];
    const ep = experts > 0 ? pick(divisorsOf(experts).filter((e) => block % e === 0)) : 1;
    const microbatch = pick([1, 1, 2, 4]);
    const m = pick([1, 2, 4, 8, 16, 32]) * pp;
    const v = pp > 1 && w[W.layers] >= pp * 2 ? pick([1, 1, 2, 3]) : 1;
    layouts[o + L.workload] = wi;
    layouts[o + L.chip] = Math.floor(random() * 3);
    layouts[o + L.cluster] = cluster;
    layouts[o + L.tp] = tp;
    layouts[o + L.pp] = pp;
    layouts[o + L.dp] = dp;
    layouts[o + L.ep] = ep;
    layouts[o + L.cp] = cp;
    layouts[o + L.microbatch] = microbatch;
    layouts[o + L.globalBatch] = m * microbatch * dp;
    layouts[o + L.interleave] = w[W.layers] >= pp * v ? v : 1;
    layouts[o + L.recompute] = pick([0, 1, 2]);
    layouts[o + L.zero] = pick([0, 1, 2, 3]);
    layouts[o + L.precision] = layouts[o + L.chip] >= 1 ? pick([0, 1]) : 0;
    layouts[o + L.commPrecision] = pick([0, 1]);
    layouts[o + L.sequenceParallel] = experts > 0 && tp > 1 ? 1 : pick([0, 1]);
    layouts[o + L.flashAttention] = pick([0, 1]);
    layouts[o + L.tpOverlap] = pick([0, 0.5, 1, -1]);
    layouts[o + L.dpOverlap] = pick([0, 1]);
    layouts[o + L.ppOverlap] = pick([0, 0.5, -1]);
    layouts[o + L.epOverlap] = pick([0, 1]);
    layouts[o + L.cpOverlap] = pick([0, 1]);
    layouts[o + L.overlapSlowdown] = pick([0, 0.1, 0.3]);
    layouts[o + L.gradientBytes] = pick([2, 4]);
    layouts[o + L.recomputeLayers] = pick([0, 1, 2, 3, w[W.layers]]);
    layouts[o + L.offloadLayers] = pick([0, 0, 1, 2, 5]);
    layouts[o + L.offloadOverlap] = pick([0, 0.5, 1]);
    layouts[o + L.launchOverheadS] = pick([0, 5e-6, 2e-5]);
    layouts[o + L.fusedKernels] = pick([0, 1, 1]);
    // Recompute modules (not with full recompute), DeepSeek's FP8 cache (FP8 only), the interleaved group size.
    layouts[o + L.recomputeModules] = layouts[o + L.recompute] === 2 ? 0 : pick([0, 0, 1, 2, 4, 8, 7, 15]);
    layouts[o + L.fp8ActivationCache] = layouts[o + L.precision] === 1 ? pick([0, 1]) : 0;
    layouts[o + L.microbatchGroup] = pick([0, 0, 1, 2, pp, 2 * pp]);
    layouts[o + L.attentionKernel] = pick([0, 1]);
  }
  return { workloads, chips, clusters, layouts, count };
}
