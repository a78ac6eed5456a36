/**
 * Computes the training model's value for every published end-to-end result (training-measurements.json)
 * and renders the training table of docs/validation.md. Shared by test/training-validation.test.ts (which
 * asserts the bands) and test/scripts/write-validation.mjs (which writes the page), so the page is generated,
 * never typed. Uses the built package (@linkcap/core) and the TypeScript reference engine.
 */
import { readFileSync } from 'node:fs';
import { loadCatalog, predictTraining, resolveCluster, resolveModel } from '@linkcap/core';

const measurements = JSON.parse(readFileSync(new URL('./training-measurements.json', import.meta.url), 'utf8'));

/** Megatron-LM's FLOPs per iteration with full recompute: 96 B s l h² (1 + s/(6h) + V/(16 l h)). */
export function megatronFlops(spec, batch) {
  const { layers: l, hidden: h, seqLen: s, vocab: V } = spec;
  return 96 * batch * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}

function metricOf(row, prediction) {
  switch (row.metric) {
    case 'megatronTflopsPerGpu':
      return megatronFlops(resolveModel(row.model).spec, row.layout.globalBatch) / (prediction.stepS * row.gpus) / 1e12;
    case 'iterationS':
      return prediction.stepS;
    case 'mfu':
      return prediction.mfu;
    case 'tokensPerSPerGpu':
      return prediction.tokensPerSPerGpu;
    default:
      throw new Error(`training-measurements.json ${row.id}: unknown metric ${row.metric}`);
  }
}

/** Rows with `model` = the model's value of the metric (as in collective-validation.mjs) and `modelId` = the preset. */
export function computeTrainingRows() {
  const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });
  return measurements.rows.map((row) => {
    const prediction = predictTraining({
      model: row.model,
      cluster: resolveCluster(row.cluster, catalog),
      gpus: row.gpus,
      layout: row.layout,
      overlap: row.overlap,
      engine: 'reference',
    });
    const model = metricOf(row, prediction);
    return {
      ...row,
      modelId: row.model,
      model,
      ratio: model / row.measured,
      feasible: prediction.feasible,
      stepS: prediction.stepS,
      mfuModel: prediction.mfu,
      inBand: Math.abs(model / row.measured - 1) <= row.tolerance.relative && prediction.feasible,
    };
  });
}

const METRIC_LABEL = {
  megatronTflopsPerGpu: 'TFLOP/s per GPU (Megatron formula)',
  iterationS: 's per iteration',
  mfu: 'MFU',
  tokensPerSPerGpu: 'tokens/s per GPU',
};

function format(metric, value) {
  if (metric === 'mfu') return `${(100 * value).toFixed(1)}%`;
  if (metric === 'iterationS') return value.toFixed(2);
  return value.toFixed(1);
}

function describeLayout(row) {
  const l = row.layout;
  const parts = [`TP${l.tp}`, `PP${l.pp}`, `DP${row.gpus / (l.tp * l.pp * (l.cp ?? 1))}`];
  if (l.interleave > 1) parts.push(`v${l.interleave}`);
  parts.push(`mb${l.microbatch}`, `B${l.globalBatch}`, `${l.recompute} recompute`, l.sequenceParallel ? 'SP' : 'no SP', l.flashAttention ? 'flash' : 'unfused attention');
  return `${row.modelId} on ${row.gpus} × ${row.cluster}: ${parts.join(' ')}`;
}

export function renderTrainingTable(rows) {
  const header = [
    '| setup | source | model input | metric | measured | model | model/measured | band | role | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const lines = rows.map((row) => {
    const verdict = row.asserted ? (row.inBand ? 'pass' : '**FAIL**') : `not asserted: ${row.note}`;
    return `| ${row.setup} | ${row.source} | ${describeLayout(row)} | ${METRIC_LABEL[row.metric]} | ${format(row.metric, row.measured)} | ${format(
      row.metric,
      row.model,
    )} | ${row.ratio.toFixed(3)} | ±${Math.round(row.tolerance.relative * 100)}% | ${row.role} | ${verdict} |`;
  });
  return [...header, ...lines].join('\n');
}

/** Assumptions stated per row (rendered under the table). */
export function renderTrainingNotes(rows) {
  return rows
    .filter((row) => row.note)
    .map((row) => `- ${row.id}: ${row.note}`)
    .join('\n');
}
