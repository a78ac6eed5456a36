/** Memory per GPU: Korthikanti's activation formulas, the 16-byte Adam rule under ZeRO, in-flight microbatches. */
import { describe, expect, it } from 'vitest';
import { K, LAYER_COST_SIZE, LayerKind } from '../src/training/compute.js';
import { L, LAYOUT_FIELD_COUNT, W } from '../src/training/fields.js';
import { inFlightMicrobatches, layerActivationBytes, M, stageMemory } from '../src/training/memory.js';
import { resolveModel } from '../src/training/models.js';
import { predictTraining } from '../src/training/predict.js';
import { A100, A100_CHIP } from './training-fixtures.js';

function layoutRow(fields: Partial<Record<string, number>>): Float64Array {
  const row = new Float64Array(LAYOUT_FIELD_COUNT);
  const defaults: Record<string, number> = { tp: 1, pp: 1, dp: 1, ep: 1, cp: 1, microbatch: 1, globalBatch: 1, interleave: 1, gradientBytes: 2 };
  const index: Record<string, number> = {
    tp: L.tp,
    pp: L.pp,
    dp: L.dp,
    ep: L.ep,
    cp: L.cp,
    microbatch: L.microbatch,
    globalBatch: L.globalBatch,
    interleave: L.interleave,
    recompute: L.recompute,
    zero: L.zero,
    sequenceParallel: L.sequenceParallel,
    flashAttention: L.flashAttention,
    precision: L.precision,
    gradientBytes: L.gradientBytes,
  };
  for (const [key, value] of Object.entries({ ...defaults, ...fields })) row[index[key]] = value!;
  return row;
}

function activation(id: string, fields: Partial<Record<string, number>>): { kept: number; full: number } {
  const w = resolveModel(id).row;
  const out = new Float64Array(LAYER_COST_SIZE);
  layerActivationBytes(w, 0, layoutRow(fields), 0, LayerKind.Dense, out, 0);
  return { kept: out[K.actBytes], full: out[K.fullActBytes] };
}

describe('activation memory per layer (Korthikanti et al. 2022)', () => {
  const w = resolveModel('gpt3-175b').row;
  const s = w[W.seqLen];
  const h = w[W.hidden];
  const a = w[W.heads];
  const b = 2;

  it('no parallelism: s b h (34 + 5 a s / h)', () => {
    const { kept } = activation('gpt3-175b', { microbatch: b, flashAttention: 0, recompute: 0 });
    expect(kept).toBeCloseTo(s * b * h * (34 + (5 * a * s) / h), -3);
  });

  it('tensor parallel without SP: s b h (10 + 24/t + 5 a s/(h t))', () => {
    const t = 8;
    const { kept } = activation('gpt3-175b', { microbatch: b, tp: t, flashAttention: 0, recompute: 0, sequenceParallel: 0 });
    expect(kept).toBeCloseTo(s * b * h * (10 + 24 / t + (5 * a * s) / (h * t)), -3);
  });

  it('tensor + sequence parallel: 34 s b h / t + 5 a s² b / t', () => {
    const t = 8;
    const { kept } = activation('gpt3-175b', { microbatch: b, tp: t, flashAttention: 0, recompute: 0, sequenceParallel: 1 });
    expect(kept).toBeCloseTo((34 * s * b * h) / t + (5 * a * s * s * b) / t, -3);
  });

  it('selective recompute drops the 5 a s² b term: 34 s b h / t', () => {
    const t = 8;
    const { kept, full } = activation('gpt3-175b', { microbatch: b, tp: t, flashAttention: 0, recompute: 1, sequenceParallel: 1 });
    expect(kept).toBeCloseTo((34 * s * b * h) / t, -3);
    expect(full).toBeCloseTo((34 * s * b * h) / t + (5 * a * s * s * b) / t, -3);
  });

  it('full recompute keeps the 2 s b h input (÷ t with SP)', () => {
    expect(activation('gpt3-175b', { microbatch: b, tp: 8, recompute: 2, sequenceParallel: 0 }).kept).toBeCloseTo(2 * s * b * h, -3);
    expect(activation('gpt3-175b', { microbatch: b, tp: 8, recompute: 2, sequenceParallel: 1 }).kept).toBeCloseTo((2 * s * b * h) / 8, -3);
  });

  it('flash attention keeps no s × s scores', () => {
    const flash = activation('gpt3-175b', { microbatch: b, tp: 8, flashAttention: 1, recompute: 0, sequenceParallel: 1 }).kept;
    expect(flash).toBeCloseTo((34 * s * b * h) / 8 + (4 * a * s * b) / 8, -3);
  });

  it('context parallelism divides the tokens', () => {
    const one = activation('llama3-70b', { cp: 1, recompute: 0 }).kept;
    const four = activation('llama3-70b', { cp: 4, recompute: 0 }).kept;
    expect(four).toBeCloseTo(one / 4, -3);
  });
});

