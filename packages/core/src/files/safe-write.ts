/**
 * Writing user files without ever losing one: the new content goes to a temporary file in the same directory, is
 * flushed to disk (fsync) and renamed over the old file, so a reader sees the old file or the new one, never half
 * of one (write-file-atomic does this, keeping the file's mode and owner). Symbolic links are written through: the
 * link stays and its target gets the new content. A file without write permission is refused, never replaced.
 *
 * Read-modify-write (updateFileSafely) holds a lock (proper-lockfile: a `<file>.lock` directory, atomic to create
 * on every file system, refreshed while held and taken over when stale) across reading, merging and writing, so
 * concurrent writers take turns and none loses another's change.
 *
 * Errors are LinkcapFileError naming the path the user gave, never the temporary file.
 */
import { accessSync, closeSync, constants, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as Crypto from 'node:crypto';
import type * as ProperLockfile from 'proper-lockfile';
import type * as SignalExit from 'signal-exit';
import type WriteFileAtomic from 'write-file-atomic';
import { lazyRequire } from './lazy-require.js';
import { LinkcapFileError, readTextFile, type ReadTextOptions } from './read-text.js';
import { systemErrorReason } from './system-error.js';

const properLockfile = lazyRequire<typeof ProperLockfile>('proper-lockfile');
const writeFileAtomic = lazyRequire<typeof WriteFileAtomic>('write-file-atomic');
const signalExit = lazyRequire<typeof SignalExit>('signal-exit');
// node:crypto (for temporary names) too: it is ~1 ms of start-up for every command that can write, writing or not.
const crypto = lazyRequire<typeof Crypto>('node:crypto');

/** How long a writer waits for another one's lock before giving up (default). */
export const DEFAULT_LOCK_WAIT_MS = 30_000;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The file a write to `path` must replace: `path` itself, or the final target of a chain of symbolic links
 * (also when that target does not exist yet). Absolute.
 */
export function resolveWriteTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops += 1) {
    try {
      return realpathSync(current);
    } catch {
      // Missing file, or a link whose target is missing: follow the link by hand, else it is a new file.
    }
    let link: Stats;
    try {
      link = lstatSync(current);
    } catch {
      return current;
    }
    if (!link.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new LinkcapFileError(path, 'too many levels of symbolic links');
}

/** True when `path` itself is a symbolic link (a directory on the way that is a link does not count). */
export function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** "" for a plain path, " (a link to /shared/x.yaml)" for a symbolic link: what follows the path in a message. */
function linkNote(path: string, target: string): string {
  return isSymbolicLink(path) ? ` (a link to ${target})` : '';
}

/**
 * Throws LinkcapFileError unless `target` may be replaced: an existing file must be a regular file with write
 * permission (a file whose mode has no write bit counts as read-only even for root, who could rename over it),
 * and its directory must exist and be writable.
 */
export function checkWritable(path: string, target = resolveWriteTarget(path)): void {
  const stat = statOrUndefined(target);
  if (stat) {
    if (!stat.isFile()) throw new LinkcapFileError(path, `is${linkNote(path, target)} not a regular file; linkcap writes only regular files`);
    let writable = (stat.mode & 0o222) !== 0;
    if (writable) {
      try {
        accessSync(target, constants.W_OK);
      } catch {
        writable = false;
      }
    }
    if (!writable) throw new LinkcapFileError(path, `is read-only${linkNote(path, target)}; left unchanged (make it writable, or write to another file)`);
  }
  const directory = dirname(target);
  const dirStat = statOrUndefined(directory);
  if (!dirStat) throw new LinkcapFileError(path, `directory ${directory} does not exist`);
  if (!dirStat.isDirectory()) throw new LinkcapFileError(path, `${directory} is not a directory`);
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new LinkcapFileError(path, `cannot create files in directory ${directory} (permission denied), which a safe replace needs`);
  }
}

export interface SafeWriteResult {
  /** The file actually written (the symlink target when `path` is a link). */
  target: string;
  /** Whether the file did not exist before. */
  created: boolean;
}

/** Writes `data` to `path` atomically (temporary file in the same directory, fsync, rename), through links. */
export async function writeFileSafely(path: string, data: string | Uint8Array): Promise<SafeWriteResult> {
  const target = resolveWriteTarget(path);
  checkWritable(path, target);
  const created = statOrUndefined(target) === undefined;
  await writeResolved(path, target, data);
  return { target, created };
}

async function writeResolved(path: string, target: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic()(target, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), { fsync: true });
  } catch (error) {
    throw new LinkcapFileError(path, `cannot write${linkNote(path, target)}: ${systemErrorReason(error)}; the file is unchanged`);
  }
}

export interface LockOptions {
  /** How long to wait for another writer (default DEFAULT_LOCK_WAIT_MS). */
  waitMs?: number;
  /** The path to name in errors (default the locked path). */
  userPath?: string;
}

