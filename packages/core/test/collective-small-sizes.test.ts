/**
 * The collective model at small and middle sizes (issue 9): NVLS eligibility and pipeline fill, the tuner's
 * multi-node LL cap and proxy overheads, the network's own latency, the tree size correction, the cluster's
 * per-call latency and CUDA-graph replay. Each expectation is the formula of docs/model/collectives.md worked
 * by hand for one case.
 */
import { describe, expect, it } from 'vitest';
import { emptyResult, evaluateCandidate, evaluatePoint, nvlsFillBytes, placeGpus, treeCorrection } from '../src/model/collective.js';
import type { ClusterParams } from '../src/model/cluster-params.js';
import { ineligibilityReason } from '../src/model/eligibility.js';
import { AlgoCode, AUTO, OpCode, PointStatus, ProtoCode } from '../src/model/enums.js';
import { SWITCH_NODE } from './fixtures.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function run(cluster: ClusterParams, op: number, bytes: number, gpus: number, algo = AUTO, proto = AUTO) {
  const out = emptyResult();
  evaluatePoint(cluster, op, bytes, gpus, algo, proto, out);
  return out;
}

/** Time of one forced candidate, µs. */
function candidateUs(cluster: ClusterParams, op: number, bytes: number, gpus: number, algo: number, proto: number): number {
  const placement = placeGpus(cluster, gpus);
  if (placement === null) throw new Error('unplaceable');
  const out = emptyResult();
  if (!evaluateCandidate(cluster, placement, op, bytes, algo, proto, out)) return NaN;
  return out.timeS * 1e6;
}

describe('NVLS at small GPU counts and middle sizes', () => {
  it('is not set up on 2 GPUs per domain (NCCL nvls.cc), and is from 3 on', () => {
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 2, AlgoCode.Nvls).status).toBe(PointStatus.NoEligibleAlgorithm);
    expect(run(SWITCH_NODE, OpCode.AllReduce, 8 * GiB, 2).algo).toBe(AlgoCode.Ring);
    expect(run(SWITCH_NODE, OpCode.AllReduce, GiB, 3, AlgoCode.Nvls).status).toBe(PointStatus.Ok);
    const placement = placeGpus(SWITCH_NODE, 2)!;
    expect(ineligibilityReason(SWITCH_NODE, placement, OpCode.AllReduce, AlgoCode.Nvls, ProtoCode.Simple)).toMatch(/at least 3 GPUs/);
  });

  it('fills and drains a three-stage pipeline of channels × GPUs × chunk bytes, the chunk cut as NCCL does', () => {
    // 8 GPUs: 16 channels × 8 heads = 128 concurrent chunks.
    expect(nvlsFillBytes(8, 1 * MiB)).toBe(2 * MiB); // 16 KiB chunks, one 2 MiB loop > the message: 2 × S
    expect(nvlsFillBytes(8, 4 * MiB)).toBe(4 * MiB); // < 8 MiB: 16 KiB chunks, loop 2 MiB
    expect(nvlsFillBytes(8, 8 * MiB)).toBe(8 * MiB); // < 64 MiB: 32 KiB chunks, loop 4 MiB
    expect(nvlsFillBytes(8, 64 * MiB)).toBe(16 * MiB); // < 1 GiB: 64 KiB, loop 8 MiB
    expect(nvlsFillBytes(8, GiB)).toBe(32 * MiB); // 128 KiB, loop 16 MiB
    expect(nvlsFillBytes(4, 16 * MiB)).toBe(4 * MiB); // 64 chunks of 32 KiB
  });

  it('prices 1–16 MiB well below the large-message NVLS rate and reaches it at 8 GiB', () => {
    const rate = 370.8 * 0.75 * 1e9;
    for (const bytes of [1 * MiB, 4 * MiB, 16 * MiB]) {
      const t = candidateUs(SWITCH_NODE, OpCode.AllReduce, bytes, 8, AlgoCode.Nvls, ProtoCode.Simple);
      expect(t).toBeCloseTo(25 + ((bytes + nvlsFillBytes(8, bytes)) / rate) * 1e6, 9);
    }
    const at16 = run(SWITCH_NODE, OpCode.AllReduce, 16 * MiB, 8, AlgoCode.Nvls);
    expect(at16.algbwGBps / (370.8 * 0.75)).toBeLessThan(0.6);
    const at8G = run(SWITCH_NODE, OpCode.AllReduce, 8 * GiB, 8, AlgoCode.Nvls);
    expect(at8G.algbwGBps / (370.8 * 0.75)).toBeGreaterThan(0.99);
  });

  it('on 4 GPUs NCCL-style auto keeps the ring from 1 to 16 MiB (NVLS gains only 1.125× in bandwidth there)', () => {
    for (const bytes of [1 * MiB, 4 * MiB, 16 * MiB]) {
      expect(run(SWITCH_NODE, OpCode.AllReduce, bytes, 4).algo).toBe(AlgoCode.Ring);
    }
    expect(run(SWITCH_NODE, OpCode.AllReduce, 4 * GiB, 4).algo).toBe(AlgoCode.Nvls);
  });
});

