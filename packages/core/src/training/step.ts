/**
 * One training step from packed rows: combines compute, communication (priced by the collective model),
 * the pipeline schedule and memory into the output row. A pure function over numbers with module-level
 * scratch: no allocation per configuration, no strings, so native/src/training/step.cpp can mirror it line
 * by line. docs/model/training.md, "Step time", states the same arithmetic.
 *
 * Per microbatch, each layer kind X (dense, MoE, embedding stage, head stage) costs
 *   τ_X = compute (fwd + bwd + recompute) + exposed TP + exposed CP + exposed EP + exposed ZeRO-3 + slowdown,
 * where a communication C with a compute window W and overlap fraction f hides min(C, f W) and the hidden part
 * slows compute by σ per second (overlapSlowdown). Pipeline device i costs τ_i = Σ its layers' τ_X; with
 * m microbatches and v interleaved chunks the pipeline takes m · max τ + (Σ τ − max τ) / v
 * [Narayanan et al. 2021: (p − 1)/m and (p − 1)/(m v) bubbles, generalised to unequal stages]. After it come the
 * exposed data-parallel gradient reduction and parameter gather, and the optimizer update.
 */
import { CLUSTER_FIELD_COUNT } from '../model/cluster-params.js';
import { K, LAYER_COST_SIZE, LayerKind, addZero3Copies, embeddingCompute, headCompute, layerCompute } from './compute.js';
import { dataParallelTail, DpTail, endStageCommunication, layerCommunication, pipelineP2pS, tensorParallelCollectives } from './communication.js';
import { C, L, O, OUTPUT_FIELD_COUNT, TrainingStatus, W, WORKLOAD_FIELD_COUNT, CHIP_FIELD_COUNT, LAYOUT_FIELD_COUNT } from './fields.js';
import { layoutProblem, OVERLAP_RULE, problemStatus } from './layout.js';
import { inFlightMicrobatches, layerActivationBytes, layerParams, M, stageMemory } from './memory.js';
import { GROUP_FIELDS, placeGroups, type ClusterContext } from './placement.js';
import { attentionCoreFlopsPerToken, embeddingParamsPerRank, forwardFlopsPerToken, headParamsPerRank, layerForwardFlopsPerToken, moeLayerCount } from './workload.js';

/**
 * Adam update: reads fp32 master, m, v and the gradient (gradientBytes), writes master, m, v and BF16 weights:
 * 26 + gradientBytes bytes per parameter.
 */
export const OPTIMIZER_BYTES_PER_PARAM = 26;

const KINDS = 4;
const DENSE = 0;
const MOE = 1;
const EMBED = 2;
const HEAD = 3;

/** Components of τ_X per microbatch. */
const enum P {
  compute = 0,
  tp = 1,
  cp = 2,
  ep = 3,
  dp = 4,
  slowdown = 5,
}
const PARTS = 6;

const costs = new Float64Array(KINDS * LAYER_COST_SIZE);
/** Per kind: the components of a layer that is not recomputed. */
const parts = new Float64Array(KINDS * PARTS);
/** Per transformer kind: what recomputing one layer adds to its components. */
const recParts = new Float64Array(2 * PARTS);
const totals = new Float64Array(KINDS);
const recTotals = new Float64Array(2);
const groups = new Float64Array(GROUP_FIELDS);
const memory = new Float64Array(5);
const tail = new Float64Array(2);
const tpTimes = new Float64Array(2);

/** The TP overlap fraction, OVERLAP_RULE resolved: (t − 1)/t (Transformer Engine's ring decomposition). */
export function tpOverlapOf(lay: Float64Array, lo: number): number {
  const f = lay[lo + L.tpOverlap];
  return f === OVERLAP_RULE ? (lay[lo + L.tp] - 1) / lay[lo + L.tp] : f;
}

/** The pipeline p2p overlap fraction, OVERLAP_RULE resolved: 1 with the interleaved schedule, else 0. */
export function ppOverlapOf(lay: Float64Array, lo: number): number {
  const f = lay[lo + L.ppOverlap];
  return f === OVERLAP_RULE ? (lay[lo + L.interleave] > 1 ? 1 : 0) : f;
}

