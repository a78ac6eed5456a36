#!/usr/bin/env node
/**
 * The one-time calibration of the training model's GEMM constants (gemmEfficiency, gemmOverheadS): a grid
 * search, then a finer one, minimising Σ log²(model / measured) over the calibration rows of
 * training-measurements.json (Megatron-LM 2021 Table 1). Every other row stays out of sample. Prints the
 * fitted pair and the per-row ratios; the constants are then written by hand into
 * packages/core/src/training/calibration.ts (rounded) and docs/model/training.md.
 *
 * Run after `npx turbo run build`: node test/validation/calibrate-training.mjs
 */
import { readFileSync } from 'node:fs';
import { chipRatesFromSpec, loadCatalog, predictTraining, resolveCluster, resolveModel } from '@linkcap/core';
import { megatronFlops } from './training-validation.mjs';

const measurements = JSON.parse(readFileSync(new URL('./training-measurements.json', import.meta.url), 'utf8'));
const rows = measurements.rows.filter((row) => row.role === 'calibration');
const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });

function modelValue(row, gemmEfficiency, gemmOverheadS) {
  const cluster = resolveCluster(row.cluster, catalog);
  const chip = { ...chipRatesFromSpec(cluster.chip), gemmEfficiency, gemmOverheadS };
  const p = predictTraining({ model: row.model, cluster, chip, gpus: row.gpus, layout: row.layout, overlap: row.overlap, engine: 'reference' });
  return megatronFlops(resolveModel(row.model).spec, row.layout.globalBatch) / (p.stepS * row.gpus) / 1e12;
}

function loss(eff, tau) {
  let sum = 0;
  for (const row of rows) sum += Math.log(modelValue(row, eff, tau) / row.measured) ** 2;
  return sum;
}

let best = { loss: Infinity, eff: 0, tau: 0 };
for (let eff = 0.5; eff <= 0.95 + 1e-9; eff += 0.01) {
  for (let tau = 0; tau <= 60e-6 + 1e-12; tau += 2e-6) {
    const value = loss(eff, tau);
    if (value < best.loss) best = { loss: value, eff, tau };
  }
}
const coarse = { ...best };
for (let eff = coarse.eff - 0.01; eff <= coarse.eff + 0.01 + 1e-9; eff += 0.001) {
  for (let tau = Math.max(0, coarse.tau - 2e-6); tau <= coarse.tau + 2e-6 + 1e-12; tau += 0.25e-6) {
    const value = loss(eff, tau);
    if (value < best.loss) best = { loss: value, eff, tau };
  }
}
process.stdout.write(
  `gemmEfficiency ${best.eff.toFixed(3)}, gemmOverheadS ${(best.tau * 1e6).toFixed(2)} µs, rms log error ${Math.sqrt(best.loss / rows.length).toFixed(4)} over ${rows.length} rows\n`,
);
for (const row of rows) {
  const value = modelValue(row, best.eff, best.tau);
  process.stdout.write(`  ${row.id.padEnd(18)} model ${value.toFixed(1).padStart(6)}  measured ${String(row.measured).padStart(5)}  ratio ${(value / row.measured).toFixed(3)}\n`);
}
