/**
 * `linkcap calibrate` as a function: parse nccl-tests logs, fit the base cluster's free parameters to them, and
 * build the catalog entry of the fitted cluster (derived from the base, every fitted figure with source `fit` and
 * a note naming the logs, the date, the fitted value and its 95% interval). No file system access: the CLI reads
 * the logs and writes the entry.
 */
import type { ResolvedCluster } from '../catalog/resolve-cluster.js';
import { FIT } from '../catalog/schema.js';
import type { Op } from '../model/enums.js';
import { LinkcapInputError } from '../validate/errors.js';
import { fitCluster, type FitParameter, type FitResult, type FittedParameter } from './fit.js';
import { NcclLogError, parseNcclTestsLog, type LogRun, type LogWarning, type ParsedLog } from './nccl-tests-log.js';

export interface CalibrateRequest {
  logs: readonly { file: string; text: string }[];
  base: ResolvedCluster;
  /** Id of the fitted cluster (lower case letters, digits, '-', '_', '.'). */
  name: string;
  /** Day of the fit, YYYY-MM-DD (default: today, UTC). */
  date?: string;
  /** Op of logs that do not name their test. */
  op?: Op;
  /** Drop rows that report wrong elements instead of failing. */
  skipWrong?: boolean;
}

export interface CalibrateResult {
  logs: ParsedLog[];
  runs: LogRun[];
  fit: FitResult;
  /** The catalog entry (clusters.<name>) to write; validated by the catalog writer. */
  entry: Record<string, unknown>;
  /** Log findings ("file:line: …") and fit findings, in that order. */
  warnings: string[];
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function show(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function formatWarning(w: LogWarning): string {
  return `${w.file}${w.line !== undefined ? `:${w.line}` : ''}: ${w.message}`;
}

/** Per-direction line rates of the base cluster, which fitted bandwidths are efficiencies of. */
function lineRates(base: ResolvedCluster): { up: number; out: number } {
  const bidir = base.spec.scaleUp.bidirectionalGBps?.value ?? base.chip.scaleUp.bidirectionalGBps?.value ?? null;
  const nics = base.spec.scaleOut.nicsPerGpu.value;
  const gbps = base.spec.scaleOut.nicGbps.value;
  // Fall back on the achieved figure itself when a line rate is unknown (its efficiency is then 1).
  const up = bidir !== null && bidir > 0 ? bidir / 2 : base.params.scaleUpGBps;
  const out = nics !== null && gbps !== null ? (nics * gbps) / 8 : base.params.scaleOutGBps;
  return { up: Math.max(up, base.params.scaleUpGBps), out: Math.max(out, base.params.scaleOutGBps) };
}

function figure(value: number, note: string): Record<string, unknown> {
  return { value: Number(value.toPrecision(6)), source: FIT, note };
}

/** The catalog entry of the fitted cluster: only the fitted figures, the rest inherited from the base. */
function clusterEntry(request: CalibrateRequest, fit: FitResult, files: string[], date: string, rates: { up: number; out: number }): Record<string, unknown> {
  const base = request.base;
  const from = `linkcap calibrate ${date} from ${files.join(', ')}`;
  const byName = new Map<FitParameter, FittedParameter>(fit.parameters.map((p) => [p.parameter, p]));
  const interval = (p: FittedParameter, unit: string) => `${show(p.value)} ${unit} (95% CI ${show(p.low)}–${show(p.high)}; base ${base.id} ${show(p.base)})`;
  const scaleUp: Record<string, unknown> = {};
  const scaleOut: Record<string, unknown> = {};
  const entry: Record<string, unknown> = {
    name: `${base.name}, fitted to ${files.length} nccl-tests log${files.length === 1 ? '' : 's'} (${date})`,
    chip: base.chip.id,
    derivedFrom: base.id,
  };
  const up = byName.get('scaleUpGBps')!;
  if (up.fitted) scaleUp.efficiency = figure(up.value / rates.up, `${from}: ${interval(up, 'GB/s per direction')} of ${show(rates.up)} line rate`);
  const upHop = byName.get('scaleUpHopUs')!;
  if (upHop.fitted) scaleUp.hopLatencyUs = figure(upHop.value, `${from}: ${interval(upHop, 'µs')}`);
  const nvls = byName.get('nvlsEfficiency')!;
  if (nvls.fitted) scaleUp.nvlsEfficiency = figure(nvls.value, `${from}: ${interval(nvls, '')}`);
  const out = byName.get('scaleOutGBps')!;
  if (out.fitted) scaleOut.efficiency = figure(out.value / rates.out, `${from}: ${interval(out, 'GB/s per direction')} of ${show(rates.out)} line rate`);
  const outHop = byName.get('scaleOutHopUs')!;
  if (outHop.fitted) scaleOut.hopLatencyUs = figure(outHop.value, `${from}: ${interval(outHop, 'µs')}`);
  const inNet = byName.get('inNetworkEfficiency')!;
  if (inNet.fitted) scaleOut.inNetworkEfficiency = figure(inNet.value, `${from}: ${interval(inNet, '')}`);
  if (Object.keys(scaleUp).length > 0) entry.scaleUp = scaleUp;
  if (Object.keys(scaleOut).length > 0) entry.scaleOut = scaleOut;
  const call = byName.get('callLatencyUs')!;
  if (call.fitted) entry.callLatencyUs = figure(call.value, `${from}: ${interval(call, 'µs')}`);
  entry.notes = [
    `${from}; ${fit.observations} timings, rms |ln(model/measured)| ${fit.rmsLogBefore.toFixed(3)} with ${base.id} → ${fit.rmsLogAfter.toFixed(3)} fitted`,
    ...fit.parameters.filter((p) => !p.fitted).map((p) => `${p.parameter} ${p.note ?? 'kept'} (${base.id}'s value)`),
  ];
  return entry;
}

/** Parses every log, checks they describe one cluster, fits it and builds its catalog entry. */
export function calibrateCluster(request: CalibrateRequest): CalibrateResult {
  if (!ID.test(request.name)) {
    throw new LinkcapInputError('name', `"${request.name}" must be 1–64 characters of a–z, 0–9, '.', '_' or '-', starting with a letter or digit`);
  }
  if (request.logs.length === 0) throw new LinkcapInputError('logs', 'give at least one nccl-tests log');
  const date = request.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new LinkcapInputError('date', `"${date}" must be YYYY-MM-DD`);
  const logs = request.logs.map(({ file, text }) => parseNcclTestsLog(text, file, { op: request.op, skipWrong: request.skipWrong }));
  const runs = logs.flatMap((l) => l.runs);
  // One cluster: one GPU model.
  const gpus = new Map<string, LogRun>();
  for (const run of runs) if (!gpus.has(run.gpu)) gpus.set(run.gpu, run);
  if (gpus.size > 1) {
    const list = [...gpus].map(([gpu, run]) => `"${gpu}" (${run.file}:${run.line})`).join(', ');
    throw new NcclLogError(runs[0].file, runs[0].line, `the logs were measured on different GPUs (${list}); calibrate one cluster at a time`);
  }
  const warnings = logs.flatMap((l) => l.warnings.map(formatWarning));
  const gpuName = runs[0].gpu;
  const chip = request.base.chip;
  const chipWords = [chip.id, chip.name, ...(chip.aliases ?? [])].map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const gpuWord = gpuName.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!chipWords.some((w) => w.length >= 3 && (gpuWord.includes(w.replace(/(sxm|pcie)$/, '')) || w.includes(gpuWord)))) {
    warnings.push(`the logs ran on "${gpuName}" but the base cluster ${request.base.id} is built on ${request.base.chip.name}: check --base`);
  }
  const graphs = new Set(runs.map((r) => r.cudaGraph));
  if (graphs.size > 1) warnings.push('some logs were captured with CUDA graphs (-G) and some not: each is priced as it ran');
  const rates = lineRates(request.base);
  const fit = fitCluster({ runs, base: request.base.params, scaleUpLineGBps: rates.up, scaleOutLineGBps: rates.out });
  warnings.push(...fit.warnings);
  const files = logs.map((l) => l.file.split(/[\\/]/).pop() ?? l.file);
  return { logs, runs, fit, entry: clusterEntry(request, fit, files, date, rates), warnings };
}
