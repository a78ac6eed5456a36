/**
 * linkcap's one exit-code rule, for every command (README "Exit codes"; test/cli-table.test.ts checks it):
 *
 *   0  success: the answer is printed (--help and --version too).
 *   1  the command line is well formed but the command cannot answer it: a value out of range or unreadable
 *      (`--gpus 0`, `--bytes 1e30`, `--price abc`), an unknown preset, chip, model or operation, a file that cannot
 *      be read, parsed or written, or a request the model cannot price (a GPU count the cluster cannot hold, no layout
 *      to search). The message names the option or file and, for numbers, the allowed range with both limits.
 *      An internal error (a bug) also exits 1, and says so.
 *   2  usage error: the shape of the command line is wrong: an unknown command or option, an option without its
 *      value, a required option or argument missing, or options that cannot be used together.
 *
 * Commands throw UsageError for the second kind and InputError (or any error of @linkcap/core) for the first; the
 * parsers in values.ts throw InputError. cli.ts maps every error through exitCodeFor and errorMessage.
 */
import { CommanderError } from 'commander';

export const EXIT_OK = 0;
export const EXIT_INVALID_INPUT = 1;
export const EXIT_USAGE = 2;

/** The command line is malformed: unknown or missing options, options that cannot be combined (exit 2). */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A value, file or request the command cannot answer (exit 1). */
export class InputError extends Error {
  readonly exitCode = EXIT_INVALID_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Errors that carry a user-facing message: ours, @linkcap/core's (named *Error with a field), the addon loader's. */
const EXPECTED_ERROR_NAMES = new Set(['UsageError', 'InputError', 'LinkcapInputError', 'LinkcapFileError', 'CatalogError', 'NativeLoadError', 'NcclLogError', 'SweepSpecError']);

/**
 * @linkcap/core names the API's fields (globalBatch, scaleUpBidirGBps); the CLI user typed options. Messages that
 * start with a field the CLI sets from an option are shown with the option instead.
 */
const FIELD_OPTIONS: Record<string, string> = {
  gpus: '--gpus',
  model: '--model',
  cluster: '--cluster',
  bytes: '--bytes',
  tp: '--tp',
  pp: '--pp',
  dp: '--dp',
  cp: '--cp',
  ep: '--ep',
  microbatch: '--microbatch',
  globalBatch: '--global-batch',
  globalBatchTokens: '--batch-tokens',
  interleave: '--interleave',
  recompute: '--recompute',
  zero: '--zero',
  precision: '--precision',
  commPrecision: '--comm-precision',
  sequenceParallel: '--no-sequence-parallel',
  flashAttention: '--no-flash-attention',
  'overlap.tp': '--overlap-tp',
  'overlap.dp': '--overlap-dp',
  'overlap.pp': '--overlap-pp',
  'overlap.ep': '--overlap-ep',
  'overlap.cp': '--overlap-cp',
  'overlap.slowdown': '--overlap-slowdown',
  top: '--top',
  tokens: '--tokens',
  pricePerGpuHour: '--price',
  name: '--name',
  base: 'base chip',
  scaleUpBidirGBps: '--scale-up',
  bf16Tflops: '--bf16',
  fp8Tflops: '--fp8',
  memoryTBps: '--mem-bw',
  nicsPerGpu: '--nics',
  nicGbps: '--nic-gbps',
};

function withOptionName(error: Error & { field?: unknown }): string {
  const field = typeof error.field === 'string' ? error.field : undefined;
  const option = field === undefined ? undefined : (FIELD_OPTIONS[field] ?? (/^sizes\[\d+\]$/.test(field) ? '--sweep-bytes' : undefined));
  if (option && error.message.startsWith(`${field}: `)) return `${option}: ${error.message.slice(field!.length + 2)}`;
  return error.message;
}

interface SystemErrorLike extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}

function isSystemError(error: unknown): error is SystemErrorLike {
  return error instanceof Error && typeof (error as SystemErrorLike).code === 'string' && typeof (error as SystemErrorLike).syscall === 'string';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT_OK;
    // An option's value that commander itself rejects (e.g. .choices()) is a bad value, not a bad shape.
    return error.code === 'commander.invalidArgument' ? EXIT_INVALID_INPUT : EXIT_USAGE;
  }
  if (error instanceof UsageError) return EXIT_USAGE;
  return EXIT_INVALID_INPUT;
}

/** True when the error is one linkcap expects (its message is for the user), false for a bug. */
export function isExpectedError(error: unknown): boolean {
  return error instanceof Error && (EXPECTED_ERROR_NAMES.has(error.name) || isSystemError(error));
}

/** The message to print after "linkcap: ". */
export function errorMessage(error: unknown): string {
  if (isSystemError(error)) {
    // Node's text ("EACCES: permission denied, open '/x/y'") with the path first, as every other message.
    const reason = error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return error.path ? `${error.path}: ${reason}` : reason;
  }
  if (error instanceof Error) {
    if (error.name === 'LinkcapInputError') return withOptionName(error);
    if (isExpectedError(error)) return error.message;
    return `internal error (a bug in linkcap; please report it with the command line): ${error.message}`;
  }
  return String(error);
}
