/** Random valid collective batches for the differential test (one PRNG and cluster generator: packages/core/test/fixtures.ts). */
import { allocateInputColumns, AUTO, AUTO_ALL, packClusters } from '@linkcap/core';
import { randomCluster, seededRandom } from '../../packages/core/test/fixtures.js';

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
