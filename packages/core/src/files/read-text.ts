/**
 * The one way linkcap reads a user's input file (catalog, cluster, model): only regular files, only up to a stated
 * size, never blocking on a pipe or device. A path to /dev/zero, a FIFO or a directory is refused at once with the
 * path in the message, instead of being read until memory runs out.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LinkcapInputError } from '../validate/errors.js';
import { systemErrorReason } from './system-error.js';

/**
 * Largest input file linkcap reads: 16 MiB. Real catalog, cluster and model files are a few kilobytes; parsing a
 * YAML file of this size already takes seconds and hundreds of MB of memory.
 */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/** A file that cannot be read or written; the message starts with the path the user gave. */
export class LinkcapFileError extends LinkcapInputError {
  constructor(
    readonly path: string,
    /** What went wrong, without the path. */
    readonly reason: string,
  ) {
    super(path, reason);
    this.name = 'LinkcapFileError';
  }
}

export interface ReadTextOptions {
  /** What the file is, for messages ("catalog file", "model file"). */
  what?: string;
  /** Size limit in bytes (default MAX_INPUT_FILE_BYTES). */
  maxBytes?: number;
}

function bytesText(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  return bytes >= 2 ** 20 && bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB (${exact})` : exact;
}

function tooLarge(path: string, what: string, size: string, maxBytes: number): LinkcapFileError {
  return new LinkcapFileError(path, `${what} is ${size}; linkcap reads files of at most ${bytesText(maxBytes)}`);
}

/** Reads a regular file as UTF-8 text. Throws LinkcapFileError naming `path` for anything else. */
export function readTextFile(path: string, options: ReadTextOptions = {}): string {
  const what = options.what ?? 'file';
  const maxBytes = options.maxBytes ?? MAX_INPUT_FILE_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (regular files ignore the flag).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new LinkcapFileError(path, `cannot open the ${what}: ${systemErrorReason(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new LinkcapFileError(path, `is a directory; expected a ${what}`);
    if (!stat.isFile()) {
      const kind = stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
      throw new LinkcapFileError(path, `is ${kind}, not a regular file; linkcap reads a ${what} only from a regular file`);
    }
    if (stat.size > maxBytes) throw tooLarge(path, `the ${what}`, bytesText(stat.size), maxBytes);
    // Read to the end, but never past the limit: a file that grows while being read is cut off with an error.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw new LinkcapFileError(path, `cannot read the ${what}: ${systemErrorReason(error)}`);
      }
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) throw tooLarge(path, `the ${what}`, `over ${bytesText(maxBytes)}`, maxBytes);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
