/**
 * Typed single-call and size-sweep helpers over the batch engine. Each call validates its request,
 * builds small columns, and runs them through the engine (native when built).
 */
import { packClusters } from '../model/cluster-params.js';
import { busBandwidthFactor, placeGpus } from '../model/collective.js';
import {
  allocateInputColumns,
  allocateOutputColumns,
  BYTES_RANGE,
  MAX_BYTES,
  type CollectiveInputColumns,
  type CollectiveOutputColumns,
} from '../model/columns.js';
import { ineligibilityReason } from '../model/eligibility.js';
import {
  ALGORITHMS,
  AUTO,
  AUTO_ALL,
  OPS,
  PROTOCOLS,
  STATUS_MESSAGES,
  type Algorithm,
  type Op,
  type Protocol,
} from '../model/enums.js';
import { getEngine, type EnginePreference } from '../engine/engine.js';
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { checkGpuCount, normaliseCluster, type ClusterInput } from './cluster-input.js';

export interface CollectiveRequest {
  op: Op;
  /** nccl-tests "size" in bytes: whole buffer for all-gather, reduce-scatter and all-to-all; per rank otherwise. */
  bytes: number;
  gpus: number;
  cluster: ClusterInput;
  /** A forced algorithm, 'auto' (fastest of NCCL's algorithms, the default) or 'best' (fastest of all modelled). */
  algorithm?: Algorithm | 'auto' | 'best';
  protocol?: Protocol | 'auto';
  engine?: EnginePreference;
}

export interface CollectivePrediction {
  op: Op;
  bytes: number;
  gpus: number;
  /** GPUs per scale-up domain used by this call, and the number of domains. */
  gpusPerDomain: number;
  domains: number;
  timeS: number;
  /** Algorithm bandwidth, bytes / time, decimal GB/s (nccl-tests algbw). */
  algbwGBps: number;
  /** algbw × nccl-tests' bus factor (2(n−1)/n all-reduce; (n−1)/n gathers, scatters, all-to-all; 1 otherwise). */
  busbwGBps: number;
  algorithm: Algorithm;
  protocol: Protocol;
  /** Bytes each GPU sends over scale-up links / over its NICs, per direction. */
  scaleUpBytesPerGpu: number;
  scaleOutBytesPerGpu: number;
}

export interface CollectiveCandidate {
  algorithm: Algorithm;
  protocol: Protocol;
  eligible: boolean;
  /** Why the pair cannot run here; null when eligible. */
  reason: string | null;
  timeS: number;
  algbwGBps: number;
  busbwGBps: number;
  /** The pair `auto` picks (NCCL's algorithms). */
  chosen: boolean;
  /** The pair `best` picks (every modelled algorithm). */
  best: boolean;
}

function enumCode<T extends string>(field: string, value: unknown, names: readonly T[], autos: Record<string, number>): number {
  if (value === undefined && 'auto' in autos) return autos.auto;
  if (typeof value === 'string' && value in autos) return autos[value];
  const index = names.indexOf(value as T);
  if (index < 0) {
    const allowed = [...Object.keys(autos), ...names].join(', ');
    throw new LinkcapInputError(field, `${describeValue(value)}: must be one of ${allowed}`);
  }
  return index;
}

/** The batch engines' limit (MAX_BYTES) and words, for one request. */
function checkBytes(bytes: unknown, field = 'bytes'): number {
  if (typeof bytes !== 'number' || !(bytes > 0 && bytes <= MAX_BYTES)) {
    throw new LinkcapInputError(field, `${describeValue(bytes)}: ${BYTES_RANGE}`);
  }
  return bytes;
}

interface CheckedRequest {
  op: number;
  algo: number;
  proto: number;
  gpus: number;
  cluster: ReturnType<typeof normaliseCluster>;
}

function checkRequest(request: Omit<CollectiveRequest, 'bytes'>): CheckedRequest {
  if (request === null || typeof request !== 'object') throw new LinkcapInputError('request', 'must be an object');
  const op = enumCode('op', request.op, OPS, {});
  const algo = enumCode('algorithm', request.algorithm, ALGORITHMS, { auto: AUTO, best: AUTO_ALL });
  const proto = enumCode('protocol', request.protocol, PROTOCOLS, { auto: AUTO });
  const cluster = normaliseCluster(request.cluster);
  const gpus = checkGpuCount(cluster, request.gpus);
  return { op, algo, proto, gpus, cluster };
}

/** Why nothing could run: names the forced pair and the first reason. */
function noEligibleMessage(checked: CheckedRequest): string {
  const placement = placeGpus(checked.cluster.params, checked.gpus)!;
  const reasons: string[] = [];
  for (let a = 0; a < ALGORITHMS.length; a += 1) {
    if (checked.algo !== AUTO && checked.algo !== AUTO_ALL && a !== checked.algo) continue;
    for (let p = 0; p < PROTOCOLS.length; p += 1) {
      if (checked.proto !== AUTO && p !== checked.proto) continue;
      const reason = ineligibilityReason(checked.cluster.params, placement, checked.op, a, p);
      if (reason) reasons.push(`${ALGORITHMS[a]}/${PROTOCOLS[p]}: ${reason}`);
    }
  }
  return `no eligible algorithm/protocol for ${OPS[checked.op]} on ${checked.gpus} GPUs${
    checked.cluster.id ? ` of ${checked.cluster.id}` : ''
  } (${reasons.slice(0, 3).join('; ')})`;
}

