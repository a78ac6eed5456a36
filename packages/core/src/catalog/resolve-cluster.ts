/**
 * Turns a human-unit cluster spec (catalog entry or user file) into the model's numeric ClusterParams row.
 * Pure (no file system). Defaults and their sources are data in clusters.json `defaults`:
 *
 * - scaleUpGBps = bidirectional GB/s ÷ 2 (per direction) × efficiency. NVLink efficiency = NCCL tuner per-link
 *   GB/s ÷ line rate per link per direction: Ampere 20/25 = 0.8, Hopper 20.6/25 = 0.824, Blackwell 40.1/50 = 0.802
 *   (collectives.md, NCCL tuner); so H100 450 × 0.824 = 370.8, H800 200 × 0.824 = 164.8, A100 300 × 0.8 = 240,
 *   B200 900 × 0.802 = 721.8. Other links (xGMI, HCCS, RoCE on chip): 0.8, an assumption.
 * - scaleOutGBps = NICs per GPU × Gb/s ÷ 8 × 0.96 (NDR 400G measures 46–49 GB/s, nccl-tests 290/267;
 *   HDR 200G ≈ 24, nccl-tests 160).
 * - leafDomains: rail-optimized, a leaf of R ports gives R/2 downlinks, one per domain on each rail → R/2 domains;
 *   otherwise ⌊(R/2) / NICs per domain⌋, at least 1.
 */
import type { ClusterParams } from '../model/cluster-params.js';
import { validateClusterParams } from '../validate/cluster-params.js';
import { findChip, findClusterSpec, knownNames } from './merge.js';
import {
  ASSUMPTION,
  CLUSTER_TOPOLOGIES,
  type Catalog,
  type ChipSpec,
  type ClusterSpec,
  type ClusterTopology,
  type Figure,
  type TrainingArchitectureDefaults,
} from './schema.js';
import { CatalogError, closest, describeValue } from './validate-catalog.js';
import { LinkcapInputError } from '../validate/errors.js';

/** How one parameter of the row was obtained. */
export interface ParamProvenance {
  value: number;
  /** The arithmetic, e.g. "900 / 2 × 0.824 = 370.8". */
  formula: string;
  /** Source keys of the figures it was computed from. */
  sources: string[];
  /** Built on a linkcap assumption or an unconfirmed figure. */
  assumption: boolean;
  unconfirmed: boolean;
}

export interface ResolvedCluster {
  id: string;
  name: string;
  chip: ChipSpec;
  /** The numeric row the model (native and TypeScript) consumes. */
  params: ClusterParams;
  /** Total GPUs of a named cluster; absent for node presets. */
  maxGpus?: number;
  spec: ClusterSpec;
  /** Assumptions, unconfirmed figures and the preset's own notes, in words. */
  notes: string[];
  /** Formula and sources of every parameter. */
  provenance: Record<keyof ClusterParams, ParamProvenance>;
  /** The training model's constants for the chip's architecture, from this catalog (user overrides included). */
  trainingDefaults?: TrainingArchitectureDefaults;
}

/** Rounds away binary noise (450 × 0.824 = 370.79999999999995 → 370.8). */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

function fmt(value: number): string {
  return String(tidy(value));
}

interface Used {
  value: number;
  figure?: Figure;
  /** What the figure is, for notes: "scaleUp.efficiency". */
  label: string;
}

