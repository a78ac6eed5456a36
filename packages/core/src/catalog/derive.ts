/**
 * Hypothetical chip variants: "what if this chip's link were capped at X?" — the question export controls pose.
 * deriveChip copies a chip with changed figures (marked hypothetical, derivedFrom the base) and, when the base
 * chip has a node preset, a node preset with the same id built from it. The result is a pair of compact catalog
 * entries (derivedFrom + the changed fields) that `linkcap chips derive` writes into the user's catalog file.
 */
import { LinkcapInputError } from '../validate/errors.js';
import { applyDocument, checkCatalog, findChip, findClusterSpec } from './merge.js';
import { resolveClusterSpec, type ResolvedCluster } from './resolve-cluster.js';
import { USER, type Catalog, type ChipSpec, type Figure } from './schema.js';
import { validateCatalogDocument } from './validate-catalog.js';

export interface DeriveOptions {
  /** Id of the new chip and node preset, e.g. "my-h800". */
  name: string;
  /** Display name (default: the base name and what changed). */
  displayName?: string;
  /** New scale-up bandwidth per GPU, bidirectional GB/s (H800: 400). */
  scaleUpBidirGBps?: number;
  /** New dense BF16 rate, TFLOP/s. */
  bf16Tflops?: number;
  /** New dense FP8 rate, TFLOP/s. */
  fp8Tflops?: number;
  /** New memory bandwidth, TB/s. */
  memoryTBps?: number;
  /** NICs per GPU of the node preset. */
  nicsPerGpu?: number;
  /** NIC line rate of the node preset, Gb/s per direction. */
  nicGbps?: number;
  /**
   * The cluster preset to derive the variant's cluster from (id or alias); default: the chip's own node preset
   * (defaultCluster). Sweeps use it to apply a derived axis such as scaleUpGBps to any preset of that chip.
   */
  baseCluster?: string;
}

export interface DerivedVariant {
  id: string;
  chip: ChipSpec;
  /** The node preset with the same id; absent when the base chip has no node preset. */
  cluster?: ResolvedCluster;
  base: { chip: ChipSpec; cluster?: ResolvedCluster };
  /** Compact catalog entries to write (derivedFrom + changed fields). */
  entries: { chips: Record<string, Record<string, unknown>>; clusters: Record<string, Record<string, unknown>> };
  /** What changed, in words, e.g. "scale-up 900 → 400 GB/s bidirectional per GPU (achievable 370.8 → 164.8 GB/s per direction)". */
  changes: string[];
  /** The input catalog with the variant added. */
  catalog: Catalog;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._+-]*$/;

function figureValue(figure: Figure | undefined): number | null {
  return figure?.value ?? null;
}

function show(value: number | null | undefined): string {
  return value === null || value === undefined ? 'unknown' : String(Number(value.toPrecision(12)));
}

/**
 * Upper limits of the figures a variant may change: 10 to 50 times the largest shipping part (NVLink 5: 1,800 GB/s;
 * B200: 2,250 TFLOP/s BF16, 8 TB/s; ConnectX-8: 800 Gb/s), so that a what-if can go far but a typo (1e308) is
 * refused instead of producing "links 18 → 2e+306".
 */
export const DERIVE_LIMITS = {
  scaleUpBidirGBps: { max: 20_000, unit: 'GB/s bidirectional per GPU' },
  bf16Tflops: { max: 100_000, unit: 'TFLOP/s dense' },
  fp8Tflops: { max: 200_000, unit: 'TFLOP/s dense' },
  memoryTBps: { max: 1_000, unit: 'TB/s' },
  nicsPerGpu: { max: 64, unit: 'NICs per GPU', integer: true },
  nicGbps: { max: 100_000, unit: 'Gb/s per direction' },
} as const satisfies Record<string, { max: number; unit: string; integer?: boolean }>;

function checkPositive(field: keyof typeof DERIVE_LIMITS, value: number | undefined): void {
  if (value === undefined) return;
  const { max, unit } = DERIVE_LIMITS[field];
  const integer = 'integer' in DERIVE_LIMITS[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new LinkcapInputError(field, `${String(value)}: must be a ${integer ? 'whole number' : 'number'} > 0 and ≤ ${max.toLocaleString('en-US')} (${unit})`);
  }
}

