/**
 * The typed interface of the native addon (native/src/addon). Everything crosses as typed arrays. The addon
 * checks every argument itself and throws a JS error (never aborts the process) on bad input: a TypeError for
 * a wrong type or length, a RangeError with a `field` property for a value out of range (checked where the
 * engine reads it, so even memory that changes during the call cannot reach the model unchecked).
 *
 * Memory: a synchronous call uses the arrays in place and returns before any JavaScript runs again. An
 * asynchronous call outlives its caller, so its columns (and cancelFlag) must be SharedArrayBuffer views —
 * memory that cannot be detached or freed while the addon references it; the small tables (cluster, workload
 * and chip rows) may be any Float64Array and are copied before the call returns.
 */
import type { AbiTables } from './abi-tables.js';
/**
 * The 14 columns of a collective batch as positional arguments: the input columns in INPUT_COLUMN_NAMES order
 * (op, bytes, gpus, cluster, algo, proto), then the output columns in OUTPUT_COLUMN_NAMES order (status,
 * timeS, algbwGBps, busbwGBps, algo, proto, scaleUpBytes, scaleOutBytes). Positional, not objects: the addon
 * reads no property (no getter can run while it holds the arrays' memory) and looks nothing up by name.
 */
export type NativeColumns = [
  op: Uint8Array,
  bytes: Float64Array,
  gpus: Uint32Array,
  cluster: Uint16Array,
  algo: Uint8Array,
  proto: Uint8Array,
  status: Uint8Array,
  timeS: Float64Array,
  algbwGBps: Float64Array,
  busbwGBps: Float64Array,
  outAlgo: Uint8Array,
  outProto: Uint8Array,
  scaleUpBytes: Float64Array,
  scaleOutBytes: Float64Array,
];

export interface NativeBinding {
  /** Bumped whenever the column layout, a status code or an entry point's contract changes; the loader refuses a stale build. */
  readonly abiVersion: number;
  /** Number of float64 fields per packed cluster row; must equal CLUSTER_FIELD_COUNT. */
  readonly clusterFieldCount: number;
  /**
   * The names of every table generated from this package's lists (cluster and training row fields, op,
   * algorithm, protocol and status codes), table name → member names in code order; see engine/abi-tables.ts.
   */
  readonly abiTables: AbiTables;
  /** Threads the pool uses when asked for 0 (all cores). */
  hardwareConcurrency(): number;
  /**
   * Evaluates every point, blocking the calling thread, on `threads` worker threads (0 = all cores). At the
   * first invalid point it throws (after evaluating every point before it; that point and the later ones read
   * status 3, not evaluated).
   */
  evaluateCollectives(packedClusters: Float64Array, ...columnsAndThreads: [...NativeColumns, threads: number]): void;
  /**
   * Same work off the JS thread (AsyncWorker); columns on SharedArrayBuffers. `onProgress(done, total)` is
   * called from the JS thread as chunks finish; setting cancelFlag[0] = 1 (an Int32Array on a
   * SharedArrayBuffer) stops the workers at the next chunk and rejects with an Error named AbortError,
   * "cancelled after N of M points", with `completed` (N) and `total` (M). `firstIndex` (default 0) is the
   * index of point 0 in error messages, for callers that evaluate a window of a larger batch.
   */
  evaluateCollectivesAsync(
    packedClusters: Float64Array,
    ...rest: [
      ...NativeColumns,
      threads: number,
      cancelFlag: Int32Array | undefined,
      onProgress: ((done: number, total: number) => void) | undefined,
      firstIndex?: number,
    ]
  ): Promise<void>;
}

export const NATIVE_ABI_VERSION = 4;