/**
 * Columns for a call of `length` points. A one-point call (predictCollective) reuses one private set: the
 * evaluation is synchronous and calls nothing back, so no other call can use it meanwhile, and allocating
 * fourteen arrays would cost more than evaluating the point.
 */
let onePoint: { inputs: CollectiveInputColumns; outputs: CollectiveOutputColumns } | undefined;
function columnsFor(length: number): { inputs: CollectiveInputColumns; outputs: CollectiveOutputColumns } {
  if (length === 1) {
    onePoint ??= { inputs: allocateInputColumns(1, { shared: false }), outputs: allocateOutputColumns(1, { shared: false }) };
    return onePoint;
  }
  return { inputs: allocateInputColumns(length, { shared: false }), outputs: allocateOutputColumns(length, { shared: false }) };
}

/** Predicts many sizes of one collective in one engine call (the nccl-tests sweep). */
export function predictCollectiveSizes(request: Omit<CollectiveRequest, 'bytes'>, sizes: readonly number[]): CollectivePrediction[] {
  const checked = checkRequest(request);
  if (!Array.isArray(sizes) || sizes.length === 0) throw new LinkcapInputError('sizes', 'must be a non-empty array of byte counts');
  sizes.forEach((size, i) => checkBytes(size, `sizes[${i}]`));
  const { inputs, outputs } = columnsFor(sizes.length);
  inputs.op.fill(checked.op);
  inputs.bytes.set(sizes);
  inputs.gpus.fill(checked.gpus);
  inputs.algo.fill(checked.algo);
  inputs.proto.fill(checked.proto);
  getEngine(request.engine).evaluate(packClusters([checked.cluster.params]), inputs, outputs);
  const placement = placeGpus(checked.cluster.params, checked.gpus)!;
  return sizes.map((size, i) => {
    if (outputs.status[i] !== 0) {
      if (outputs.status[i] === 2) throw new LinkcapInputError('algorithm', noEligibleMessage(checked));
      throw new LinkcapInputError('gpus', STATUS_MESSAGES[outputs.status[i]]);
    }
    return {
      op: OPS[checked.op],
      bytes: size,
      gpus: checked.gpus,
      gpusPerDomain: placement.g,
      domains: placement.domains,
      timeS: outputs.timeS[i],
      algbwGBps: outputs.algbwGBps[i],
      busbwGBps: outputs.busbwGBps[i],
      algorithm: ALGORITHMS[outputs.algo[i]],
      protocol: PROTOCOLS[outputs.proto[i]],
      scaleUpBytesPerGpu: outputs.scaleUpBytes[i],
      scaleOutBytesPerGpu: outputs.scaleOutBytes[i],
    };
  });
}

/** Predicts one collective call. Throws LinkcapInputError (field + allowed range) on bad input. */
export function predictCollective(request: CollectiveRequest): CollectivePrediction {
  return predictCollectiveSizes(request, [checkBytes(request?.bytes)])[0];
}

/**
 * Every (algorithm, protocol) pair for one call: its time if eligible, else why not; the pair auto picks
 * is marked. This is the per-size "why this algorithm" table users ask NCCL for.
 */
export function collectiveCandidates(request: CollectiveRequest): CollectiveCandidate[] {
  const checked = checkRequest({ ...request, algorithm: 'auto', protocol: 'auto' });
  const bytes = checkBytes(request.bytes);
  const pairs = ALGORITHMS.length * PROTOCOLS.length;
  const inputs = allocateInputColumns(pairs + 2, { shared: false });
  const outputs = allocateOutputColumns(pairs + 2, { shared: false });
  inputs.op.fill(checked.op);
  inputs.bytes.fill(bytes);
  inputs.gpus.fill(checked.gpus);
  for (let a = 0; a < ALGORITHMS.length; a += 1) {
    for (let p = 0; p < PROTOCOLS.length; p += 1) {
      inputs.algo[a * PROTOCOLS.length + p] = a;
      inputs.proto[a * PROTOCOLS.length + p] = p;
    }
  }
  // The last rows ask for auto and best, so "chosen" comes from the engine itself rather than being re-derived here.
  inputs.algo[pairs] = AUTO;
  inputs.proto[pairs] = AUTO;
  inputs.algo[pairs + 1] = AUTO_ALL;
  inputs.proto[pairs + 1] = AUTO;
  getEngine(request.engine).evaluate(packClusters([checked.cluster.params]), inputs, outputs);
  const placement = placeGpus(checked.cluster.params, checked.gpus)!;
  const rows: CollectiveCandidate[] = [];
  for (let i = 0; i < pairs; i += 1) {
    const algo = inputs.algo[i];
    const proto = inputs.proto[i];
    const eligible = outputs.status[i] === 0;
    rows.push({
      algorithm: ALGORITHMS[algo],
      protocol: PROTOCOLS[proto],
      eligible,
      reason: eligible ? null : ineligibilityReason(checked.cluster.params, placement, checked.op, algo, proto),
      timeS: outputs.timeS[i],
      algbwGBps: outputs.algbwGBps[i],
      busbwGBps: outputs.busbwGBps[i],
      chosen: eligible && outputs.algo[pairs] === algo && outputs.proto[pairs] === proto,
      best: eligible && outputs.algo[pairs + 1] === algo && outputs.proto[pairs + 1] === proto,
    });
  }
  return rows;
}

export { busBandwidthFactor };