function hidden(comm: number, fraction: number, window: number): number {
  const cap = fraction * window;
  return comm < cap ? comm : cap;
}

/** Turns a kind's raw costs into its per-microbatch components (exposure and slowdown applied). */
function exposeKind(lay: Float64Array, lo: number, kind: number): void {
  const c = kind * LAYER_COST_SIZE;
  const o = kind * PARTS;
  const fTp = tpOverlapOf(lay, lo);
  const fCp = lay[lo + L.cpOverlap];
  const fEp = lay[lo + L.epOverlap];
  const fDp = lay[lo + L.dpOverlap];
  const sigma = lay[lo + L.overlapSlowdown];
  const fwd = costs[c + K.fwdS];
  const bwd = costs[c + K.bwdS];
  const tpHf = hidden(costs[c + K.tpFwdS], fTp, costs[c + K.fwdGemmS]);
  const tpHb = hidden(costs[c + K.tpBwdS], fTp, costs[c + K.bwdGemmS]);
  const cpHf = hidden(costs[c + K.cpFwdS], fCp, costs[c + K.fwdCoreS]);
  const cpHb = hidden(costs[c + K.cpBwdS], fCp, costs[c + K.bwdCoreS]);
  const epHf = hidden(costs[c + K.epFwdS], fEp, fwd);
  const epHb = hidden(costs[c + K.epBwdS], fEp, bwd);
  const z3Hf = hidden(costs[c + K.z3FwdS], fDp, fwd);
  const z3Hb = hidden(costs[c + K.z3BwdS], fDp, bwd);
  const tpXf = costs[c + K.tpFwdS] - tpHf;
  const cpXf = costs[c + K.cpFwdS] - cpHf;
  const epXf = costs[c + K.epFwdS] - epHf;
  parts[o + P.compute] = fwd + bwd;
  parts[o + P.tp] = tpXf + (costs[c + K.tpBwdS] - tpHb);
  parts[o + P.cp] = cpXf + (costs[c + K.cpBwdS] - cpHb);
  parts[o + P.ep] = epXf + (costs[c + K.epBwdS] - epHb);
  parts[o + P.dp] = costs[c + K.z3FwdS] - z3Hf + (costs[c + K.z3BwdS] - z3Hb);
  parts[o + P.slowdown] = sigma * (tpHf + cpHf + epHf + tpHb + cpHb + epHb + z3Hf + z3Hb);
  let sum = 0;
  for (let i = 0; i < PARTS; i += 1) sum += parts[o + i];
  totals[kind] = sum;
  if (kind >= EMBED) return;
  // A recomputed layer runs its recompute work in backward; full recompute repeats the forward's TP, CP and EP
  // communication with the same exposure.
  const full = lay[lo + L.recompute] === 2 ? 1 : 0;
  const r = kind * PARTS;
  recParts[r + P.compute] = costs[c + K.recomputeS];
  recParts[r + P.tp] = full * tpXf;
  recParts[r + P.cp] = full * cpXf;
  recParts[r + P.ep] = full * epXf;
  recParts[r + P.dp] = 0;
  recParts[r + P.slowdown] = full * sigma * (tpHf + cpHf + epHf);
  recTotals[kind] = recParts[r + P.compute] + recParts[r + P.tp] + recParts[r + P.cp] + recParts[r + P.ep] + recParts[r + P.slowdown];
}

/**
 * Layers on pipeline device `dev` of p with v chunks each: chunk k (device k mod p) holds base layers, plus one
 * for the first `rem` chunks (base = ⌊L/(p v)⌋, rem = L mod (p v)).
 */
export function layersOnDevice(dev: number, p: number, v: number, base: number, rem: number): number {
  const extra = rem > dev ? Math.min(v, Math.floor((rem - dev - 1) / p) + 1) : 0;
  return v * base + extra;
}