/** Resolves a cluster spec against its catalog. Throws CatalogError naming `clusters.<id>.<field>` when it cannot. */
export function resolveClusterSpec(spec: ClusterSpec, catalog: Catalog): ResolvedCluster {
  const base = `clusters.${spec.id}`;
  const fail = (path: string, message: string): never => {
    throw new CatalogError([{ path: `${base}.${path}`, message }], catalog.origins.get(`clusters.${spec.id}`));
  };
  const chip = findChip(catalog, spec.chip);
  if (!chip) {
    return fail('chip', ` = ${describeValue(spec.chip)}: unknown chip; closest known ids: ${closest(spec.chip, knownNames(catalog.chips)).join(', ')}`);
  }
  const defaults = catalog.defaults;
  const arch = defaults.architectures[chip.architecture] ?? defaults.architectures.other;
  if (!arch) return fail('chip', `: no scale-up defaults for architecture ${chip.architecture} and no "other" defaults`);
  const notes: string[] = [];
  const provenance = {} as Record<keyof ClusterParams, ParamProvenance>;

  const need = (own: Figure | undefined, fallback: Figure | undefined, label: string, path: string, why: string): Used => {
    const figure = own ?? fallback;
    if (!figure || figure.value === null) return fail(path, `: is required (${why})`);
    return { value: figure.value, figure, label };
  };
  /** `noted`: false for the generic network defaults (documented once in docs/catalog.md, not per cluster). */
  const record = (field: keyof ClusterParams, value: number, formula: string, used: Used[], noted = true) => {
    const figures = used.map((u) => u.figure).filter((f): f is Figure => f !== undefined);
    provenance[field] = {
      value: tidy(value),
      formula,
      sources: [...new Set(figures.map((f) => f.source))],
      assumption: figures.some((f) => f.source === ASSUMPTION),
      unconfirmed: figures.some((f) => f.unconfirmed === true),
    };
    for (const u of noted ? used : []) {
      const f = u.figure;
      if (!f) continue;
      const note = f.note ? `: ${f.note}` : '';
      if (f.unconfirmed) notes.push(`${u.label} ${f.value} is unconfirmed${note}`);
      else if (f.source === ASSUMPTION) notes.push(`${u.label} ${f.value} is an assumption${note}`);
    }
    return tidy(value);
  };

  // Scale-up domain.
  const gpus = need(spec.gpusPerDomain, undefined, 'gpusPerDomain', 'gpusPerDomain', 'GPUs in one scale-up domain');
  const chipTopology = chip.scaleUp.topology;
  const topology: ClusterTopology | undefined =
    spec.scaleUp.topology ?? ((CLUSTER_TOPOLOGIES as readonly string[]).includes(chipTopology) ? (chipTopology as ClusterTopology) : undefined);
  if (!topology) return fail('scaleUp.topology', `: is required (chip ${chip.id} has scale-up topology "${chipTopology}"; give switch, mesh or ring)`);
  const bidir = need(
    spec.scaleUp.bidirectionalGBps,
    chip.scaleUp.bidirectionalGBps,
    'scale-up bandwidth (bidirectional GB/s)',
    'scaleUp.bidirectionalGBps',
    `chip ${chip.id} has no known scale-up bandwidth; give the bidirectional GB/s per GPU`,
  );
  const upEff = need(spec.scaleUp.efficiency, arch.scaleUpEfficiency, 'scaleUp.efficiency', 'scaleUp.efficiency', 'fraction of line rate');
  const perDirection = bidir.value / 2;
  const params = {} as ClusterParams;
  params.gpusPerDomain = record('gpusPerDomain', gpus.value, `${gpus.value} GPUs per scale-up domain`, [gpus]);
  params.scaleUpTopology = record('scaleUpTopology', CLUSTER_TOPOLOGIES.indexOf(topology), `${topology} (0 switch, 1 mesh, 2 ring)`, []);
  params.scaleUpGBps = record(
    'scaleUpGBps',
    perDirection * upEff.value,
    `${fmt(bidir.value)} GB/s bidirectional / 2 = ${fmt(perDirection)} per direction × efficiency ${fmt(upEff.value)} = ${fmt(perDirection * upEff.value)} GB/s`,
    [bidir, upEff],
  );
  const upHop = need(spec.scaleUp.hopLatencyUs, arch.scaleUpHopLatencyUs, 'scaleUp.hopLatencyUs', 'scaleUp.hopLatencyUs', 'µs');
  params.scaleUpHopUs = record('scaleUpHopUs', upHop.value, `${fmt(upHop.value)} µs per scale-up hop (LL)`, [upHop]);
  let inSwitch: boolean;
  let inSwitchUsed: Used[] = [];
  if (spec.scaleUp.inSwitchReduction !== undefined) {
    inSwitch = spec.scaleUp.inSwitchReduction;
    if (inSwitch && topology !== 'switch') return fail('scaleUp.inSwitchReduction', ` = true: needs scaleUp.topology switch (got ${topology})`);
  } else {
    const archFlag = need(undefined, arch.inSwitchReduction, 'inSwitchReduction', 'scaleUp.inSwitchReduction', '0 or 1');
    inSwitch = topology === 'switch' && archFlag.value === 1;
    inSwitchUsed = topology === 'switch' ? [archFlag] : [];
  }
  params.inSwitchReduction = record('inSwitchReduction', inSwitch ? 1 : 0, inSwitch ? 'in-switch reduction (NVLS)' : 'no in-switch reduction', inSwitchUsed);
  const nvls = need(spec.scaleUp.nvlsEfficiency, arch.nvlsEfficiency, 'scaleUp.nvlsEfficiency', 'scaleUp.nvlsEfficiency', 'fraction');
  params.nvlsEfficiency = record('nvlsEfficiency', nvls.value, `${fmt(nvls.value)} of scaleUpGBps as NVLS algbw`, inSwitch ? [nvls] : []);
  const ll = need(spec.scaleUp.llCapGBps, arch.llCapGBps, 'scaleUp.llCapGBps', 'scaleUp.llCapGBps', 'GB/s');
  params.llCapGBps = record('llCapGBps', ll.value, `LL protocol cap ${fmt(ll.value)} GB/s per direction`, [ll]);

  // Scale-out network.
  const out = spec.scaleOut;
  const fabricName = out.fabric ?? defaults.fabric;
  const fabric = defaults.fabrics[fabricName.toLowerCase()];
  const nics = need(out.nicsPerGpu, undefined, 'scaleOut.nicsPerGpu', 'scaleOut.nicsPerGpu', 'NICs per GPU');
  const gbps = need(out.nicGbps, undefined, 'scaleOut.nicGbps', 'scaleOut.nicGbps', 'NIC line rate, Gb/s per direction');
  const nicEff = need(out.efficiency, defaults.nicEfficiency, 'scaleOut.efficiency', 'scaleOut.efficiency', 'fraction of NIC line rate');
  const scaleOut = (nics.value * gbps.value * nicEff.value) / 8;
  params.scaleOutGBps = record(
    'scaleOutGBps',
    scaleOut,
    `${fmt(nics.value)} × ${fmt(gbps.value)} Gb/s / 8 × efficiency ${fmt(nicEff.value)} = ${fmt(scaleOut)} GB/s per direction`,
    [nics, gbps, nicEff],
  );
  const known = Object.keys(defaults.fabrics).join(', ');
  const hop = need(out.hopLatencyUs, fabric?.hopLatencyUs, 'scaleOut.hopLatencyUs', 'scaleOut.hopLatencyUs', `fabric "${fabricName}" has no defaults (known: ${known}); give µs per network hop`);
  params.scaleOutHopUs = record('scaleOutHopUs', hop.value, `${fmt(hop.value)} µs per network hop (LL, ${fabricName})`, [hop]);
  const tier = need(out.tierHopLatencyUs, fabric?.tierHopLatencyUs, 'scaleOut.tierHopLatencyUs', 'scaleOut.tierHopLatencyUs', `fabric "${fabricName}" has no defaults (known: ${known}); give µs per extra switch tier`);
  params.tierHopUs = record('tierHopUs', tier.value, `${fmt(tier.value)} µs per extra switch tier`, [tier]);
  const radix = need(out.leafRadix, defaults.leafRadix, 'scaleOut.leafRadix', 'scaleOut.leafRadix', 'ports per leaf switch');
  const rail = out.railOptimized ?? defaults.railOptimized;
  const down = Math.floor(radix.value / 2);
  const nicsPerDomain = Math.ceil(gpus.value * nics.value);
  const leafDomains = rail ? Math.max(1, down) : Math.max(1, Math.floor(down / nicsPerDomain));
  params.leafDomains = record(
    'leafDomains',
    leafDomains,
    rail
      ? `rail-optimized: ${fmt(radix.value)}-port leaf / 2 = ${leafDomains} domains per rail leaf`
      : `${fmt(radix.value)}-port leaf / 2 = ${down} downlinks / ${nicsPerDomain} NICs per domain = ${leafDomains} domains per leaf`,
    [radix],
  );
  const over = need(out.oversubscription, defaults.oversubscription, 'scaleOut.oversubscription', 'scaleOut.oversubscription', '≥ 1');
  params.oversubscription = record('oversubscription', over.value, `leaf uplinks oversubscribed ${fmt(over.value)}:1`, [over], out.oversubscription !== undefined);
  let inNet: boolean;
  let inNetUsed: Used[] = [];
  if (out.inNetworkReduction !== undefined) inNet = out.inNetworkReduction;
  else {
    const flag = need(undefined, defaults.inNetworkReduction, 'inNetworkReduction', 'scaleOut.inNetworkReduction', '0 or 1');
    inNet = flag.value === 1;
    inNetUsed = [flag];
  }
  params.inNetworkReduction = record('inNetworkReduction', inNet ? 1 : 0, inNet ? 'in-network reduction (SHARP-like)' : 'no in-network reduction', inNetUsed, false);
  const inNetEff = need(out.inNetworkEfficiency, defaults.inNetworkEfficiency, 'scaleOut.inNetworkEfficiency', 'scaleOut.inNetworkEfficiency', 'fraction');
  params.inNetworkEfficiency = record('inNetworkEfficiency', inNetEff.value, `${fmt(inNetEff.value)} of scaleOutGBps with in-network reduction`, inNet ? [inNetEff] : []);

  // Per call. Presets leave it at 0 (the tuner's constants); fitted clusters carry their own.
  const callFigure = spec.callLatencyUs && spec.callLatencyUs.value !== null ? spec.callLatencyUs : undefined;
  const callUs = callFigure?.value ?? 0;
  params.callLatencyUs = record(
    'callLatencyUs',
    callUs,
    `${fmt(callUs)} µs per call over the tuner's base latency`,
    callFigure ? [{ value: callUs, figure: callFigure, label: 'callLatencyUs' }] : [],
  );
  params.cudaGraph = record('cudaGraph', 0, 'launched call by call (--cuda-graph prices CUDA-graph replay)', []);

  let maxGpus: number | undefined;
  if (spec.maxGpus && spec.maxGpus.value !== null) {
    maxGpus = spec.maxGpus.value;
    if (maxGpus > gpus.value && maxGpus % gpus.value !== 0) {
      return fail('maxGpus', ` = ${maxGpus}: must be ≤ gpusPerDomain (${gpus.value}) or a multiple of it`);
    }
  }

  try {
    validateClusterParams(params, base);
  } catch (error) {
    if (error instanceof LinkcapInputError) return fail('', `: resolves to an invalid row: ${error.message}`);
    throw error;
  }

  // Chip figures the row was built on that are unconfirmed or hypothetical.
  if (chip.hypothetical) notes.unshift(`hypothetical chip ${chip.id}${chip.derivedFrom ? `, derived from ${chip.derivedFrom}` : ''}`);
  if (spec.hypothetical && !chip.hypothetical) notes.unshift('hypothetical cluster');
  for (const note of spec.notes ?? []) notes.push(note); // a loop: spreading a 150,000-item list overflows the stack
  return {
    id: spec.id,
    name: spec.name,
    chip,
    params,
    ...(maxGpus !== undefined ? { maxGpus } : {}),
    spec,
    notes: [...new Set(notes)],
    provenance,
    trainingDefaults: defaults.trainingArchitectures?.[chip.architecture] ?? defaults.trainingArchitectures?.other,
  };
}

