/**
 * The typed interface of the native addon (native/src/addon). Everything crosses as typed arrays; the
 * addon validates again in C++ and throws a JS Error (never aborts the process) on bad input.
 */
import type { CollectiveInputColumns, CollectiveOutputColumns } from '../model/columns.js';

export interface NativeBinding {
  /** Bumped whenever the column or cluster-row layout changes; the loader refuses a stale build. */
  readonly abiVersion: number;
  /** Number of float64 fields per packed cluster row; must equal CLUSTER_FIELD_COUNT. */
  readonly clusterFieldCount: number;
  /** Threads the pool uses when asked for 0 (all cores). */
  hardwareConcurrency(): number;
  /** Evaluates every point, blocking the calling thread, on `threads` worker threads (0 = all cores). */
  evaluateCollectives(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    threads: number,
  ): void;
  /**
   * Same work off the JS thread (AsyncWorker). `onProgress(done, total)` is called from the JS thread as
   * chunks finish; setting cancelFlag[0] = 1 stops the workers at the next chunk and rejects with an
   * Error whose message starts with "cancelled".
   */
  evaluateCollectivesAsync(
    packedClusters: Float64Array,
    inputs: CollectiveInputColumns,
    outputs: CollectiveOutputColumns,
    threads: number,
    cancelFlag: Int32Array,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<void>;
}

export const NATIVE_ABI_VERSION = 2;
