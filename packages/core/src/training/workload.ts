/**
 * Workloads (decoder-only transformers, dense and MoE): the user-facing description, its packed row, and the
 * parameter and FLOP counts every other part of the training model uses. The numeric helpers take the
 * packed row and its offset and return numbers, so the native port is a line-by-line copy.
 *
 * Conventions (docs/model/training.md, "Parameters and FLOPs"):
 *  - matmul FLOPs = 2 × multiply-accumulates; a token's forward pass costs 2 × (matmul weights it touches)
 *    plus the attention core 2 s a (d_qk + d_v) per layer (full s × s scores, the Megatron and PaLM convention);
 *  - model FLOPs per token = 3 × forward (backward = 2 × forward) [Megatron-LM 2021; Transformer Math 101].
 */
import { LinkcapInputError, describeValue } from '../validate/errors.js';
import { W, WORKLOAD_FIELD_COUNT } from './fields.js';

/** A transformer as users write it (YAML/JSON) and as models.json stores presets. */
export interface WorkloadSpec {
  id?: string;
  name?: string;
  /** Source key (see the `sources` table of models.json) for the numbers of this entry. */
  source?: string;
  layers: number;
  hidden: number;
  /** Dense FFN inner size. Optional for an MoE model whose every layer is MoE. */
  ffn?: number;
  /** 'gelu' (two matrices) or 'swiglu' (gate, up, down). Default gelu. */
  activation?: 'gelu' | 'swiglu';
  heads: number;
  /** Default: heads (multi-head attention). */
  kvHeads?: number;
  /** Default: hidden / heads. */
  headDim?: number;
  /** Default: headDim. */
  vHeadDim?: number;
  /** Multi-head latent attention (DeepSeek-V2/V3). */
  mla?: { qLoraRank?: number; kvLoraRank: number; ropeHeadDim: number };
  vocab: number;
  seqLen: number;
  tiedEmbeddings?: boolean;
  /** 'rotary' (default) or 'learned' absolute position embeddings. */
  positions?: 'rotary' | 'learned';
  /** Linear biases and LayerNorm (GPT-style). Default false (bias-free RMSNorm). */
  biases?: boolean;
  dropout?: boolean;
  moe?: { experts: number; sharedExperts?: number; topK: number; firstDenseLayers?: number; expertFfn: number };
  /** Tokens per global batch the model was trained with; the default batch for predictions and searches. */
  globalBatchTokens?: number;
  /** Published parameter counts, for the tests and for display. */
  publishedParams?: { total?: number; active?: number };
}

/** A validated workload: the spec with every default filled, and its packed row. */
export interface Workload {
  id: string;
  name: string;
  source?: string;
  spec: WorkloadSpec;
  row: Float64Array;
  globalBatchTokens?: number;
  publishedParams?: { total?: number; active?: number };
}

function wholeNumber(field: string, value: unknown, min: number, max = 2 ** 40): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(field: string, value: unknown, fallback: boolean): number {
  if (value === undefined) return fallback ? 1 : 0;
  if (typeof value !== 'boolean') throw new LinkcapInputError(field, `${describeValue(value)}: must be true or false`);
  return value ? 1 : 0;
}

