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

export interface AllocateOptions {
  /**
   * Back the columns with a SharedArrayBuffer (the default where one exists: Node, cross-origin-isolated
   * pages). The native engine's evaluateAsync then reads and writes them in place; other columns it copies
   * through shared windows, because an ordinary ArrayBuffer can be detached or freed while workers use it.
   * Shared columns can also be handed to worker threads without copying.
   */
  shared?: boolean;
}

/** Whether this runtime has SharedArrayBuffer (browsers only on cross-origin-isolated pages). */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

/** A typed array of `length` elements, on a SharedArrayBuffer when `shared` (and available). */
export function allocateArray<T extends ArrayBufferView>(
  type: { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared = sharedMemoryAvailable(),
): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  const buffer = shared && sharedMemoryAvailable() ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new type(buffer, 0, length);
}

/** Whether a column's memory is a SharedArrayBuffer. */
export function isSharedColumn(view: ArrayBufferView): boolean {
  return sharedMemoryAvailable() && view.buffer instanceof SharedArrayBuffer;
}

/**
 * Views of one new buffer, laid out in the order given (widest elements first, so every view is aligned): one
 * allocation instead of one per column, which is most of what a small call costs (a SharedArrayBuffer
 * allocation costs microseconds). Shared memory only: an ordinary column set keeps one buffer per column, so
 * that transferring one column does not detach the others.
 */
function sharedViews(length: number, types: readonly { BYTES_PER_ELEMENT: number }[]): { buffer: SharedArrayBuffer; offsets: number[] } {
  let bytes = 0;
  const offsets = types.map((type) => {
    const offset = bytes;
    bytes += length * type.BYTES_PER_ELEMENT;
    return offset;
  });
  return { buffer: new SharedArrayBuffer(bytes), offsets };
}

export function allocateInputColumns(length: number, options: AllocateOptions = {}): CollectiveInputColumns {
  if ((options.shared ?? true) && sharedMemoryAvailable()) {
    const { buffer, offsets } = sharedViews(length, [Float64Array, Uint32Array, Uint16Array, Uint8Array, Uint8Array, Uint8Array]);
    return {
      bytes: new Float64Array(buffer, offsets[0], length),
      gpus: new Uint32Array(buffer, offsets[1], length),
      cluster: new Uint16Array(buffer, offsets[2], length),
      op: new Uint8Array(buffer, offsets[3], length),
      algo: new Uint8Array(buffer, offsets[4], length),
      proto: new Uint8Array(buffer, offsets[5], length),
    };
  }
  return {
    op: new Uint8Array(length),
    bytes: new Float64Array(length),
    gpus: new Uint32Array(length),
    cluster: new Uint16Array(length),
    algo: new Uint8Array(length),
    proto: new Uint8Array(length),
  };
}

export function allocateOutputColumns(length: number, options: AllocateOptions = {}): CollectiveOutputColumns {
  if ((options.shared ?? true) && sharedMemoryAvailable()) {
    const types = [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Uint8Array, Uint8Array, Uint8Array];
    const { buffer, offsets } = sharedViews(length, types);
    return {
      timeS: new Float64Array(buffer, offsets[0], length),
      algbwGBps: new Float64Array(buffer, offsets[1], length),
      busbwGBps: new Float64Array(buffer, offsets[2], length),
      scaleUpBytes: new Float64Array(buffer, offsets[3], length),
      scaleOutBytes: new Float64Array(buffer, offsets[4], length),
      status: new Uint8Array(buffer, offsets[5], length),
      algo: new Uint8Array(buffer, offsets[6], length),
      proto: new Uint8Array(buffer, offsets[7], length),
    };
  }
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

/** The largest message size in bytes, in every API: 2^53, the largest integer a double holds exactly. */
export const MAX_BYTES = 2 ** 53;
export const BYTES_RANGE = 'must be a finite number of bytes > 0 and ≤ 2^53';
