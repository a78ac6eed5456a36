/**
 * Computes the model's value for every published collective measurement and renders the table of
 * docs/validation.md. Shared by the validation test (which asserts the bands) and by
 * test/scripts/write-validation.mjs (which writes the page), so the page is generated, never typed.
 */
import { readFileSync } from 'node:fs';
import { loadCatalog, predictCollective, resolveCluster } from '@linkcap/core';

const measurements = JSON.parse(readFileSync(new URL('./collective-measurements.json', import.meta.url), 'utf8'));

function withinBand(model, measured, tolerance) {
  if (tolerance.relative !== undefined) return Math.abs(model / measured - 1) <= tolerance.relative;
  return Math.max(model / measured, measured / model) <= tolerance.factor;
}

export function computeCollectiveRows() {
  const catalog = loadCatalog({ cwd: new URL('.', import.meta.url).pathname });
  return measurements.rows.map((row) => {
    const resolved = resolveCluster(row.cluster, catalog);
    // Rows measured with CUDA graphs are priced as graph replays (--cuda-graph).
    const cluster = row.cudaGraph ? { ...resolved, params: { ...resolved.params, cudaGraph: 1 } } : resolved;
    const prediction = predictCollective({
      op: row.op,
      bytes: row.bytes,
      gpus: row.gpus,
      cluster,
      algorithm: row.algorithm,
      engine: 'reference',
    });
    const model = row.metric === 'timeUs' ? prediction.timeS * 1e6 : prediction[row.metric];
    return {
      ...row,
      model,
      ratio: model / row.measured,
      chosen: `${prediction.algorithm}/${prediction.protocol}`,
      inBand: withinBand(model, row.measured, row.tolerance),
    };
  });
}

function formatTolerance(tolerance) {
  return tolerance.relative !== undefined ? `±${Math.round(tolerance.relative * 100)}%` : `×${tolerance.factor}`;
}

const METRIC_LABEL = { busbwGBps: 'busbw GB/s', algbwGBps: 'algbw GB/s', timeUs: 'time µs' };

export function renderCollectiveTable(rows) {
  const header = [
    '| setup | source | model input | metric | measured | model | model/measured | band | verdict |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const lines = rows.map((row) => {
    const input = `${row.cluster}, ${row.gpus} GPUs, ${row.op}, ${row.bytes} B, ${row.algorithm}${row.cudaGraph ? ', --cuda-graph' : ''} → ${row.chosen}`;
    const verdict = row.asserted ? (row.inBand ? 'pass' : '**FAIL**') : `not asserted: ${row.note}`;
    return `| ${row.setup} | ${row.source} | ${input} | ${METRIC_LABEL[row.metric]} | ${row.measured} | ${row.model.toFixed(
      row.metric === 'timeUs' ? 2 : 1,
    )} | ${row.ratio.toFixed(3)} | ${formatTolerance(row.tolerance)} | ${verdict}${row.asserted && row.note ? ` (${row.note})` : ''} |`;
  });
  return [...header, ...lines].join('\n');
}