/** Dense layers (index < firstDense) on device `dev`: only the chunks that start before firstDense hold any. */
export function denseLayersOnDevice(dev: number, p: number, v: number, base: number, rem: number, firstDense: number): number {
  let dense = 0;
  const chunks = p * v;
  for (let k = dev; k < chunks; k += p) {
    const start = k * base + (k < rem ? k : rem);
    if (start >= firstDense) break;
    const count = base + (k < rem ? 1 : 0);
    const here = firstDense - start;
    dense += here > count ? count : here;
  }
  return dense;
}

/**
 * Devices (of the p − 2 between the end stages) that hold dense layers of an MoE model: those with a chunk k
 * starting before the first MoE layer (chunk k holds base + [k < rem] layers from k·base + min(k, rem)).
 */
export function devicesWithDenseLayers(p: number, v: number, base: number, rem: number, firstDense: number): number {
  let chunks = 0;
  while (chunks < p * v && chunks * base + (chunks < rem ? chunks : rem) < firstDense) chunks += 1;
  return chunks < p ? chunks : p;
}

/**
 * End (exclusive) of the run of devices starting at `dev` that cost the same: device 0 (embedding) and device
 * p − 1 (head) stand alone, devices holding dense layers of an MoE model (dev < denseDevices) stand alone, and the
 * others share a layer count — v·base + ⌊rem/p⌋ + 1 below `longer` = rem mod p, v·base + ⌊rem/p⌋ from it on.
 */
export function pipelineRunEnd(dev: number, p: number, longer: number, denseDevices: number): number {
  if (dev === 0 || dev >= p - 1 || dev < denseDevices) return dev + 1;
  return dev < longer && longer < p - 1 ? longer : p - 1;
}

/**
 * Layers of a device with v chunks (`layersHere` in all: the chunks hold base or base + 1) that a per-chunk
 * count `perChunk` selects (recomputed or offloaded layers: the first perChunk of each chunk, as Megatron's
 * block method and Transformer Engine's CPU offload choose them).
 */
export function selectedLayers(perChunk: number, layersHere: number, v: number, base: number): number {
  const longer = layersHere - v * base;
  return (v - longer) * (perChunk < base ? perChunk : base) + longer * (perChunk < base + 1 ? perChunk : base + 1);
}

/** One component of a device's τ: its layers' parts (recomputed layers' extra included) plus its end stages. */
function stagePart(i: number, nDense: number, nMoe: number, rDense: number, rMoe: number, first: number, last: number): number {
  return (
    nDense * parts[DENSE * PARTS + i] +
    nMoe * parts[MOE * PARTS + i] +
    rDense * recParts[DENSE * PARTS + i] +
    rMoe * recParts[MOE * PARTS + i] +
    first * parts[EMBED * PARTS + i] +
    last * parts[HEAD * PARTS + i]
  );
}

function fillInvalid(out: Float64Array, oo: number, status: number, gpus: number): void {
  for (let i = 0; i < OUTPUT_FIELD_COUNT; i += 1) out[oo + i] = NaN;
  out[oo + O.status] = status;
  out[oo + O.gpus] = gpus;
}

/**
 * Evaluates configuration `row` of `layouts` into row `row` of `out`. `clusters` holds one prepared context
 * per packed cluster row (ClusterParams + placement cache). Returns the status.
 */