/**
 * Runs `fn` while holding the lock of `path` (the directory `<path>.lock` beside it). Waits for other holders
 * up to `waitMs`; a lock left by a crashed process is taken over after 10 s without refresh.
 */
export async function withFileLock<T>(path: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
  const target = resolve(path);
  const userPath = options.userPath ?? path;
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const lockPath = `${target}.lock`;
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await properLockfile().lock(target, {
      realpath: false,
      lockfilePath: lockPath,
      stale: 10_000,
      update: 2_000,
      // Poll every ≤ 100 ms until waitMs is spent.
      retries: { retries: Math.max(1, Math.ceil(waitMs / 100)), factor: 1.5, minTimeout: 10, maxTimeout: 100, randomize: true },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      throw new LinkcapFileError(
        userPath,
        `another process has been writing it for over ${Math.round(waitMs / 1000)} s (lock ${lockPath}); try again, or remove that directory if no linkcap is running`,
      );
    }
    throw new LinkcapFileError(userPath, `cannot lock it for writing (${lockPath}): ${systemErrorReason(error)}`);
  }
  try {
    const result = await fn();
    if (compromised) throw new LinkcapFileError(userPath, `its lock ${lockPath} was taken over while writing (${compromised.message}); check the file`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

export interface UpdateResult extends SafeWriteResult {
  /** False when `update` returned undefined or the same text (nothing written). */
  changed: boolean;
}

/**
 * Read-modify-write under the file's lock: reads the current text (undefined when the file does not exist),
 * passes it to `update`, and writes what it returns atomically. `update` runs with the lock held, so it sees every
 * change another writer made before; it may throw to leave the file as it is.
 */
export async function updateFileSafely(
  path: string,
  update: (current: string | undefined) => string | undefined | Promise<string | undefined>,
  options: LockOptions & ReadTextOptions = {},
): Promise<UpdateResult> {
  const target = resolveWriteTarget(path);
  checkWritable(path, target);
  return withFileLock(
    target,
    async () => {
      const exists = statOrUndefined(target) !== undefined;
      let current: string | undefined;
      if (exists) {
        try {
          current = readTextFile(target, options);
        } catch (error) {
          if (error instanceof LinkcapFileError) throw new LinkcapFileError(path, error.reason);
          throw error;
        }
      }
      const next = await update(current);
      if (next === undefined || next === current) return { target, created: false, changed: false };
      checkWritable(path, target);
      await writeResolved(path, target, next);
      return { target, created: !exists, changed: true };
    },
    { ...options, userPath: path },
  );
}

/**
 * A write in progress for output produced piece by piece (sweep results, large tables): write to `temporaryPath`
 * with any writer, then `commit()` (fsync, rename over the target, fsync the directory) or `abort()` (delete).
 * Until committed, the target is untouched; the temporary file is removed if the process exits or is killed first.
 */
export interface PendingWrite {
  /** The file the result will replace (through symbolic links). */
  target: string;
  /** Where to write now: a new name in the target's directory, so the final rename is atomic. */
  temporaryPath: string;
  commit(): Promise<SafeWriteResult>;
  abort(): Promise<void>;
}

/** Checks that `path` may be written (see checkWritable) and reserves a temporary file beside it. */
export function beginSafeWrite(path: string): PendingWrite {
  const target = resolveWriteTarget(path);
  checkWritable(path, target);
  const created = statOrUndefined(target) === undefined;
  const temporaryPath = join(dirname(target), `.${basename(target)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`);
  try {
    closeSync(openSync(temporaryPath, 'wx', created ? 0o666 : statSync(target).mode & 0o7777));
  } catch (error) {
    throw new LinkcapFileError(path, `cannot create a temporary file beside it: ${systemErrorReason(error)}`);
  }
  let done = false;
  const remove = () => {
    try {
      unlinkSync(temporaryPath);
    } catch {
      // already gone
    }
  };
  const stopWatching = signalExit().onExit(() => {
    if (!done) remove();
  });
  const finish = () => {
    done = true;
    stopWatching();
  };
  return {
    target,
    temporaryPath,
    async commit() {
      try {
        const fd = openSync(temporaryPath, 'r+');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temporaryPath, target);
      } catch (error) {
        remove();
        finish();
        throw new LinkcapFileError(path, `cannot write${linkNote(path, target)}: ${systemErrorReason(error)}; the file is unchanged`);
      }
      finish();
      try {
        // Make the rename itself durable; not every platform can open a directory, which is fine.
        const dir = openSync(dirname(target), 'r');
        try {
          fsyncSync(dir);
        } finally {
          closeSync(dir);
        }
      } catch {
        // best effort
      }
      return { target, created };
    },
    async abort() {
      remove();
      finish();
    },
  };
}
