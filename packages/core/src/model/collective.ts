/**
 * The TypeScript reference of linkcap's collective cost model. It is the oracle for the native engine
 * (differential test: relative difference ≤ 1e-9), the fallback when the addon is not built and the engine
 * the browser runs. native/src/core/collective.cpp implements the same arithmetic in the same order:
 * change both together. Every formula is written down in docs/model/collectives.md.
 *
 * Units: bytes, seconds, decimal GB/s (1e9 B/s), bandwidths per GPU per direction.
 */
import type { ClusterParams } from './cluster-params.js';
import { AlgoCode, OpCode, PointStatus, ProtoCode, AUTO, AUTO_ALL, NCCL_ALGORITHM } from './enums.js';
import {
  GENERIC_PROTO_FACTOR,
  LL_CAP_MANY_DOMAINS_GBPS,
  LL_CAP_TWO_DOMAINS_GBPS,
  NET_OVERHEAD_US,
  NVLS_BASE_US,
  NVLS_CHANNELS,
  NVLS_MAX_CHUNK_BYTES,
  NVLS_MIN_GPUS_PER_DOMAIN,
  NVLS_PIPELINE_EXTRA_LOOPS,
  NVLS_TREE_NET_HOP_US,
  REFERENCE_NET_HOP_US,
  REFERENCE_UP_HOP_US,
  RING_BASE_US,
  RING_NET_HOP_US,
  RING_UP_HOP_US,
  TREE_BASE_US,
  TREE_CORRECTION,
  TREE_CORRECTION_ENTRIES,
  TREE_LL128_MULTI_DOMAIN,
  TREE_LL128_ONE_DOMAIN,
  TREE_LL_FACTOR,
  TREE_NET_HOP_US,
  TREE_SIMPLE_FACTOR,
  TREE_UP_HOP_US,
} from './tuner-constants.js';

export const ALGORITHM_COUNT = 8;
export const PROTOCOL_COUNT = 3;

/** Result of one evaluation. Reused by the batch loop to avoid allocation. */
export interface PointResult {
  status: number;
  timeS: number;
  algbwGBps: number;
  busbwGBps: number;
  algo: number;
  proto: number;
  /** Bytes each GPU sends over its scale-up links (per direction). */
  scaleUpBytes: number;
  /** Bytes each GPU sends over its scale-out NIC(s) (per direction). */
  scaleOutBytes: number;
}

export function emptyResult(): PointResult {
  return { status: 0, timeS: NaN, algbwGBps: NaN, busbwGBps: NaN, algo: AUTO, proto: AUTO, scaleUpBytes: NaN, scaleOutBytes: NaN };
}

/** How the GPUs of one call sit on the cluster, and the bandwidths and latencies they see. */
export interface Placement {
  n: number; // ranks
  g: number; // ranks per domain
  domains: number; // N
  upGBps: number;
  ringUpGBps: number;
  directUpGBps: number;
  p2pUpGBps: number;
  outGBps: number;
  /** LL bandwidth ceiling: the cluster's inside one domain, at most the tuner's multi-node cap across domains. */
  llCapGBps: number;
  /** µs added to every scale-up hop constant: scaleUpHopUs − 0.6 (the reference NVLink LL hop). */
  upHopExtraUs: number;
  /** µs added to every network hop constant: the group's network hop latency (spine tiers included) − 2.7. */
  netHopExtraUs: number;
  /** 1, or 0 under CUDA-graph replay (the tuner's base latency is not paid). */
  baseScale: number;
  /** The cluster's extra latency per call, µs. */
  callUs: number;
}

/** ⌊log2 x⌋ for whole numbers 1 ≤ x < 2^32 (rank and domain counts are Uint32). */
function floorLog2(x: number): number {
  return 31 - Math.clz32(x);
}

function isPowerOfTwo(x: number): boolean {
  return 2 ** floorLog2(x) === x;
}

/**
 * Places n ranks filling domains in order (TP-innermost, NCCL's default order): g = min(n, domain size) per
 * domain, N = n / g domains. Returns null when the GPU count cannot be placed on the cluster.
 */
export function placeGpus(c: ClusterParams, gpus: number): Placement | null {
  const n = gpus;
  if (!(n >= 2) || !Number.isInteger(n)) return null;
  const g = n <= c.gpusPerDomain ? n : c.gpusPerDomain;
  if (n % g !== 0) return null;
  return placeRanks(c, g, n / g);
}