export function evaluateTrainingRow(
  workloads: Float64Array,
  chips: Float64Array,
  clusters: readonly ClusterContext[],
  layouts: Float64Array,
  row: number,
  out: Float64Array,
): number {
  const lo = row * LAYOUT_FIELD_COUNT;
  const oo = row * OUTPUT_FIELD_COUNT;
  const wo = layouts[lo + L.workload] * WORKLOAD_FIELD_COUNT;
  const co = layouts[lo + L.chip] * CHIP_FIELD_COUNT;
  const ctx = clusters[layouts[lo + L.cluster]];
  const w = workloads;
  const lay = layouts;
  const t = lay[lo + L.tp];
  const p = lay[lo + L.pp];
  const d = lay[lo + L.dp];
  const e = lay[lo + L.ep];
  const cp = lay[lo + L.cp];
  const v = lay[lo + L.interleave];
  const b = lay[lo + L.microbatch];
  const gpus = t * cp * d * p;

  const problem = layoutProblem(w, wo, chips, co, lay, lo);
  if (problem !== 0) {
    fillInvalid(out, oo, problemStatus(problem), gpus);
    return out[oo + O.status];
  }
  if (!placeGroups(ctx.params.gpusPerDomain, t, cp, d, p, e, groups)) {
    fillInvalid(out, oo, TrainingStatus.Unplaceable, gpus);
    return TrainingStatus.Unplaceable;
  }

  // Per-kind costs for one microbatch. The TP collectives have one size for every layer: priced once.
  tensorParallelCollectives(ctx, groups, w, wo, lay, lo, tpTimes);
  const layers = w[wo + W.layers];
  const moeLayers = moeLayerCount(w, wo);
  const hasDense = layers - moeLayers > 0;
  const hasMoe = moeLayers > 0;
  for (let kind = 0; kind < 2; kind += 1) {
    const c = kind * LAYER_COST_SIZE;
    if ((kind === DENSE && !hasDense) || (kind === MOE && !hasMoe)) {
      for (let i = 0; i < LAYER_COST_SIZE; i += 1) costs[c + i] = 0;
      totals[kind] = 0;
      recTotals[kind] = 0;
      for (let i = 0; i < PARTS; i += 1) {
        parts[kind * PARTS + i] = 0;
        recParts[kind * PARTS + i] = 0;
      }
      continue;
    }
    const layerKind = kind === DENSE ? LayerKind.Dense : LayerKind.Moe;
    layerCompute(w, wo, chips, co, lay, lo, layerKind, costs, c);
    layerParams(w, wo, lay, lo, layerKind, costs, c);
    if (lay[lo + L.zero] === 3) addZero3Copies(chips, co, lay, lo, costs[c + K.denseParams] + costs[c + K.expertParams], costs, c);
    layerActivationBytes(w, wo, lay, lo, layerKind, costs, c);
    layerCommunication(ctx, groups, tpTimes, w, wo, lay, lo, layerKind, costs, c);
    exposeKind(lay, lo, kind);
  }
  const ce = EMBED * LAYER_COST_SIZE;
  embeddingCompute(w, wo, chips, co, lay, lo, costs, ce);
  costs[ce + K.denseParams] = embeddingParamsPerRank(w, wo, t);
  costs[ce + K.expertParams] = 0;
  if (lay[lo + L.zero] === 3) addZero3Copies(chips, co, lay, lo, costs[ce + K.denseParams], costs, ce);
  endStageCommunication(ctx, groups, tpTimes, lay, lo, false, costs, ce);
  exposeKind(lay, lo, EMBED);
  const ch = HEAD * LAYER_COST_SIZE;
  headCompute(w, wo, chips, co, lay, lo, costs, ch);
  costs[ch + K.denseParams] = headParamsPerRank(w, wo, t, p);
  costs[ch + K.expertParams] = 0;
  if (lay[lo + L.zero] === 3) addZero3Copies(chips, co, lay, lo, costs[ch + K.denseParams], costs, ch);
  endStageCommunication(ctx, groups, tpTimes, lay, lo, true, costs, ch);
  exposeKind(lay, lo, HEAD);

  // Pipeline devices: chunk k holds base + [k < rem] layers and sits on device k mod p.
  const base = Math.floor(layers / (p * v));
  const rem = layers - base * p * v;
  const firstDense = hasMoe ? w[wo + W.firstDenseLayers] : layers;
  const m = lay[lo + L.globalBatch] / (b * d);
  const tokens = (b * w[wo + W.seqLen]) / cp;
  const dpDense = cp * d;
  const dpExpert = (t * cp * d) / e;
  const capacity = (chips[co + C.memoryBytes] - chips[co + C.memoryReserveBytes]) * chips[co + C.usableMemoryFraction];
  const recomputeLayers = lay[lo + L.recompute] === 0 ? 0 : lay[lo + L.recomputeLayers];
  const offloadLayers = lay[lo + L.offloadLayers];
  const fOff = lay[lo + L.offloadOverlap];
  const hostBandwidth = chips[co + C.hostBandwidth];
  const workingSet =
    lay[lo + L.recompute] === 2
      ? Math.max(hasDense ? costs[DENSE * LAYER_COST_SIZE + K.fullActBytes] : 0, hasMoe ? costs[MOE * LAYER_COST_SIZE + K.fullActBytes] : 0)
      : 0;
  const logits = (tokens * w[wo + W.vocab] * 6) / t;
  const gathered = Math.max(
    hasDense ? costs[DENSE * LAYER_COST_SIZE + K.denseParams] : 0,
    hasMoe ? costs[MOE * LAYER_COST_SIZE + K.denseParams] + costs[MOE * LAYER_COST_SIZE + K.expertParams] : 0,
  );
  const cd = DENSE * LAYER_COST_SIZE;
  const cm = MOE * LAYER_COST_SIZE;

  let tauMax = -1;
  let tauSum = 0;
  let critical = 0;
  let criticalDense = 0;
  let criticalMoe = 0;
  let criticalRecDense = 0;
  let criticalRecMoe = 0;
  let criticalOffload = 0;
  let memMax = -1;
  let memWeights = 0;
  let memGradients = 0;
  let memOptimizer = 0;
  let memActivations = 0;
  let memOffloaded = 0;
  let heaviest = 0;
  let heaviestDense = 0;
  let heaviestMoe = 0;
  let heaviestRecDense = 0;
  let heaviestRecMoe = 0;
  let heaviestParams = -1;
  // Devices fall into runs that cost the same (see pipelineRunEnd): each run is priced once, at its first device,
  // which also has the most microbatches in flight (the run's memory peak); sums weigh it by its length.
  const longer = rem - Math.floor(rem / p) * p;
  const denseDevices = hasMoe ? devicesWithDenseLayers(p, v, base, rem, firstDense) : 0;
  for (let dev = 0; dev < p; ) {
    const end = pipelineRunEnd(dev, p, longer, denseDevices);
    const count = end - dev;
    const layersHere = layersOnDevice(dev, p, v, base, rem);
    const nDense = hasMoe ? denseLayersOnDevice(dev, p, v, base, rem, firstDense) : layersHere;
    const nMoe = layersHere - nDense;
    // Recomputed and offloaded layers, shared between the kinds in proportion to their counts.
    const recFraction = selectedLayers(recomputeLayers, layersHere, v, base) / layersHere;
    const offFraction = selectedLayers(offloadLayers, layersHere, v, base) / layersHere;
    const rDense = nDense * recFraction;
    const rMoe = nMoe * recFraction;
    const isFirst = dev === 0;
    const isLast = dev === p - 1;
    const perMicrobatch =
      (nDense - rDense) * costs[cd + K.fullActBytes] + rDense * costs[cd + K.actBytes] + (nMoe - rMoe) * costs[cm + K.fullActBytes] + rMoe * costs[cm + K.actBytes];
    // Offload: the selected layers' activations go to host memory during forward and come back for backward,
    // each copy hiding behind this device's compute of the same pass.
    const offBytes = perMicrobatch * offFraction;
    let offExposed = 0;
    if (offBytes > 0) {
      const copy = offBytes / hostBandwidth;
      const fwdWindow = nDense * costs[cd + K.fwdS] + nMoe * costs[cm + K.fwdS];
      const bwdWindow = nDense * costs[cd + K.bwdS] + nMoe * costs[cm + K.bwdS] + rDense * costs[cd + K.recomputeS] + rMoe * costs[cm + K.recomputeS];
      offExposed = copy - hidden(copy, fOff, fwdWindow) + (copy - hidden(copy, fOff, bwdWindow));
    }
    const tau =
      nDense * totals[DENSE] +
      nMoe * totals[MOE] +
      rDense * recTotals[DENSE] +
      rMoe * recTotals[MOE] +
      (isFirst ? totals[EMBED] : 0) +
      (isLast ? totals[HEAD] : 0) +
      offExposed;
    tauSum += count * tau;
    if (tau > tauMax) {
      tauMax = tau;
      critical = dev;
      criticalDense = nDense;
      criticalMoe = nMoe;
      criticalRecDense = rDense;
      criticalRecMoe = rMoe;
      criticalOffload = offExposed;
    }
    const denseParams =
      nDense * costs[cd + K.denseParams] +
      nMoe * costs[cm + K.denseParams] +
      (isFirst ? costs[ce + K.denseParams] : 0) +
      (isLast ? costs[ch + K.denseParams] : 0);
    const expertParams = nMoe * costs[cm + K.expertParams];
    const inFlight = inFlightMicrobatches(dev, p, m, v, lay[lo + L.microbatchGroup]);
    // Working set: one layer being recomputed (full), two layers' staging buffers for the offload copies.
    const staging = offBytes > 0 ? (2 * perMicrobatch) / layersHere : 0;
    stageMemory(
      lay,
      lo,
      denseParams,
      expertParams,
      dpDense,
      dpExpert,
      perMicrobatch - offBytes,
      inFlight,
      (rDense + rMoe > 0 ? workingSet : 0) + staging + (isLast ? logits : 0),
      gathered,
      memory,
    );
    if (memory[M.total] > memMax) {
      memMax = memory[M.total];
      memWeights = memory[M.weights];
      memGradients = memory[M.gradients];
      memOptimizer = memory[M.optimizer];
      memActivations = memory[M.activations];
      memOffloaded = offBytes * inFlight;
    }
    if (denseParams + expertParams > heaviestParams) {
      heaviestParams = denseParams + expertParams;
      heaviest = dev;
      heaviestDense = nDense;
      heaviestMoe = nMoe;
      heaviestRecDense = rDense;
      heaviestRecMoe = rMoe;
    }
    dev = end;
  }

  // After the pipeline: data-parallel reduction and gather, and the optimizer, on the stage with the most
  // parameters (the largest gradient and optimizer volume), with that stage's own overlap windows.
  const fDp = lay[lo + L.dpOverlap];
  const sigma = lay[lo + L.overlapSlowdown];
  const zero = lay[lo + L.zero];
  const bandwidth = chips[co + C.memoryBandwidth] * chips[co + C.memoryEfficiency];
  const tailFirst = heaviest === 0 ? 1 : 0;
  const tailLast = heaviest === p - 1 ? 1 : 0;
  const tailDense =
    heaviestDense * costs[cd + K.denseParams] +
    heaviestMoe * costs[cm + K.denseParams] +
    tailFirst * costs[ce + K.denseParams] +
    tailLast * costs[ch + K.denseParams];
  const tailExpert = heaviestMoe * costs[cm + K.expertParams];
  const fwdWindow = heaviestDense * costs[cd + K.fwdS] + heaviestMoe * costs[cm + K.fwdS] + tailFirst * costs[ce + K.fwdS] + tailLast * costs[ch + K.fwdS];
  const bwdWindow =
    heaviestDense * costs[cd + K.bwdS] +
    heaviestMoe * costs[cm + K.bwdS] +
    heaviestRecDense * costs[cd + K.recomputeS] +
    heaviestRecMoe * costs[cm + K.recomputeS] +
    tailFirst * costs[ce + K.bwdS] +
    tailLast * costs[ch + K.bwdS];
  dataParallelTail(ctx, groups, lay, lo, tailDense, tailExpert, tail);
  const hiddenReduce = hidden(tail[DpTail.reduceS], fDp, bwdWindow);
  const hiddenGather = hidden(tail[DpTail.gatherS], fDp, fwdWindow);
  const tailDp = tail[DpTail.reduceS] - hiddenReduce + (tail[DpTail.gatherS] - hiddenGather);
  const tailSlow = sigma * (hiddenReduce + hiddenGather);
  const tailOptimizer =
    ((OPTIMIZER_BYTES_PER_PARAM + lay[lo + L.gradientBytes]) * (tailDense / (zero >= 1 ? dpDense : 1) + tailExpert / (zero >= 1 ? dpExpert : 1))) /
    bandwidth;

  // Pipeline schedule and point-to-point.
  const bubble = (tauSum - tauMax) / v;
  const p2p = pipelineP2pS(ctx, groups, w, wo, lay, lo);
  const ppRaw = p > 1 ? 2 * p2p * (m * v + p - 1) : 0;
  const ppHidden = ppOverlapOf(lay, lo) * ppRaw;
  const ppExposed = ppRaw - ppHidden;
  const first = critical === 0 ? 1 : 0;
  const last = critical === p - 1 ? 1 : 0;
  const computeS = m * stagePart(P.compute, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last);
  const tpS = m * stagePart(P.tp, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last);
  const cpS = m * stagePart(P.cp, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last);
  const epS = m * stagePart(P.ep, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last);
  const dpS = m * stagePart(P.dp, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last) + tailDp;
  const slowdownS = m * stagePart(P.slowdown, criticalDense, criticalMoe, criticalRecDense, criticalRecMoe, first, last) + sigma * ppHidden + tailSlow;
  const offloadS = m * criticalOffload;
  const stepS = computeS + tpS + cpS + epS + dpS + ppExposed + bubble + tailOptimizer + slowdownS + offloadS;

  const seq = w[wo + W.seqLen];
  const tokensPerStep = lay[lo + L.globalBatch] * seq;
  const modelFlops = tokensPerStep * 3 * forwardFlopsPerToken(w, wo);
  const recompute = lay[lo + L.recompute];
  // Recompute FLOPs in proportion to the layers that recompute: the first recomputeLayers of each of the p·v
  // chunks (rem of them hold base + 1 layers).
  const recomputedLayers =
    (p * v - rem) * (recomputeLayers < base ? recomputeLayers : base) + rem * (recomputeLayers < base + 1 ? recomputeLayers : base + 1);
  const recomputeFlops =
    recompute === 2
      ? (tokensPerStep * layerForwardFlopsPerToken(w, wo) * recomputedLayers) / layers
      : recompute === 1
        ? tokensPerStep * recomputedLayers * attentionCoreFlopsPerToken(w, wo)
        : 0;
  // MFU and HFU against the dense peak of the GEMM precision (FP8 runs against the FP8 peak).
  const peak = lay[lo + L.precision] === 1 ? chips[co + C.peakFp8Flops] : chips[co + C.peakBf16Flops];

  out[oo + O.stepS] = stepS;
  out[oo + O.computeS] = computeS;
  out[oo + O.tpS] = tpS;
  out[oo + O.cpS] = cpS;
  out[oo + O.epS] = epS;
  out[oo + O.dpS] = dpS;
  out[oo + O.ppS] = ppExposed;
  out[oo + O.bubbleS] = bubble;
  out[oo + O.optimizerS] = tailOptimizer;
  out[oo + O.slowdownS] = slowdownS;
  out[oo + O.mfu] = modelFlops / (stepS * gpus * peak);
  out[oo + O.hfu] = (modelFlops + recomputeFlops) / (stepS * gpus * peak);
  out[oo + O.tokensPerS] = tokensPerStep / stepS;
  out[oo + O.tokensPerSPerGpu] = tokensPerStep / stepS / gpus;
  out[oo + O.modelFlops] = modelFlops;
  out[oo + O.hardwareFlops] = modelFlops + recomputeFlops;
  out[oo + O.memoryBytes] = memMax;
  out[oo + O.weightBytes] = memWeights;
  out[oo + O.gradientBytes] = memGradients;
  out[oo + O.optimizerBytes] = memOptimizer;
  out[oo + O.activationBytes] = memActivations;
  out[oo + O.microbatches] = m;
  out[oo + O.gpus] = gpus;
  out[oo + O.criticalStage] = critical;
  out[oo + O.offloadS] = offloadS;
  out[oo + O.offloadedBytes] = memOffloaded;
  let status: number = TrainingStatus.Ok;
  if (!(stepS === stepS)) status = TrainingStatus.NoCollective;
  else if (memMax > capacity) status = TrainingStatus.OutOfMemory;
  out[oo + O.status] = status;
  return status;
}

/** Row sizes, for callers that slice packed arrays. */
export const ROW_SIZES = {
  workload: WORKLOAD_FIELD_COUNT,
  chip: CHIP_FIELD_COUNT,
  cluster: CLUSTER_FIELD_COUNT,
  layout: LAYOUT_FIELD_COUNT,
  output: OUTPUT_FIELD_COUNT,
} as const;
