/**
 * Cancellation shared by both engines' evaluateAsync: the error an aborted call rejects with, and the
 * event-loop yield the reference engine takes between slices of work.
 */

/**
 * An evaluateAsync call stopped by its AbortSignal: `cancelled after N of M points`. Items [0, completed) were
 * evaluated; every other item reads the "not evaluated" status. `cause` is the signal's reason.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(
    readonly completed: number,
    readonly total: number,
    noun: 'points' | 'configurations',
    cause?: unknown,
  ) {
    super(`cancelled after ${completed} of ${total} ${noun}`, cause === undefined ? undefined : { cause });
    this.name = 'AbortError';
  }
}

/** Lets the event loop run (I/O, timers, an abort) before the caller continues. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  // Browsers: a message is not clamped to 4 ms like a nested setTimeout(0).
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      // The DOM MessagePort (this branch runs in browsers; Node's typings describe worker_threads' port).
      const port = channel.port1 as unknown as { onmessage: (() => void) | null; close(): void };
      port.onmessage = () => {
        port.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Milliseconds of work the reference engine does between yields: short enough to keep a page or server responsive. */
export const REFERENCE_SLICE_MS = 8;

export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

export interface SliceOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The reference engines' evaluateAsync: `evaluate(begin, end)` over [0, total) in chunks of `chunk` items, a
 * few milliseconds at a time, reporting progress after each slice and yielding to the event loop between
 * slices, where an abort is noticed: it marks the items not reached (`fillFrom(done)`) and rejects with an
 * AbortError. The native engines keep the same contract with worker threads.
 */
export async function evaluateInSlices(
  total: number,
  chunk: number,
  noun: 'points' | 'configurations',
  options: SliceOptions | undefined,
  evaluate: (begin: number, end: number) => void,
  fillFrom: (from: number) => void,
): Promise<void> {
  const signal = options?.signal;
  const onProgress = options?.onProgress;
  let done = 0;
  while (done < total) {
    if (signal?.aborted) {
      fillFrom(done);
      throw new AbortError(done, total, noun, signal.reason);
    }
    const sliceStart = now();
    do {
      const end = Math.min(total, done + chunk);
      evaluate(done, end);
      done = end;
    } while (done < total && now() - sliceStart < REFERENCE_SLICE_MS);
    if (onProgress) {
      try {
        onProgress(done, total);
      } catch (error) {
        fillFrom(done);
        throw error;
      }
    }
    if (done < total) await yieldToEventLoop();
  }
  if (total === 0) onProgress?.(0, 0);
}

/**
 * Runs `run` with the flag the native workers poll between chunks (an Int32Array on a SharedArrayBuffer:
 * shared memory, not a message), set to 1 when `signal` aborts, already set if it has.
 */
export async function withCancelFlag<T>(signal: AbortSignal | undefined, run: (cancelFlag: Int32Array) => Promise<T>): Promise<T> {
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => {
    cancelFlag[0] = 1;
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(cancelFlag);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
