/**
 * Range checks of packed workload and chip rows, for the reference engine: the ranges normaliseWorkload and
 * validateChipParams produce, in the order and words of the native engine's checks
 * (native/src/core/training_validate.cpp), so both engines refuse a bad row with the same error:
 * `workloads[1].heads = 0: must be a whole number from 1 to 100000`.
 */
import { describeValue, LinkcapInputError } from '../validate/errors.js';
import { C, CHIP_FIELDS, CHIP_FIELD_COUNT, W, WORKLOAD_FIELDS, WORKLOAD_FIELD_COUNT } from './fields.js';

function wholeIn(v: number, min: number, max: number): boolean {
  return v >= min && v <= max && Math.floor(v) === v;
}

/** Checks row `index` of packed workload rows (WORKLOAD_FIELDS); throws LinkcapInputError for the first bad field. */
export function validateWorkloadRow(workloads: Float64Array, index: number): void {
  const o = index * WORKLOAD_FIELD_COUNT;
  const at = (field: number) => `workloads[${index}].${WORKLOAD_FIELDS[field]}`;
  const whole = (field: number, min: number, max: number, why = '') => {
    const v = workloads[o + field];
    if (!wholeIn(v, min, max)) throw LinkcapInputError.outOfRange(at(field), v, `must be a whole number from ${min} to ${max}${why}`);
  };
  const flag = (field: number) => {
    const v = workloads[o + field];
    if (!(v === 0 || v === 1)) throw LinkcapInputError.outOfRange(at(field), v, 'must be 0 or 1');
  };
  const w = (field: number) => workloads[o + field];
  whole(W.layers, 1, 100_000);
  whole(W.hidden, 1, 1_000_000);
  whole(W.heads, 1, 100_000);
  whole(W.kvHeads, 1, w(W.heads), ' (heads)');
  whole(W.headDim, 1, 100_000);
  whole(W.vHeadDim, 1, 100_000);
  flag(W.gatedFfn);
  whole(W.qLoraRank, 0, 1_000_000);
  whole(W.kvLoraRank, 0, 1_000_000);
  whole(W.ropeHeadDim, 0, w(W.headDim) - 1, ' (headDim − 1)');
  whole(W.vocab, 1, 100_000_000);
  whole(W.seqLen, 1, 100_000_000);
  flag(W.tiedEmbeddings);
  flag(W.learnedPositions);
  flag(W.biases);
  flag(W.dropout);
  whole(W.experts, 0, 1_000_000);
  whole(W.sharedExperts, 0, 1024);
  whole(W.firstDenseLayers, 0, w(W.layers), ' (layers)');
  const moe = w(W.experts) > 0;
  if (moe) {
    whole(W.topK, 1, w(W.experts), ' (routed experts)');
    whole(W.expertFfn, 1, 10_000_000, ' (the model has routed experts)');
  } else {
    whole(W.topK, 0, 1_000_000);
    whole(W.expertFfn, 0, 10_000_000);
  }
  if (!moe || w(W.firstDenseLayers) > 0) whole(W.ffn, 1, 10_000_000, ' (the model has dense layers)');
  else whole(W.ffn, 0, 10_000_000);
}

/** Checks row `index` of packed chip rows (CHIP_FIELDS); throws LinkcapInputError for the first bad field. */
export function validateChipRow(chips: Float64Array, index: number): void {
  for (let field = 0; field < CHIP_FIELD_COUNT; field += 1) {
    const v = chips[index * CHIP_FIELD_COUNT + field];
    const name = `chips[${index}].${CHIP_FIELDS[field]}`;
    switch (field) {
      case C.peakFp8Flops:
      case C.gemmOverheadS:
        if (!(Number.isFinite(v) && v >= 0)) throw LinkcapInputError.outOfRange(name, v, 'must be a finite number ≥ 0');
        break;
      case C.gemmEfficiency:
      case C.memoryEfficiency:
      case C.usableMemoryFraction:
      case C.gemmEfficiencyFp8:
      case C.attentionFwdEfficiency:
      case C.attentionBwdEfficiency:
      case C.attentionFa2Scale:
        if (!(v > 0 && v <= 1)) throw LinkcapInputError.outOfRange(name, v, 'must be a fraction in (0, 1]');
        break;
      case C.attentionSoftmaxFlops:
        if (!(v >= 0 && v <= 1e6)) throw LinkcapInputError.outOfRange(name, v, 'must be a number from 0 to 1000000');
        break;
      case C.memoryReserveBytes: {
        const memory = chips[index * CHIP_FIELD_COUNT + C.memoryBytes];
        if (!(v >= 0 && v < memory)) throw LinkcapInputError.outOfRange(name, v, `must be from 0 to below memoryBytes (${describeValue(memory)})`);
        break;
      }
      default:
        if (!(Number.isFinite(v) && v > 0)) throw LinkcapInputError.outOfRange(name, v, 'must be a finite number > 0');
    }
  }
}
