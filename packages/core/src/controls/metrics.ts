/**
 * The metrics export-control rules compare (rules.json names them). Each metric computes one number from a
 * chip's catalog figures and says how: a short form for verdict explanations ("400 + 128 PCIe = 528") and the
 * full arithmetic ("TPP = 2 × MacTOPS × bit length = …"). A metric is unknown (null) when a figure it needs is
 * not in the catalog, and a lower bound when only part of a sum is known.
 *
 * Definitions (shared/reference/hardware.md, [FR]):
 * - TPP = 2 × MacTOPS × bit length = dense TOPS (TFLOP/s) × bits, the maximum over precisions (88 FR 73458).
 * - PD = TPP / applicable logic die area in mm².
 * - I/O = aggregate bidirectional transfer rate to ICs other than volatile memory: scale-up links + PCIe (87 FR 62186).
 */
import type { CatalogDefaults, ChipSpec, Figure } from '../catalog/schema.js';
import { formatGrouped } from '../format-number.js';

export const METRIC_IDS = [
  'ioBidirGBps',
  'topsXBits',
  'tpp',
  'performanceDensity',
  'dramBandwidthGBps',
  'hbmBandwidthDensity',
  'hasHbm',
  'dataCenter',
  'scaleUpBidirGBps',
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

/** Other spellings rule files may use for a metric. */
export const METRIC_ALIASES: Record<string, MetricId> = {
  tops_x_bits: 'topsXBits',
  topsxbits: 'topsXBits',
  io: 'ioBidirGBps',
  io_bidir_gbps: 'ioBidirGBps',
  pd: 'performanceDensity',
  performance_density: 'performanceDensity',
  dram: 'dramBandwidthGBps',
  dram_bandwidth_gbps: 'dramBandwidthGBps',
};

export interface MetricValue {
  id: MetricId;
  /** Human label, e.g. "TPP", "I/O". */
  label: string;
  /** Unit appended to numbers (" GB/s"), or "". */
  unit: string;
  value: number | null;
  /** "lower": the true value is at least `value` (part of a sum is unknown). */
  bound: 'exact' | 'lower';
  /** Some input figure is marked unconfirmed. */
  unconfirmed: boolean;
  /** Some input figure is a linkcap assumption. */
  assumption: boolean;
  /** Short form for explanations: "400 + 128 PCIe = 528"; for flag metrics a phrase ("memory is GDDR6"). */
  short: string;
  /** Full arithmetic, e.g. "TPP = 2 × MacTOPS × bit length = max(BF16 989 × 16 = 15,824; FP8 1,979 × 8 = 15,832) = 15,832". */
  arithmetic: string;
  /** Flag metrics (0/1) explain themselves with `short` instead of a comparison. */
  flag?: boolean;
}

/** "15,832", "19.45", "3.2": grouped thousands, at most two decimals. */
export function formatFigure(value: number): string {
  return formatGrouped(value, 2);
}

function known(figure: Figure | undefined): figure is Figure & { value: number } {
  return figure !== undefined && figure.value !== null;
}

/** Marks of the figures that contributed a number (unknown figures add no mark; the result says unknown). */
function marks(all: (Figure | undefined)[]): { unconfirmed: boolean; assumption: boolean } {
  const figures = all.filter((f) => f !== undefined && f.value !== null);
  return {
    unconfirmed: figures.some((f) => f?.unconfirmed === true),
    assumption: figures.some((f) => f?.source === 'assumption'),
  };
}

/** "*" after numbers built on unconfirmed figures, "†" after ones built on assumptions. */
export function markSuffix(m: { unconfirmed: boolean; assumption: boolean }): string {
  return `${m.unconfirmed ? '*' : ''}${m.assumption ? '†' : ''}`;
}

const unknownValue = (id: MetricId, label: string, unit: string, why: string): MetricValue => ({
  id,
  label,
  unit,
  value: null,
  bound: 'exact',
  unconfirmed: false,
  assumption: false,
  short: `unknown (${why})`,
  arithmetic: `${label} unknown: ${why}`,
});

interface PrecisionTerm {
  name: string;
  bits: number;
  figure: Figure & { value: number };
}

function precisionTerms(chip: ChipSpec): PrecisionTerm[] {
  const terms: PrecisionTerm[] = [];
  if (known(chip.bf16Tflops)) terms.push({ name: 'BF16', bits: 16, figure: chip.bf16Tflops });
  if (known(chip.fp8Tflops)) terms.push({ name: 'FP8', bits: 8, figure: chip.fp8Tflops });
  if (known(chip.int8Tops)) terms.push({ name: 'INT8', bits: 8, figure: chip.int8Tops });
  return terms;
}

/** Dense TOPS × bit length, maximum over precisions (TPP and the 2022 rule's "TOPS × bits" are the same number). */
function opsTimesBits(chip: ChipSpec, id: 'tpp' | 'topsXBits'): MetricValue {
  const label = id === 'tpp' ? 'TPP' : 'TOPS × bits';
  const terms = precisionTerms(chip);
  if (terms.length === 0) return unknownValue(id, label, '', 'no dense tensor rate in the catalog');
  const products = terms.map((t) => ({ ...t, product: t.figure.value * t.bits }));
  const best = products.reduce((a, b) => (b.product > a.product ? b : a));
  const m = marks([best.figure]);
  const each = products.map((t) => `${t.name} ${formatFigure(t.figure.value)} × ${t.bits} = ${formatFigure(t.product)}`);
  const body = each.length === 1 ? each[0] : `max(${each.join('; ')}) = ${formatFigure(best.product)}`;
  const prefix = id === 'tpp' ? 'TPP = 2 × MacTOPS × bit length = dense TOPS × bits = ' : 'TOPS × bit length (dense, best precision) = ';
  return {
    id,
    label,
    unit: '',
    value: best.product,
    bound: 'exact',
    ...m,
    short: `${formatFigure(best.product)}${markSuffix(m)}`,
    arithmetic: `${prefix}${body}${markSuffix(m)}`,
  };
}

function performanceDensity(chip: ChipSpec): MetricValue {
  const tpp = opsTimesBits(chip, 'tpp');
  const label = 'PD';
  if (tpp.value === null) return unknownValue('performanceDensity', label, '', 'TPP unknown');
  const area = chip.logicDieAreaMm2;
  if (!known(area)) {
    const why = area?.unconfirmed ? 'logic die area unconfirmed, no figure' : 'no logic die area in the catalog';
    return unknownValue('performanceDensity', label, '', why);
  }
  const value = tpp.value / area.value;
  const m = { unconfirmed: tpp.unconfirmed || area.unconfirmed === true, assumption: tpp.assumption || area.source === 'assumption' };
  return {
    id: 'performanceDensity',
    label,
    unit: '',
    value,
    bound: 'exact',
    ...m,
    short: `${formatFigure(value)}${markSuffix(m)}`,
    arithmetic: `PD = TPP / logic die area = ${formatFigure(tpp.value)} / ${formatFigure(area.value)}${markSuffix(marks([area]))} mm² = ${formatFigure(value)}${markSuffix(m)}`,
  };
}

function scaleUpBidir(chip: ChipSpec): { value: number | null; figure?: Figure; none: boolean } {
  if (chip.scaleUp.topology === 'none') return { value: 0, none: true };
  const figure = chip.scaleUp.bidirectionalGBps;
  return { value: known(figure) ? figure.value : null, figure, none: false };
}

function ioBidir(chip: ChipSpec): MetricValue {
  const label = 'I/O';
  const unit = ' GB/s';
  const up = scaleUpBidir(chip);
  const pcie = chip.pcieBidirGBps;
  const pcieValue = known(pcie) ? pcie.value : null;
  const m = marks([up.figure, pcie]);
  if (up.value === null && pcieValue === null) return unknownValue('ioBidirGBps', label, unit, 'no scale-up or PCIe bandwidth in the catalog');
  const parts: string[] = [];
  if (!up.none) parts.push(up.value === null ? '?' : formatFigure(up.value));
  parts.push(`${pcieValue === null ? '?' : formatFigure(pcieValue)} PCIe`);
  const total = (up.value ?? 0) + (pcieValue ?? 0);
  const lower = up.value === null || pcieValue === null;
  const sum = parts.length === 1 && !lower ? parts[0] : `${parts.join(' + ')} = ${lower ? 'at least ' : ''}${formatFigure(total)}`;
  const upText = up.none ? 'no scale-up link' : `${up.value === null ? 'unknown' : formatFigure(up.value)} GB/s ${chip.scaleUp.technology}`;
  return {
    id: 'ioBidirGBps',
    label,
    unit,
    value: total,
    bound: lower ? 'lower' : 'exact',
    ...m,
    short: `${sum}${markSuffix(m)}`,
    arithmetic: `I/O (bidirectional) = scale-up ${upText} + PCIe ${pcieValue === null ? 'unknown' : `${formatFigure(pcieValue)} GB/s`} = ${lower ? 'at least ' : ''}${formatFigure(total)} GB/s${markSuffix(m)}`,
  };
}

function dramBandwidth(chip: ChipSpec): MetricValue {
  const label = 'DRAM bandwidth';
  const unit = ' GB/s';
  if (!known(chip.memoryTBps)) return unknownValue('dramBandwidthGBps', label, unit, 'no memory bandwidth in the catalog');
  const value = chip.memoryTBps.value * 1000;
  const m = marks([chip.memoryTBps]);
  return {
    id: 'dramBandwidthGBps',
    label,
    unit,
    value,
    bound: 'exact',
    ...m,
    short: `${formatFigure(value)}${markSuffix(m)}`,
    arithmetic: `DRAM bandwidth = ${formatFigure(chip.memoryTBps.value)} TB/s = ${formatFigure(value)} GB/s${markSuffix(m)}`,
  };
}

function isHbm(chip: ChipSpec): boolean | null {
  if (chip.memoryType === undefined) return null;
  return /^hbm/i.test(chip.memoryType);
}

function hbmDensity(chip: ChipSpec, defaults: Pick<CatalogDefaults, 'hbmStackAreaMm2'>): MetricValue {
  const label = 'HBM bandwidth density';
  const unit = ' GB/s/mm²';
  if (isHbm(chip) === false) return unknownValue('hbmBandwidthDensity', label, unit, `memory is ${chip.memoryType}, not HBM`);
  if (!known(chip.memoryTBps)) return unknownValue('hbmBandwidthDensity', label, unit, 'no memory bandwidth in the catalog');
  if (!known(chip.hbmStacks)) return unknownValue('hbmBandwidthDensity', label, unit, 'no HBM stack count in the catalog');
  const area = known(chip.hbmStackAreaMm2) ? chip.hbmStackAreaMm2 : defaults.hbmStackAreaMm2;
  if (!known(area)) return unknownValue('hbmBandwidthDensity', label, unit, 'no HBM stack footprint in the catalog');
  const bandwidth = chip.memoryTBps.value * 1000;
  const value = bandwidth / chip.hbmStacks.value / area.value;
  const m = marks([chip.memoryTBps, chip.hbmStacks, area]);
  const short = `${formatFigure(bandwidth)} GB/s / ${formatFigure(chip.hbmStacks.value)} stacks / ${formatFigure(area.value)} mm² = ${formatFigure(value)}`;
  return {
    id: 'hbmBandwidthDensity',
    label,
    unit,
    value,
    bound: 'exact',
    ...m,
    short: `${short}${markSuffix(m)}`,
    arithmetic: `HBM bandwidth density per stack = ${short} GB/s per mm²${markSuffix(m)}`,
  };
}

function flagMetric(id: MetricId, label: string, value: number | null, phrase: string): MetricValue {
  return { id, label, unit: '', value, bound: 'exact', unconfirmed: false, assumption: false, short: phrase, arithmetic: `${label}: ${phrase}`, flag: true };
}

/** Computes one metric of a chip. */
export function computeMetric(id: MetricId, chip: ChipSpec, defaults: Pick<CatalogDefaults, 'hbmStackAreaMm2'>): MetricValue {
  switch (id) {
    case 'tpp':
    case 'topsXBits':
      return opsTimesBits(chip, id);
    case 'performanceDensity':
      return performanceDensity(chip);
    case 'ioBidirGBps':
      return ioBidir(chip);
    case 'dramBandwidthGBps':
      return dramBandwidth(chip);
    case 'hbmBandwidthDensity':
      return hbmDensity(chip, defaults);
    case 'hasHbm': {
      const hbm = isHbm(chip);
      const phrase = hbm === null ? 'memory type not in the catalog' : `memory is ${chip.memoryType}${hbm ? '' : ', not HBM'}`;
      return flagMetric(id, 'HBM', hbm === null ? null : hbm ? 1 : 0, phrase);
    }
    case 'dataCenter': {
      const dc = chip.dataCenter !== false;
      return flagMetric(id, 'data-centre item', dc ? 1 : 0, dc ? 'designed or marketed for data centres' : 'neither designed nor marketed for data centres');
    }
    case 'scaleUpBidirGBps': {
      const up = scaleUpBidir(chip);
      if (up.value === null) return unknownValue(id, 'scale-up', ' GB/s', 'no scale-up bandwidth in the catalog');
      const m = marks([up.figure]);
      return {
        id,
        label: 'scale-up',
        unit: ' GB/s',
        value: up.value,
        bound: 'exact',
        ...m,
        short: `${formatFigure(up.value)}${markSuffix(m)}`,
        arithmetic: `scale-up (bidirectional) = ${formatFigure(up.value)} GB/s${markSuffix(m)}`,
      };
    }
  }
}

/** The metrics `linkcap controls` shows for every chip, in display order. */
export const SHOWN_METRICS: MetricId[] = ['tpp', 'performanceDensity', 'ioBidirGBps', 'dramBandwidthGBps', 'hbmBandwidthDensity'];
