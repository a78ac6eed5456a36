/** The step model: pipeline bubble, stage imbalance, breakdown, collective pricing, MFU, errors and statuses. */
import { describe, expect, it } from 'vitest';
import { emptyResult, placeRanks, selectCandidate } from '../src/model/collective.js';
import { AUTO, OpCode } from '../src/model/enums.js';
import { packClusters } from '../src/model/cluster-params.js';
import { packChips } from '../src/training/chip.js';
import { L, LAYOUT_FIELD_COUNT, O, OUTPUT_FIELD_COUNT, TrainingStatus, W } from '../src/training/fields.js';
import { resolveModel } from '../src/training/models.js';
import { denseLayersOnDevice, devicesWithDenseLayers, layersOnDevice, pipelineRunEnd } from '../src/training/step.js';
import { allocateTrainingOutputs, evaluateTrainingBatch } from '../src/training/packing.js';
import { predictTraining, type TrainingRequest } from '../src/training/predict.js';
import { countParameters } from '../src/training/workload.js';
import { LinkcapInputError } from '../src/validate/errors.js';
import { A100, A100_CHIP, A100_NODE, H100, H100_CHIP, H800, randomTrainingBatch } from './training-fixtures.js';

const FLAT = { id: 'flat', layers: 16, hidden: 4096, ffn: 16384, heads: 32, vocab: 8, seqLen: 2048 };

/** Blocking TP and pipeline communication (the megatron-lm-2021 profile), so the formulas below are exact. */
function run(partial: Partial<TrainingRequest> & { layout: TrainingRequest['layout'] }) {
  return predictTraining({ model: FLAT, cluster: A100, chip: A100_CHIP, gpus: 8, engine: 'reference', profile: 'megatron-lm-2021', ...partial } as TrainingRequest);
}

function timeOf(op: number, bytes: number, g: number, n: number): number {
  const out = emptyResult();
  selectCandidate(A100_NODE, placeRanks(A100_NODE, g, n), op, bytes, AUTO, AUTO, out);
  return out.timeS;
}

describe('pipeline schedule', () => {
  it('1F1B bubble ≈ (p − 1)/m of the ideal time when stages are equal', () => {
    for (const m of [4, 16, 64]) {
      const p = run({ gpus: 4, layout: { pp: 4, globalBatch: m, recompute: 'none' } });
      const ideal = p.stepS - p.breakdown.bubbleS - p.breakdown.ppS - p.breakdown.optimizerS - p.breakdown.dpS;
      expect(p.breakdown.bubbleS / ideal).toBeCloseTo(3 / m, 2);
    }
  });

  it('interleaved with v chunks: (p − 1)/(m v)', () => {
    const plain = run({ gpus: 4, layout: { pp: 4, globalBatch: 16, recompute: 'none' } });
    const inter = run({ gpus: 4, layout: { pp: 4, globalBatch: 16, recompute: 'none', interleave: 2 } });
    expect(inter.breakdown.bubbleS / plain.breakdown.bubbleS).toBeCloseTo(0.5, 2);
    // Interleaving sends v times more point-to-point messages.
    expect(inter.breakdown.ppS).toBeGreaterThan(plain.breakdown.ppS * 1.8);
  });

  it('layers that do not divide evenly make the first stages critical', () => {
    const even = run({ model: { ...FLAT, layers: 16 }, gpus: 4, layout: { pp: 4, globalBatch: 16, recompute: 'none' } });
    const uneven = run({ model: { ...FLAT, layers: 18 }, gpus: 4, layout: { pp: 4, globalBatch: 16, recompute: 'none' } });
    expect(uneven.criticalStage).toBe(0);
    // 5 layers on the critical stage instead of 4.
    expect(uneven.breakdown.computeS / even.breakdown.computeS).toBeCloseTo(5 / 4, 2);
  });

  it('the LM head makes the last stage critical for a large vocabulary', () => {
    const p = predictTraining({
      model: 'llama3-8b',
      cluster: H100,
      chip: H100_CHIP,
      gpus: 8,
      layout: { pp: 8, globalBatch: 64, recompute: 'none' },
      engine: 'reference',
    });
    expect(p.criticalStage).toBe(7);
  });
});

