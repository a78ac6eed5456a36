#!/usr/bin/env node
/**
 * Calibration of the training model's per-architecture constants on the published runs of
 * shared/reference/training.md (training-measurements.json, rows with role "calibration"), then the residuals
 * of every row. Each constant is fitted on the rows that identify it, never on one row:
 *
 *   ampere   gemmEfficiency + gemmOverheadUs      ← Megatron-LM 2021 Table 1 (10 rows, A100)
 *   hopper   gemmEfficiency, gemmEfficiencyFp8,   ← the 16 H100 rows jointly: for each scale of the fused-attention
 *            attention scale                        kernel curves, gemmEfficiency on the 9 Megatron-Core rows (BF16)
 *                                                   and gemmEfficiencyFp8 on the 7 NeMo rows (FP8); the scale with
 *                                                   the least total loss wins (gemmOverheadUs: Ampere's)
 *
 * The loss is Σ log²(model / measured) over the group; a coarse grid, then a finer one around its best point.
 * The results are then written by hand (rounded) into packages/core/catalog/chips.json
 * (defaults.trainingArchitectures) with the group named in the figure's note. Attention efficiencies and the
 * Blackwell/CDNA3 constants are not fitted here (kernel benchmarks; no reference rows): see their sources.
 *
 * Run after `npm run build`: node test/validation/calibrate-training.mjs [--group ampere|hopper]
 */
import { chipRatesFromSpec, loadCatalog, resolveCluster, trainingConstantsOf, trainingDefaultsFor } from '@linkcap/core';
import { TRAINING_ROWS, predictRow, rowValue } from './training-validation.mjs';

const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });

/** Which rows fit which constants; `grid` gives [from, to, step] per constant, `fine` the refinement steps. */
const GROUPS = [
  {
    id: 'ampere',
    rows: (row) => row.role === 'calibration' && row.id.startsWith('megatron-'),
    grid: { gemmEfficiency: [0.5, 0.95, 0.01], gemmOverheadUs: [0, 40, 2] },
    fine: { gemmEfficiency: 0.001, gemmOverheadUs: 0.25 },
  },
];

/** Kernel-benchmark curves the Hopper attention scale multiplies (FlashAttention-3 / cuDNN: see chips.json notes). */
const HOPPER_ATTENTION_CURVE = { attentionFwdEfficiency: 0.89, attentionBwdEfficiency: 0.55 };
const HOPPER_BF16 = (row) => row.role === 'calibration' && row.id.startsWith('mcore-h100-');
const HOPPER_FP8 = (row) => row.role === 'calibration' && row.id.startsWith('nemo-h100-');

/** Chip rates of a row's cluster with some constants overridden (µs → s for the per-kernel time). */
function chipFor(row, constants) {
  const cluster = resolveCluster(row.cluster, catalog);
  const rates = chipRatesFromSpec(cluster.chip);
  const base = cluster.trainingDefaults ? trainingConstantsOf(cluster.trainingDefaults, trainingDefaultsFor(rates.architecture)) : trainingDefaultsFor(rates.architecture);
  const merged = { ...base, ...constants };
  const { gemmOverheadUs, ...rest } = merged;
  return { ...rates, ...rest, gemmOverheadS: gemmOverheadUs * 1e-6 };
}

function modelValue(row, constants) {
  const prediction = predictRow(row, catalog, constants ? chipFor(row, constants) : undefined);
  return rowValue(row, prediction);
}

function loss(rows, constants) {
  let sum = 0;
  for (const row of rows) sum += Math.log(modelValue(row, constants) / row.measured) ** 2;
  return sum;
}

function* gridPoints(axes) {
  const keys = Object.keys(axes);
  const values = keys.map((key) => {
    const [from, to, step] = axes[key];
    const list = [];
    for (let v = from; v <= to + step / 2; v += step) list.push(Number(v.toFixed(6)));
    return list;
  });
  const index = keys.map(() => 0);
  for (;;) {
    yield Object.fromEntries(keys.map((key, i) => [key, values[i][index[i]]]));
    let k = 0;
    while (k < keys.length) {
      index[k] += 1;
      if (index[k] < values[k].length) break;
      index[k] = 0;
      k += 1;
    }
    if (k === keys.length) return;
  }
}