/** Builds a hypothetical variant of `baseRef` (id or alias). Throws LinkcapInputError naming the bad option. */
export function deriveChip(catalog: Catalog, baseRef: string, options: DeriveOptions): DerivedVariant {
  const base = findChip(catalog, baseRef);
  if (!base) throw new LinkcapInputError('base', `unknown chip "${baseRef}"; see linkcap chips`);
  const id = typeof options.name === 'string' ? options.name.trim().toLowerCase() : '';
  if (!ID_PATTERN.test(id)) {
    throw new LinkcapInputError('name', `"${String(options.name)}": must start with a letter or digit and hold only letters, digits, ".", "_", "+" or "-"`);
  }
  if (id === base.id) throw new LinkcapInputError('name', `"${id}": must differ from the base chip's id`);
  const takenChip = findChip(catalog, id);
  if (takenChip && !takenChip.hypothetical) throw new LinkcapInputError('name', `"${id}" is already chip ${takenChip.id}; choose another name`);
  const takenCluster = findClusterSpec(catalog, id);
  if (takenCluster && !takenCluster.hypothetical) throw new LinkcapInputError('name', `"${id}" is already cluster ${takenCluster.id}; choose another name`);
  checkPositive('scaleUpBidirGBps', options.scaleUpBidirGBps);
  checkPositive('bf16Tflops', options.bf16Tflops);
  checkPositive('fp8Tflops', options.fp8Tflops);
  checkPositive('memoryTBps', options.memoryTBps);
  checkPositive('nicsPerGpu', options.nicsPerGpu);
  checkPositive('nicGbps', options.nicGbps);

  let baseClusterSpec = base.defaultCluster ? findClusterSpec(catalog, base.defaultCluster) : undefined;
  if (options.baseCluster !== undefined) {
    baseClusterSpec = findClusterSpec(catalog, options.baseCluster);
    if (!baseClusterSpec) throw new LinkcapInputError('baseCluster', `unknown cluster "${options.baseCluster}"; see linkcap clusters`);
    if (findChip(catalog, baseClusterSpec.chip)?.id !== base.id) {
      throw new LinkcapInputError('baseCluster', `cluster ${baseClusterSpec.id} is built from chip ${baseClusterSpec.chip}, not ${base.id}`);
    }
  }
  if (!baseClusterSpec && (options.nicsPerGpu !== undefined || options.nicGbps !== undefined)) {
    throw new LinkcapInputError('nicsPerGpu', `chip ${base.id} has no node preset to change NICs in; write a cluster for the variant instead (docs/catalog.md)`);
  }
  const baseCluster = baseClusterSpec ? resolveClusterSpec(baseClusterSpec, catalog) : undefined;

  const user = (value: number, was: number | null | undefined): Figure => ({ value, source: USER, note: `linkcap chips derive from ${base.id} (was ${show(was)})` });
  const chipEntry: Record<string, unknown> = { derivedFrom: base.id, hypothetical: true };
  const summary: string[] = [];

  if (options.scaleUpBidirGBps !== undefined) {
    const old = figureValue(base.scaleUp.bidirectionalGBps);
    const scaleUp: Record<string, unknown> = { bidirectionalGBps: user(options.scaleUpBidirGBps, old) };
    const links = figureValue(base.scaleUp.links);
    if (base.scaleUp.topology === 'none') {
      throw new LinkcapInputError('scaleUpBidirGBps', `chip ${base.id} has no scale-up link to change`);
    }
    if (links !== null && old !== null) {
      // Keep the per-link rate and change the link count when it divides (H100 18 × 50 → 8 × 50 = 400, as H800).
      const perLink = old / links;
      const count = options.scaleUpBidirGBps / perLink;
      scaleUp.links = Number.isInteger(Number(count.toPrecision(12)))
        ? { value: Number(count.toPrecision(12)), source: USER, note: `${show(perLink)} GB/s per link, as ${base.id}` }
        : null;
    }
    chipEntry.scaleUp = scaleUp;
    summary.push(`scale-up ${show(options.scaleUpBidirGBps)} GB/s`);
  }
  if (options.bf16Tflops !== undefined) {
    chipEntry.bf16Tflops = user(options.bf16Tflops, figureValue(base.bf16Tflops));
    summary.push(`BF16 ${show(options.bf16Tflops)} TFLOP/s`);
  }
  if (options.fp8Tflops !== undefined) {
    chipEntry.fp8Tflops = user(options.fp8Tflops, figureValue(base.fp8Tflops));
    summary.push(`FP8 ${show(options.fp8Tflops)} TFLOP/s`);
  }
  if (options.memoryTBps !== undefined) {
    chipEntry.memoryTBps = user(options.memoryTBps, figureValue(base.memoryTBps));
    summary.push(`memory ${show(options.memoryTBps)} TB/s`);
  }

  let clusterEntry: Record<string, unknown> | undefined;
  if (baseClusterSpec && baseCluster) {
    clusterEntry = { derivedFrom: baseClusterSpec.id, chip: id, hypothetical: true };
    const scaleOut: Record<string, unknown> = {};
    if (options.nicsPerGpu !== undefined) {
      scaleOut.nicsPerGpu = user(options.nicsPerGpu, figureValue(baseClusterSpec.scaleOut.nicsPerGpu));
      summary.push(`${show(options.nicsPerGpu)} NICs per GPU`);
    }
    if (options.nicGbps !== undefined) {
      scaleOut.nicGbps = user(options.nicGbps, figureValue(baseClusterSpec.scaleOut.nicGbps));
      summary.push(`${show(options.nicGbps)} Gb/s NICs`);
    }
    if (Object.keys(scaleOut).length > 0) {
      clusterEntry.scaleOut = scaleOut;
      const nics = options.nicsPerGpu ?? figureValue(baseClusterSpec.scaleOut.nicsPerGpu) ?? 1;
      const gbps = options.nicGbps ?? figureValue(baseClusterSpec.scaleOut.nicGbps) ?? 0;
      chipEntry.scaleOutGbps = user(nics * gbps, figureValue(base.scaleOutGbps));
    }
    // A preset that pins its own scale-up bandwidth would hide the chip's new figure.
    if (options.scaleUpBidirGBps !== undefined && baseClusterSpec.scaleUp.bidirectionalGBps) clusterEntry.scaleUp = { bidirectionalGBps: null };
    chipEntry.defaultCluster = id;
  }
  const what = summary.length > 0 ? summary.join(', ') : 'unchanged copy';
  chipEntry.name = options.displayName ?? `${base.name}, hypothetical: ${what}`;
  if (clusterEntry && baseClusterSpec) clusterEntry.name = options.displayName ?? `${baseClusterSpec.name}, hypothetical: ${what}`;

  const entries = { chips: { [id]: chipEntry }, clusters: clusterEntry ? { [id]: clusterEntry } : {} };
  const next = applyDocument(catalog, validateCatalogDocument(entries, 'linkcap chips derive'));
  checkCatalog(next, resolveClusterSpec);
  const chip = next.chips.get(id)!;
  const clusterSpec = next.clusters.get(id);
  const cluster = clusterEntry && clusterSpec ? resolveClusterSpec(clusterSpec, next) : undefined;

  const changes: string[] = [];
  if (options.scaleUpBidirGBps !== undefined) {
    const achievable = cluster && baseCluster ? ` (achievable ${show(baseCluster.params.scaleUpGBps)} → ${show(cluster.params.scaleUpGBps)} GB/s per direction)` : '';
    changes.push(`scale-up ${show(figureValue(base.scaleUp.bidirectionalGBps))} → ${show(options.scaleUpBidirGBps)} GB/s bidirectional per GPU${achievable}`);
    const oldLinks = figureValue(base.scaleUp.links);
    const newLinks = figureValue(chip.scaleUp.links);
    if (oldLinks !== null && oldLinks !== newLinks) changes.push(`scale-up links ${show(oldLinks)} → ${show(newLinks)}`);
  }
  if (options.bf16Tflops !== undefined) changes.push(`BF16 ${show(figureValue(base.bf16Tflops))} → ${show(options.bf16Tflops)} TFLOP/s dense`);
  if (options.fp8Tflops !== undefined) changes.push(`FP8 ${show(figureValue(base.fp8Tflops))} → ${show(options.fp8Tflops)} TFLOP/s dense`);
  if (options.memoryTBps !== undefined) changes.push(`memory bandwidth ${show(figureValue(base.memoryTBps))} → ${show(options.memoryTBps)} TB/s`);
  if ((options.nicsPerGpu !== undefined || options.nicGbps !== undefined) && cluster && baseCluster && baseClusterSpec) {
    const oldNics = figureValue(baseClusterSpec.scaleOut.nicsPerGpu);
    const oldGbps = figureValue(baseClusterSpec.scaleOut.nicGbps);
    const newNics = options.nicsPerGpu ?? oldNics;
    const newGbps = options.nicGbps ?? oldGbps;
    changes.push(
      `scale-out ${show(oldNics)} × ${show(oldGbps)} → ${show(newNics)} × ${show(newGbps)} Gb/s per GPU (achievable ${show(baseCluster.params.scaleOutGBps)} → ${show(cluster.params.scaleOutGBps)} GB/s per direction)`,
    );
  }
  if (changes.length === 0) changes.push(`no figure changed: an unchanged copy of ${base.id}`);
  return { id, chip, cluster, base: { chip: base, cluster: baseCluster }, entries, changes, catalog: next };
}
