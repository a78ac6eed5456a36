/**
 * Reading and writing user files safely: bounded reads of regular files only, atomic writes through symbolic
 * links that respect read-only files, and a lock for read-modify-write. Shared by the catalog, `linkcap chips
 * derive`, calibration and sweep outputs.
 */
export { readTextFile, LinkcapFileError, MAX_INPUT_FILE_BYTES, type ReadTextOptions } from './read-text.js';
export {
  writeFileSafely,
  updateFileSafely,
  beginSafeWrite,
  withFileLock,
  resolveWriteTarget,
  isSymbolicLink,
  checkWritable,
  DEFAULT_LOCK_WAIT_MS,
  type SafeWriteResult,
  type UpdateResult,
  type LockOptions,
  type PendingWrite,
} from './safe-write.js';
export { systemErrorReason, isSystemError, type SystemError } from './system-error.js';
