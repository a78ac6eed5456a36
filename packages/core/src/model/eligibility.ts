/**
 * Human explanations of why an (algorithm, protocol) pair cannot run, for the "why this algorithm" table.
 * The rules themselves live in evaluateCandidate (collective.ts); this file only words them, and a unit
 * test checks that it gives a reason exactly when evaluateCandidate refuses.
 */
import type { ClusterParams } from './cluster-params.js';
import type { Placement } from './collective.js';
import { AlgoCode, OpCode, ProtoCode } from './enums.js';
import { NVLS_MIN_GPUS_PER_DOMAIN } from './tuner-constants.js';

function isPowerOfTwo(x: number): boolean {
  return Number.isInteger(Math.log2(x));
}

export function ineligibilityReason(c: ClusterParams, p: Placement, op: number, algo: number, proto: number): string | null {
  const collectiveOnly = op === OpCode.AllToAll || op === OpCode.SendRecv;
  switch (algo) {
    case AlgoCode.Ring:
      return collectiveOnly ? 'ring runs reductions and gathers, not all-to-all or send/recv' : null;
    case AlgoCode.Tree:
      return op === OpCode.AllReduce ? null : 'NCCL runs the double binary tree for all-reduce only';
    case AlgoCode.Rhd:
      if (op !== OpCode.AllReduce && op !== OpCode.ReduceScatter && op !== OpCode.AllGather) {
        return 'recursive halving/doubling is modelled for all-reduce, reduce-scatter and all-gather';
      }
      if (!isPowerOfTwo(p.n) || !isPowerOfTwo(p.g)) return 'needs power-of-two rank and per-domain counts';
      if (p.g > 1 && c.scaleUpTopology !== 0) return 'needs a switched scale-up domain (any-to-any partners)';
      return null;
    case AlgoCode.Direct:
      return collectiveOnly ? null : 'direct exchange is for all-to-all and send/recv';
    case AlgoCode.Hier:
      if (collectiveOnly) return 'a two-level form moves the same network bytes for all-to-all/send-recv; not modelled';
      if (p.domains < 2 || p.g < 2) return 'needs at least 2 domains with at least 2 GPUs each';
      return null;
    case AlgoCode.Nvls:
    case AlgoCode.NvlsTree:
      if (op !== OpCode.AllReduce) return 'in-switch reduction is modelled for all-reduce only';
      if (proto !== ProtoCode.Simple) return 'NVLS runs the Simple protocol only';
      if (c.scaleUpTopology !== 0 || c.inSwitchReduction !== 1) return 'the scale-up domain has no reducing switch (NVLS needs Hopper+ NVSwitch)';
      if (p.g < NVLS_MIN_GPUS_PER_DOMAIN) return `needs at least ${NVLS_MIN_GPUS_PER_DOMAIN} GPUs per domain (NCCL does not set NVLS up on 2)`;
      if (algo === AlgoCode.Nvls && p.domains !== 1) return 'NVLS alone spans one domain; across domains use nvls-tree';
      if (algo === AlgoCode.NvlsTree && p.domains < 2) return 'NVLS-tree needs at least 2 domains (as NCCL: not on one node)';
      return null;
    case AlgoCode.InNetwork:
      if (op !== OpCode.AllReduce) return 'in-network reduction is modelled for all-reduce only';
      if (proto !== ProtoCode.Simple) return 'in-network reduction runs the Simple protocol only';
      if (c.inNetworkReduction !== 1) return 'the cluster declares no in-network reduction (SHARP)';
      if (p.domains < 2) return 'needs at least 2 domains';
      return null;
    default:
      return 'unknown algorithm';
  }
}
