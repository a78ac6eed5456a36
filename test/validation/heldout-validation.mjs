/**
 * Evaluates the held-out published training runs (heldout-runs.json: runs NOT in shared/reference and never used
 * to fit a constant) with a training model, and renders the "Held-out runs (not fitted)" section of
 * docs/validation.md. The same request builder serves the current package and the pre-fidelity model (commit
 * e474537, heldout-before.mjs), which knew no profiles, partial recompute or framework costs: for it those fields
 * are dropped and a request is what its user could have written (plus a row's beforeOverlap: overlaps its user
 * could state explicitly, e.g. DeepSeek-V3's hidden all-to-all).
 */
import { readFileSync } from 'node:fs';
import { resolveModel as currentModel } from '@linkcap/core';

export const HELDOUT = JSON.parse(readFileSync(new URL('./heldout-runs.json', import.meta.url), 'utf8'));

/**
 * The model spec of a row: a held-out model of the file or a preset of today's catalog (so both models price
 * the very same shape), with the row's sequence length.
 */
function modelOf(row) {
  const inline = HELDOUT.models[row.model];
  const spec = inline ? { ...inline } : { ...currentModel(row.model).spec };
  delete spec.source;
  if (row.seqLen) {
    spec.seqLen = row.seqLen;
    spec.id = `${spec.id}-${row.seqLen}`;
  }
  delete spec.globalBatchTokens;
  return spec;
}

/**
 * The training request of a row. `flavour` 'current' passes everything; 'before' passes only what the
 * pre-fidelity API accepted (no profile, framework, recomputeLayers; chip overrides without architecture).
 */
export function heldoutRequest(row, core, catalog, flavour = 'current') {
  const custom = HELDOUT.clusters[row.cluster];
  const base = core.resolveCluster(custom ? custom.base : row.cluster, catalog);
  const cluster = custom?.params ? { ...base, params: { ...base.params, ...custom.params } } : base;
  const request = { model: modelOf(row), cluster, gpus: row.gpus, layout: { ...row.layout }, engine: 'reference' };
  if (custom?.chip) {
    request.chip = { ...custom.chip };
    if (flavour === 'before') {
      delete request.chip.architecture;
      delete request.chip.hostLinkBidirGBps;
    }
  }
  if (row.overlap) request.overlap = { ...row.overlap };
  if (flavour === 'current') {
    request.profile = row.profile;
    if (row.framework) request.framework = { ...row.framework };
  } else {
    // What the old API could state of the row's framework (beforeOverlap: e.g. DualPipe's hidden all-to-all).
    if (row.beforeOverlap) request.overlap = { ...request.overlap, ...row.beforeOverlap };
    delete request.layout.recomputeLayers;
    delete request.layout.offloadLayers;
    delete request.layout.recomputeModules;
    delete request.layout.fp8ActivationCache;
    delete request.layout.microbatchGroup;
  }
  return request;
}

/** The model's value of a row's metric, from a prediction. */
export function heldoutValue(row, prediction) {
  switch (row.metric) {
    case 'tokensPerSPerGpu':
      return prediction.tokensPerSPerGpu;
    case 'modelTflopsPerGpu':
      return prediction.modelFlopsPerStep / prediction.stepS / prediction.gpus / 1e12;
    default:
      throw new Error(`heldout-runs.json ${row.id}: unknown metric ${row.metric}`);
  }
}

/** Groups a row belongs to, for the per-group error table. */
export function heldoutGroups(row, prediction) {
  const chip = chipLabel(HELDOUT.clusters[row.cluster]?.base ?? row.cluster);
  const groups = [`chip: ${chip}`, `precision: ${row.layout.precision === 'fp8' ? 'FP8' : 'BF16'}`];
  groups.push(prediction.moe ? 'MoE' : 'dense');
  if (prediction.seqLen >= 32768) groups.push('long context (≥ 32K, CP)');
  if (row.layout.zero === 3) groups.push('FSDP / ZeRO-3');
  if (prediction.totalParams <= 9e9) groups.push('small (≤ 9B)');
  return groups;
}