/**
 * Places a group of g ranks in each of N domains, explicitly: a data-parallel group strided across nodes has
 * g = 1 (one rank per node, each on its own rail). Callers guarantee 1 ≤ g ≤ gpusPerDomain and g × N ≥ 2.
 */
export function placeRanks(c: ClusterParams, g: number, domains: number): Placement {
  const n = g * domains;
  const crossesSpine = domains > c.leafDomains;
  const up = c.scaleUpGBps;
  // A ring on a full mesh can only use the links that Hamiltonian cycles cover: 2⌊(g−1)/2⌋ of g−1.
  let ringUp = up;
  if (c.scaleUpTopology === 1 && g > 3) ringUp = (up * (2 * Math.floor((g - 1) / 2))) / (g - 1);
  // All-to-all on a bidirectional ring: links carry the multi-hop load, 4(g−1)/g² of the per-GPU bandwidth.
  let directUp = up;
  if (c.scaleUpTopology === 2 && g > 2) directUp = up * Math.min(1, (4 * (g - 1)) / (g * g));
  // One point-to-point message uses one link of a mesh, one direction of a ring.
  let p2pUp = up;
  if (c.scaleUpTopology === 1 && g > 2) p2pUp = up / (g - 1);
  if (c.scaleUpTopology === 2) p2pUp = up / 2;
  const out = crossesSpine ? c.scaleOutGBps / c.oversubscription : c.scaleOutGBps;
  const netHopUs = crossesSpine ? c.scaleOutHopUs + 2 * c.tierHopUs : c.scaleOutHopUs;
  // LL across domains is held to the tuner's multi-node ceiling (proxy-driven, host-bound).
  let llCap = c.llCapGBps;
  if (domains > 1) llCap = Math.min(llCap, domains <= 2 ? LL_CAP_TWO_DOMAINS_GBPS : LL_CAP_MANY_DOMAINS_GBPS);
  return {
    n,
    g,
    domains,
    upGBps: up,
    ringUpGBps: ringUp,
    directUpGBps: directUp,
    p2pUpGBps: p2pUp,
    outGBps: out,
    llCapGBps: llCap,
    upHopExtraUs: c.scaleUpHopUs - REFERENCE_UP_HOP_US,
    netHopExtraUs: netHopUs - REFERENCE_NET_HOP_US,
    baseScale: c.cudaGraph === 1 ? 0 : 1,
    callUs: c.callLatencyUs,
  };
}

/** Bandwidth after the protocol's efficiency; LL is also capped per GPU. */
function withProtocol(p: Placement, gbps: number, factor: number, proto: number): number {
  const scaled = factor * gbps;
  return proto === ProtoCode.LL ? Math.min(p.llCapGBps, scaled) : scaled;
}

/** A base latency after CUDA-graph replay and the cluster's own per-call latency, µs. */
function baseUs(p: Placement, tunerBaseUs: number): number {
  return tunerBaseUs * p.baseScale + p.callUs;
}

/**
 * The tuner's size correction of tree bandwidth (tuning.cc): entry ⌊log2(⌊S / 64⌋)⌋ (0 below 128 B), 1 from
 * 512 MiB on. Exact in both engines: a power-of-two division, a floor and an integer log.
 */
export function treeCorrection(proto: number, bytes: number): number {
  const q = bytes / 64;
  if (q >= 2 ** TREE_CORRECTION_ENTRIES) return 1;
  const index = q < 2 ? 0 : floorLog2(Math.floor(q));
  return TREE_CORRECTION[proto][index];
}

/**
 * Bytes of NVLS pipeline fill and drain, timed like data: NVLS works in loops of channels × heads × chunk
 * bytes (heads = GPUs per domain), with the chunk cut from 128 KiB down to 16 KiB for smaller messages as
 * NCCL's enqueue.cc does, and its three pipeline stages cost two extra loops (never more than the message).
 */
export function nvlsFillBytes(g: number, bytes: number): number {
  const ops = NVLS_CHANNELS * g;
  let chunk = NVLS_MAX_CHUNK_BYTES;
  if (bytes < 64 * ops * chunk) chunk = 65536;
  if (bytes < 8 * ops * chunk) chunk = 32768;
  if (bytes < 2 * ops * chunk) chunk = 16384;
  return NVLS_PIPELINE_EXTRA_LOOPS * Math.min(bytes, ops * chunk);
}

