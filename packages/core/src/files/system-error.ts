/**
 * Node's file-system errors in words, without the syscall or the (possibly temporary) path Node puts in the
 * message: callers say which user path failed.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EEXIST: 'already exists',
  EXDEV: 'cannot rename across file systems',
  EFBIG: 'file too large',
};

export interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}

export function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as SystemError).code === 'string' && typeof (error as SystemError).syscall === 'string';
}

/** "permission denied" for an EACCES error; the code itself for one this table lacks. */
export function systemErrorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as SystemError).code;
  if (code && REASONS[code]) return REASONS[code];
  if (code) return code;
  return error.message;
}