function chipLabel(cluster) {
  return (
    { 'dgx-h100': 'H100', 'hgx-h200': 'H200', 'hgx-b200': 'B200', 'gb200-nvl72': 'GB200', 'dgx-a100': 'A100', 'deepseek-v3-h800': 'H800', 'hgx-h800': 'H800', 'mi300x-node': 'MI300X' }[cluster] ?? cluster
  );
}

/** Every row evaluated with `core` (a loaded @linkcap/core): value, ratio, feasibility, or the error it raised. */
export function evaluateHeldout(core, flavour = 'current') {
  const catalog = core.loadCatalog();
  return HELDOUT.rows.map((row) => {
    try {
      const prediction = core.predictTraining(heldoutRequest(row, core, catalog, flavour));
      const value = heldoutValue(row, prediction);
      const spec = modelOf(row);
      return {
        id: row.id,
        value,
        ratio: value / row.measured,
        feasible: prediction.feasible,
        memoryGiB: prediction.memory.totalBytes / 2 ** 30,
        usableGiB: (prediction.memory.usableBytes ?? prediction.memory.capacityBytes) / 2 ** 30,
        moe: Boolean(spec.moe),
        seqLen: spec.seqLen,
        totalParams: prediction.model.totalParams,
      };
    } catch (error) {
      return { id: row.id, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

const BEFORE = JSON.parse(readFileSync(new URL('./heldout-before.json', import.meta.url), 'utf8'));

/** Today's model on every held-out row, with the pre-fidelity value from heldout-before.json. */
export function computeHeldoutRows(core) {
  const now = evaluateHeldout(core, 'current');
  return HELDOUT.rows.map((row, i) => {
    const before = BEFORE.values[row.id];
    const current = now[i];
    if (current.error) throw new Error(`heldout-runs.json ${row.id}: ${current.error}`);
    return {
      ...row,
      value: current.value,
      ratio: current.ratio,
      feasible: current.feasible,
      memoryGiB: current.memoryGiB,
      usableGiB: current.usableGiB,
      groups: heldoutGroups(row, current),
      before: before && !before.error ? { value: before.value, ratio: before.value / row.measured, feasible: before.feasible } : undefined,
    };
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** |ratio − 1| as the docs state errors; the worst is the largest factor either way (max(r, 1/r)). */
const error = (ratio) => Math.abs(ratio - 1);
const factor = (ratio) => (ratio >= 1 ? ratio : 1 / ratio);

/** Statistics of a set of rows: count, median ratio, median error, worst factor (row), share within ±15% and ×1.5. */
export function heldoutStats(rows, pick = (row) => row.ratio) {
  const list = rows.filter((row) => pick(row) !== undefined);
  const ratios = list.map(pick);
  const worst = list.reduce((a, b) => (factor(pick(b)) > factor(pick(a)) ? b : a));
  return {
    rows: list.length,
    medianRatio: median(ratios),
    medianError: median(ratios.map(error)),
    worstRatio: pick(worst),
    worstId: worst.id,
    within15: ratios.filter((r) => error(r) <= 0.15).length,
    within50: ratios.filter((r) => factor(r) <= 1.5).length,
  };
}

const GROUP_ORDER = ['chip: A100', 'chip: H100', 'chip: H200', 'chip: H800', 'chip: B200', 'chip: GB200', 'precision: BF16', 'precision: FP8', 'dense', 'MoE', 'long context (≥ 32K, CP)', 'FSDP / ZeRO-3', 'small (≤ 9B)'];

function pct(x) {
  return `${(100 * x).toFixed(1)}%`;
}

/** The per-group table: today's model and the pre-fidelity one on the same rows. */
export function renderHeldoutGroups(rows) {
  const groups = new Map(GROUP_ORDER.map((g) => [g, []]));
  for (const row of rows) for (const g of row.groups) (groups.get(g) ?? groups.set(g, []).get(g)).push(row);
  const lines = [
    '| group | rows | median model/measured | median error | worst (row) | within ±15% | within ×1.5 | does not fit | before: median model/measured | before: median error | before: worst |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const line = (name, list) => {
    const now = heldoutStats(list);
    const before = heldoutStats(list, (row) => row.before?.ratio);
    lines.push(
      `| ${name} | ${now.rows} | ${now.medianRatio.toFixed(2)} | ${pct(now.medianError)} | ${now.worstRatio.toFixed(2)} (${now.worstId}) | ${now.within15} | ${now.within50} | ${list.filter((r) => !r.feasible).length} | ${before.medianRatio.toFixed(2)} | ${pct(before.medianError)} | ${before.worstRatio.toFixed(2)} (${before.worstId}) |`,
    );
  };
  for (const [name, list] of groups) if (list.length > 0) line(name, list);
  line('**all**', rows);
  return lines.join('\n');
}

function describeHeldoutLayout(row) {
  const l = row.layout;
  const dp = row.gpus / ((l.tp ?? 1) * (l.pp ?? 1) * (l.cp ?? 1));
  const parts = [`TP${l.tp ?? 1}`, `PP${l.pp ?? 1}`];
  if ((l.cp ?? 1) > 1) parts.push(`CP${l.cp}`);
  if ((l.ep ?? 1) > 1) parts.push(`EP${l.ep}`);
  parts.push(`DP${dp}`);
  if ((l.interleave ?? 1) > 1) parts.push(`v${l.interleave}`);
  parts.push(`mb${l.microbatch} B${l.globalBatch}`, `ZeRO-${l.zero}`, l.precision.toUpperCase());
  if (l.recompute !== 'none') parts.push(`${l.recompute} recompute${l.recomputeLayers ? ` (${l.recomputeLayers} layers/chunk)` : ''}`);
  if (l.recomputeModules) parts.push(`recompute ${l.recomputeModules.join('+')}`);
  if (l.microbatchGroup) parts.push(`groups of ${l.microbatchGroup}`);
  if (l.offloadLayers) parts.push(`offload ${l.offloadLayers} layers`);
  if (row.framework?.cudaGraph) parts.push('CUDA graphs');
  if (row.framework?.fusedKernels === false) parts.push('eager');
  const seq = row.seqLen ? `, seq ${row.seqLen}` : '';
  return `${row.model}${seq} on ${row.gpus} × ${row.cluster}: ${parts.join(' ')}; profile ${row.profile}`;
}

const HELDOUT_METRIC = { tokensPerSPerGpu: 'tokens/s/GPU', modelTflopsPerGpu: 'model TFLOP/s/GPU' };

function fmt(value) {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** One line per held-out row. */
export function renderHeldoutTable(rows) {
  const lines = [
    '| row | setup | source | model input | metric | measured | model | model/measured | fits | before | before/measured |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const fits = row.feasible ? 'yes' : `no (${row.memoryGiB.toFixed(0)} of ${row.usableGiB.toFixed(0)} GiB)`;
    const before = row.before ? `${fmt(row.before.value)} | ${row.before.ratio.toFixed(2)}` : '– | –';
    lines.push(
      `| ${row.id} | ${row.setup} | [${row.source}](${HELDOUT.sources[row.source].url}) | ${describeHeldoutLayout(row)} | ${HELDOUT_METRIC[row.metric]} | ${fmt(row.measured)} | ${fmt(row.value)} | ${row.ratio.toFixed(2)} | ${fits} | ${before} |`,
    );
  }
  return lines.join('\n');
}

/** Sources, held-out models and clusters, and each row's assumptions. */
export function renderHeldoutNotes(rows) {
  const sources = Object.entries(HELDOUT.sources).map(
    ([key, s]) => `- **${key}**: ${s.title}. ${s.url}${s.foundAt ? ` (figures found in the stored copies ${s.foundAt.join(', ')})` : ''}`,
  );
  const models = Object.values(HELDOUT.models).map((m) => `- ${m.id}: ${m.name}, ${m.source}`);
  const clusters = Object.entries(HELDOUT.clusters).map(([id, c]) => `- ${id} (from ${c.base}): ${c.note}`);
  const notes = rows.map((row) => `- ${row.id}: ${row.note}`);
  return ['Sources:', '', ...sources, '', 'Models not in the catalog (shapes from the cited configs):', '', ...models, '', 'Cluster variants:', '', ...clusters, '', 'What each row assumes or does not know:', '', ...notes].join('\n');
}

/** The whole "Held-out runs (not fitted)" section of docs/validation.md. */
export function renderHeldoutSection(rows) {
  const all = heldoutStats(rows);
  const before = heldoutStats(rows, (row) => row.before?.ratio);
  return `## Held-out runs (not fitted)

The rows above calibrated the constants (or share their sources). These ${rows.length} published training runs are
**not** in shared/reference/training.md and no constant was fitted to them: they are the model's honest error bar on
hardware, frameworks and sizes it was not tuned on (test/validation/heldout-runs.json, each row with the page its
figure was read from, its layout as published and what it assumes). They span A100, H100, H200, H800, B200 and
GB200; BF16 and FP8; dense and MoE (DeepSeek-V3, Qwen3); 1B to 405B; 8 to 16,384 GPUs; FSDP, 3D/4D layouts and
context parallelism up to 1M tokens. No MI300X training run with a published layout was found (AMD's pages give
kernel timings and relative speedups, not tokens/s with a layout), so CDNA3 stays unconfirmed.

"before" is the training model as it was before the fidelity work (commit ${BEFORE.commit}), priced on the same
rows with the options its API had (no profiles, framework costs or partial recompute; stored in
heldout-before.json by test/validation/heldout-before.mjs). The model's value is in the row's metric; "does not fit"
counts rows whose published layout the memory model says exceeds the usable memory (their time is still priced).
A row may sit in several groups.

Overall: median model/measured ${all.medianRatio.toFixed(2)} (before: ${before.medianRatio.toFixed(2)}), median error
${pct(all.medianError)} (before: ${pct(before.medianError)}), ${all.within15} of ${all.rows} rows within ±15% (before:
${before.within15}) and ${all.within50} within ×1.5 (before: ${before.within50}).

${renderHeldoutGroups(rows)}

Two constants were set while these rows existed, from kernel papers rather than from the rows, and checked on them
afterwards (docs/model/training.md, "Calibration"): Hopper's FlashAttention-2 rate (attentionFa2Scale 0.57, from
FlashAttention-3's measured speed-ups over FA2; the torchtitan and llm-foundry rows run PyTorch SDPA's FA2 kernel)
and Blackwell's fused-attention efficiencies (from FlashAttention-4's cuDNN 9.13 figure on B200).

Known misses. Fine-grained MoE on B200 and H100 (Qwen3-30B-A3B, 128 experts, top-8) stays 2–3× too fast, while
the same model on GB200 is within 25%. The expert GEMMs are not small here (2,048–4,096 rows × 2,048 × 1,536 per
expert), the host launch floor does not bind even at 20 µs per kernel, and the B200 and GB200 runs share the chip,
EP8 inside one NVLink domain and FP8-MX: they differ in microbatch (1 vs 4), host CPU and measured result (214 vs 547
model TFLOP/s per GPU). Fitted naively, that is a fixed ≈ 7 ms per layer and microbatch (forward + backward) that no
documented mechanism of the model (kernel launches, the router's device-to-host sync, all-to-all latency) reaches,
so the model is left as it is and the rows stay as its error bar for this case.

${renderHeldoutTable(rows)}

${renderHeldoutNotes(rows)}
`;
}