describe('breakdown', () => {
  it('the terms add up to the step time', () => {
    const { workloads, chips, clusters, layouts, count } = randomTrainingBatch(7, 2000);
    const out = allocateTrainingOutputs(count);
    evaluateTrainingBatch(workloads, chips, clusters, layouts, out);
    let checked = 0;
    for (let row = 0; row < count; row += 1) {
      const o = row * OUTPUT_FIELD_COUNT;
      if (out[o + O.status] > TrainingStatus.OutOfMemory) continue;
      const terms = [O.computeS, O.tpS, O.cpS, O.epS, O.dpS, O.ppS, O.bubbleS, O.optimizerS, O.slowdownS, O.offloadS];
      const sum = terms.reduce((s, f) => s + out[o + f], 0);
      expect(Math.abs(sum / out[o + O.stepS] - 1)).toBeLessThan(1e-12);
      for (const f of terms) expect(out[o + f]).toBeGreaterThanOrEqual(0);
      expect(out[o + O.mfu]).toBeGreaterThan(0);
      expect(out[o + O.mfu]).toBeLessThan(1);
      expect(out[o + O.hfu]).toBeGreaterThanOrEqual(out[o + O.mfu]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('MFU = model FLOPs / (step × GPUs × peak); tokens/s follow from the step', () => {
    const p = predictTraining({ model: 'llama3-8b', cluster: H100, chip: H100_CHIP, gpus: 64, layout: { tp: 2, pp: 2 }, engine: 'reference' });
    expect(p.mfu).toBeCloseTo(p.modelFlopsPerStep / (p.stepS * 64 * 989e12), 12);
    expect(p.tokensPerS).toBeCloseTo(p.tokensPerStep / p.stepS, 6);
    expect(p.tokensPerSPerGpu * 64).toBeCloseTo(p.tokensPerS, 6);
    // ≈ 6 N per token for a dense model (attention adds a little).
    const sixN = 6 * countParameters(resolveModel('llama3-8b').row).total * p.tokensPerStep;
    expect(p.modelFlopsPerStep / sixN).toBeGreaterThan(1);
    expect(p.modelFlopsPerStep / sixN).toBeLessThan(1.25);
  });

  it('time to train N tokens, GPU-hours and cost', () => {
    const p = predictTraining({
      model: 'llama3-8b',
      cluster: H100,
      chip: H100_CHIP,
      gpus: 64,
      layout: { tp: 2 },
      tokens: 15e12,
      pricePerGpuHour: 2,
      engine: 'reference',
    });
    expect(p.training!.timeS).toBeCloseTo(15e12 / p.tokensPerS, 3);
    expect(p.training!.gpuHours).toBeCloseTo((p.training!.timeS * 64) / 3600, 3);
    expect(p.training!.cost).toBeCloseTo(p.training!.gpuHours * 2, 3);
  });
});

describe('every communication is priced by the collective model on its group', () => {
  it('TP with sequence parallelism: 4 reduce-scatter + all-gather pairs per layer per microbatch, inside the NVLink domain', () => {
    const p = run({ gpus: 8, layout: { tp: 8, globalBatch: 4, recompute: 'none' } });
    const bytes = 2048 * 4096 * 2;
    const pair = timeOf(OpCode.ReduceScatter, bytes, 8, 1) + timeOf(OpCode.AllGather, bytes, 8, 1);
    // 16 layers × (2 forward + 2 backward) + one pair each for the embedding and the head, 4 microbatches.
    expect(p.breakdown.tpS).toBeCloseTo(4 * (16 * 4 + 2) * pair, 9);
  });

  it('without SP: all-reduces; full recompute repeats the forward ones', () => {
    const none = run({ gpus: 8, layout: { tp: 8, globalBatch: 1, recompute: 'none', sequenceParallel: false } });
    const full = run({ gpus: 8, layout: { tp: 8, globalBatch: 1, recompute: 'full', sequenceParallel: false } });
    const ar = timeOf(OpCode.AllReduce, 2048 * 4096 * 2, 8, 1);
    expect(none.breakdown.tpS).toBeCloseTo((16 * 4 + 2) * ar, 9);
    expect(full.breakdown.tpS).toBeCloseTo((16 * 6 + 2) * ar, 9);
  });

  it('DP gradients: an all-reduce across nodes, one rank per node on its rail when TP fills the node', () => {
    const p = run({ gpus: 64, layout: { tp: 8, globalBatch: 8, recompute: 'none', zero: 0 }, overlap: { dp: 0 } });
    const params = countParameters(normalisedFlat()).total / 8; // per TP rank (norms replicated: tiny)
    const expected = timeOf(OpCode.AllReduce, params * 2, 1, 8);
    expect(p.breakdown.dpS / expected).toBeCloseTo(1, 2);
  });

  it('the capped NVLink (H800) slows TP communication, not compute', () => {
    const common = { model: 'llama3-70b', chip: H100_CHIP, gpus: 64, layout: { tp: 8, pp: 2 }, engine: 'reference' as const };
    const h100 = predictTraining({ ...common, cluster: H100 });
    const h800 = predictTraining({ ...common, cluster: H800 });
    expect(h800.breakdown.computeS).toBeCloseTo(h100.breakdown.computeS, 9);
    expect(h800.breakdown.tpS / h100.breakdown.tpS).toBeGreaterThan(1.8);
    expect(h800.stepS).toBeGreaterThan(h100.stepS);
  });

  it('expert parallelism pays all-to-all; across nodes it costs more than inside one', () => {
    const common = { model: 'mixtral-8x7b', cluster: H100, chip: H100_CHIP, engine: 'reference' as const };
    const inside = predictTraining({ ...common, gpus: 64, layout: { pp: 4, ep: 8, globalBatch: 64, zero: 1 } });
    const across = predictTraining({ ...common, gpus: 64, layout: { tp: 8, pp: 4, ep: 8, globalBatch: 64, zero: 1 } });
    expect(inside.breakdown.epS).toBeGreaterThan(0);
    // With tp = 8 the EP group of 8 is the TP group (inside the node) too; with tp = 1 it also sits in one node.
    expect(across.breakdown.epS).toBeGreaterThan(0);
    const spread = predictTraining({ ...common, gpus: 64, layout: { tp: 1, pp: 1, ep: 8, cp: 8, globalBatch: 64, zero: 1 } });
    expect(spread.breakdown.epS).toBeGreaterThan(inside.breakdown.epS / 4);
  });
});

function normalisedFlat() {
  return resolveModel(FLAT).row;
}

describe('errors name the field and the allowed range', () => {
  const cases: [Partial<TrainingRequest>, string, RegExp][] = [
    [{ gpus: 24, layout: { tp: 3 } }, 'tp', /heads \(64\)/],
    [{ gpus: 12, layout: { tp: 8 } }, 'gpus', /multiple/],
    [{ gpus: 64, layout: { tp: 8, globalBatch: 7 } }, 'globalBatch', /multiple of microbatch × dp/],
    [{ layout: { ep: 2 } }, 'ep', /dense/],
    [{ layout: { precision: 'fp8' } }, 'precision', /FP8/],
    [{ layout: { interleave: 2 } }, 'interleave', /pp > 1/],
    [{ layout: { recompute: 'some' as never } }, 'recompute', /none, selective, full/],
    [{ layout: { zero: 4 as never } }, 'zero', /0, 1, 2, 3/],
    [{ overlap: { tp: 2 } }, 'overlap.tp', /0 to 1/],
    [{ gpus: 16, layout: { pp: 100 } }, 'gpus', /multiple/],
    [{ gpus: 8, layout: { pp: 8, interleave: 20 } }, 'interleave', /exceeds the 80 layers/],
    [{ tokens: -1 }, 'tokens', /> 0/],
  ];
  it.each(cases)('%j → %s', (patch, field, message) => {
    try {
      predictTraining({ model: 'llama3-70b', cluster: A100, chip: A100_CHIP, gpus: 8, engine: 'reference', layout: {}, ...patch } as TrainingRequest);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LinkcapInputError);
      expect((error as LinkcapInputError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('a group that cannot be placed names it', () => {
    const odd = { id: 'six', params: { ...A100_NODE, gpusPerDomain: 6 } };
    expect(() => predictTraining({ model: 'llama3-70b', cluster: odd, chip: A100_CHIP, gpus: 12, layout: { tp: 4, pp: 3 }, engine: 'reference' })).toThrow(
      /tp: the TP group \(4 ranks\) cannot be placed/,
    );
  });

  it('a cluster without a chip needs one', () => {
    expect(() => predictTraining({ model: 'llama3-8b', cluster: A100_NODE, gpus: 8 })).toThrow(/chip: required/);
  });
});

describe('batch statuses', () => {
  it('invalid rows get a status and NaN times; valid rows are unaffected', () => {
    const w = resolveModel('llama3-70b').row;
    const layouts = new Float64Array(4 * LAYOUT_FIELD_COUNT);
    const base = [0, 0, 0, 8, 1, 1, 1, 1, 1, 8, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0.1, 2, 80, 0, 1, 0, 1];
    for (let r = 0; r < 4; r += 1) layouts.set(base, r * LAYOUT_FIELD_COUNT);
    layouts[1 * LAYOUT_FIELD_COUNT + L.tp] = 3; // heads
    layouts[2 * LAYOUT_FIELD_COUNT + L.precision] = 1; // A100 has no FP8
    layouts[3 * LAYOUT_FIELD_COUNT + L.tp] = 16; // two domains: placeable, slow
    const out = allocateTrainingOutputs(4);
    evaluateTrainingBatch(w, packChips([A100_CHIP]), packClusters([A100_NODE]), layouts, out);
    expect(out[O.status]).toBeLessThanOrEqual(TrainingStatus.OutOfMemory);
    expect(out[OUTPUT_FIELD_COUNT + O.status]).toBe(TrainingStatus.InvalidLayout);
    expect(Number.isNaN(out[OUTPUT_FIELD_COUNT + O.stepS])).toBe(true);
    expect(out[2 * OUTPUT_FIELD_COUNT + O.status]).toBe(TrainingStatus.NoFp8);
    expect(out[3 * OUTPUT_FIELD_COUNT + O.status]).toBeLessThanOrEqual(TrainingStatus.OutOfMemory);
    expect(out[3 * OUTPUT_FIELD_COUNT + O.tpS]).toBeGreaterThan(out[O.tpS]);
    expect(w[W.heads]).toBe(64);
  });

  it('row indices out of range are rejected with the field named', () => {
    const layouts = new Float64Array(LAYOUT_FIELD_COUNT);
    layouts[L.chip] = 3;
    expect(() =>
      evaluateTrainingBatch(resolveModel('llama3-8b').row, packChips([A100_CHIP]), packClusters([A100_NODE]), layouts, allocateTrainingOutputs(1)),
    ).toThrow(/layouts\[0\]\.chip/);
  });
});

describe('layer assignment to pipeline devices', () => {
  it('runs of devices that cost the same share their layer counts and hold no end stage', () => {
    for (let layers = 1; layers <= 70; layers += 3) {
      for (const p of [1, 2, 3, 4, 5, 8, 16]) {
        for (const v of [1, 2, 3, 6]) {
          if (p * v > layers) continue;
          const base = Math.floor(layers / (p * v));
          const rem = layers - base * p * v;
          const longer = rem - Math.floor(rem / p) * p;
          for (const firstDense of [0, 1, 3, 10]) {
            const denseDevices = devicesWithDenseLayers(p, v, base, rem, firstDense);
            let covered = 0;
            for (let dev = 0; dev < p; ) {
              const end = pipelineRunEnd(dev, p, longer, denseDevices);
              expect(end).toBeGreaterThan(dev);
              if (end - dev > 1) {
                expect(dev).toBeGreaterThan(0);
                expect(end).toBeLessThanOrEqual(p - 1);
              }
              for (let k = dev; k < end; k += 1) {
                expect(layersOnDevice(k, p, v, base, rem)).toBe(layersOnDevice(dev, p, v, base, rem));
                expect(denseLayersOnDevice(k, p, v, base, rem, firstDense)).toBe(denseLayersOnDevice(dev, p, v, base, rem, firstDense));
              }
              covered += end - dev;
              dev = end;
            }
            expect(covered).toBe(p);
          }
        }
      }
    }
  });

  it('closed forms match chunk-by-chunk counting', () => {
    for (let layers = 1; layers <= 70; layers += 3) {
      for (const p of [1, 2, 3, 4, 8, 16]) {
        for (const v of [1, 2, 3, 6]) {
          if (p * v > layers) continue;
          const base = Math.floor(layers / (p * v));
          const rem = layers - base * p * v;
          for (const firstDense of [0, 1, 3, 10]) {
            let total = 0;
            for (let dev = 0; dev < p; dev += 1) {
              let all = 0;
              let dense = 0;
              for (let j = 0; j < v; j += 1) {
                const k = dev + j * p;
                const count = base + (k < rem ? 1 : 0);
                const start = k * base + Math.min(k, rem);
                all += count;
                dense += Math.max(0, Math.min(count, firstDense - start));
              }
              expect(layersOnDevice(dev, p, v, base, rem)).toBe(all);
              expect(denseLayersOnDevice(dev, p, v, base, rem, firstDense)).toBe(dense);
              total += all;
            }
            expect(total).toBe(layers);
          }
        }
      }
    }
  });
});
