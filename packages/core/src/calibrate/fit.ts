/**
 * Fits a cluster's free parameters to measured nccl-tests rows: regularised non-linear least squares on
 * log(time), every size and op at once, the base preset as the prior.
 *
 *   minimise  Σ_rows ((ln t_model(θ) − ln t_measured) / σ)²  +  Σ_params ((φ_j − φ_j,base) / τ_j)²
 *
 * t_model is the collective model itself (placeRanks + selectCandidate with NCCL's algorithms, as every command
 * prices a call); φ_j is parameter j on an unbounded scale (logit of efficiencies, log(µs + 1) of latencies);
 * σ = 0.05 (5% timing noise) and τ_j weigh the prior against the data. The minimiser is ml-levenberg-marquardt
 * (mljs) on that stacked residual vector; the confidence intervals come from the Jacobian at the solution:
 * Cov(φ) = s² (JᵀJ)⁻¹ with s² the data residual variance per degree of freedom, ±1.96 √Cov mapped back to
 * natural units. docs/model/calibrate.md states every choice.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { inverse, Matrix } from 'ml-matrix';
import type { ClusterParams } from '../model/cluster-params.js';
import { emptyResult, evaluateCandidate, placeRanks, selectCandidate, busBandwidthFactor, type Placement } from '../model/collective.js';
import { ALGORITHMS, AUTO, NCCL_ALGORITHM, OPS, PROTOCOLS, type Op } from '../model/enums.js';
import type { LogRow, LogRun } from './nccl-tests-log.js';

/** Relative timing noise the data residuals are scaled by (weighs data against the prior). */
export const TIMING_SIGMA = 0.05;
/** Two-sided 95% normal quantile for the intervals. */
const Z95 = 1.959963984540054;

/** The parameters calibrate can fit, in the cluster row's terms. */
export const FIT_PARAMETERS = ['scaleUpGBps', 'scaleOutGBps', 'nvlsEfficiency', 'inNetworkEfficiency', 'scaleUpHopUs', 'scaleOutHopUs', 'callLatencyUs'] as const;
export type FitParameter = (typeof FIT_PARAMETERS)[number];