function choice<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new LinkcapInputError(field, `${describeValue(value)}: must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const SPEC_KEYS = new Set([
  'id',
  'name',
  'source',
  'layers',
  'hidden',
  'ffn',
  'activation',
  'heads',
  'kvHeads',
  'headDim',
  'vHeadDim',
  'mla',
  'vocab',
  'seqLen',
  'tiedEmbeddings',
  'positions',
  'biases',
  'dropout',
  'moe',
  'globalBatchTokens',
  'publishedParams',
  'fieldSources',
  'notes',
]);

/**
 * Validates a workload description and packs it. Errors name the field (prefixed with `label`, e.g.
 * `model.heads`) and the allowed range.
 */
export function normaliseWorkload(input: unknown, label = 'model'): Workload {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new LinkcapInputError(label, 'must be an object with layers, hidden, heads, vocab, seqLen, …');
  }
  const spec = input as WorkloadSpec & Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) throw new LinkcapInputError(`${label}.${key}`, `unknown field; allowed: ${[...SPEC_KEYS].join(', ')}`);
  }
  const f = (name: string) => `${label}.${name}`;
  const row = new Float64Array(WORKLOAD_FIELD_COUNT);
  const layers = wholeNumber(f('layers'), spec.layers, 1, 100_000);
  const hidden = wholeNumber(f('hidden'), spec.hidden, 1, 1_000_000);
  const heads = wholeNumber(f('heads'), spec.heads, 1, 100_000);
  const mla = spec.mla;
  if (mla !== undefined && (mla === null || typeof mla !== 'object')) throw new LinkcapInputError(f('mla'), 'must be an object { kvLoraRank, ropeHeadDim, qLoraRank? }');
  const kvHeads = mla ? heads : spec.kvHeads === undefined ? heads : wholeNumber(f('kvHeads'), spec.kvHeads, 1, heads);
  if (!mla && heads % kvHeads !== 0) throw new LinkcapInputError(f('kvHeads'), `${kvHeads}: must divide heads (${heads})`);
  let headDim: number;
  if (spec.headDim === undefined) {
    if (hidden % heads !== 0) throw new LinkcapInputError(f('headDim'), `required: hidden (${hidden}) is not a multiple of heads (${heads})`);
    headDim = hidden / heads;
  } else {
    headDim = wholeNumber(f('headDim'), spec.headDim, 1, 100_000);
  }
  const vHeadDim = spec.vHeadDim === undefined ? headDim : wholeNumber(f('vHeadDim'), spec.vHeadDim, 1, 100_000);
  const activation = choice(f('activation'), spec.activation, ['gelu', 'swiglu'] as const, 'gelu');
  const moe = spec.moe;
  if (moe !== undefined && (moe === null || typeof moe !== 'object')) throw new LinkcapInputError(f('moe'), 'must be an object { experts, topK, expertFfn, sharedExperts?, firstDenseLayers? }');
  const experts = moe ? wholeNumber(f('moe.experts'), moe.experts, 1, 1_000_000) : 0;
  const topK = moe ? wholeNumber(f('moe.topK'), moe.topK, 1, experts) : 0;
  const expertFfn = moe ? wholeNumber(f('moe.expertFfn'), moe.expertFfn, 1, 10_000_000) : 0;
  const sharedExperts = moe ? (moe.sharedExperts === undefined ? 0 : wholeNumber(f('moe.sharedExperts'), moe.sharedExperts, 0, 1024)) : 0;
  const firstDense = moe ? (moe.firstDenseLayers === undefined ? 0 : wholeNumber(f('moe.firstDenseLayers'), moe.firstDenseLayers, 0, layers)) : 0;
  const needsDenseFfn = !moe || firstDense > 0;
  let ffn = 0;
  if (spec.ffn !== undefined) ffn = wholeNumber(f('ffn'), spec.ffn, 1, 10_000_000);
  else if (needsDenseFfn) throw new LinkcapInputError(f('ffn'), 'required: the dense FFN inner size (e.g. 4 × hidden for GPT)');
  row[W.layers] = layers;
  row[W.hidden] = hidden;
  row[W.ffn] = ffn;
  row[W.gatedFfn] = activation === 'swiglu' ? 1 : 0;
  row[W.heads] = heads;
  row[W.kvHeads] = kvHeads;
  row[W.headDim] = headDim;
  row[W.vHeadDim] = vHeadDim;
  if (mla) {
    row[W.qLoraRank] = mla.qLoraRank === undefined ? 0 : wholeNumber(f('mla.qLoraRank'), mla.qLoraRank, 0, 1_000_000);
    row[W.kvLoraRank] = wholeNumber(f('mla.kvLoraRank'), mla.kvLoraRank, 1, 1_000_000);
    row[W.ropeHeadDim] = wholeNumber(f('mla.ropeHeadDim'), mla.ropeHeadDim, 0, headDim - 1);
  }
  row[W.vocab] = wholeNumber(f('vocab'), spec.vocab, 1, 100_000_000);
  row[W.seqLen] = wholeNumber(f('seqLen'), spec.seqLen, 1, 100_000_000);
  row[W.tiedEmbeddings] = flag(f('tiedEmbeddings'), spec.tiedEmbeddings, false);
  row[W.learnedPositions] = choice(f('positions'), spec.positions, ['rotary', 'learned'] as const, 'rotary') === 'learned' ? 1 : 0;
  row[W.biases] = flag(f('biases'), spec.biases, false);
  row[W.dropout] = flag(f('dropout'), spec.dropout, false);
  row[W.experts] = experts;
  row[W.sharedExperts] = sharedExperts;
  row[W.topK] = topK;
  row[W.firstDenseLayers] = firstDense;
  row[W.expertFfn] = expertFfn;
  let globalBatchTokens: number | undefined;
  if (spec.globalBatchTokens !== undefined) {
    const value = spec.globalBatchTokens;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < row[W.seqLen]) {
      throw new LinkcapInputError(f('globalBatchTokens'), `${describeValue(value)}: must be a number of tokens ≥ seqLen (${row[W.seqLen]})`);
    }
    globalBatchTokens = value;
  }
  const id = spec.id === undefined ? 'custom' : String(spec.id);
  return {
    id,
    name: spec.name === undefined ? id : String(spec.name),
    source: spec.source,
    spec,
    row,
    globalBatchTokens,
    publishedParams: spec.publishedParams,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Numeric helpers over a packed workload row (w, o = offset of the row). Per-rank forms take the tensor-
// parallel size t (t = 1 gives the whole model).

/** Key/value heads each tensor-parallel rank holds: kvHeads / t, or 1 (replicated) when t > kvHeads. */
export function kvHeadsPerRank(w: Float64Array, o: number, t: number): number {
  const kv = w[o + W.kvHeads];
  return kv >= t ? kv / t : 1;
}

/** 1 when the workload has routed experts. */
export function isMoe(w: Float64Array, o: number): boolean {
  return w[o + W.experts] > 0;
}

/** Layers of the workload that are MoE layers. */
export function moeLayerCount(w: Float64Array, o: number): number {
  return w[o + W.experts] > 0 ? w[o + W.layers] - w[o + W.firstDenseLayers] : 0;
}

/** FFN weight matrices: 3 for a gated (SwiGLU) FFN, 2 otherwise. */
export function ffnMatrices(w: Float64Array, o: number): number {
  return w[o + W.gatedFfn] === 1 ? 3 : 2;
}

/**
 * Attention matmul weights one TP rank holds (biases and norms excluded), split into the part replicated on
 * every rank (MLA down-projections) and the part divided over t; returned as their per-rank sum.
 */
export function attentionWeightsPerRank(w: Float64Array, o: number, t: number): number {
  const h = w[o + W.hidden];
  const a = w[o + W.heads];
  const dq = w[o + W.headDim];
  const dv = w[o + W.vHeadDim];
  const kvLora = w[o + W.kvLoraRank];
  if (kvLora > 0) {
    const qLora = w[o + W.qLoraRank];
    const rope = w[o + W.ropeHeadDim];
    const qPart = qLora > 0 ? h * qLora + (qLora * a * dq) / t : (h * a * dq) / t;
    const kvPart = h * (kvLora + rope) + (kvLora * a * (dq - rope + dv)) / t;
    return qPart + kvPart + (a * dv * h) / t;
  }
  const kvr = kvHeadsPerRank(w, o, t);
  return (h * a * dq) / t + h * kvr * (dq + dv) + (a * dv * h) / t;
}

/** Attention biases and norm parameters per rank (LayerNorm gain+bias or RMSNorm gain; MLA latent norms). */
export function attentionSmallParamsPerRank(w: Float64Array, o: number, t: number): number {
  const h = w[o + W.hidden];
  const biases = w[o + W.biases];
  const norm = (biases === 1 ? 2 : 1) * h;
  let small = 2 * norm; // input norms of the attention and MLP blocks
  if (w[o + W.kvLoraRank] > 0) small += w[o + W.qLoraRank] + w[o + W.kvLoraRank];
  if (biases === 1) {
    const a = w[o + W.heads];
    small += (a * w[o + W.headDim]) / t + kvHeadsPerRank(w, o, t) * (w[o + W.headDim] + w[o + W.vHeadDim]) + h;
  }
  return small;
}

/** Dense-FFN weights per rank (biases included when the model has them). */
export function denseMlpParamsPerRank(w: Float64Array, o: number, t: number): number {
  const h = w[o + W.hidden];
  const ffn = w[o + W.ffn];
  let params = (ffnMatrices(w, o) * h * ffn) / t;
  if (w[o + W.biases] === 1) params += ((w[o + W.gatedFfn] === 1 ? 2 : 1) * ffn) / t + h;
  return params;
}

/** Weights of one expert (gated or not, no biases). */
export function expertParams(w: Float64Array, o: number): number {
  return ffnMatrices(w, o) * w[o + W.hidden] * w[o + W.expertFfn];
}

/** Shared-expert weights per rank (split over t like a dense FFN) plus the router (replicated). */
export function moeDenseParamsPerRank(w: Float64Array, o: number, t: number): number {
  return (w[o + W.sharedExperts] * expertParams(w, o)) / t + w[o + W.hidden] * w[o + W.experts];
}

/** Embedding-stage parameters per rank: vocabulary-parallel embedding and learned positions. */
export function embeddingParamsPerRank(w: Float64Array, o: number, t: number): number {
  const h = w[o + W.hidden];
  return (w[o + W.vocab] * h) / t + (w[o + W.learnedPositions] === 1 ? w[o + W.seqLen] * h : 0);
}

/**
 * Head-stage parameters per rank: the final norm and the LM head. A tied head still keeps a copy on the last
 * stage when the pipeline has more than one stage (as Megatron does); with one stage it is shared.
 */
export function headParamsPerRank(w: Float64Array, o: number, t: number, pp: number): number {
  const h = w[o + W.hidden];
  const norm = (w[o + W.biases] === 1 ? 2 : 1) * h;
  const head = w[o + W.tiedEmbeddings] === 1 && pp === 1 ? 0 : (w[o + W.vocab] * h) / t;
  return norm + head;
}

/** Matmul weights a token touches in one dense layer (forward FLOPs = 2 × this + attention core). */
function denseLayerTouchedWeights(w: Float64Array, o: number): number {
  return attentionWeightsPerRank(w, o, 1) + ffnMatrices(w, o) * w[o + W.hidden] * w[o + W.ffn];
}

/** Matmul weights a token touches in one MoE layer: attention, router, top-k and shared experts. */
function moeLayerTouchedWeights(w: Float64Array, o: number): number {
  return (
    attentionWeightsPerRank(w, o, 1) +
    w[o + W.hidden] * w[o + W.experts] +
    (w[o + W.topK] + w[o + W.sharedExperts]) * expertParams(w, o)
  );
}

/** Attention-core forward FLOPs per token per layer: QKᵀ and AV over the full s × s scores. */
export function attentionCoreFlopsPerToken(w: Float64Array, o: number): number {
  return 2 * w[o + W.seqLen] * w[o + W.heads] * (w[o + W.headDim] + w[o + W.vHeadDim]);
}

/** Forward FLOPs per token of the whole model (layers, LM head), no recompute. */
export function forwardFlopsPerToken(w: Float64Array, o: number): number {
  const moeLayers = moeLayerCount(w, o);
  const denseLayers = w[o + W.layers] - moeLayers;
  const core = attentionCoreFlopsPerToken(w, o);
  return (
    denseLayers * (2 * denseLayerTouchedWeights(w, o) + core) +
    moeLayers * (2 * moeLayerTouchedWeights(w, o) + core) +
    2 * w[o + W.vocab] * w[o + W.hidden]
  );
}

/** Forward FLOPs per token of the transformer layers only (what full recompute repeats). */
export function layerForwardFlopsPerToken(w: Float64Array, o: number): number {
  return forwardFlopsPerToken(w, o) - 2 * w[o + W.vocab] * w[o + W.hidden];
}

/** Parameter counts of a whole workload (no parallelism). */
export interface ParameterCounts {
  total: number;
  /** Parameters a token touches: shared layers plus top-k routed experts (= total for dense models). */
  active: number;
  embedding: number;
  /** total minus input embedding and LM head. */
  nonEmbedding: number;
}

export function countParameters(w: Float64Array, o = 0): ParameterCounts {
  const layers = w[o + W.layers];
  const moeLayers = moeLayerCount(w, o);
  const denseLayers = layers - moeLayers;
  const attention = attentionWeightsPerRank(w, o, 1) + attentionSmallParamsPerRank(w, o, 1);
  const dense = denseLayers * (attention + denseMlpParamsPerRank(w, o, 1));
  const moeShared = moeLayers * (attention + moeDenseParamsPerRank(w, o, 1));
  const routed = moeLayers * w[o + W.experts] * expertParams(w, o);
  const activeRouted = moeLayers * w[o + W.topK] * expertParams(w, o);
  const embedding = embeddingParamsPerRank(w, o, 1);
  const head = headParamsPerRank(w, o, 1, 1);
  const total = dense + moeShared + routed + embedding + head;
  const h = w[o + W.hidden];
  const lmHead = w[o + W.tiedEmbeddings] === 1 ? 0 : w[o + W.vocab] * h;
  return {
    total,
    active: total - routed + activeRouted,
    embedding: embedding + lmHead,
    nonEmbedding: total - embedding - lmHead,
  };
}