function treeFactor(proto: number, domains: number): number {
  if (proto === ProtoCode.LL) return TREE_LL_FACTOR;
  if (proto === ProtoCode.LL128) return domains === 1 ? TREE_LL128_ONE_DOMAIN : TREE_LL128_MULTI_DOMAIN;
  return TREE_SIMPLE_FACTOR;
}

/** nccl-tests' bus-bandwidth factor for an operation on n ranks. */
export function busBandwidthFactor(op: number, n: number): number {
  if (op === OpCode.AllReduce) return (2 * (n - 1)) / n;
  if (op === OpCode.ReduceScatter || op === OpCode.AllGather || op === OpCode.AllToAll) return (n - 1) / n;
  return 1;
}

/** Time for bytes at a bandwidth in GB/s; zero bytes take no time even on a zero-rate level. */
function transferS(bytes: number, gbps: number): number {
  return bytes === 0 ? 0 : bytes / (gbps * 1e9);
}

/**
 * Prices one (algorithm, protocol) candidate. Writes time and bytes into `out` and returns true,
 * or returns false when the pair is not eligible for this op on this cluster.
 */
export function evaluateCandidate(
  c: ClusterParams,
  p: Placement,
  op: number,
  bytes: number,
  algo: number,
  proto: number,
  out: PointResult,
): boolean {
  const { n, g, domains } = p;
  const S = bytes;
  let up = 0;
  let net = 0;
  let latUs = 0;
  let timeS = 0;
  switch (algo) {
    case AlgoCode.Ring: {
      if (op === OpCode.AllToAll || op === OpCode.SendRecv) return false;
      let total: number;
      let steps: number;
      let interSteps: number;
      if (op === OpCode.AllReduce) {
        total = ((2 * (n - 1)) / n) * S;
        steps = 2 * (n - 1);
        // The ring closes: each of its two passes crosses the N domain boundaries (tuning.cc, 2.19+).
        interSteps = domains > 1 ? Math.min(steps, 2 * domains) : 0;
      } else if (op === OpCode.ReduceScatter || op === OpCode.AllGather) {
        total = ((n - 1) / n) * S;
        steps = n - 1;
        interSteps = domains - 1;
      } else {
        total = S;
        steps = n - 1;
        interSteps = domains - 1;
      }
      // One ring per NIC: each GPU is the ring's exit from its domain for 1/g of the data.
      up = domains === 1 ? total : (total * (g - 1)) / g;
      net = domains === 1 ? 0 : total / g;
      const f = GENERIC_PROTO_FACTOR[proto];
      timeS = Math.max(transferS(up, withProtocol(p, p.ringUpGBps, f, proto)), transferS(net, withProtocol(p, p.outGBps, f, proto)));
      // A ring that spans domains is driven by the CPU proxies: every step costs at least one network post.
      const upHopUs = RING_UP_HOP_US[proto] + p.upHopExtraUs;
      const stepUs = domains > 1 ? Math.max(upHopUs, NET_OVERHEAD_US[proto]) : upHopUs;
      latUs = baseUs(p, RING_BASE_US[proto]) + (steps - interSteps) * stepUs + interSteps * (RING_NET_HOP_US[proto] + p.netHopExtraUs);
      break;
    }
    case AlgoCode.Tree: {
      if (op !== OpCode.AllReduce) return false;
      // NCCL's tuner view: reduce up and broadcast down move 2S per GPU inside a domain and 2S per domain
      // across the network (spread over its g NICs), at 0.92 of the ring's bus bandwidth for Simple; the
      // tuner's measured size correction slows middle sizes.
      up = g > 1 ? 2 * S : 0;
      net = domains > 1 ? (2 * S) / g : 0;
      const f = treeFactor(proto, domains);
      timeS =
        Math.max(transferS(up, withProtocol(p, p.ringUpGBps, f, proto)), transferS(net, withProtocol(p, p.outGBps, f, proto))) /
        treeCorrection(proto, S);
      latUs =
        baseUs(p, TREE_BASE_US[proto]) +
        2 * ((g - 1) * (TREE_UP_HOP_US[proto] + p.upHopExtraUs) + floorLog2(domains) * (TREE_NET_HOP_US[proto] + p.netHopExtraUs));
      break;
    }
    case AlgoCode.Rhd: {
      if (op !== OpCode.AllReduce && op !== OpCode.ReduceScatter && op !== OpCode.AllGather) return false;
      if (!isPowerOfTwo(n) || !isPowerOfTwo(g)) return false;
      if (g > 1 && c.scaleUpTopology !== 0) return false;
      // Partners at distance ≥ g are in other domains: those steps move S(N−1)/N per GPU over its NIC,
      // the remaining log2(g) steps move S(g−1)/(gN) over scale-up. All-reduce does it twice.
      const phases = op === OpCode.AllReduce ? 2 : 1;
      net = (phases * S * (domains - 1)) / domains;
      up = (phases * S * (g - 1)) / g / domains;
      const f = GENERIC_PROTO_FACTOR[proto];
      // Steps run one after another: the levels add up.
      timeS = transferS(up, withProtocol(p, p.upGBps, f, proto)) + transferS(net, withProtocol(p, p.outGBps, f, proto));
      latUs =
        baseUs(p, RING_BASE_US[proto]) +
        phases * floorLog2(g) * (RING_UP_HOP_US[proto] + p.upHopExtraUs) +
        phases * floorLog2(domains) * (RING_NET_HOP_US[proto] + p.netHopExtraUs);
      break;
    }
    case AlgoCode.Direct: {
      const f = GENERIC_PROTO_FACTOR[proto];
      if (op === OpCode.AllToAll) {
        // Each rank sends S/n to every peer: g−1 peers over scale-up, n−g over the network, concurrently;
        // the proxy posts one network operation per peer, so every peer beyond the first adds a post.
        up = (S * (g - 1)) / n;
        net = (S * (n - g)) / n;
        timeS = Math.max(transferS(up, withProtocol(p, p.directUpGBps, f, proto)), transferS(net, withProtocol(p, p.outGBps, f, proto)));
        latUs =
          baseUs(p, RING_BASE_US[proto]) +
          (g > 1 ? RING_UP_HOP_US[proto] + p.upHopExtraUs : 0) +
          (domains > 1 ? RING_NET_HOP_US[proto] + p.netHopExtraUs + (n - g - 1) * NET_OVERHEAD_US[proto] : 0);
      } else if (op === OpCode.SendRecv) {
        // Every rank sends S to the next; at a domain boundary the message leaves over the NIC.
        up = g > 1 ? S : 0;
        net = domains > 1 ? S : 0;
        timeS = Math.max(transferS(up, withProtocol(p, p.p2pUpGBps, f, proto)), transferS(net, withProtocol(p, p.outGBps, f, proto)));
        latUs =
          baseUs(p, RING_BASE_US[proto]) +
          (domains > 1 ? RING_NET_HOP_US[proto] + p.netHopExtraUs : RING_UP_HOP_US[proto] + p.upHopExtraUs);
      } else {
        return false;
      }
      break;
    }
    case AlgoCode.Hier: {
      if (op === OpCode.AllToAll || op === OpCode.SendRecv) return false;
      if (domains < 2 || g < 2) return false;
      // Scale-up phase, scale-out phase on 1/g of the data per GPU (its own rail), scale-up phase; not pipelined.
      let hops: number;
      if (op === OpCode.AllReduce) {
        up = (2 * S * (g - 1)) / g;
        net = (2 * S * (domains - 1)) / domains / g;
        hops = 2;
      } else if (op === OpCode.ReduceScatter || op === OpCode.AllGather) {
        up = (S * (g - 1)) / g;
        net = (S * (domains - 1)) / domains / g;
        hops = 1;
      } else {
        up = S;
        net = S / g;
        hops = 1;
      }
      const f = GENERIC_PROTO_FACTOR[proto];
      timeS = transferS(up, withProtocol(p, p.ringUpGBps, f, proto)) + transferS(net, withProtocol(p, p.outGBps, f, proto));
      latUs =
        baseUs(p, RING_BASE_US[proto]) +
        hops * (g - 1) * (RING_UP_HOP_US[proto] + p.upHopExtraUs) +
        hops * (domains - 1) * (RING_NET_HOP_US[proto] + p.netHopExtraUs);
      break;
    }
    case AlgoCode.Nvls:
    case AlgoCode.NvlsTree: {
      if (op !== OpCode.AllReduce || proto !== ProtoCode.Simple) return false;
      if (c.scaleUpTopology !== 0 || c.inSwitchReduction !== 1 || g < NVLS_MIN_GPUS_PER_DOMAIN) return false;
      if (algo === AlgoCode.Nvls ? domains !== 1 : domains < 2) return false;
      // Each GPU pushes its buffer to the switch once and receives the reduced buffer once: S per direction,
      // plus the pipeline's fill and drain, which middle sizes feel.
      up = S;
      net = algo === AlgoCode.NvlsTree ? (2 * S) / g : 0;
      timeS = Math.max(transferS(up + nvlsFillBytes(g, S), c.nvlsEfficiency * p.upGBps), transferS(net, TREE_SIMPLE_FACTOR * p.outGBps));
      latUs = p.callUs + (NVLS_BASE_US + p.upHopExtraUs) + 2 * floorLog2(domains) * (NVLS_TREE_NET_HOP_US + p.netHopExtraUs);
      break;
    }
    case AlgoCode.InNetwork: {
      if (op !== OpCode.AllReduce || proto !== ProtoCode.Simple) return false;
      if (c.inNetworkReduction !== 1 || domains < 2) return false;
      // Reduce-scatter inside the domain, each GPU sends its 1/g shard to the switch once and gets the
      // reduced shard back, all-gather inside the domain; pipelined like NCCL CollNet.
      up = g > 1 ? (2 * S * (g - 1)) / g : 0;
      net = S / g;
      timeS = Math.max(transferS(up, p.ringUpGBps), transferS(net, c.inNetworkEfficiency * p.outGBps));
      latUs =
        baseUs(p, RING_BASE_US[ProtoCode.Simple]) +
        2 * (RING_UP_HOP_US[ProtoCode.Simple] + p.upHopExtraUs) +
        2 * (RING_NET_HOP_US[ProtoCode.Simple] + p.netHopExtraUs);
      break;
    }
    default:
      return false;
  }
  out.timeS = latUs * 1e-6 + timeS;
  out.scaleUpBytes = up;
  out.scaleOutBytes = net;
  out.algo = algo;
  out.proto = proto;
  return true;
}

