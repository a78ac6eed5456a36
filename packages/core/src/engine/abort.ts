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
