/** Numeric clusters for unit tests, independent of the catalog (whose numbers have their own tests). */
import type { ClusterParams } from '../src/model/cluster-params.js';

/** An HGX H100-like node: NVSwitch, 370.8 GB/s per direction achievable, one 400G NIC (48 GB/s) per GPU. */
export const SWITCH_NODE: ClusterParams = {
  gpusPerDomain: 8,
  scaleUpTopology: 0,
  scaleUpGBps: 370.8,
  scaleUpHopUs: 0.6,
  inSwitchReduction: 1,
  nvlsEfficiency: 0.75,
  llCapGBps: 141,
  scaleOutGBps: 48,
  scaleOutHopUs: 2.7,
  tierHopUs: 0.45,
  leafDomains: 32,
  oversubscription: 1,
  inNetworkReduction: 0,
  inNetworkEfficiency: 0.9,
  callLatencyUs: 0,
  cudaGraph: 0,
};

export const MESH_NODE: ClusterParams = { ...SWITCH_NODE, scaleUpTopology: 1, scaleUpGBps: 358.4, inSwitchReduction: 0 };
export const RING_NODE: ClusterParams = { ...SWITCH_NODE, scaleUpTopology: 2, inSwitchReduction: 0 };

/** Random but valid cluster rows for property and differential tests (awkward domain sizes and extremes included). */
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
    callLatencyUs: pick([0, 0, random() * 20]),
    cudaGraph: pick([0, 0, 1]),
  };
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
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