describe('multi-domain small messages', () => {
  it('caps LL at the tuner multi-node ceiling: 39 GB/s on two domains, 20.4 beyond', () => {
    expect(placeGpus(SWITCH_NODE, 8)!.llCapGBps).toBe(141);
    expect(placeGpus(SWITCH_NODE, 16)!.llCapGBps).toBe(39);
    expect(placeGpus(SWITCH_NODE, 64)!.llCapGBps).toBe(20.4);
    // Ring LL on 16 GPUs, 1 GiB: the NVLink level moves 2·15/16·S·7/8 at min(39, 0.5 × 370.8) = 39 GB/s.
    const t = candidateUs(SWITCH_NODE, OpCode.AllReduce, GiB, 16, AlgoCode.Ring, ProtoCode.LL);
    const upBytes = ((2 * 15) / 16) * GiB * (7 / 8);
    const netBytes = (((2 * 15) / 16) * GiB) / 8;
    const transferUs = Math.max(upBytes / 39e9, netBytes / 24e9) * 1e6;
    const latencyUs = 6.6 + (30 - 4) * 1.0 + 4 * 2.7;
    expect(t).toBeCloseTo(latencyUs + transferUs, 6);
  });

  it('a ring across domains pays a proxy post per step and crosses 2N boundaries for all-reduce', () => {
    // 16 GPUs = 2 domains, LL, 8 B: 6.6 base + 26 intra steps at max(0.6, 1.0) + 4 network steps at 2.7.
    expect(candidateUs(SWITCH_NODE, OpCode.AllReduce, 8, 16, AlgoCode.Ring, ProtoCode.LL)).toBeCloseTo(6.6 + 26 * 1.0 + 4 * 2.7, 2);
    // Simple: a post costs 3 µs, under the 3.4 µs NVLink hop, so the hop stays; all-gather crosses N − 1 = 1.
    expect(candidateUs(SWITCH_NODE, OpCode.AllGather, 8, 16, AlgoCode.Ring, ProtoCode.Simple)).toBeCloseTo(8.4 + 14 * 3.4 + 1 * 14, 2);
    // One domain: no proxy on the path.
    expect(candidateUs(SWITCH_NODE, OpCode.AllReduce, 8, 8, AlgoCode.Ring, ProtoCode.LL)).toBeCloseTo(6.6 + 14 * 0.6, 2);
  });

  it('all-to-all across domains pays one proxy post per network peer beyond the first', () => {
    // 32 GPUs in 4 domains, LL: base 6.6 + NVLink hop 0.6 + network hop 2.7 + 23 extra posts of 1 µs.
    expect(candidateUs(SWITCH_NODE, OpCode.AllToAll, 8, 32, AlgoCode.Direct, ProtoCode.LL)).toBeCloseTo(6.6 + 0.6 + 2.7 + 23, 2);
    expect(candidateUs(SWITCH_NODE, OpCode.AllToAll, 8, 8, AlgoCode.Direct, ProtoCode.LL)).toBeCloseTo(6.6 + 0.6, 2);
  });

  it('a slower fabric adds its extra latency once per network hop, whatever the protocol', () => {
    const roce = { ...SWITCH_NODE, scaleOutHopUs: 3.5 }; // 0.8 µs more per hop (ISCA'25: 3.6 vs 2.8 one-way)
    for (const proto of [ProtoCode.LL, ProtoCode.LL128, ProtoCode.Simple]) {
      // Tree on 4 domains: 2 × log2(4) = 4 network hops.
      const extra = candidateUs(roce, OpCode.AllReduce, 8, 32, AlgoCode.Tree, proto) - candidateUs(SWITCH_NODE, OpCode.AllReduce, 8, 32, AlgoCode.Tree, proto);
      expect(extra).toBeCloseTo(4 * 0.8, 6);
    }
  });
});

