/**
 * Column layout of collective batches: typed arrays in, typed arrays out. The same objects cross into the
 * native engine without copying, so a sweep can stream chunks through preallocated buffers.
 */

export interface CollectiveInputColumns {
  /** Operation code per point (OpCode). */
  op: Uint8Array;
  /** Message size per point in bytes, nccl-tests' "size" (whole buffer for all-gather, reduce-scatter, all-to-all). */
  bytes: Float64Array;
  /** Ranks (GPUs) per point. */
  gpus: Uint32Array;
  /** Row of the packed cluster table per point. */
  cluster: Uint16Array;
  /** Forced algorithm code, AUTO (255: NCCL's algorithms) or AUTO_ALL (254: every modelled algorithm). */
  algo: Uint8Array;
  /** Forced protocol code or AUTO (255). */
  proto: Uint8Array;
}

export interface CollectiveOutputColumns {
  /** PointStatus per point; NaN outputs where it is not 0. */
  status: Uint8Array;
  timeS: Float64Array;
  algbwGBps: Float64Array;
  busbwGBps: Float64Array;
  algo: Uint8Array;
  proto: Uint8Array;
  scaleUpBytes: Float64Array;
  scaleOutBytes: Float64Array;
}

export const INPUT_COLUMN_NAMES = ['op', 'bytes', 'gpus', 'cluster', 'algo', 'proto'] as const;
export const OUTPUT_COLUMN_NAMES = ['status', 'timeS', 'algbwGBps', 'busbwGBps', 'algo', 'proto', 'scaleUpBytes', 'scaleOutBytes'] as const;

/** Expected constructor per column, checked before anything crosses into C++. */
export const INPUT_COLUMN_TYPES = {
  op: Uint8Array,
  bytes: Float64Array,
  gpus: Uint32Array,
  cluster: Uint16Array,
  algo: Uint8Array,
  proto: Uint8Array,
} as const;
export const OUTPUT_COLUMN_TYPES = {
  status: Uint8Array,
  timeS: Float64Array,
  algbwGBps: Float64Array,
  busbwGBps: Float64Array,
  algo: Uint8Array,
  proto: Uint8Array,
  scaleUpBytes: Float64Array,
  scaleOutBytes: Float64Array,
} as const;

export function allocateInputColumns(length: number): CollectiveInputColumns {
  return {
    op: new Uint8Array(length),
    bytes: new Float64Array(length),
    gpus: new Uint32Array(length),
    cluster: new Uint16Array(length),
    algo: new Uint8Array(length),
    proto: new Uint8Array(length),
  };
}

export function allocateOutputColumns(length: number): CollectiveOutputColumns {
  return {
    status: new Uint8Array(length),
    timeS: new Float64Array(length),
    algbwGBps: new Float64Array(length),
    busbwGBps: new Float64Array(length),
    algo: new Uint8Array(length),
    proto: new Uint8Array(length),
    scaleUpBytes: new Float64Array(length),
    scaleOutBytes: new Float64Array(length),
  };
}