/** Resolves a preset id or alias (or a chip id with a default node preset) in `catalog`; no files. */
export function resolveClusterId(ref: string, catalog: Catalog): ResolvedCluster {
  const spec = findClusterSpec(catalog, ref);
  if (spec) return resolveClusterSpec(spec, catalog);
  const chip = findChip(catalog, ref);
  if (chip?.defaultCluster) {
    const node = findClusterSpec(catalog, chip.defaultCluster);
    if (node) {
      const resolved = resolveClusterSpec(node, catalog);
      return { ...resolved, notes: [`"${ref}" is chip ${chip.id}; using its node preset ${node.id}`, ...resolved.notes] };
    }
  }
  const near = closest(ref, knownNames(catalog.clusters), 4);
  const chipHint = chip ? ` (chip ${chip.id} has no node preset; write a cluster for it, see docs/catalog.md)` : '';
  throw new LinkcapInputError('cluster', `unknown cluster "${ref}"${chipHint}; closest known ids: ${near.join(', ')} (list: linkcap clusters)`);
}

/** Every cluster of the catalog, resolved, in catalog order (built-ins first). */
export function listClusters(catalog: Catalog): ResolvedCluster[] {
  return [...catalog.clusters.values()].map((spec) => resolveClusterSpec(spec, catalog));
}