describe('per-call latency and CUDA-graph replay', () => {
  it('callLatencyUs adds to every algorithm once per call', () => {
    const slow = { ...SWITCH_NODE, callLatencyUs: 5 };
    for (const [algo, proto, gpus] of [
      [AlgoCode.Ring, ProtoCode.LL, 8],
      [AlgoCode.Tree, ProtoCode.LL128, 16],
      [AlgoCode.Nvls, ProtoCode.Simple, 8],
      [AlgoCode.NvlsTree, ProtoCode.Simple, 16],
    ] as const) {
      const delta = candidateUs(slow, OpCode.AllReduce, 4096, gpus, algo, proto) - candidateUs(SWITCH_NODE, OpCode.AllReduce, 4096, gpus, algo, proto);
      expect(delta).toBeCloseTo(5, 6);
    }
  });

  it('cudaGraph drops the tuner base latency (NVLS has none to drop)', () => {
    const graph = { ...SWITCH_NODE, cudaGraph: 1 };
    expect(candidateUs(graph, OpCode.AllReduce, 8, 8, AlgoCode.Ring, ProtoCode.LL)).toBeCloseTo(14 * 0.6, 2);
    expect(candidateUs(graph, OpCode.AllReduce, 8, 16, AlgoCode.Tree, ProtoCode.LL)).toBeCloseTo(2 * (7 * 0.6 + 5.0), 2);
    expect(candidateUs(graph, OpCode.AllReduce, 8, 8, AlgoCode.Nvls, ProtoCode.Simple)).toBeCloseTo(
      candidateUs(SWITCH_NODE, OpCode.AllReduce, 8, 8, AlgoCode.Nvls, ProtoCode.Simple),
      9,
    );
  });
});

describe('tree size correction (NCCL tuning.cc)', () => {
  it('looks up entry ⌊log2(S/64)⌋ and is 1 from 512 MiB', () => {
    expect(treeCorrection(ProtoCode.LL, 8)).toBe(1);
    expect(treeCorrection(ProtoCode.Simple, 8)).toBe(0.9);
    expect(treeCorrection(ProtoCode.LL, 512 * KiB)).toBe(0.4); // 512 KiB / 64 = 2^13
    expect(treeCorrection(ProtoCode.LL, 512 * KiB - 1)).toBe(0.4); // ⌊…⌋ = 8191 → entry 12
    expect(treeCorrection(ProtoCode.Simple, 2 * MiB)).toBe(0.6); // 2^15
    expect(treeCorrection(ProtoCode.Simple, 256 * KiB)).toBe(0.5); // 2^12
    expect(treeCorrection(ProtoCode.Simple, 512 * MiB)).toBe(1);
    expect(treeCorrection(ProtoCode.LL128, 256 * MiB)).toBe(1);
  });

  it('divides the tree transfer time, not its latency', () => {
    const bytes = 512 * KiB;
    const plain = candidateUs({ ...SWITCH_NODE }, OpCode.AllReduce, bytes, 16, AlgoCode.Tree, ProtoCode.LL);
    const latency = 6.8 + 2 * (7 * 0.6 + 1 * 5.0);
    // LL tree: up 2S at min(39, 370.8/3.8), net 2S/8 at 48/3.8; the slower level over the 0.4 correction.
    const transfer = Math.max((2 * bytes) / 39e9, (2 * bytes) / 8 / ((48 / 3.8) * 1e9)) * 1e6;
    expect(plain).toBeCloseTo(latency + transfer / 0.4, 6);
  });
});