function fit(group) {
  const rows = TRAINING_ROWS.filter(group.rows);
  const fixed = group.fixed ?? {};
  let best = { loss: Infinity, constants: {} };
  for (const point of gridPoints(group.grid)) {
    const constants = { ...fixed, ...point };
    const value = loss(rows, constants);
    if (value < best.loss) best = { loss: value, constants };
  }
  const fine = {};
  for (const [key, step] of Object.entries(group.fine)) {
    const coarseStep = group.grid[key][2];
    fine[key] = [Math.max(0, best.constants[key] - coarseStep), best.constants[key] + coarseStep, step];
  }
  for (const point of gridPoints(fine)) {
    const constants = { ...fixed, ...point };
    const value = loss(rows, constants);
    if (value < best.loss) best = { loss: value, constants };
  }
  return { rows, ...best, rms: Math.sqrt(best.loss / rows.length) };
}

function report(id, result) {
  const text = Object.entries(result.constants)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  process.stdout.write(`${id}: ${text}; rms log error ${result.rms.toFixed(4)} over ${result.rows.length} rows\n`);
  for (const row of result.rows) {
    const fitted = modelValue(row, result.constants);
    const current = modelValue(row);
    process.stdout.write(
      `  ${row.id.padEnd(28)} measured ${String(row.measured).padStart(7)}  fitted ${fitted.toFixed(1).padStart(8)} (${(fitted / row.measured).toFixed(3)})  catalog ${current
        .toFixed(1)
        .padStart(8)} (${(current / row.measured).toFixed(3)})\n`,
    );
  }
}

/** The joint Hopper fit: for each attention scale, the two GEMM efficiencies on their own rows. */
function fitHopper() {
  let best = { loss: Infinity };
  for (let scale = 0.5; scale <= 1.0001; scale += 0.05) {
    const attention = {
      attentionFwdEfficiency: Number((HOPPER_ATTENTION_CURVE.attentionFwdEfficiency * scale).toFixed(4)),
      attentionBwdEfficiency: Number((HOPPER_ATTENTION_CURVE.attentionBwdEfficiency * scale).toFixed(4)),
    };
    const bf16 = fit({ rows: HOPPER_BF16, grid: { gemmEfficiency: [0.5, 0.9, 0.01] }, fine: { gemmEfficiency: 0.002 }, fixed: attention });
    const fp8 = fit({
      rows: HOPPER_FP8,
      grid: { gemmEfficiencyFp8: [0.4, 0.9, 0.01] },
      fine: { gemmEfficiencyFp8: 0.002 },
      fixed: { ...attention, gemmEfficiency: bf16.constants.gemmEfficiency },
    });
    const loss = bf16.loss + fp8.loss;
    if (loss < best.loss) best = { loss, scale: Number(scale.toFixed(2)), bf16, fp8 };
  }
  const rows = [...best.bf16.rows, ...best.fp8.rows];
  const constants = { ...best.fp8.constants };
  process.stdout.write(`hopper: attention scale ${best.scale}\n`);
  report('hopper', { rows, constants, rms: Math.sqrt(best.loss / rows.length) });
}

const only = process.argv.includes('--group') ? process.argv[process.argv.indexOf('--group') + 1] : undefined;
if (!only || only === 'hopper') fitHopper();
for (const group of GROUPS.filter((g) => !only || g.id === only)) report(group.id, fit(group));

// Residuals of every row with the catalog's constants, per source: median and worst |model/measured − 1|.
const bySource = new Map();
for (const row of TRAINING_ROWS) {
  const ratio = modelValue(row) / row.measured;
  const list = bySource.get(row.group) ?? [];
  list.push(Math.abs(ratio - 1));
  bySource.set(row.group, list);
}
process.stdout.write('\nresiduals with the catalog constants (|model/measured − 1|):\n');
for (const [source, errors] of bySource) {
  const sorted = [...errors].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  process.stdout.write(`  ${source.padEnd(36)} ${String(errors.length).padStart(2)} rows  median ${(100 * median).toFixed(1)}%  worst ${(100 * sorted[sorted.length - 1]).toFixed(1)}%\n`);
}