interface Transform {
  toPhi(value: number): number;
  fromPhi(phi: number): number;
  /** Prior width on the φ scale. */
  tau: number;
  min: number;
  max: number;
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A fraction of `scale` (an efficiency, or a bandwidth as a fraction of its line rate): logit, prior ±1. */
function fractionOf(scale: number): Transform {
  return {
    toPhi: (v) => logit(Math.min(0.999, Math.max(0.001, v / scale))),
    fromPhi: (phi) => scale * sigmoid(phi),
    tau: 1,
    min: logit(0.005),
    max: logit(0.999),
  };
}

/** A latency in µs ≥ 0: log(µs + 1), prior ±1.5, at most 10 ms. */
const LATENCY: Transform = {
  toPhi: (v) => Math.log(v + 1),
  fromPhi: (phi) => Math.max(0, Math.exp(phi) - 1),
  tau: 1.5,
  min: 0,
  max: Math.log(10001),
};

export interface FitObservation {
  run: LogRun;
  row: LogRow;
  placement: 'out-of-place' | 'in-place';
  timeUs: number;
}

export interface FittedParameter {
  parameter: FitParameter;
  unit: string;
  base: number;
  value: number;
  /** 95% interval (natural units); equal to value when the parameter was not fitted. */
  low: number;
  high: number;
  fitted: boolean;
  /** Why a parameter was left at its base value, or what limits its estimate. */
  note?: string;
}

export interface ResidualRow {
  file: string;
  line: number;
  op: Op;
  gpus: number;
  nodes: number;
  bytes: number;
  measuredUs: number;
  modelUs: number;
  measuredBusbwGBps: number;
  modelBusbwGBps: number;
  /** model / measured time. */
  ratio: number;
  algorithm: string;
}

export interface FitResult {
  params: ClusterParams;
  parameters: FittedParameter[];
  /** One row per measured row (out-of-place time; in-place where only it was measured). */
  residuals: ResidualRow[];
  observations: number;
  /** Root mean square of ln(model/measured) over every observation, before and after the fit. */
  rmsLogBefore: number;
  rmsLogAfter: number;
  iterations: number;
  warnings: string[];
}

export interface FitInput {
  runs: LogRun[];
  base: ClusterParams;
  /** Per-direction line rates the bandwidth efficiencies are fractions of (GB/s). */
  scaleUpLineGBps: number;
  scaleOutLineGBps: number;
}

const UNITS: Record<FitParameter, string> = {
  scaleUpGBps: 'GB/s per direction',
  scaleOutGBps: 'GB/s per direction',
  nvlsEfficiency: 'of scaleUpGBps',
  inNetworkEfficiency: 'of scaleOutGBps',
  scaleUpHopUs: 'µs',
  scaleOutHopUs: 'µs',
  callLatencyUs: 'µs',
};

/** The (g, N) a run's ranks occupy on the cluster: one domain per host, or NVL72-class domains spanning hosts. */
export function runShape(run: LogRun, params: ClusterParams): { g: number; domains: number } {
  const n = run.gpusPerNode * run.nodes;
  if (run.gpusPerNode > params.gpusPerDomain) {
    throw new RangeError(
      `${run.file}:${run.line}: ${run.gpusPerNode} ranks per host, more than the base cluster's ${params.gpusPerDomain} GPUs per scale-up domain`,
    );
  }
  // A multi-node NVLink domain (NVL72) holds several hosts' GPUs; HGX-class domains are one host.
  if (params.gpusPerDomain > 8 && n <= params.gpusPerDomain) return { g: n, domains: 1 };
  return { g: run.gpusPerNode, domains: run.nodes };
}

const OP_CODE = new Map(OPS.map((op, i) => [op, i] as const));

function observationsOf(runs: LogRun[]): FitObservation[] {
  const out: FitObservation[] = [];
  for (const run of runs) {
    for (const row of run.rows) {
      out.push({ run, row, placement: 'out-of-place', timeUs: row.outOfPlace.timeUs });
      if (row.inPlace) out.push({ run, row, placement: 'in-place', timeUs: row.inPlace.timeUs });
    }
  }
  return out;
}

/** Which parameters the observations can inform at all. */
function informative(obs: FitObservation[], base: ClusterParams): Map<FitParameter, string | undefined> {
  const shapes = obs.map((o) => ({ o, ...runShape(o.run, base) }));
  const up = shapes.some((s) => s.g > 1);
  const net = shapes.some((s) => s.domains > 1);
  const nvls =
    base.inSwitchReduction === 1 && base.scaleUpTopology === 0 && shapes.some((s) => s.o.run.op === 'all-reduce' && s.g >= 3);
  const inNet = base.inNetworkReduction === 1 && shapes.some((s) => s.o.run.op === 'all-reduce' && s.domains > 1);
  const why = new Map<FitParameter, string | undefined>();
  why.set('scaleUpGBps', up ? undefined : 'no run has two GPUs in one domain');
  why.set('scaleUpHopUs', up ? undefined : 'no run has two GPUs in one domain');
  why.set('scaleOutGBps', net ? undefined : 'no multi-node run');
  why.set('scaleOutHopUs', net ? undefined : 'no multi-node run');
  why.set('nvlsEfficiency', nvls ? undefined : base.inSwitchReduction === 1 ? 'no all-reduce on 3+ GPUs of a domain' : 'the base cluster has no in-switch reduction');
  why.set('inNetworkEfficiency', inNet ? undefined : base.inNetworkReduction === 1 ? 'no multi-node all-reduce' : 'the base cluster has no in-network reduction');
  why.set('callLatencyUs', undefined);
  return why;
}

interface Model {
  free: FitParameter[];
  transforms: Map<FitParameter, Transform>;
  paramsOf(phi: ArrayLike<number>): ClusterParams;
}

function buildModel(input: FitInput, free: FitParameter[]): Model {
  const transforms = new Map<FitParameter, Transform>([
    ['scaleUpGBps', fractionOf(input.scaleUpLineGBps)],
    ['scaleOutGBps', fractionOf(input.scaleOutLineGBps)],
    ['nvlsEfficiency', fractionOf(1)],
    ['inNetworkEfficiency', fractionOf(1)],
    ['scaleUpHopUs', LATENCY],
    ['scaleOutHopUs', LATENCY],
    ['callLatencyUs', LATENCY],
  ]);
  return {
    free,
    transforms,
    paramsOf(phi) {
      const params = { ...input.base };
      free.forEach((p, j) => {
        params[p] = transforms.get(p)!.fromPhi(phi[j]);
      });
      return params;
    },
  };
}

/** Model time (µs) of an observation under `params`, with the algorithm NCCL-style auto picks. */
function modelTime(params: ClusterParams, o: FitObservation, out = emptyResult()): { timeUs: number; algorithm: string; placement: Placement } {
  const { g, domains } = runShape(o.run, params);
  // Graph-captured runs (nccl-tests -G) are priced as graph replays.
  const runParams = o.run.cudaGraph ? { ...params, cudaGraph: 1 } : params;
  const p = placeRanks(runParams, g, domains);
  selectCandidate(runParams, p, OP_CODE.get(o.run.op)!, o.row.bytes, AUTO, AUTO, out);
  return { timeUs: out.timeS * 1e6, algorithm: `${ALGORITHMS[out.algo] ?? '?'}/${PROTOCOLS[out.proto] ?? '?'}`, placement: p };
}

function logResiduals(params: ClusterParams, obs: FitObservation[]): number[] {
  const scratch = emptyResult();
  return obs.map((o) => Math.log(modelTime(params, o, scratch).timeUs / o.timeUs));
}

function rms(values: number[]): number {
  return Math.sqrt(values.reduce((s, v) => s + v * v, 0) / Math.max(1, values.length));
}

/** Weighted residual vector (data rows, then one prior row per free parameter). */
function stackedResiduals(model: Model, phi: number[], phi0: number[], obs: FitObservation[]): number[] {
  const data = logResiduals(model.paramsOf(phi), obs).map((r) => r / TIMING_SIGMA);
  const prior = model.free.map((p, j) => (phi[j] - phi0[j]) / model.transforms.get(p)!.tau);
  return [...data, ...prior];
}

/** Central-difference Jacobian of the stacked residuals. */
function jacobian(model: Model, phi: number[], phi0: number[], obs: FitObservation[], step = 1e-3): Matrix {
  const rows = obs.length + phi.length;
  const J = new Matrix(rows, phi.length);
  for (let j = 0; j < phi.length; j += 1) {
    const plus = [...phi];
    const minus = [...phi];
    plus[j] += step;
    minus[j] -= step;
    const a = stackedResiduals(model, plus, phi0, obs);
    const b = stackedResiduals(model, minus, phi0, obs);
    for (let i = 0; i < rows; i += 1) J.set(i, j, (a[i] - b[i]) / (2 * step));
  }
  return J;
}

/** Polished starts besides the grid's. */
const MULTI_STARTS = 4;

/** Deterministic uniform numbers in [0, 1) (mulberry32), so a fit reproduces. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sumOfSquares(values: number[]): number {
  return values.reduce((s, v) => s + v * v, 0);
}

/**
 * A coarse start for Levenberg–Marquardt: coordinate descent over a grid of each parameter in turn (two passes,
 * ±3τ then ±τ around the current point). The model is a minimum over algorithms, so its time is flat in a
 * parameter wherever that parameter's algorithm is not chosen (NVLS efficiency below the ring's rate, say); a
 * gradient method started far off can slide into such a plateau and stay, a grid cannot.
 */
function coordinateStart(model: Model, phi0: number[], obs: FitObservation[]): number[] {
  const phi = [...phi0];
  let best = sumOfSquares(stackedResiduals(model, phi, phi0, obs));
  for (const width of [3, 1, 0.3]) {
    for (let j = 0; j < phi.length; j += 1) {
      const t = model.transforms.get(model.free[j])!;
      const center = phi[j];
      for (let k = -6; k <= 6; k += 1) {
        if (k === 0) continue;
        const trial = [...phi];
        trial[j] = Math.min(t.max, Math.max(t.min, center + (k / 6) * width * t.tau));
        const value = sumOfSquares(stackedResiduals(model, trial, phi0, obs));
        if (value < best) {
          best = value;
          phi[j] = trial[j];
        }
      }
    }
  }
  return phi;
}

/** Sizes of a run where the measured time disagrees with every algorithm/protocol of the model by > 20%. */
function structuralWarnings(params: ClusterParams, runs: LogRun[]): string[] {
  const warnings: string[] = [];
  const scratch = emptyResult();
  const fmtBytes = (b: number) => (b >= 2 ** 30 ? `${b / 2 ** 30} GiB` : b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : b >= 1024 ? `${b / 1024} KiB` : `${b} B`);
  for (const run of runs) {
    const { g, domains } = runShape(run, params);
    const runParams = run.cudaGraph ? { ...params, cudaGraph: 1 } : params;
    const p = placeRanks(runParams, g, domains);
    const op = OP_CODE.get(run.op)!;
    type Verdict = { kind: 'none' | 'other' | 'ok'; detail: string };
    const verdicts: { row: LogRow; v: Verdict }[] = [];
    for (const row of run.rows) {
      const measured = row.outOfPlace.timeUs;
      selectCandidate(runParams, p, op, row.bytes, AUTO, AUTO, scratch);
      const autoRatio = (scratch.timeS * 1e6) / measured;
      const autoName = `${ALGORITHMS[scratch.algo]}/${PROTOCOLS[scratch.proto]}`;
      if (Math.abs(autoRatio - 1) <= 0.2) {
        verdicts.push({ row, v: { kind: 'ok', detail: '' } });
        continue;
      }
      let closest = { name: '', ratio: Infinity };
      for (let a = 0; a < ALGORITHMS.length; a += 1) {
        if (!NCCL_ALGORITHM[a]) continue;
        for (let q = 0; q < PROTOCOLS.length; q += 1) {
          if (!evaluateCandidate(runParams, p, op, row.bytes, a, q, scratch)) continue;
          const ratio = (scratch.timeS * 1e6) / measured;
          if (Math.abs(Math.log(ratio)) < Math.abs(Math.log(closest.ratio))) closest = { name: `${ALGORITHMS[a]}/${PROTOCOLS[q]}`, ratio };
        }
      }
      if (Math.abs(closest.ratio - 1) <= 0.2) {
        verdicts.push({ row, v: { kind: 'other', detail: `NCCL appears to run ${closest.name} (model ${closest.ratio.toFixed(2)}× measured) where the model picks ${autoName} (${autoRatio.toFixed(2)}×)` } });
      } else {
        verdicts.push({ row, v: { kind: 'none', detail: `closest: ${closest.name} at ${closest.ratio.toFixed(2)}× measured` } });
      }
    }
    // Contiguous stretches of the same verdict.
    for (let i = 0; i < verdicts.length; ) {
      const kind = verdicts[i].v.kind;
      let j = i;
      while (j + 1 < verdicts.length && verdicts[j + 1].v.kind === kind) j += 1;
      if (kind !== 'ok') {
        const range = i === j ? fmtBytes(verdicts[i].row.bytes) : `${fmtBytes(verdicts[i].row.bytes)}–${fmtBytes(verdicts[j].row.bytes)}`;
        const where = `${run.file}:${verdicts[i].row.line}: ${run.op} on ${run.nodes}×${run.gpusPerNode} GPUs, ${range}`;
        warnings.push(
          kind === 'none'
            ? `${where}: no algorithm/protocol of the model comes within 20% of the measured time (${verdicts[i].v.detail})`
            : `${where}: ${verdicts[i].v.detail}`,
        );
      }
      i = j + 1;
    }
  }
  return warnings;
}

/** Fits the free parameters the runs inform; the rest keep the base value. */
export function fitCluster(input: FitInput): FitResult {
  if (input.runs.length === 0) throw new RangeError('calibrate: no runs to fit');
  const obs = observationsOf(input.runs);
  const why = informative(obs, input.base);
  const free = FIT_PARAMETERS.filter((p) => why.get(p) === undefined);
  const model = buildModel(input, free);
  const phi0 = free.map((p) => model.transforms.get(p)!.toPhi(input.base[p]));
  const before = logResiduals(input.base, obs);

  const objective = (x: number[]) => sumOfSquares(stackedResiduals(model, x, phi0, obs));
  const lower = free.map((p) => model.transforms.get(p)!.min);
  const upper = free.map((p) => model.transforms.get(p)!.max);
  const polish = (start: number[]) =>
    levenbergMarquardt(
      { x: index, y: targets },
      (phi: number[]) => {
        const residuals = stackedResiduals(model, phi, phi0, obs);
        return (i: number) => residuals[i];
      },
      {
        initialValues: start,
        minValues: lower,
        maxValues: upper,
        damping: 1e-2,
        gradientDifference: 1e-3,
        centralDifference: true,
        maxIterations: 60,
        errorTolerance: 1e-10,
      },
    );
  const targets = [...obs.map(() => 0), ...free.map(() => 0)];
  const index = targets.map((_, i) => i);
  // Starts: the grid's, then a few seeded perturbations of it (latencies trade off along diagonals that a
  // coordinate grid cannot follow); keep the best polished point, or the grid's if nothing beats it.
  const grid = coordinateStart(model, phi0, obs);
  const random = seededUniform(0x5eed);
  const starts = [grid, ...Array.from({ length: MULTI_STARTS }, () => grid.map((v, j) => Math.min(upper[j], Math.max(lower[j], v + (random() * 2 - 1) * model.transforms.get(free[j])!.tau))))];
  let phi = grid;
  let bestValue = objective(grid);
  let iterations = 0;
  for (const start of starts) {
    const lm = polish(start);
    iterations += lm.iterations;
    const value = objective(lm.parameterValues);
    if (value < bestValue) {
      bestValue = value;
      phi = lm.parameterValues;
    }
  }
  const params = model.paramsOf(phi);
  const after = logResiduals(params, obs);

  // Intervals: Cov(φ) = s² (JᵀJ)⁻¹ on the stacked, weighted system.
  const J = jacobian(model, phi, phi0, obs);
  const JtJ = J.transpose().mmul(J);
  let cov: Matrix | undefined;
  try {
    cov = inverse(JtJ);
  } catch {
    cov = undefined;
  }
  const dof = Math.max(1, obs.length - free.length);
  const s2 = Math.max(1, after.reduce((s, r) => s + (r / TIMING_SIGMA) ** 2, 0) / dof);
  // Data information per parameter (JᵀJ of the data rows alone) against the prior's 1/τ².
  const dataInfo = free.map((_, j) => {
    let sum = 0;
    for (let i = 0; i < obs.length; i += 1) sum += J.get(i, j) ** 2;
    return sum;
  });

  const warnings: string[] = [];
  const parameters: FittedParameter[] = FIT_PARAMETERS.map((p) => {
    const base = input.base[p];
    const j = free.indexOf(p);
    if (j < 0) return { parameter: p, unit: UNITS[p], base, value: base, low: base, high: base, fitted: false, note: `kept: ${why.get(p)}` };
    const t = model.transforms.get(p)!;
    const sd = cov ? Math.sqrt(Math.max(0, cov.get(j, j) * s2)) : NaN;
    const low = t.fromPhi(phi[j] - Z95 * sd);
    const high = t.fromPhi(phi[j] + Z95 * sd);
    const tau = t.tau;
    if (dataInfo[j] < 0.1 / (tau * tau)) {
      return { parameter: p, unit: UNITS[p], base, value: base, low: base, high: base, fitted: false, note: 'kept: the logs barely constrain it (no row where it changes the chosen algorithm’s time)' };
    }
    const notes: string[] = [];
    if (phi[j] <= t.min + 1e-6 || phi[j] >= t.max - 1e-6) {
      notes.push('at the edge of its allowed range');
      warnings.push(`${p} ended at the edge of its allowed range (${t.fromPhi(phi[j]).toPrecision(4)} ${UNITS[p]}): the model's structure may not match these logs`);
    }
    if (dataInfo[j] < 1 / (tau * tau)) notes.push('weakly constrained: the prior (base value) weighs as much as the logs');
    return { parameter: p, unit: UNITS[p], base, value: params[p], low: Math.min(low, high), high: Math.max(low, high), fitted: true, ...(notes.length ? { note: notes.join('; ') } : {}) };
  });
  // Parameters kept at base: restore them exactly (the fit may have moved a weakly constrained one).
  const finalParams = { ...params };
  for (const fp of parameters) if (!fp.fitted) finalParams[fp.parameter] = fp.base;
  const finalAfter = logResiduals(finalParams, obs);

  const scratch = emptyResult();
  const residuals: ResidualRow[] = [];
  for (const o of obs) {
    if (o.placement === 'in-place' && o.row.outOfPlace) continue;
    const m = modelTime(finalParams, o, scratch);
    const n = o.run.gpusPerNode * o.run.nodes;
    const factor = busBandwidthFactor(OP_CODE.get(o.run.op)!, n);
    residuals.push({
      file: o.run.file,
      line: o.row.line,
      op: o.run.op,
      gpus: n,
      nodes: o.run.nodes,
      bytes: o.row.bytes,
      measuredUs: o.timeUs,
      modelUs: m.timeUs,
      measuredBusbwGBps: (o.row.bytes / (o.timeUs * 1e-6) / 1e9) * factor,
      modelBusbwGBps: (o.row.bytes / (m.timeUs * 1e-6) / 1e9) * factor,
      ratio: m.timeUs / o.timeUs,
      algorithm: m.algorithm,
    });
  }
  warnings.push(...structuralWarnings(finalParams, input.runs));
  return {
    params: finalParams,
    parameters,
    residuals,
    observations: obs.length,
    rmsLogBefore: rms(before),
    rmsLogAfter: rms(finalAfter),
    iterations,
    warnings,
  };
}
