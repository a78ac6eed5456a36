/**
 * Asynchronous native calls need memory that stays put while the workers run: a SharedArrayBuffer cannot be
 * detached, shrunk or freed while referenced, an ordinary ArrayBuffer can (a transfer, a resize). The addon
 * therefore accepts only SharedArrayBuffer views for its asynchronous entry points, and this runs a batch
 * whose arrays are not all shared in windows: each window's inputs are copied into shared staging arrays,
 * evaluated there, and the outputs copied back, with the caller's arrays checked for detachment at every
 * copy. Shared arrays are used in place; a batch whose arrays are all shared runs as one window.
 */
import { isSharedColumn } from '../model/columns.js';

type AnyTypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int32Array
  | Float64Array;

export interface WindowedArray {
  /** For messages: `inputs.bytes`, `layouts`. */
  name: string;
  array: AnyTypedArray;
  /** Elements per item (1 for a column, the row width for packed rows). */
  width: number;
  /** Written by the engine (copied back), else read (copied in). */
  output: boolean;
}

/** Items per window when staging: 2^18 points is ~16 MB of staged columns, a few milliseconds of copying. */
export const WINDOW_ITEMS = 1 << 18;

function checkIntact(entry: WindowedArray, total: number): void {
  const expected = total * entry.width;
  if (entry.array.length !== expected) {
    throw new TypeError(`${entry.name} was detached or resized during evaluateAsync (length ${entry.array.length}, expected ${expected})`);
  }
}

function stagingFor(entry: WindowedArray, items: number): AnyTypedArray {
  const type = entry.array.constructor as { new (buffer: SharedArrayBuffer): AnyTypedArray; BYTES_PER_ELEMENT: number };
  return new type(new SharedArrayBuffer(items * entry.width * type.BYTES_PER_ELEMENT));
}

/**
 * Calls `evaluate(views, start, count)` for consecutive windows covering items [0, total) (at least once, even
 * for an empty batch), where views[k] is arrays[k]'s rows [start, start + count) in shared memory. When a window
 * throws, its staged outputs are still copied back (the engine wrote "not evaluated" where it stopped),
 * `fillRest(start + count)` marks the windows never started, and the error propagates.
 */
export async function runInSharedWindows(
  total: number,
  arrays: readonly WindowedArray[],
  evaluate: (views: AnyTypedArray[], start: number, count: number) => Promise<void>,
  fillRest: (from: number) => void,
  windowItems = WINDOW_ITEMS,
): Promise<void> {
  const direct = arrays.every((entry) => isSharedColumn(entry.array));
  const window = direct ? total : Math.max(1, Math.min(total, windowItems));
  const staging = arrays.map((entry) => (isSharedColumn(entry.array) ? null : stagingFor(entry, window)));
  const copyBack = (start: number, count: number, strict: boolean) => {
    arrays.forEach((entry, k) => {
      const stage = staging[k];
      if (!entry.output || stage === null) return;
      try {
        checkIntact(entry, total);
        entry.array.set(stage.subarray(0, count * entry.width), start * entry.width);
      } catch (error) {
        if (strict) throw error;
      }
    });
  };
  const failWith = (error: unknown, from: number): never => {
    try {
      fillRest(from);
    } catch {
      // A detached output: nothing more can be written to it, and the first error says more.
    }
    throw error;
  };
  let start = 0;
  do {
    const count = Math.min(window, total - start);
    let views: AnyTypedArray[] = [];
    try {
      views = arrays.map((entry, k) => {
        const from = start * entry.width;
        const to = (start + count) * entry.width;
        const stage = staging[k];
        checkIntact(entry, total);
        if (stage === null) return entry.array.subarray(from, to);
        const view = stage.subarray(0, to - from);
        if (!entry.output) view.set(entry.array.subarray(from, to));
        return view;
      });
    } catch (error) {
      failWith(error, start);
    }
    try {
      await evaluate(views, start, count);
    } catch (error) {
      copyBack(start, count, false);
      failWith(error, start + count);
    }
    try {
      copyBack(start, count, true);
    } catch (error) {
      failWith(error, start + count);
    }
    start += count;
  } while (start < total);
}