const scratch = emptyResult();

function clearResult(out: PointResult): void {
  out.timeS = NaN;
  out.algbwGBps = NaN;
  out.busbwGBps = NaN;
  out.algo = AUTO;
  out.proto = AUTO;
  out.scaleUpBytes = NaN;
  out.scaleOutBytes = NaN;
}

/**
 * Prices every eligible candidate (or only the forced ones) for an already placed group and keeps the
 * fastest, as NCCL's tuner does. `algo` is a code, AUTO (NCCL's algorithms) or AUTO_ALL (every algorithm);
 * `proto` is a code or AUTO. Returns the status written to `out`. The training model calls this directly
 * with groups placed by placeRanks.
 */
export function selectCandidate(
  c: ClusterParams,
  placement: Placement,
  op: number,
  bytes: number,
  algo: number,
  proto: number,
  out: PointResult,
): number {
  clearResult(out);
  let found = false;
  for (let a = 0; a < ALGORITHM_COUNT; a += 1) {
    if (algo === AUTO ? NCCL_ALGORITHM[a] === 0 : algo !== AUTO_ALL && a !== algo) continue;
    for (let pr = 0; pr < PROTOCOL_COUNT; pr += 1) {
      if (proto !== AUTO && pr !== proto) continue;
      if (!evaluateCandidate(c, placement, op, bytes, a, pr, scratch)) continue;
      if (!found || scratch.timeS < out.timeS) {
        found = true;
        out.timeS = scratch.timeS;
        out.algo = scratch.algo;
        out.proto = scratch.proto;
        out.scaleUpBytes = scratch.scaleUpBytes;
        out.scaleOutBytes = scratch.scaleOutBytes;
      }
    }
  }
  if (!found) {
    out.status = PointStatus.NoEligibleAlgorithm;
    return out.status;
  }
  out.algbwGBps = bytes / out.timeS / 1e9;
  out.busbwGBps = out.algbwGBps * busBandwidthFactor(op, placement.n);
  out.status = PointStatus.Ok;
  return out.status;
}

/** Evaluates one point: places the GPUs in order, then selects the fastest candidate. */
export function evaluatePoint(
  c: ClusterParams,
  op: number,
  bytes: number,
  gpus: number,
  algo: number,
  proto: number,
  out: PointResult,
): number {
  const placement = placeGpus(c, gpus);
  if (placement === null) {
    clearResult(out);
    out.status = PointStatus.BadGpuCount;
    return out.status;
  }
  return selectCandidate(c, placement, op, bytes, algo, proto, out);
}
