import { describe, expect, it } from 'vitest';
import { emptyResult, evaluateCandidate, evaluatePoint, placeGpus } from '../src/model/collective.js';
import { ineligibilityReason } from '../src/model/eligibility.js';
import { AlgoCode, AUTO, AUTO_ALL, NCCL_ALGORITHM, OpCode, PointStatus, ProtoCode } from '../src/model/enums.js';
import { MESH_NODE, RING_NODE, SWITCH_NODE, randomCluster, seededRandom } from './fixtures.js';

const GiB = 2 ** 30;

function run(cluster = SWITCH_NODE, op: number, bytes: number, gpus: number, algo = AUTO, proto = AUTO) {
  const out = emptyResult();
  evaluatePoint(cluster, op, bytes, gpus, algo, proto, out);
  return out;
}

describe('collective model (TypeScript reference)', () => {
  it('ring all-reduce inside one switch domain reaches the scale-up bandwidth as bus bandwidth', () => {
    const r = run(SWITCH_NODE, OpCode.AllReduce, 16 * GiB, 8, AlgoCode.Ring, ProtoCode.Simple);
    expect(r.status).toBe(PointStatus.Ok);
    expect(r.busbwGBps).toBeGreaterThan(370.8 * 0.999);
    expect(r.busbwGBps).toBeLessThan(370.8);
    // Each GPU sends 2(n−1)/n of the buffer over NVLink and nothing over the network.
    expect(r.scaleUpBytes).toBeCloseTo((2 * 7 * 16 * GiB) / 8, 0);
    expect(r.scaleOutBytes).toBe(0);
  });

  it('NVLS all-reduce moves S per GPU at nvlsEfficiency of the link, so busbw exceeds the link rate', () => {
    const r = run(SWITCH_NODE, OpCode.AllReduce, 16 * GiB, 8, AlgoCode.Nvls, ProtoCode.Simple);
    // At 16 GiB the pipeline fill (two loops of 16 MiB) costs 0.2%: algbw is within 0.5% of the link share.
    expect(r.algbwGBps / (370.8 * 0.75)).toBeGreaterThan(0.995);
    expect(r.algbwGBps).toBeLessThan(370.8 * 0.75);
    expect(r.busbwGBps).toBeGreaterThan(370.8);
    expect(run(SWITCH_NODE, OpCode.AllReduce, 16 * GiB, 8).algo).toBe(AlgoCode.Nvls);
  });

  it('across domains the ring is limited by the NICs of a domain, g × per-GPU scale-out', () => {
    const slowNic = { ...SWITCH_NODE, scaleOutGBps: 24, inSwitchReduction: 0, scaleUpGBps: 240 };
    const r = run(slowNic, OpCode.AllReduce, 16 * GiB, 16, AlgoCode.Ring, ProtoCode.Simple);
    expect(r.busbwGBps).toBeCloseTo(8 * 24, 0);
    expect(r.scaleOutBytes).toBeCloseTo(r.scaleUpBytes / 7, 0);
  });

  it('oversubscription slows traffic only once it leaves one leaf', () => {
    const over = { ...SWITCH_NODE, leafDomains: 4, oversubscription: 2, inSwitchReduction: 0 };
    const inside = run(over, OpCode.AllToAll, GiB, 32);
    const beyond = run(over, OpCode.AllToAll, GiB, 64);
    const flat = run({ ...over, oversubscription: 1 }, OpCode.AllToAll, GiB, 64);
    expect(inside.status).toBe(0);
    expect(beyond.timeS / flat.timeS).toBeGreaterThan(1.8);
  });

  it('tiny messages pick a low-latency protocol and large ones Simple', () => {
    expect(run(SWITCH_NODE, OpCode.AllReduce, 8, 8).proto).toBe(ProtoCode.LL);
    expect(run(SWITCH_NODE, OpCode.AllGather, 4 * GiB, 8).proto).toBe(ProtoCode.Simple);
  });

  it('GPU counts that do not fit the domains give a status, not a number', () => {
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 12).status).toBe(PointStatus.BadGpuCount);
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 1).status).toBe(PointStatus.BadGpuCount);
    expect(Number.isNaN(run(SWITCH_NODE, OpCode.AllReduce, GiB, 12).timeS)).toBe(true);
  });

  it('forced algorithms follow eligibility: NVLS only on reducing switches, tree only for all-reduce', () => {
    expect(run(MESH_NODE, OpCode.AllReduce, GiB, 8, AlgoCode.Nvls, AUTO).status).toBe(PointStatus.NoEligibleAlgorithm);
    expect(run(SWITCH_NODE, OpCode.AllGather, GiB, 8, AlgoCode.Tree, AUTO).status).toBe(PointStatus.NoEligibleAlgorithm);
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 8, AlgoCode.NvlsTree, AUTO).status).toBe(PointStatus.NoEligibleAlgorithm);
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 16, AlgoCode.NvlsTree, AUTO).status).toBe(PointStatus.Ok);
  });

  it('a ring on a full mesh uses 6 of 7 links; all-to-all on a mesh uses all of them', () => {
    const ring = run(MESH_NODE, OpCode.AllReduce, 16 * GiB, 8, AlgoCode.Ring, ProtoCode.Simple);
    expect(ring.busbwGBps).toBeCloseTo((358.4 * 6) / 7, 0);
    const a2a = run(MESH_NODE, OpCode.AllToAll, 16 * GiB, 8, AlgoCode.Direct, ProtoCode.Simple);
    expect(a2a.busbwGBps).toBeCloseTo(358.4, 0);
    const ringA2a = run(RING_NODE, OpCode.AllToAll, 16 * GiB, 8, AlgoCode.Direct, ProtoCode.Simple);
    expect(ringA2a.busbwGBps).toBeCloseTo(370.8 * ((4 * 7) / 64), 0);
  });

  it('auto returns the fastest eligible NCCL pair, best the fastest of all, and best is never slower', () => {
    const random = seededRandom(7);
    const scratch = emptyResult();
    for (let trial = 0; trial < 2000; trial += 1) {
      const cluster = randomCluster(random);
      const op = Math.floor(random() * 7);
      const gpus = [2, 4, 8, 16, 24, 64, 144, 1024][Math.floor(random() * 8)];
      const bytes = 2 ** Math.floor(random() * 34);
      const auto = run(cluster, op, bytes, gpus);
      const best = run(cluster, op, bytes, gpus, AUTO_ALL);
      const placement = placeGpus(cluster, gpus);
      if (placement === null) {
        expect(auto.status).toBe(PointStatus.BadGpuCount);
        continue;
      }
      let fastest = Infinity;
      let fastestNccl = Infinity;
      for (let a = 0; a < 8; a += 1) {
        for (let p = 0; p < 3; p += 1) {
          const eligible = evaluateCandidate(cluster, placement, op, bytes, a, p, scratch);
          // The explanation table must agree with the pricing rules.
          expect(ineligibilityReason(cluster, placement, op, a, p) === null).toBe(eligible);
          if (!eligible) continue;
          fastest = Math.min(fastest, scratch.timeS);
          if (NCCL_ALGORITHM[a]) fastestNccl = Math.min(fastestNccl, scratch.timeS);
        }
      }
      expect(best.timeS).toBe(fastest);
      if (auto.status === PointStatus.Ok) expect(auto.timeS).toBe(fastestNccl);
      if (auto.status === PointStatus.Ok) expect(best.timeS).toBeLessThanOrEqual(auto.timeS);
    }
  });

  it('in-network reduction runs only where the cluster declares it, sending each GPU’s shard once', () => {
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 64, AlgoCode.InNetwork, ProtoCode.Simple).status).toBe(PointStatus.NoEligibleAlgorithm);
    const sharp = { ...SWITCH_NODE, inNetworkReduction: 1 };
    expect(run(sharp, OpCode.AllReduce, GiB, 8, AlgoCode.InNetwork, ProtoCode.Simple).status).toBe(PointStatus.NoEligibleAlgorithm);
    const r = run(sharp, OpCode.AllReduce, GiB, 64, AlgoCode.InNetwork, ProtoCode.Simple);
    expect(r.scaleOutBytes).toBe(GiB / 8);
    // Half the network bytes of a ring across domains: the ring sends 2(n−1)/n × S / g per GPU.
    const ring = run(sharp, OpCode.AllReduce, GiB, 64, AlgoCode.Ring, ProtoCode.Simple);
    expect(ring.scaleOutBytes / r.scaleOutBytes).toBeCloseTo((2 * 63) / 64, 9);
  });

  it('recursive halving/doubling needs powers of two and pushes half the buffer through one NIC first', () => {
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 24, AlgoCode.Rhd, AUTO).status).toBe(PointStatus.NoEligibleAlgorithm);
    expect(run(MESH_NODE, OpCode.AllReduce, GiB, 8, AlgoCode.Rhd, AUTO).status).toBe(PointStatus.NoEligibleAlgorithm);
    const r = run(SWITCH_NODE, OpCode.AllReduce, GiB, 16, AlgoCode.Rhd, ProtoCode.Simple);
    // Two domains: S(N−1)/N = S/2 each way per phase, two phases.
    expect(r.scaleOutBytes).toBe(GiB);
    // Latency-bound small messages favour it over the ring on one switch (log2 n steps vs 2(n−1)).
    const small = run(SWITCH_NODE, OpCode.AllReduce, 1024, 8, AUTO_ALL, AUTO);
    expect(small.algo).toBe(AlgoCode.Rhd);
  });

  it('time grows with message size and busbw approaches a plateau', () => {
    let previous = 0;
    for (let bytes = 8; bytes <= 8 * GiB; bytes *= 4) {
      const r = run(SWITCH_NODE, OpCode.ReduceScatter, bytes, 64);
      expect(r.timeS).toBeGreaterThan(previous);
      previous = r.timeS;
    }
  });
});
