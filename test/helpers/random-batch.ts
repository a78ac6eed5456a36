/** Random valid batches shared by the differential test and the benchmark's sanity check. */
import { allocateInputColumns, AUTO, AUTO_ALL, packClusters, type ClusterParams } from '@linkcap/core';

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomCluster(random: () => number): ClusterParams {
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  return {
    gpusPerDomain: pick([1, 2, 4, 6, 8, 16, 72]),
    scaleUpTopology: pick([0, 1, 2]),
    scaleUpGBps: 10 + random() * 1000,
    scaleUpHopUs: random() * 3,
    inSwitchReduction: pick([0, 1]),
    nvlsEfficiency: 0.3 + random() * 0.7,
    llCapGBps: 10 + random() * 300,
    scaleOutGBps: 1 + random() * 200,
    scaleOutHopUs: random() * 10,
    tierHopUs: random() * 2,
    leafDomains: pick([1, 2, 4, 32, 128]),
    oversubscription: pick([1, 1, 1.5, 2, 4]),
    inNetworkReduction: pick([0, 1]),
    inNetworkEfficiency: 0.5 + random() * 0.5,
  };
}

/** A batch mixing every op, algorithm (forced, auto and best), protocol and awkward GPU counts. */
export function randomBatch(length: number, clusterCount: number, seed: number) {
  const random = seededRandom(seed);
  const clusters = Array.from({ length: clusterCount }, () => randomCluster(random));
  const inputs = allocateInputColumns(length);
  const gpuChoices = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 72, 96, 128, 144, 1000, 1024, 4096, 16384];
  for (let i = 0; i < length; i += 1) {
    inputs.op[i] = Math.floor(random() * 7);
    inputs.bytes[i] = Math.max(1, Math.round(2 ** (random() * 36)));
    inputs.gpus[i] = gpuChoices[Math.floor(random() * gpuChoices.length)];
    inputs.cluster[i] = Math.floor(random() * clusterCount);
    const a = random();
    inputs.algo[i] = a < 0.4 ? AUTO : a < 0.55 ? AUTO_ALL : Math.floor(random() * 8);
    inputs.proto[i] = random() < 0.6 ? AUTO : Math.floor(random() * 3);
  }
  return { packed: packClusters(clusters), inputs };
}
