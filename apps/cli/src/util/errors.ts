/**
 * Exit codes: 0 success, 1 the input was understood but is invalid or the model cannot price it
 * (bad cluster file, GPU count that does not fit), 2 usage errors (unknown flag, malformed value).
 */
export const EXIT_OK = 0;
export const EXIT_INVALID_INPUT = 1;
export const EXIT_USAGE = 2;

/** A malformed command line: the value of a flag cannot be parsed. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}