describe('weights, gradients and optimizer states under ZeRO', () => {
  const P = 1e9;
  const lay = layoutRow({});
  const at = (zero: number) => {
    lay[L.zero] = zero;
    const out = new Float64Array(5);
    stageMemory(lay, 0, P, 0, 8, 8, 0, 0, 0, 0, out);
    return out;
  };
  it('ZeRO-0: 2 + 2 + 12 = 16 bytes per parameter', () => {
    const m = at(0);
    expect(m[M.weights]).toBe(2 * P);
    expect(m[M.gradients]).toBe(2 * P);
    expect(m[M.optimizer]).toBe(12 * P);
    expect(m[M.total]).toBe(16 * P);
  });
  it('ZeRO-1 shards the 12, ZeRO-2 also the gradients, ZeRO-3 also the weights', () => {
    expect(at(1)[M.total]).toBe(4 * P + (12 * P) / 8);
    expect(at(2)[M.total]).toBe(2 * P + (14 * P) / 8);
    expect(at(3)[M.total]).toBe((16 * P) / 8);
  });
  it('fp32 gradient buffers (gradientBytes 4) take 4 bytes per parameter, sharded from ZeRO-2 on', () => {
    lay[L.gradientBytes] = 4;
    expect(at(0)[M.gradients]).toBe(4 * P);
    expect(at(1)[M.total]).toBe(6 * P + (12 * P) / 8);
    expect(at(2)[M.gradients]).toBe((4 * P) / 8);
    lay[L.gradientBytes] = 2;
  });
});

describe('in-flight microbatches', () => {
  it('1F1B: stage i keeps min(m, p − i)', () => {
    expect(inFlightMicrobatches(0, 8, 64, 1, 0)).toBe(8);
    expect(inFlightMicrobatches(7, 8, 64, 1, 0)).toBe(1);
    expect(inFlightMicrobatches(0, 8, 4, 1, 0)).toBe(4);
  });
  it('interleaved: the first stage keeps p (1 + (p − 1)/(p v)), as Korthikanti §4.2 states', () => {
    expect(inFlightMicrobatches(0, 8, 64, 2, 0)).toBeCloseTo(8 * (1 + 7 / 16), 12);
    expect(inFlightMicrobatches(0, 8, 64, 2, 8)).toBeCloseTo(8 * (1 + 7 / 16), 12);
  });
  it("interleaved: Megatron-Core's warm-up, 2(p − i − 1) + (v − 1) N chunks plus one, each 1/v of the stage", () => {
    // The last stage of an interleaved pipeline still warms up (v − 1) N chunks: memory is nearly even.
    expect(inFlightMicrobatches(7, 8, 64, 4, 0)).toBeCloseTo((3 * 8 + 1) / 4, 12);
    // A smaller microbatch group (Llama 3's N) keeps fewer in flight; the warm-up never exceeds m·v chunks.
    expect(inFlightMicrobatches(0, 16, 32, 4, 8)).toBeCloseTo((2 * 15 + 3 * 8 + 1) / 4, 12);
    expect(inFlightMicrobatches(0, 16, 32, 4, 8)).toBeLessThan(inFlightMicrobatches(0, 16, 32, 4, 0));
    expect(inFlightMicrobatches(0, 8, 2, 4, 0)).toBe(2);
  });
  it('the first stage of a 1F1B pipeline holds all L layers’ worth of activations (Korthikanti §4.2)', () => {
    const common = { model: 'gpt3-175b', cluster: A100, chip: A100_CHIP, engine: 'reference' as const };
    const layout = { tp: 8, microbatch: 1, globalBatch: 64, recompute: 'full' as const, zero: 0 as const, sequenceParallel: false, flashAttention: false };
    const p1 = predictTraining({ ...common, gpus: 8, layout: { ...layout, pp: 1 } });
    const p8 = predictTraining({ ...common, gpus: 64, layout: { ...layout, pp: 8 } });
    // Full recompute keeps 2 s b h per layer; pp = 1 holds one microbatch at a time, pp = 8 eight of 12 layers.
    const perLayer = 2 * 2048 * 12288;
    const working = p1.memory.activationBytes - 96 * perLayer; // one layer being recomputed + logits
    expect(p8.memory.activationBytes).toBeGreaterThan(8 * 12 * perLayer);
    expect(p8.memory.activationBytes).toBeLessThan(8 * 12 * perLayer + working + 1);
  });
});

describe('feasibility', () => {
  it('a configuration that does not fit is reported infeasible with every figure, not dropped', () => {
    const p = predictTraining({
      model: 'llama3-70b',
      cluster: A100,
      chip: A100_CHIP,
      gpus: 8,
      layout: { tp: 8, globalBatch: 8, recompute: 'none', zero: 0 },
      engine: 'reference',
    });
    expect(p.feasible).toBe(false);
    expect(p.status).toBe('out of memory');
    expect(p.memory.totalBytes).toBeGreaterThan(p.memory.usableBytes);
    expect(p.stepS).toBeGreaterThan(0);
    expect(p.mfu).toBeGreaterThan(0);
  });
});
