/**
 * Computes the training model's value for every published end-to-end result (training-measurements.json)
 * and renders the training table of docs/validation.md. Shared by test/training-validation.test.ts (which
 * asserts the bands) and test/scripts/write-validation.mjs (which writes the page), so the page is generated,
 * never typed. Uses the built package (@linkcap/core) and the TypeScript reference engine.
 */
import { readFileSync } from 'node:fs';
import { BUILTIN_DOCUMENTS, loadCatalog, predictTraining, resolveCluster, resolveModel } from '@linkcap/core';

const measurements = JSON.parse(readFileSync(new URL('./training-measurements.json', import.meta.url), 'utf8'));

/** Megatron-LM's FLOPs per iteration with full recompute: 96 B s l h² (1 + s/(6h) + V/(16 l h)). */
export function megatronFlops(spec, batch) {
  const { layers: l, hidden: h, seqLen: s, vocab: V } = spec;
  return 96 * batch * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}

/**
 * Megatron-Core's FLOPs per step (the README's weak-scaling table, as shared/reference/training.md states it):
 * 12 B s L h² (1 + kv/heads + s/h + ffn/h (× 1.5 gated) + V/(2 L h)); model FLOPs, no recompute term.
 */
export function megatronFlops2024(spec, batch) {
  const { layers: l, hidden: h, seqLen: s, vocab: V, heads } = spec;
  const kv = spec.kvHeads ?? heads;
  const ffn = (spec.ffn ?? 4 * h) * (spec.activation === 'swiglu' ? 1.5 : 1);
  return 12 * batch * s * l * h * h * (1 + kv / heads + s / h + ffn / h + V / (2 * l * h));
}

function metricOf(row, prediction) {
  switch (row.metric) {
    case 'megatronTflopsPerGpu':
      return megatronFlops(resolveModel(row.model).spec, row.layout.globalBatch) / (prediction.stepS * row.gpus) / 1e12;
    case 'megatronTflopsPerGpu2024':
      return megatronFlops2024(resolveModel(row.model).spec, row.layout.globalBatch) / (prediction.stepS * row.gpus) / 1e12;
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

/** The published rows (training-measurements.json). */
export const TRAINING_ROWS = measurements.rows;

/** The prediction for one row; `chip` overrides the cluster chip's constants (the calibration script's knob). */
export function predictRow(row, catalog, chip) {
  const cluster = resolveCluster(row.cluster, catalog);
  return predictTraining({
    model: row.model,
    cluster,
    ...(chip ? { chip } : {}),
    gpus: row.gpus,
    layout: row.layout,
    profile: row.profile,
    overlap: row.overlap,
    framework: row.framework,
    engine: 'reference',
  });
}

/** The model's value of a row's metric. */
export function rowValue(row, prediction) {
  return metricOf(row, prediction);
}

/** Rows with `model` = the model's value of the metric (as in collective-validation.mjs) and `modelId` = the preset. */
export function computeTrainingRows() {
  const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });
  return measurements.rows.map((row) => {
    const prediction = predictRow(row, catalog);
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
  megatronTflopsPerGpu2024: 'TFLOP/s per GPU (Megatron-Core formula)',
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
  const parts = [`TP${l.tp}`, `PP${l.pp}`];
  if ((l.cp ?? 1) > 1) parts.push(`CP${l.cp}`);
  parts.push(`DP${row.gpus / (l.tp * l.pp * (l.cp ?? 1))}`);
  if (l.interleave > 1) parts.push(`v${l.interleave}`);
  parts.push(`mb${l.microbatch}`, `B${l.globalBatch}`, `${l.recompute} recompute`, l.sequenceParallel ? 'SP' : 'no SP', l.flashAttention ? 'flash' : 'unfused attention');
  if (l.precision === 'fp8') parts.push('FP8');
  return `${row.modelId} on ${row.gpus} × ${row.cluster}: ${parts.join(' ')}; profile ${row.profile ?? 'megatron-core'}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Residuals per source: how many rows, the median and worst |model/measured − 1|, the median ratio. */
export function trainingResiduals(rows) {
  const groups = new Map();
  for (const row of rows) {
    const list = groups.get(row.group) ?? [];
    list.push(row);
    groups.set(row.group, list);
  }
  return [...groups].map(([group, list]) => {
    const errors = list.map((row) => Math.abs(row.ratio - 1));
    const worst = list.reduce((a, b) => (Math.abs(b.ratio - 1) > Math.abs(a.ratio - 1) ? b : a));
    return {
      group,
      rows: list.length,
      roles: [...new Set(list.map((row) => row.role))].join(', '),
      medianError: median(errors),
      worstError: Math.abs(worst.ratio - 1),
      worstId: worst.id,
      medianRatio: median(list.map((row) => row.ratio)),
    };
  });
}

export function renderTrainingResiduals(rows) {
  const all = trainingResiduals([{ ...rows[0], group: '' }, ...rows.slice(1).map((row) => ({ ...row, group: '' }))])[0];
  const lines = [
    '| source | rows | role | median model/measured | median error | worst error (row) |',
    '|---|---|---|---|---|---|',
    ...trainingResiduals(rows).map(
      (r) => `| ${r.group} | ${r.rows} | ${r.roles} | ${r.medianRatio.toFixed(3)} | ${(100 * r.medianError).toFixed(1)}% | ${(100 * r.worstError).toFixed(1)}% (${r.worstId}) |`,
    ),
    `| all | ${all.rows} | | ${all.medianRatio.toFixed(3)} | ${(100 * all.medianError).toFixed(1)}% | ${(100 * all.worstError).toFixed(1)}% (${all.worstId}) |`,
  ];
  return lines.join('\n');
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

/**
 * The calibrated constants of the training model, per architecture, as the catalog states them (value, source,
 * what they were fitted on): chips.json defaults.trainingArchitectures.
 */
export function renderTrainingCalibration() {
  const chips = BUILTIN_DOCUMENTS.find((doc) => doc.file === 'chips.json').data;
  const table = chips.defaults.trainingArchitectures;
  const lines = ['| architecture | constant | value | source | how it was obtained |', '|---|---|---|---|---|'];
  for (const [arch, entry] of Object.entries(table)) {
    for (const [key, figure] of Object.entries(entry)) {
      lines.push(`| ${arch} | ${key} | ${figure.value} | ${figure.source}${figure.unconfirmed ? ' (unconfirmed)' : ''} | ${figure.note ?? ''} |`);
    }
  }
  return lines.join('\n');
}
